#include "backtest/backtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
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
// the run, so each rule (by key) is evaluated in range mode [from, to] once per symbol, the first
// time the engine asks about that symbol, and each session's question is answered from what was
// kept. A range scan evaluates every bar seeing only its past, which is what the as-of scan
// computes (over the program's window instead of the whole history, which agrees to about 1e-12
// relative: rules/evaluator.h); no bar after `to` is read. What is kept is compact, so that a run
// of thousands of sessions over thousands of symbols costs per session what that session holds:
// - ScanAsOf (entries: terms, extras and close of every match): the matches of each session,
//   (symbol, values); a session's answer is built from its own matches, and only symbols that
//   lack a bar somewhere in [from, to] or cannot be scanned are looked at one by one (with the
//   as-of scan's own messages: "no bar on D (last: L)").
// - MatchFlags (exits: matched or not): one bit per symbol and session.
// - closes come from ReplayBars (the broker's, when the wiring gives it): each series is read once,
//   by the first rule's scan when the symbols are scanned before anything else asks for them.
class ReplayMarket final : public engine::MarketReader {
 public:
  ReplayMarket(const marketdata::BarStore& bars, const calendar::ExchangeCalendar& cal, Date from,
               Date to, ReplayBars* shared)
      : bars_(bars),
        cal_(cal),
        from_(from),
        to_(to),
        own_(shared == nullptr ? std::make_unique<ReplayBars>(bars, from, to) : nullptr),
        kept_(shared == nullptr ? own_.get() : shared),
        sessions_(cal.Sessions(from, to)) {}

