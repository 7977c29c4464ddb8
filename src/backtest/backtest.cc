#include "backtest/backtest.h"

#include <algorithm>
#include <map>
#include <optional>

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

// The close of `symbol` on the last bar at or before `day` (nullopt: no such bar).
Result<std::optional<Price>> CloseOnOrBefore(const marketdata::BarStore& bars,
                                             std::string_view symbol, Date day) {
  KAIROS_ASSIGN_OR_RETURN(auto view, bars.ReadColumns(symbol, {marketdata::Column::kClose}));
  auto dates = view->dates();
  auto it = std::upper_bound(dates.begin(), dates.end(), day);
  if (it == dates.begin()) return std::optional<Price>();
  KAIROS_ASSIGN_OR_RETURN(Price p, Price::FromDouble(view->close()[it - dates.begin() - 1]));
  return std::optional<Price>(p);
}

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
  engine::TradingDay day(w.store, w.broker, w.clock, w.bars, w.calendar, orders);
  for (Date session : sessions) {
    auto report = day.RunSession(w.clock, session);
    if (!report.ok()) return report.status().WithContext("backtest: " + session.ToString());
    if (spec.approval == Approval::kManual) {
      KAIROS_ASSIGN_OR_RETURN(int n, ApprovePending(w.store, w.clock, spec.name));
      result.auto_approved += n;
    }
    ++result.sessions;
  }
  result.notes = day.TakeNotes();

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

}  // namespace kairos::backtest
