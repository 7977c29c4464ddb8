#include "backtest/backtest.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/ledger.h"
#include "engine/order_manager.h"
#include "engine/trading_day.h"

namespace kairos::backtest {
namespace {

constexpr std::string_view kApprover = "backtest:auto";

// Approves every signal waiting for review, as a reviewer who says yes to everything before the
// cut-off. Returns how many it approved.
Result<int> ApprovePending(ports::Store& store, const ports::Clock& clock,
                           std::string_view strategy) {
  ports::SignalFilter filter;
  filter.status = SignalStatus::kPendingReview;
  filter.strategy = std::string(strategy);
  KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> pending, store.signals().List(filter));
  for (const Signal& s : pending) {
    KAIROS_RETURN_IF_ERROR(store.signals().Transition(s.id, SignalStatus::kPendingReview,
                                                      SignalStatus::kApproved, kApprover,
                                                      "approved by the backtest", clock.NowNs()));
  }
  return static_cast<int>(pending.size());
}

// The market as a backtest sees it (engine::MarketReader). The bar store does not change during
// the run, so:
// - each rule (by key) is scanned in range mode [from, to] once per symbol, the first time the
//   engine asks about that symbol, and an as-of question about session D is answered from the
//   matches on D. A range scan evaluates every bar seeing only its past, which is what the as-of
//   scan computes (over the program's window instead of the whole history, which agrees to about
//   1e-12 relative: rules/evaluator.h); no bar after `to` is read.
// - symbols without a bar on D are skipped with the as-of scan's own messages;
// - each symbol's closes are read once (from the broker's bar source when it serves the symbol).
class ReplayMarket final : public engine::MarketReader {
 public:
  ReplayMarket(const marketdata::BarStore& bars, const calendar::ExchangeCalendar& cal, Date from,
               Date to, engine::StoreBarSource* shared)
      : bars_(bars), cal_(cal), from_(from), to_(to), shared_(shared) {}

  Result<engine::ScanResult> ScanAsOf(const engine::ScanRequest& request,
                                      std::string_view rule_key) override {
    if (!request.as_of) return Status::InvalidArgument("backtest: an as-of scan without a date");
    const Date day = *request.as_of;
    auto found = rules_.find(rule_key);
    if (found == rules_.end()) found = rules_.emplace(std::string(rule_key), RuleRange{}).first;
    RuleRange& rule = found->second;
    std::vector<std::string> missing;
    for (const std::string& symbol : request.symbols) {
      if (!rule.by_symbol.count(symbol)) missing.push_back(symbol);
    }
    if (!missing.empty()) KAIROS_RETURN_IF_ERROR(ScanRange(request, missing, rule));

    engine::ScanResult out;
    out.terms = rule.terms;
    out.as_of = day;
    const size_t width = rule.terms.size() + rule.extras + 1;
    for (const std::string& symbol : request.symbols) {
      const SymbolMatches& r = rule.by_symbol.at(symbol);
      if (!r.skipped.empty()) {
        out.skipped.push_back(r.skipped);
        continue;
      }
      KAIROS_ASSIGN_OR_RETURN(std::optional<std::string> no_bar, NoBarOn(symbol, day));
      if (no_bar) {
        out.skipped.push_back(std::move(*no_bar));
        continue;
      }
      auto it = std::lower_bound(r.dates.begin(), r.dates.end(), day);
      if (it == r.dates.end() || *it != day) continue;
      const double* v = r.values.data() + static_cast<size_t>(it - r.dates.begin()) * width;
      engine::ScanMatch m;
      m.date = day;
      m.symbol = symbol;
      m.terms.assign(v, v + rule.terms.size());
      m.extras.assign(v + rule.terms.size(), v + rule.terms.size() + rule.extras);
      m.close = v[width - 1];
      out.matches.push_back(std::move(m));
    }
    std::sort(
        out.matches.begin(), out.matches.end(),
        [](const engine::ScanMatch& a, const engine::ScanMatch& b) { return a.symbol < b.symbol; });
    return out;
  }

