#include "app/trading_tables.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "engine/analytics.h"
#include "engine/ledger.h"

namespace kairos::app {
namespace {

std::string Amount(int64_t minor, const Currency& currency) {
  return Money(minor, currency).ToString();
}

std::string Num(double v) {
  if (std::isnan(v)) return "";
  return fmt::format("{:.6g}", v);
}

std::string Terms(const Signal& s) {
  std::string out;
  for (const auto& [name, v] : s.terms) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", name, std::isnan(v) ? std::string("nan") : Num(v));
  }
  return out;
}

struct Mark {
  Price close;
  Date date;
};

// The last close of `symbol` in `bars`; nullopt when there are no bars (or no store).
Result<std::optional<Mark>> LastClose(const marketdata::BarStore* bars, std::string_view symbol) {
  if (bars == nullptr) return std::optional<Mark>();
  auto info = bars->Info(symbol);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) return std::optional<Mark>();
    return info.status();
  }
  KAIROS_ASSIGN_OR_RETURN(
      auto view, bars->ReadTail(symbol, marketdata::ColumnSet{marketdata::Column::kClose}, 1));
  if (view->dates().empty()) return std::optional<Mark>();
  Result<Price> close = Price::FromDouble(view->close().back());
  if (!close.ok()) return std::optional<Mark>();  // beyond a price's range: no mark
  return std::optional<Mark>(Mark{*close, view->dates().back()});
}

}  // namespace

std::string FormatNumber(double v, int decimals) {
  // -0.00 reads as a loss that is not there.
  double rounded = std::round(v * std::pow(10, decimals)) / std::pow(10, decimals);
  if (rounded == 0) rounded = 0;
  return fmt::format("{:.{}f}", rounded, decimals);
}

std::map<std::string, Currency> Currencies(const std::vector<StrategyRecord>& strategies) {
  std::map<std::string, Currency> out;
  for (const auto& r : strategies) out.emplace(r.spec.name, r.spec.currency);
  return out;
}

std::map<std::string, Currency> Currencies(ports::Store& store) {
  auto list = store.strategies().List();
  return list.ok() ? Currencies(*list) : std::map<std::string, Currency>();
}

Currency CurrencyIn(const std::map<std::string, Currency>& currencies,
                    const std::string& strategy) {
  auto it = currencies.find(strategy);
  return it == currencies.end() ? Currency::Usd() : it->second;
}

Result<Table> SignalsTable(ports::Store& store, const ports::SignalFilter& filter) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> signals, store.signals().List(filter));
  return SignalsTableOf(signals);
}

Table SignalsTableOf(const std::vector<Signal>& signals) {
  Table t;
  t.columns = {"id",     "date",  "strategy", "symbol",     "side",       "kind", "status",
               "reason", "terms", "rank",     "execute_on", "decided_by", "note"};
  for (const Signal& s : signals) {
    t.rows.push_back({std::to_string(s.id), s.session.ToString(), s.strategy, s.symbol,
                      std::string(SideName(s.side)),
                      s.kind == SignalKind::kEntry ? "entry" : "exit",
                      std::string(SignalStatusName(s.status)), s.reason, Terms(s),
                      Num(s.rank_value), s.execute_on.ToString(), s.decided_by, s.note});
  }
  return t;
}

Table RowsBetween(const Table& table, std::string_view column, std::optional<Date> from,
                  std::optional<Date> to) {
  auto at = std::find(table.columns.begin(), table.columns.end(), column);
  if (at == table.columns.end() || (!from && !to)) return table;
  const size_t i = static_cast<size_t>(at - table.columns.begin());
  const std::string lo = from ? from->ToString() : "", hi = to ? to->ToString() : "";
  Table out{table.columns, {}};
  for (const auto& row : table.rows) {
    // "YYYY-MM-DD" sorts as the dates do.
    if (from && row[i] < lo) continue;
    if (to && row[i] > hi) continue;
    out.rows.push_back(row);
  }
  return out;
}

Result<Table> OrdersTable(ports::Store& store, const ports::OrderFilter& filter) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<Order> orders, store.orders().List(filter));
  Table t;
  t.columns = {"id",   "session", "strategy", "client_order_id", "symbol", "side",   "qty",
               "type", "tif",     "limit",    "status",          "filled", "signal", "message"};
  for (const Order& o : orders) {
    const OrderRequest& r = o.request;
    t.rows.push_back({std::to_string(o.id), r.session.ToString(), o.strategy, r.client_order_id,
                      r.symbol, std::string(SideName(r.side)), r.qty.ToString(),
                      std::string(OrderTypeName(r.type)), std::string(TimeInForceName(r.tif)),
                      r.limit_price ? r.limit_price->ToString() : "",
                      std::string(OrderStatusName(o.status)), o.filled_qty.ToString(),
                      o.signal_id ? std::to_string(o.signal_id) : "", o.message});
  }
  return t;
}

Result<Table> FillsTable(ports::Store& store, const ports::FillFilter& filter) {
  KAIROS_ASSIGN_OR_RETURN(auto fills, store.ledger().ListFills(filter));
  auto currencies = Currencies(store);
  Table t;
  t.columns = {"date", "strategy", "symbol", "side", "qty", "price", "fees", "execution_id"};
  for (const auto& [strategy, f] : fills) {
    t.rows.push_back({f.session.ToString(), strategy, f.symbol, std::string(SideName(f.side)),
                      f.qty.ToString(), f.price.ToString(),
                      Amount(f.fees, CurrencyIn(currencies, strategy)), f.execution_id});
  }
  return t;
}