  Result<engine::ScanResult> ScanAsOf(const engine::ScanRequest& request,
                                      std::string_view rule_key) override {
    KAIROS_ASSIGN_OR_RETURN(const size_t t, SessionIndex(request));
    const Date day = sessions_[t];
    Rule& rule = RuleFor(values_rules_, rule_key, /*values=*/true);
    KAIROS_RETURN_IF_ERROR(Prepare(rule, request));

    engine::ScanResult out;
    out.terms = rule.terms;
    out.as_of = day;
    for (uint32_t at : rule.irregular) {
      std::optional<std::string> why = NotScannable(rule, rule.request_index[at], t);
      if (why) out.skipped.push_back(std::move(*why));
    }
    const size_t width = rule.terms.size() + rule.extras + 1;
    for (const Hit& h : rule.by_session[t]) {
      if (!rule.in_request[h.symbol]) continue;
      const double* v = rule.values.data() + h.values;
      engine::ScanMatch m;
      m.date = day;
      m.symbol = rule.symbols[h.symbol].name;
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

  Result<std::vector<uint8_t>> MatchFlags(const engine::ScanRequest& request,
                                          std::string_view rule_key) override {
    KAIROS_ASSIGN_OR_RETURN(const size_t t, SessionIndex(request));
    Rule& rule = RuleFor(flag_rules_, rule_key, /*values=*/false);
    // The symbols asked change every session (the open positions), so they are looked up one by
    // one; the first time any is new, every symbol the other rules have seen (the universe the
    // positions come from) is scanned with it, so that this happens about once per run.
    std::vector<std::string> missing;
    for (const std::string& symbol : request.symbols) {
      if (!rule.index.count(symbol)) missing.push_back(symbol);
    }
    if (!missing.empty()) {
      for (const auto& [key, other] : values_rules_) {
        for (const Symbol& s : other.symbols) {
          if (!rule.index.count(s.name)) missing.push_back(s.name);
        }
      }
      KAIROS_RETURN_IF_ERROR(Add(rule, request, std::move(missing)));  // Add removes duplicates
    }
    std::vector<uint8_t> out(request.symbols.size(), 0);
    for (size_t i = 0; i < out.size(); ++i) {
      const Symbol& s = rule.symbols[rule.index.find(request.symbols[i])->second];
      out[i] = s.bits.empty() ? 0 : (s.bits[t / 64] >> (t % 64)) & 1;
    }
    return out;
  }

  Result<std::optional<double>> Close(const std::string& symbol, Date day,
                                      bool at_or_before) override {
    return kept_->Close(symbol, day, at_or_before);
  }

  void NewPhase() override {}

 private:
  // One symbol as a rule's range scan saw it.
  struct Symbol {
    std::string name;
    std::string skipped;  // the scan's reason when it could not scan the symbol
    // The bars' span (the store's first and last) and the sessions of [from, to] within it
    // without a bar, as session indexes.
    Date first, last;
    bool in_store = false;
    bool scanned = false;  // the range scan handed its rows over
    std::vector<uint32_t> gaps;
    std::vector<uint64_t> bits;  // MatchFlags rules: bit t = matched on session t
  };
  struct Hit {
    uint32_t symbol;  // index into Rule::symbols
    uint32_t values;  // offset into Rule::values: terms, extras, close
  };
  struct Rule {
    bool keeps_values = false;  // keeps values (ScanAsOf) or bits (MatchFlags)
    std::vector<rules::Term> terms;
    size_t extras = 0;
    std::vector<Symbol> symbols;
    std::unordered_map<std::string, uint32_t> index;  // name -> symbols
    std::vector<std::vector<Hit>> by_session;         // values rules: matches, per session
    std::vector<double> values;
    // The last symbol list asked (a strategy asks for its universe every session): its symbols'
    // indexes, which of them need a look every session, and membership by symbol index.
    std::vector<std::string> request;
    std::vector<uint32_t> request_index;
    std::vector<uint32_t> irregular;  // positions in `request`
    std::vector<uint8_t> in_request;
  };

  Result<size_t> SessionIndex(const engine::ScanRequest& request) const {
    if (!request.as_of) return Status::InvalidArgument("backtest: an as-of scan without a date");
    auto it = std::lower_bound(sessions_.begin(), sessions_.end(), *request.as_of);
    if (it == sessions_.end() || *it != *request.as_of) {
      return Status::InvalidArgument(fmt::format(
          "backtest: {} is not a session of the run ({}..{})", *request.as_of, from_, to_));
    }
    return static_cast<size_t>(it - sessions_.begin());
  }

  Rule& RuleFor(std::map<std::string, Rule, std::less<>>& rules, std::string_view key,
                bool values) {
    auto it = rules.find(key);
    if (it == rules.end()) {
      it = rules.emplace(std::string(key), Rule{}).first;
      it->second.keeps_values = values;
      if (values) it->second.by_session.resize(sessions_.size());
    }
    return it->second;
  }

  // Scans the symbols of `request` the rule has not seen, and indexes the request.
  Status Prepare(Rule& rule, const engine::ScanRequest& request) {
    if (request.symbols == rule.request) return Status::Ok();
    std::vector<std::string> missing;
    for (const std::string& symbol : request.symbols) {
      if (!rule.index.count(symbol)) missing.push_back(symbol);
    }
    KAIROS_RETURN_IF_ERROR(Add(rule, request, missing));
    rule.request = request.symbols;
    rule.request_index.resize(request.symbols.size());
    rule.irregular.clear();
    rule.in_request.assign(rule.symbols.size(), 0);
    for (size_t i = 0; i < request.symbols.size(); ++i) {
      const uint32_t idx = rule.index.at(request.symbols[i]);
      rule.request_index[i] = idx;
      rule.in_request[idx] = 1;
      const Symbol& s = rule.symbols[idx];
      if (!s.skipped.empty() || !s.in_store || s.first > sessions_.front() ||
          s.last < sessions_.back() || !s.gaps.empty()) {
        rule.irregular.push_back(static_cast<uint32_t>(i));
      }
    }
    return Status::Ok();
  }

  // Adds `symbols` (none of them known to the rule, no duplicates) to the rule and scans them.
  Status Add(Rule& rule, const engine::ScanRequest& request, std::vector<std::string> symbols) {
    if (symbols.empty()) return Status::Ok();
    std::sort(symbols.begin(), symbols.end());
    symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
    for (const std::string& symbol : symbols) {
      rule.index.emplace(symbol, static_cast<uint32_t>(rule.symbols.size()));
      rule.symbols.push_back(Symbol{});
      rule.symbols.back().name = symbol;
    }
    return ScanRange(rule, request, symbols);
  }

  Status ScanRange(Rule& rule, const engine::ScanRequest& as_of,
                   const std::vector<std::string>& symbols) {
    engine::ScanRequest req;
    req.program = as_of.program;
    req.columns = as_of.columns;
    req.from = from_;
    req.to = to_;
    req.symbols = symbols;
    // The first scan of a symbol reads every column and hands the series to ReplayBars, which
    // would read it again otherwise (a rule reading only closes costs little more this way).
    bool keep = false;
    for (const std::string& symbol : symbols) keep = keep || !kept_->Kept(symbol);
    if (keep) req.columns = marketdata::ColumnSet::All();
    const size_t n = sessions_.size();
    if (rule.keeps_values) {
      rule.terms = req.program->terms();
      rule.extras = req.program->extra_count();
    }
    std::vector<Symbol*> slot(symbols.size());
    for (size_t i = 0; i < symbols.size(); ++i) {
      Symbol& s = rule.symbols[rule.index.at(symbols[i])];
      slot[i] = &s;
      auto info = bars_.Info(s.name);
      if (info.ok()) {
        s.in_store = true;
        s.first = info->first;
        s.last = info->last;
      }
      if (!rule.keeps_values) s.bits.assign((n + 63) / 64, 0);
    }
    const size_t width = rule.terms.size() + rule.extras + 1;
    std::mutex mu;  // guards rule.by_session and rule.values
    auto sink = [&](const engine::RangeRows& rows) {
      Symbol& s = *slot[rows.index];
      const uint32_t idx = static_cast<uint32_t>(&s - rule.symbols.data());
      if (keep && rows.view != nullptr) kept_->Keep(rows.symbol, *rows.view);
      // Walks the run's sessions and the symbol's bars together: gaps and matches by session.
      std::vector<std::pair<uint32_t, size_t>> matched;  // (session, row)
      s.scanned = true;
      size_t t = 0;
      for (size_t r = rows.first; r < rows.dates.size(); ++r) {
        while (t < n && sessions_[t] < rows.dates[r]) {
          if (sessions_[t] > s.first && sessions_[t] < s.last) {
            s.gaps.push_back(static_cast<uint32_t>(t));
          }
          ++t;
        }
        if (t >= n || sessions_[t] != rows.dates[r]) continue;  // a bar on no session of the run
        if (rows.match[r] != 0) {
          if (rule.keeps_values) {
            matched.emplace_back(static_cast<uint32_t>(t), r);
          } else {
            s.bits[t / 64] |= uint64_t{1} << (t % 64);
          }
        }
        ++t;
      }
      for (; t < n && sessions_[t] < s.last; ++t) {
        if (sessions_[t] > s.first) s.gaps.push_back(static_cast<uint32_t>(t));
      }
      if (matched.empty()) return;
      std::vector<double> v;
      v.reserve(matched.size() * width);
      for (const auto& [session, r] : matched) {
        for (size_t k = 0; k < rule.terms.size(); ++k) v.push_back(rows.values->TermValue(k, r));
        for (size_t k = 0; k < rule.extras; ++k) v.push_back(rows.values->ExtraValue(k, r));
        v.push_back(rows.close[r]);
      }
      std::lock_guard lock(mu);
      const size_t base = rule.values.size();
      rule.values.insert(rule.values.end(), v.begin(), v.end());
      for (size_t k = 0; k < matched.size(); ++k) {
        rule.by_session[matched[k].first].push_back(
            Hit{idx, static_cast<uint32_t>(base + k * width)});
      }
    };
    KAIROS_ASSIGN_OR_RETURN(auto skipped, engine::ScanRangeEach(bars_, cal_, req, sink));
    for (auto& [i, reason] : skipped) slot[i]->skipped = std::move(reason);
    // A symbol with bars before and after the run but none in it was not handed over: every
    // session between its first and last bar is a gap.
    for (Symbol* s : slot) {
      if (s->scanned || !s->in_store || !s->skipped.empty()) continue;
      for (size_t t = 0; t < n; ++t) {
        if (sessions_[t] > s->first && sessions_[t] < s->last) {
          s->gaps.push_back(static_cast<uint32_t>(t));
        }
      }
    }
    if (rule.values.size() > std::numeric_limits<uint32_t>::max()) {
      return Status::Internal("backtest: too many rule matches to keep");
    }
    return Status::Ok();
  }

  // What the as-of scan of session t says of symbol `idx` when it cannot evaluate it then: the
  // scan's reason, or the missing bar ("no bar on D (first: F)"); nullopt when it can.
  std::optional<std::string> NotScannable(const Rule& rule, uint32_t idx, size_t t) const {
    const Symbol& s = rule.symbols[idx];
    if (!s.skipped.empty()) return s.skipped;
    if (!s.in_store) return fmt::format("{}: not in the store", s.name);
    const Date day = sessions_[t];
    if (s.last < day) return fmt::format("{}: no bar on {} (last: {})", s.name, day, s.last);
    if (day < s.first) return fmt::format("{}: no bar on {} (first: {})", s.name, day, s.first);
    if (std::binary_search(s.gaps.begin(), s.gaps.end(), static_cast<uint32_t>(t))) {
      return fmt::format("{}: no bar on {}", s.name, day);
    }
    return std::nullopt;
  }

  const marketdata::BarStore& bars_;
  const calendar::ExchangeCalendar& cal_;
  const Date from_, to_;
  std::unique_ptr<ReplayBars> own_;
  ReplayBars* kept_;
  const std::vector<Date> sessions_;
  std::map<std::string, Rule, std::less<>> values_rules_, flag_rules_;
};

}  // namespace

Result<BacktestResult> RunBacktest(const BacktestWiring& w, const StrategySpec& spec,
                                   std::string_view source, const BacktestOptions& options) {
  if (options.from > options.to) {
    return Status::InvalidArgument(fmt::format("backtest: --from {} is after --to {}",
                                               options.from.ToString(), options.to.ToString()));
  }
  KAIROS_RETURN_IF_ERROR(w.calendar.CheckCovers(options.from, options.to).WithContext("backtest"));
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
  ReplayMarket market(w.bars, w.calendar, options.from, options.to, w.replay_bars);
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
  result.trades = engine::RoundTrips(result.fills, exit_reason, spec.currency);
  result.metrics = result.daily.empty() ? engine::Metrics{}
                                        : engine::ComputeMetrics(result.daily, result.trades);
  KAIROS_ASSIGN_OR_RETURN(result.report, BuildReport(w, result.strategy, options, result.daily,
                                                     result.trades, result.metrics));
  return result;
}

Result<Report> BuildReport(const BacktestWiring& w, const StrategyRecord& strategy,
                           const BacktestOptions& options, const std::vector<DailyPnl>& daily,
                           const std::vector<engine::Trade>& trades, const engine::Metrics& m) {
  const Currency& currency = strategy.spec.currency;
  Report r;
  Summary& s = r.summary;
  s.strategy = strategy.spec.name;
  s.from = options.from;
  s.to = options.to;
  s.currency = currency;
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
      // The run's kept bars answer when the wiring has them (no second read of the file).
      std::optional<Price> close;
      if (w.replay_bars != nullptr) {
        KAIROS_ASSIGN_OR_RETURN(std::optional<double> c,
                                w.replay_bars->Close(t.symbol, options.to, /*at_or_before=*/true));
        if (c) {
          KAIROS_ASSIGN_OR_RETURN(close, Price::FromDouble(*c));
        }
      } else {
        KAIROS_ASSIGN_OR_RETURN(close, CloseOnOrBefore(w.bars, t.symbol, options.to));
      }
      if (close) {
        Position p;
        p.symbol = t.symbol;
        p.qty = row.qty;
        p.lots.push_back(Lot{t.entry_date, row.qty, t.entry_price, 0});
        KAIROS_ASSIGN_OR_RETURN(int64_t unrealized, engine::Unrealized(p, *close, currency));
        row.pnl = unrealized - t.fees;
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