  Result<const marketdata::SeriesView*> Closes(const std::string& symbol) override {
    if (shared_ != nullptr) {
      KAIROS_ASSIGN_OR_RETURN(const marketdata::SeriesView* v, shared_->Series(symbol));
      if (v != nullptr) return v;
    }
    auto it = closes_.find(symbol);
    if (it != closes_.end()) return it->second.get();
    KAIROS_ASSIGN_OR_RETURN(auto view, bars_.ReadColumns(symbol, {marketdata::Column::kClose}));
    return closes_.emplace(symbol, std::move(view)).first->second.get();
  }

  void NewPhase() override {}

 private:
  // One symbol's range matches: dates, and per match the terms, the extras and the close.
  struct SymbolMatches {
    std::string skipped;  // the scan's reason when it skipped the symbol
    std::vector<Date> dates;
    std::vector<double> values;
  };
  struct RuleRange {
    std::vector<rules::Term> terms;
    size_t extras = 0;
    std::unordered_map<std::string, SymbolMatches> by_symbol;
  };
  // Which sessions a symbol has bars on: the calendar's sessions from first to last (nothing
  // kept), or the dates themselves.
  struct BarDays {
    Date first, last;
    bool every_session = false;
    std::vector<Date> dates;
  };

  Status ScanRange(const engine::ScanRequest& as_of, const std::vector<std::string>& symbols,
                   RuleRange& rule) {
    // Chunks bound the memory of one scan's match list.
    constexpr size_t kChunk = 512;
    for (size_t begin = 0; begin < symbols.size(); begin += kChunk) {
      engine::ScanRequest req;
      req.program = as_of.program;
      req.columns = as_of.columns;
      req.from = from_;
      req.to = to_;
      req.symbols.assign(
          symbols.begin() + static_cast<std::ptrdiff_t>(begin),
          symbols.begin() + static_cast<std::ptrdiff_t>(std::min(symbols.size(), begin + kChunk)));
      KAIROS_ASSIGN_OR_RETURN(engine::ScanResult r, engine::Scan(bars_, cal_, req));
      rule.terms = r.terms;
      rule.extras = req.program->extra_count();
      for (const std::string& symbol : req.symbols) rule.by_symbol.try_emplace(symbol);
      for (std::string& skipped : r.skipped) {
        std::string symbol = skipped.substr(0, skipped.find(':'));
        rule.by_symbol[symbol].skipped = std::move(skipped);
      }
      // Matches come by date, then symbol: each symbol's dates stay in order.
      for (const engine::ScanMatch& m : r.matches) {
        SymbolMatches& s = rule.by_symbol[m.symbol];
        s.dates.push_back(m.date);
        for (size_t i = 0; i < rule.terms.size(); ++i) {
          s.values.push_back(i < m.terms.size() ? m.terms[i] : std::nan(""));
        }
        for (size_t i = 0; i < rule.extras; ++i) {
          s.values.push_back(i < m.extras.size() ? m.extras[i] : std::nan(""));
        }
        s.values.push_back(m.close);
      }
    }
    return Status::Ok();
  }

  // The as-of scan's reason for skipping `symbol` on `day` when it has no bar then.
  Result<std::optional<std::string>> NoBarOn(const std::string& symbol, Date day) {
    auto it = days_.find(symbol);
    if (it == days_.end()) {
      KAIROS_ASSIGN_OR_RETURN(auto view, bars_.ReadColumns(symbol, {marketdata::Column::kClose}));
      BarDays d;
      auto dates = view->dates();
      if (!dates.empty()) {
        d.first = dates.front();
        d.last = dates.back();
        std::vector<Date> sessions = cal_.Sessions(d.first, d.last);
        d.every_session = std::equal(dates.begin(), dates.end(), sessions.begin(), sessions.end());
        if (!d.every_session) d.dates.assign(dates.begin(), dates.end());
      }
      it = days_.emplace(symbol, std::move(d)).first;
    }
    const BarDays& d = it->second;
    if (d.last < day) {
      return std::optional<std::string>(
          fmt::format("{}: no bar on {} (last: {})", symbol, day, d.last));
    }
    if (day < d.first) {
      return std::optional<std::string>(
          fmt::format("{}: no bar on {} (first: {})", symbol, day, d.first));
    }
    if (d.every_session ? cal_.IsSession(day)
                        : std::binary_search(d.dates.begin(), d.dates.end(), day)) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(fmt::format("{}: no bar on {}", symbol, day));
  }