Result<Table> PositionsTable(ports::Store& store, const marketdata::BarStore* bars) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<Position> positions, store.ledger().Positions(""));
  auto currencies = Currencies(store);
  Table t;
  t.columns = {"strategy",      "symbol",    "qty",       "avg_price",  "entry_session",
               "sessions_held", "stop",      "target",    "high_water", "lots",
               "mark",          "mark_date", "unrealized"};
  for (const Position& p : positions) {
    Int128 num = 0, den = 0;
    for (const Lot& l : p.lots) {
      int64_t q = l.qty.units() < 0 ? -l.qty.units() : l.qty.units();
      num += static_cast<Int128>(l.price.raw()) * q;
      den += q;
    }
    std::string avg =
        den == 0
            ? ""
            : Price::FromRaw(static_cast<int64_t>(DivideRounded(num, den, Rounding::kHalfEven)))
                  .ToString();
    t.rows.push_back({p.strategy, p.symbol, p.qty.ToString(), avg, p.entry_session.ToString(),
                      std::to_string(p.sessions_held), p.stop ? p.stop->ToString() : "",
                      p.target ? p.target->ToString() : "",
                      p.high_water ? p.high_water->ToString() : "", std::to_string(p.lots.size())});
    KAIROS_ASSIGN_OR_RETURN(std::optional<Mark> mark, LastClose(bars, p.symbol));
    std::vector<std::string>& row = t.rows.back();
    if (!mark) {
      row.insert(row.end(), {"", "", ""});
      continue;
    }
    const Currency c = CurrencyIn(currencies, p.strategy);
    // A value beyond the ledger's range (run-day refuses to go on with it) is left empty: the
    // listing still shows the position.
    Result<int64_t> unrealized = engine::Unrealized(p, mark->close, c);
    row.insert(row.end(), {mark->close.ToString(), mark->date.ToString(),
                           unrealized.ok() ? Amount(*unrealized, c) : ""});
  }
  return t;
}

Currency PnlRows::CurrencyFor(const std::string& strategy) const {
  auto it = currency.find(strategy);
  return it == currency.end() ? Currency::Usd() : it->second;
}

Result<PnlRows> LoadPnl(ports::Store& store, std::string_view strategy, std::optional<Date> from,
                        std::optional<Date> to) {
  PnlRows data;
  data.from = from;
  data.to = to;
  KAIROS_ASSIGN_OR_RETURN(auto strategies, store.strategies().List());
  for (const StrategyRecord& r : strategies) data.currency.emplace(r.spec.name, r.spec.currency);
  if (!strategy.empty() && data.currency.count(std::string(strategy)) == 0) {
    return Status::NotFound(fmt::format("no strategy named '{}'", strategy));
  }
  KAIROS_ASSIGN_OR_RETURN(auto rows, store.ledger().ListDailyPnl(strategy, from, to));
  for (DailyPnl& r : rows) data.rows[r.strategy].push_back(std::move(r));
  return data;
}

namespace {

// Every row of `pnl`, by date then strategy.
std::vector<const DailyPnl*> ByDate(const PnlRows& pnl) {
  std::vector<const DailyPnl*> all;
  for (const auto& [name, rows] : pnl.rows) {
    for (const DailyPnl& r : rows) all.push_back(&r);
  }
  std::stable_sort(all.begin(), all.end(), [](const DailyPnl* a, const DailyPnl* b) {
    return std::tie(a->session, a->strategy) < std::tie(b->session, b->strategy);
  });
  return all;
}

}  // namespace

Table DailyPnlTable(const PnlRows& pnl) {
  Table t{{"date", "strategy", "realized", "unrealized", "fees", "equity"}, {}};
  for (const DailyPnl* r : ByDate(pnl)) {
    Currency c = pnl.CurrencyFor(r->strategy);
    t.rows.push_back({r->session.ToString(), r->strategy, Amount(r->realized, c),
                      Amount(r->unrealized, c), Amount(r->fees, c), Amount(r->equity, c)});
  }
  return t;
}

Table CumulativePnlTable(const PnlRows& pnl) {
  Table t{
      {"date", "strategy", "realized", "cumulative_realized", "fees", "cumulative_fees", "equity"},
      {}};
  std::map<std::string, std::pair<int64_t, int64_t>> sums;  // strategy -> (realized, fees)
  for (const DailyPnl* r : ByDate(pnl)) {
    Currency c = pnl.CurrencyFor(r->strategy);
    auto& [realized, fees] = sums[r->strategy];
    realized += r->realized;
    fees += r->fees;
    t.rows.push_back({r->session.ToString(), r->strategy, Amount(r->realized, c),
                      Amount(realized, c), Amount(r->fees, c), Amount(fees, c),
                      Amount(r->equity, c)});
  }
  return t;
}

Table MonthlyPnlTable(const PnlRows& pnl) {
  Table t{{"month", "strategy", "realized", "fees", "end_equity", "return_pct"}, {}};
  for (const auto& [name, rows] : pnl.rows) {
    Currency c = pnl.CurrencyFor(name);
    for (const engine::MonthlyPnl& m : engine::Monthly(rows)) {
      t.rows.push_back({m.Label(), name, Amount(m.realized, c), Amount(m.fees, c),
                        Amount(m.end_equity, c), FormatNumber(m.return_percent)});
    }
  }
  std::stable_sort(t.rows.begin(), t.rows.end(),
                   [](const auto& a, const auto& b) { return a[0] < b[0]; });
  return t;
}

}  // namespace kairos::app