  const marketdata::BarStore& bars_;
  const calendar::ExchangeCalendar& cal_;
  const Date from_, to_;
  engine::StoreBarSource* shared_;
  std::map<std::string, RuleRange, std::less<>> rules_;
  std::unordered_map<std::string, BarDays> days_;
  std::unordered_map<std::string, std::unique_ptr<marketdata::SeriesView>> closes_;
};

}  // namespace

Result<BacktestResult> RunBacktest(const BacktestWiring& w, const StrategySpec& spec,
                                   std::string_view source, const BacktestOptions& options) {
  if (options.from > options.to) {
    return Status::InvalidArgument(fmt::format("backtest: --from {} is after --to {}",
                                               options.from.ToString(), options.to.ToString()));
  }
  std::vector<Date> sessions = w.calendar.Sessions(options.from, options.to);
  if (sessions.empty()) {
    return Status::InvalidArgument(fmt::format("backtest: no {} session from {} to {}",
                                               w.calendar.name(), options.from.ToString(),
                                               options.to.ToString()));
  }
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> existing, w.store.strategies().List());
  if (!existing.empty()) {
    return Status::FailedPrecondition(fmt::format(
        "backtest: the store already holds strategy '{}'; a backtest needs a store of its own",
        existing.front().spec.name));
  }
  KAIROS_ASSIGN_OR_RETURN(auto imported, w.store.strategies().Import(spec, source));

  BacktestResult result;
  result.strategy = imported.first;
  engine::OrderManager orders(w.store, w.broker, w.clock);
  ReplayMarket market(w.bars, w.calendar, options.from, options.to, w.bar_source);
  engine::TradingDay day(w.store, w.broker, w.clock, w.bars, w.calendar, orders, &market);
  for (Date session : sessions) {
    auto report = day.RunSession(w.clock, session);
    if (!report.ok()) return report.status().WithContext("backtest: " + session.ToString());
    // RunSession hands each session's notes over in its report.
    for (std::string& n : report->notes) result.notes.push_back(std::move(n));
    if (spec.approval == Approval::kManual) {
      KAIROS_ASSIGN_OR_RETURN(int n, ApprovePending(w.store, w.clock, spec.name));
      result.auto_approved += n;
    }
    ++result.sessions;
  }
  for (std::string& n : day.TakeNotes()) result.notes.push_back(std::move(n));

  KAIROS_ASSIGN_OR_RETURN(result.daily,
                          w.store.ledger().ListDailyPnl(spec.name, options.from, options.to));
  ports::FillFilter fill_filter;
  fill_filter.strategy = spec.name;
  fill_filter.from = options.from;
  fill_filter.to = options.to;
  KAIROS_ASSIGN_OR_RETURN(result.fills, w.store.ledger().ListFills(fill_filter));

  // Exit reasons: fill -> order (client id) -> signal -> reason.
  ports::OrderFilter order_filter;
  order_filter.strategy = spec.name;
  KAIROS_ASSIGN_OR_RETURN(std::vector<Order> all_orders, w.store.orders().List(order_filter));
  ports::SignalFilter signal_filter;
  signal_filter.strategy = spec.name;
  KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> signals, w.store.signals().List(signal_filter));
  std::map<int64_t, std::string> reason_of_signal;
  for (const Signal& s : signals) reason_of_signal[s.id] = s.reason;
  std::map<std::string, std::string, std::less<>> reason_of_order;
  for (const Order& o : all_orders) {
    auto it = reason_of_signal.find(o.signal_id);
    if (it != reason_of_signal.end()) reason_of_order[o.request.client_order_id] = it->second;
  }
  auto exit_reason = [&](const Fill& f) {
    auto it = reason_of_order.find(f.client_order_id);
    return it == reason_of_order.end() ? std::string() : it->second;
  };
  KAIROS_ASSIGN_OR_RETURN(Currency currency, Currency::FromCode(spec.currency));
  result.trades = engine::RoundTrips(result.fills, exit_reason, currency);
  result.metrics = result.daily.empty() ? engine::Metrics{}
                                        : engine::ComputeMetrics(result.daily, result.trades);
  KAIROS_ASSIGN_OR_RETURN(result.report, BuildReport(w, result.strategy, options, result.daily,
                                                     result.trades, result.metrics));
  return result;
}

Result<Report> BuildReport(const BacktestWiring& w, const StrategyRecord& strategy,
                           const BacktestOptions& options, const std::vector<DailyPnl>& daily,
                           const std::vector<engine::Trade>& trades, const engine::Metrics& m) {
  KAIROS_ASSIGN_OR_RETURN(Currency currency, Currency::FromCode(strategy.spec.currency));
  Report r;
  Summary& s = r.summary;
  s.strategy = strategy.spec.name;
  s.from = options.from;
  s.to = options.to;
  s.currency = std::string(currency.code());
  s.starting_equity = daily.empty() ? strategy.allocation : m.starting_equity;
  s.sessions = static_cast<int>(daily.size());
  SetMetrics(s, m);
  for (const DailyPnl& row : daily) s.realized_pnl += row.realized;
  s.unrealized_pnl = daily.empty() ? 0 : daily.back().unrealized;
  s.fees = m.total_fees;
  s.final_equity = daily.empty() ? strategy.allocation : m.ending_equity;

  if (!daily.empty()) {
    for (const engine::EquityPoint& p : engine::EquityCurve(daily)) {
      r.equity.push_back({p.date, p.equity, p.drawdown});
    }
    for (const engine::MonthlyPnl& mp : engine::Monthly(daily)) {
      r.monthly.push_back({mp.year, mp.month, mp.return_percent});
    }
  }
  for (const engine::Trade& t : trades) {
    TradeRow row;
    row.symbol = t.symbol;
    row.entry_date = t.entry_date;
    row.entry_price = t.entry_price;
    const int64_t sign = t.side == Side::kBuy ? 1 : -1;
    row.qty = Quantity::FromUnits(sign * t.qty.units());
    row.fees = t.fees;
    if (t.closed()) {
      row.exit_date = t.exit_date;
      row.exit_price = t.exit_price;
      row.pnl = t.pnl;
      row.exit_reason = t.exit_reason;
    } else {
      ++s.open_trades;
      // Marked at the last close of the run, net of the entry fees, like the ledger marks it.
      KAIROS_ASSIGN_OR_RETURN(std::optional<Price> close,
                              CloseOnOrBefore(w.bars, t.symbol, options.to));
      if (close) {
        Position p;
        p.symbol = t.symbol;
        p.qty = row.qty;
        p.lots.push_back(Lot{t.entry_date, row.qty, t.entry_price, 0});
        row.pnl = engine::Unrealized(p, *close, currency) - t.fees;
      }
    }
    r.trades.push_back(std::move(row));
  }
  return r;
}

void SetMetrics(Summary& s, const engine::Metrics& m) {
  s.trades = m.trades;
  s.win_rate = m.win_rate_percent;
  s.total_return = m.total_return_percent;
  s.cagr = m.cagr_percent;
  s.max_drawdown = m.max_drawdown.percent;
  s.max_drawdown_value = m.max_drawdown.value;
  if (m.max_drawdown.value > 0) {
    s.max_drawdown_peak = m.max_drawdown.peak_date;
    s.max_drawdown_trough = m.max_drawdown.trough_date;
  }
  s.sharpe = m.sharpe;
  s.sortino = m.sortino;
  s.profit_factor = m.profit_factor;
  s.exposure = m.exposure_percent;
}

Result<std::optional<Price>> CloseOnOrBefore(const marketdata::BarStore& bars,
                                             std::string_view symbol, Date day) {
  KAIROS_ASSIGN_OR_RETURN(auto view, bars.ReadColumns(symbol, {marketdata::Column::kClose}));
  auto dates = view->dates();
  auto it = std::upper_bound(dates.begin(), dates.end(), day);
  if (it == dates.begin()) return std::optional<Price>();
  KAIROS_ASSIGN_OR_RETURN(Price p, Price::FromDouble(view->close()[it - dates.begin() - 1]));
  return std::optional<Price>(p);
}

}  // namespace kairos::backtest
