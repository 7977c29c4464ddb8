#include "engine/trading_day.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

#include "engine/compiled_rules.h"
#include "engine/entry_facts.h"
#include "engine/exits.h"
#include "engine/fill_replay.h"
#include "engine/kill_switch.h"
#include "engine/ledger.h"
#include "engine/position_list.h"
#include "engine/scanner.h"
#include "engine/session_index.h"
#include "engine/signal_book.h"
#include "engine/sizing.h"
#include "rules/evaluator.h"

namespace kairos::engine {
namespace {

constexpr int64_t kMinuteNs = 60'000'000'000;
constexpr std::string_view kEngineActor = "engine";
constexpr std::string_view kSkippedAction = "session.skipped";

// Names under which the level expressions' decision-bar values are kept in an entry signal's
// terms (so the exit checks can fix the levels from the entry fill later).
constexpr std::string_view kStopTerm = "stop_loss";
constexpr std::string_view kTargetTerm = "take_profit";
constexpr std::string_view kTrailTerm = "trailing_stop";

Side EntrySide(const StrategySpec& spec) {
  return spec.side == PositionSide::kLong ? Side::kBuy : Side::kSell;
}

bool NeedsValue(const LevelSpec& l) {
  return l.kind == LevelSpec::Kind::kDistance || l.kind == LevelSpec::Kind::kPrice;
}

// weekly(...) around a rule text unless it already reads weekly bars (weekly does not nest).
std::string ForTimeframe(const StrategySpec& spec, const std::string& text) {
  if (spec.timeframe != Timeframe::kWeekly) return text;
  if (text.find("weekly(") != std::string::npos) return text;
  return "weekly(" + text + ")";
}

std::optional<double> TermValue(const Signal& s, std::string_view name) {
  for (const auto& [n, v] : s.terms) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// Weighted average entry price of the open lots (half-even to the tick).
std::optional<Price> AverageEntry(const Position& p) {
  Int128 num = 0, den = 0;
  for (const Lot& l : p.lots) {
    int64_t q = l.qty.units() < 0 ? -l.qty.units() : l.qty.units();
    num += static_cast<Int128>(l.price.raw()) * q;
    den += q;
  }
  if (den == 0) return std::nullopt;
  return Price::FromRaw(static_cast<int64_t>(DivideRounded(num, den, Rounding::kHalfEven)));
}

Result<int64_t> CostOfLots(const Position& p, const Currency& c) {
  int64_t cost = 0;
  for (const Lot& l : p.lots) {
    Quantity q = Quantity::FromUnits(l.qty.units() < 0 ? -l.qty.units() : l.qty.units());
    KAIROS_ASSIGN_OR_RETURN(Money lot_cost, CheckedNotional(l.price, q, c));
    KAIROS_ASSIGN_OR_RETURN(cost, CheckedAdd(cost, lot_cost.minor(), "the cost of a position"));
  }
  return cost;
}

// `total` + the cost of `p`'s lots, checked.
Status AddCostOfLots(int64_t& total, const Position& p, const Currency& c, std::string_view what) {
  KAIROS_ASSIGN_OR_RETURN(int64_t cost, CostOfLots(p, c));
  KAIROS_ASSIGN_OR_RETURN(total, CheckedAdd(total, cost, what));
  return Status::Ok();
}

// A limit entry's price: the decision close × (1 - offset) for buys, × (1 + offset) for sells,
// half-even to the tick.
Price LimitPrice(Price close, Side side, double offset_percent) {
  int sign = side == Side::kBuy ? -1 : +1;
  Int128 factor = 100'000'000 + sign * static_cast<Int128>(PercentMicros(offset_percent));
  return Price::FromRaw(static_cast<int64_t>(
      DivideRounded(static_cast<Int128>(close.raw()) * factor, 100'000'000, Rounding::kHalfEven)));
}

// "2024-07-04 is not a NYSE session (Independence Day)".
Status NotASession(const calendar::ExchangeCalendar& cal, Date day) {
  auto why = cal.ClosedReason(day);
  return Status::InvalidArgument(fmt::format("{} is not a {} session{}", day, cal.name(),
                                             why ? fmt::format(" ({})", *why) : ""));
}

// "2024-03-05" or "2024-03-05 .. 2024-03-07 (3 sessions)": consecutive sessions, as a span.
std::string SessionSpan(const std::vector<Date>& sessions) {
  if (sessions.size() == 1) return sessions.front().ToString();
  return fmt::format("{} .. {} ({} sessions)", sessions.front(), sessions.back(), sessions.size());
}

// The order of a sized entry: market-on-close at the close, a day limit order, or
// market-on-open (the limit price is the caller's).
OrderRequest EntryRequest(const StrategySpec& spec, const SizedEntry& e, Date session,
                          bool at_close, bool limit) {
  OrderRequest req;
  req.client_order_id = ClientOrderId(spec.name, e.symbol, session, EntrySide(spec));
  req.symbol = e.symbol;
  req.side = EntrySide(spec);
  req.qty = e.qty;
  req.session = session;
  if (at_close) {
    req.type = OrderType::kMarket;
    req.tif = TimeInForce::kCls;
  } else if (limit) {
    req.type = OrderType::kLimit;
    req.tif = TimeInForce::kDay;
  } else {
    req.type = OrderType::kMarket;
    req.tif = TimeInForce::kOpg;
  }
  return req;
}

// The stop a position carries: the stop loss, raised (long) or lowered (short) to the
// trailing stop from the high water `hw`.
std::optional<Price> StopWithTrail(const StrategySpec& spec, const FixedLevels& levels, Price hw) {
  std::optional<Price> stop = levels.stop_loss;
  if (auto trail = TrailingLevel(spec, levels, hw)) {
    if (!stop) {
      stop = trail;
    } else {
      stop = spec.side == PositionSide::kLong ? std::max(*stop, *trail) : std::min(*stop, *trail);
    }
  }
  return stop;
}

// The exit signal of `pos` decided at `session`'s `close` (execute_on is the caller's).
Signal ExitSignal(const StrategyRecord& rec, const Position& pos, const ExitDecision& d,
                  Price close, int held, Date session) {
  Signal s;
  s.strategy = rec.spec.name;
  s.strategy_version = rec.version;
  s.symbol = pos.symbol;
  s.session = session;
  s.side = pos.qty.units() > 0 ? Side::kSell : Side::kBuy;
  s.kind = SignalKind::kExit;
  s.terms.emplace_back("close", close.ToDouble());
  if (d.level) s.terms.emplace_back(d.reason, d.level->ToDouble());
  if (d.reason == "max_hold") s.terms.emplace_back("sessions_held", held);
  s.rank_value = std::nan("");
  s.reason = d.reason;
  return s;
}

// The extra expressions an entry rule is compiled with (rank, then the level expressions that
// need a decision-bar value), and the index of each in a match's extras (-1: none).
struct EntryExtras {
  std::vector<std::string> texts;
  int rank = -1, stop = -1, target = -1, trail = -1;
};

EntryExtras EntryExtrasOf(const StrategySpec& spec) {
  EntryExtras x;
  auto add = [&](const std::string& text) {
    x.texts.push_back(ForTimeframe(spec, text));
    return static_cast<int>(x.texts.size()) - 1;
  };
  if (!spec.rank.empty()) x.rank = add(spec.rank);
  if (NeedsValue(spec.stop_loss)) x.stop = add(spec.stop_loss.expr);
  if (NeedsValue(spec.take_profit)) x.target = add(spec.take_profit.expr);
  if (NeedsValue(spec.trailing_stop)) x.trail = add(spec.trailing_stop.expr);
  return x;
}

// The entry signal of a scan match at `session`: the rule's terms, the level expressions'
// values under their term names, the rank (execute_on is the caller's).
Signal EntrySignal(const StrategyRecord& rec, const ScanResult& result, const ScanMatch& m,
                   const EntryExtras& x, Date session) {
  const StrategySpec& spec = rec.spec;
  Signal s;
  s.strategy = spec.name;
  s.strategy_version = rec.version;
  s.symbol = m.symbol;
  s.session = session;
  s.side = EntrySide(spec);
  s.kind = SignalKind::kEntry;
  for (size_t i = 0; i < result.terms.size() && i < m.terms.size(); ++i) {
    s.terms.emplace_back(result.terms[i].name, m.terms[i]);
  }
  auto extra = [&](int i) {
    return i >= 0 && static_cast<size_t>(i) < m.extras.size() ? m.extras[i] : std::nan("");
  };
  if (x.stop >= 0) s.terms.emplace_back(std::string(kStopTerm), extra(x.stop));
  if (x.target >= 0) s.terms.emplace_back(std::string(kTargetTerm), extra(x.target));
  if (x.trail >= 0) s.terms.emplace_back(std::string(kTrailTerm), extra(x.trail));
  s.rank_value = x.rank >= 0 ? extra(x.rank) : std::nan("");
  s.reason = "entry_rule";
  return s;
}

// The invariant: a position is the sum of its fills (the replay's net by symbol).
bool PositionsAreSumsOfFills(const std::vector<Position>& positions, const FillReplay& r) {
  for (const Position& p : positions) {
    if (p.qty.units() == 0) continue;
    auto it = r.net_of.find(p.symbol);
    if ((it == r.net_of.end() ? 0 : it->second) != p.qty.units()) return false;
  }
  return true;
}

}  // namespace

struct TradingDay::Impl {
  ports::Store& store;
  const SessionMarkers markers;
  ports::Broker& broker;
  const ports::Clock& clock;
  const marketdata::BarStore& bars;
  const calendar::ExchangeCalendar& cal;
  OrderManager& orders;
  SignalBook book;
  std::vector<std::string> notes;
  int expired = 0;
  int sent = 0;
  std::unique_ptr<StoreMarketReader> own_market;  // when none was injected
  MarketReader* market;
  // Symbols whose closes could not be read in this phase (noted once per phase).
  std::set<std::string, std::less<>> unreadable;
  // Caches for replay speed; each says when it is current.
  CompiledRules programs;
  FillReplays replays;
  EntryFactsCache entry_facts;
  PositionList position_list;
  SessionIndex sessions;
  // Strategy name -> whether its exchange trades on `cal`, for the signals of all strategies
  // (built once per phase).
  std::map<std::string, bool, std::less<>> on_calendar;

  Impl(ports::Store& s, ports::Broker& b, const ports::Clock& c, const marketdata::BarStore& bs,
       const calendar::ExchangeCalendar& ca, OrderManager& o, MarketReader* m,
       const TradingDayOptions& options)
      : store(s),
        markers(options.markers),
        broker(b),
        clock(c),
        bars(bs),
        cal(ca),
        orders(o),
        book(s, c, options.alerts),
        market(m),
        replays(s),
        position_list(s),
        sessions(ca) {
    if (market == nullptr) {
      own_market = std::make_unique<StoreMarketReader>(bars, cal);
      market = own_market.get();
    }
  }

  void Note(std::string n) { notes.push_back(std::move(n)); }

  void NewPhase() {
    market->NewPhase();
    unreadable.clear();
    position_list.MarkStale();
    on_calendar.clear();
  }

  // Whether the signals of `strategy` are this TradingDay's to expire or fail: its exchange
  // trades on `cal`, or it is not stored (a signal nobody else would handle).
  Result<bool> OnThisCalendar(std::string_view strategy) {
    if (on_calendar.empty()) {
      KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> all, store.strategies().List());
      for (const StrategyRecord& r : all) {
        auto c = calendar::ExchangeCalendar::ForExchange(r.spec.exchange);
        on_calendar[r.spec.name] = c.ok() && (*c)->name() == cal.name();
      }
    }
    auto it = on_calendar.find(strategy);
    return it == on_calendar.end() || it->second;
  }

  // Whether `spec`'s rules are evaluated at `session` (weekly ones on the week's last session).
  bool ScansOn(const StrategySpec& spec, Date session) const {
    return spec.timeframe == Timeframe::kDaily || cal.IsLastSessionOfWeek(session);
  }

  Result<int> Expire() {
    KAIROS_ASSIGN_OR_RETURN(
        int n, book.ExpireDue(cal, [this](std::string_view s) { return OnThisCalendar(s); }));
    expired += n;
    return n;
  }

  // The close of `symbol` on `d` (exact) or, with `at_or_before`, the last close up to d.
  // A symbol whose closes cannot be read is noted once per phase.
  std::optional<Price> CloseOn(const std::string& symbol, Date d, bool at_or_before = false) {
    if (unreadable.count(symbol)) return std::nullopt;
    Result<std::optional<double>> c = market->Close(symbol, d, at_or_before);
    if (!c.ok()) {
      Note(fmt::format("{}: {}", symbol, c.status().message()));
      unreadable.insert(symbol);
      return std::nullopt;
    }
    if (!*c) return std::nullopt;
    auto p = Price::FromDouble(**c);
    if (!p.ok()) return std::nullopt;
    return *p;
  }

  Result<std::vector<StrategyRecord>> Strategies() {
    KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> all, store.strategies().List());
    std::vector<StrategyRecord> out;
    for (auto& r : all) {
      auto c = calendar::ExchangeCalendar::ForExchange(r.spec.exchange);
      if (!c.ok() || (*c)->name() != cal.name()) {
        Note(fmt::format("{}: exchange {} is not {}; skipped", r.spec.name, r.spec.exchange,
                         cal.name()));
        continue;
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  Result<std::vector<std::string>> Universe(const StrategySpec& spec) {
    if (spec.universe.empty()) return spec.symbols;
    KAIROS_ASSIGN_OR_RETURN(std::optional<kairos::Universe> u,
                            store.universes().Get(spec.universe));
    if (!u) {
      return Status::NotFound(
          fmt::format("{}: universe '{}' is not stored", spec.name, spec.universe));
    }
    return std::move(u->members);
  }

  Result<const FillReplay*> ReplayFills(const StrategyRecord& rec, Date up_to, bool fresh = false) {
    return replays.UpTo(rec.spec.name, rec.spec.currency, up_to, fresh);
  }

  Result<std::vector<Order>> StrategyOrders(const std::string& name,
                                            std::optional<Date> session = std::nullopt) {
    ports::OrderFilter f;
    f.strategy = name;
    f.session = session;
    return store.orders().List(f);
  }

  // The strategy's orders that are not terminal or are for `session`, by id: what the day's
  // decisions depend on (the rest is history, and reading it every session would make a long
  // run quadratic).
  Result<std::vector<Order>> OpenOrSessionOrders(const std::string& name, Date session) {
    ports::OrderFilter open;
    open.strategy = name;
    open.statuses = {OrderStatus::kNew, OrderStatus::kSubmitted, OrderStatus::kAccepted,
                     OrderStatus::kUnknown, OrderStatus::kPartiallyFilled};
    KAIROS_ASSIGN_OR_RETURN(std::vector<Order> out, store.orders().List(open));
    KAIROS_ASSIGN_OR_RETURN(std::vector<Order> today, StrategyOrders(name, session));
    for (Order& o : today) {
      if (IsTerminal(o.status)) out.push_back(std::move(o));
    }
    std::sort(out.begin(), out.end(), [](const Order& a, const Order& b) { return a.id < b.id; });
    return out;
  }

  // The entry signal of the current position (the one whose order's fill opened it): the entry
  // order with a fill for the latest session up to the position's entry session (the last by
  // id among that session's). Usually an order of the entry session itself, so that session is
  // read first and the whole history only when it has none. Returns what the exit checks need
  // of it, kept while the position is open.
  Result<const EntryFacts*> EntryFactsOf(const StrategySpec& spec, const Position& pos) {
    if (const EntryFacts* kept = entry_facts.Find(spec, pos)) return kept;
    auto pick = [&](const std::vector<Order>& all) {
      const Order* best = nullptr;
      for (const Order& o : all) {
        if (o.request.symbol != pos.symbol || o.request.side != EntrySide(spec)) continue;
        if (o.filled_qty.units() <= 0 || o.signal_id == 0) continue;
        if (o.request.session > pos.entry_session) continue;
        if (best == nullptr || o.request.session >= best->request.session) best = &o;
      }
      return best == nullptr ? int64_t{0} : best->signal_id;
    };
    KAIROS_ASSIGN_OR_RETURN(std::vector<Order> same, StrategyOrders(spec.name, pos.entry_session));
    int64_t signal_id = pick(same);
    if (signal_id == 0) {
      KAIROS_ASSIGN_OR_RETURN(std::vector<Order> all, StrategyOrders(spec.name));
      signal_id = pick(all);
    }
    EntryFacts facts;
    if (signal_id != 0) {
      KAIROS_ASSIGN_OR_RETURN(std::optional<Signal> signal, store.signals().Get(signal_id));
      if (signal) {
        facts.has_signal = true;
        facts.levels.stop_loss = TermValue(*signal, kStopTerm);
        facts.levels.take_profit = TermValue(*signal, kTargetTerm);
        facts.levels.trailing_stop = TermValue(*signal, kTrailTerm);
        std::optional<Price> c = CloseOn(pos.symbol, signal->session);
        if (!c) {
          // Not kept: the close may be readable in a later phase.
          return entry_facts.Hold(facts);
        }
        facts.levels.decision_close = c->ToDouble();
      }
    }
    return entry_facts.Keep(facts);
  }

  // A session before the last one completed: the store has moved on (positions, orders), so
  // its phases would act on today's state under an old date. They do nothing instead.
  // Starts a phase of `session`: false when the store has moved past it (nothing to do); else
  // the phase's lists are fresh and the session is checked against the calendar.
  Result<bool> BeginPhase(Date session) {
    KAIROS_ASSIGN_OR_RETURN(bool past, Past(session));
    if (past) return false;
    NewPhase();
    KAIROS_RETURN_IF_ERROR(cal.SessionOf(session).status());
    return true;
  }

  Result<bool> Past(Date session) {
    KAIROS_ASSIGN_OR_RETURN(std::optional<Date> last, LastSessionRun(store, markers));
    if (last && session < *last) {
      Note(fmt::format("{} is before the last session run ({}): nothing done", session, *last));
      return true;
    }
    return false;
  }

  // A session run after missed ones says so: a note on every run of it, one audit row.
  Status NoteSkipped(Date session) {
    KAIROS_ASSIGN_OR_RETURN(std::vector<Date> missed, MissedSessions(store, cal, session, markers));
    if (missed.empty()) return Status::Ok();
    std::string what = fmt::format("{} not run since the last session run, {}", SessionSpan(missed),
                                   cal.PreviousSession(missed.front()));
    Note(fmt::format("skipped {}", what));
    AuditEntry a;
    a.subject = fmt::format("session:{}", session);
    KAIROS_ASSIGN_OR_RETURN(std::vector<AuditEntry> logged, store.audit().List(a.subject));
    for (const AuditEntry& e : logged) {
      if (e.subject == a.subject && e.action == kSkippedAction) return Status::Ok();
    }
    a.time_ns = clock.NowNs();
    a.actor = std::string(kEngineActor);
    a.action = std::string(kSkippedAction);
    a.detail = std::move(what);
    return store.audit().Append(a);
  }

  // Approved exits of `strategy` due at `session`, and those due at a session that passed
  // without running them (the decision to close stands), by id.
  Result<std::vector<Signal>> ExitsDue(const std::string& strategy, Date session) {
    ports::SignalFilter f;
    f.status = SignalStatus::kApproved;
    f.strategy = strategy;
    KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> all, store.signals().List(f));
    std::vector<Signal> out;
    for (auto& s : all) {
      if (s.kind == SignalKind::kExit && s.execute_on <= session) out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::vector<Signal>> Approved(const std::string& strategy, Date execute_on,
                                       SignalKind kind) {
    ports::SignalFilter f;
    f.status = SignalStatus::kApproved;
    f.execute_on = execute_on;
    f.strategy = strategy;
    KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> all, store.signals().List(f));
    std::vector<Signal> out;
    for (auto& s : all) {
      if (s.kind == kind) out.push_back(std::move(s));
    }
    return out;
  }

  // Approved entries due at `session` become order intents (or fail with a reason).
  Status ExecuteEntries(const StrategyRecord& rec, Date session, bool at_close, bool halted) {
    const StrategySpec& spec = rec.spec;
    KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> due,
                            Approved(spec.name, session, SignalKind::kEntry));
    if (due.empty()) return Status::Ok();
    auto fail_all = [&](const std::string& note) -> Status {
      for (const Signal& s : due) KAIROS_RETURN_IF_ERROR(book.Fail(s.id, note));
      return Status::Ok();
    };
    if (!rec.enabled) return fail_all("not ordered: strategy disabled");
    if (halted) return fail_all("not ordered: kill switch on");

    const Currency& cur = spec.currency;
    const bool limit = spec.order_type == EntryOrderType::kLimit && !at_close;
    const int64_t buffer = kMarketReserveBufferBps + std::llround(spec.slippage_bps);
    KAIROS_ASSIGN_OR_RETURN(BookState state, BookStateAt(rec, session, buffer));
    std::map<int64_t, Price> limit_of;  // signal id -> limit price
    KAIROS_ASSIGN_OR_RETURN(std::vector<EntryCandidate> candidates,
                            EntryCandidates(spec, due, limit, limit_of));
    Selection sel =
        SelectEntries(spec, rec.allocation, cur, state, std::move(candidates), limit ? 0 : buffer);
    for (const RefusedEntry& r : sel.refused) {
      KAIROS_RETURN_IF_ERROR(book.Fail(r.signal_id, r.note));
      Note(fmt::format("{} {}: {}", spec.name, r.symbol, r.note));
    }
    for (const SizedEntry& e : sel.entries) {
      OrderRequest req = EntryRequest(spec, e, session, at_close, limit);
      if (limit) req.limit_price = limit_of.at(e.signal_id);
      KAIROS_ASSIGN_OR_RETURN(Order o, orders.CreateIntent(req, spec.name, e.signal_id));
      (void)o;
    }
    return Status::Ok();
  }

  // What the strategy has at `session` before its entries are sized: open positions, pending
  // entry orders (which hold a slot and reserve cash, `buffer` bps over the close for market
  // orders) and the cash left.
  Result<BookState> BookStateAt(const StrategyRecord& rec, Date session, int64_t buffer) {
    const StrategySpec& spec = rec.spec;
    const Currency& cur = spec.currency;
    KAIROS_ASSIGN_OR_RETURN(const FillReplay* replayed, ReplayFills(rec, session));
    const FillReplay& replay = *replayed;
    KAIROS_ASSIGN_OR_RETURN(const std::vector<Position>* open, position_list.Of(spec.name));
    const std::vector<Position>& positions = *open;
    BookState state;
    int64_t cost_open = 0;
    for (const Position& p : positions) {
      if (p.qty.units() == 0) continue;
      ++state.open_positions;
      state.held.insert(p.symbol);
      KAIROS_RETURN_IF_ERROR(AddCostOfLots(cost_open, p, cur, "the cost of the open positions"));
    }
    int64_t reserved = 0;
    KAIROS_ASSIGN_OR_RETURN(std::vector<Order> all, OpenOrSessionOrders(spec.name, session));
    for (const Order& o : all) {
      if (o.request.side != EntrySide(spec)) continue;
      // Entry orders for this session already made (a re-run) use up today's slots.
      if (o.request.session == session && o.signal_id != 0) ++state.new_today;
      if (IsTerminal(o.status)) continue;
      if (state.held.insert(o.request.symbol).second) ++state.open_positions;
      Quantity left = o.request.qty - o.filled_qty;
      std::optional<Price> px = o.request.limit_price;
      if (!px) px = CloseOn(o.request.symbol, session, /*at_or_before=*/true);
      if (px) reserved += ReserveFor(*px, left, cur, o.request.limit_price ? 0 : buffer);
    }
    state.cash = rec.allocation + replay.realized_cum - replay.fees_cum - cost_open - reserved;
    return state;
  }

  // The due entries as candidates for sizing, priced at the decision close (or, for `limit`
  // orders, at the limit price, kept in `limit_of`). An entry without a close fails.
  Result<std::vector<EntryCandidate>> EntryCandidates(const StrategySpec& spec,
                                                      const std::vector<Signal>& due, bool limit,
                                                      std::map<int64_t, Price>& limit_of) {
    std::vector<EntryCandidate> candidates;
    for (const Signal& s : due) {
      std::optional<Price> close = CloseOn(s.symbol, s.session);
      if (!close) {
        KAIROS_RETURN_IF_ERROR(
            book.Fail(s.id, fmt::format("size 0: no close of {} on {}", s.symbol, s.session)));
        continue;
      }
      EntryCandidate c;
      c.signal_id = s.id;
      c.symbol = s.symbol;
      c.rank_value = spec.rank.empty() ? std::nan("") : s.rank_value;
      c.reference = *close;
      if (limit) {
        c.reference = LimitPrice(*close, EntrySide(spec), spec.limit_offset_percent);
        limit_of[s.id] = c.reference;
      }
      LevelInputs in;
      in.stop_loss = TermValue(s, kStopTerm);
      in.decision_close = close->ToDouble();
      c.stop = LevelsAtEntry(spec, c.reference, in).stop_loss;
      candidates.push_back(std::move(c));
    }
    return candidates;
  }

  // Approved exits due at `session` (or overdue, ExitsDue) become market orders for the whole
  // open position; one order per position and session, the earliest decision first.
  Status ExecuteExits(const StrategyRecord& rec, Date session, bool at_close) {
    const StrategySpec& spec = rec.spec;
    KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> due, ExitsDue(spec.name, session));
    if (due.empty()) return Status::Ok();
    KAIROS_ASSIGN_OR_RETURN(const std::vector<Position>* open, position_list.Of(spec.name));
    const std::vector<Position>& positions = *open;
    KAIROS_ASSIGN_OR_RETURN(std::vector<Order> working, WorkingOrders(spec.name));
    for (const Signal& s : due) {
      if (s.reason == "squareoff") continue;  // the kill switch orders those itself
      const Position* p = nullptr;
      for (const Position& q : positions) {
        if (q.symbol == s.symbol && q.qty.units() != 0) p = &q;
      }
      if (p == nullptr) {
        KAIROS_RETURN_IF_ERROR(book.Fail(s.id, "not ordered: no open position"));
        continue;
      }
      OrderRequest req;
      req.side = p->qty.units() > 0 ? Side::kSell : Side::kBuy;
      req.client_order_id = ClientOrderId(spec.name, s.symbol, session, req.side);
      req.symbol = s.symbol;
      req.qty = Quantity::FromUnits(p->qty.units() > 0 ? p->qty.units() : -p->qty.units());
      req.type = OrderType::kMarket;
      req.tif = at_close ? TimeInForce::kCls : TimeInForce::kOpg;
      req.session = session;
      if (const Order* w = ClosingAlready(working, req)) {
        // A second closing order would open the opposite position once both fill. The exit
        // stays approved: if the working order ends unfilled, a later session orders it.
        Note(fmt::format("{}: {} exit of {} not ordered for {}: order {} is closing it already",
                         spec.name, s.reason, s.symbol, session, w->request.client_order_id));
        continue;
      }
      Order o;
      if (s.execute_on < session) {
        KAIROS_RETURN_IF_ERROR(OrderOverdueExit(spec, s, req, o));
      } else {
        KAIROS_ASSIGN_OR_RETURN(o, orders.CreateIntent(req, spec.name, s.id));
      }
      if (o.signal_id != s.id) {
        KAIROS_RETURN_IF_ERROR(
            book.Fail(s.id, fmt::format("not ordered: the exit of {} on {} is order {} already",
                                        s.symbol, session, o.request.client_order_id)));
      }
    }
    return Status::Ok();
  }

  // The strategy's orders that are not yet filled, cancelled, rejected or expired.
  Result<std::vector<Order>> WorkingOrders(const std::string& strategy) {
    ports::OrderFilter f;
    f.strategy = strategy;
    f.statuses = {OrderStatus::kNew, OrderStatus::kSubmitted, OrderStatus::kAccepted,
                  OrderStatus::kPartiallyFilled, OrderStatus::kUnknown};
    return store.orders().List(f);
  }

  // A working order other than `req` itself on the same symbol and side (a square-off order of
  // the kill switch, or an exit ordered at an earlier session), or nullptr.
  static const Order* ClosingAlready(const std::vector<Order>& working, const OrderRequest& req) {
    for (const Order& o : working) {
      if (o.request.symbol == req.symbol && o.request.side == req.side &&
          o.request.client_order_id != req.client_order_id) {
        return &o;
      }
    }
    return nullptr;
  }

  // The order of an exit whose session passed unrun, and its "exit.overdue" audit row, together.
  Status OrderOverdueExit(const StrategySpec& spec, const Signal& s, const OrderRequest& req,
                          Order& o) {
    std::string what =
        fmt::format("{} exit of {} decided on {} for {}, a session not run: ordered for {}",
                    s.reason, s.symbol, s.session, s.execute_on, req.session);
    KAIROS_RETURN_IF_ERROR(store.InTransaction([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(o, orders.CreateIntent(req, spec.name, s.id));
      if (o.signal_id != s.id) return Status::Ok();
      AuditEntry a;
      a.time_ns = clock.NowNs();
      a.actor = std::string(kEngineActor);
      a.action = "exit.overdue";
      a.subject = fmt::format("signal:{}", s.id);
      a.detail = fmt::format("{} {}: {} (order {})", spec.name, SideName(req.side), what,
                             req.client_order_id);
      return store.audit().Append(a);
    }));
    if (o.signal_id == s.id) Note(fmt::format("{}: {}", spec.name, what));
    return Status::Ok();
  }

  // Approved entries whose session passed without being executed (a skipped day, a strategy
  // switched between execution modes) fail instead of lingering; so do square-off exits (the
  // kill switch orders those itself). Other exits stay approved: ExitsDue orders them.
  Status FailMissed(Date session) {
    ports::SignalFilter f;
    f.status = SignalStatus::kApproved;
    KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> all, store.signals().List(f));
    for (const Signal& s : all) {
      if (s.execute_on >= session) continue;
      if (s.kind == SignalKind::kExit && s.reason != "squareoff") continue;
      KAIROS_ASSIGN_OR_RETURN(bool mine, OnThisCalendar(s.strategy));
      if (!mine) continue;
      KAIROS_RETURN_IF_ERROR(
          book.Fail(s.id, fmt::format("not executed: its session {} passed", s.execute_on)));
    }
    return Status::Ok();
  }

  // The order manager's view of the broker brought into the store (positions change).
  Status SyncOrders() {
    position_list.MarkStale();
    return orders.Sync().status();
  }

  Status Submit() {
    position_list.MarkStale();
    KAIROS_ASSIGN_OR_RETURN(SubmitReport r, orders.SubmitPendingReport());
    sent += r.sent;
    if (r.unknown > 0)
      Note(fmt::format("{} order(s) without an answer from the broker", r.unknown));
    if (r.rejected > 0) Note(fmt::format("{} order(s) rejected by the broker", r.rejected));
    return Status::Ok();
  }

  Status ScanEntries(const StrategyRecord& rec, Date session, Date next) {
    const StrategySpec& spec = rec.spec;
    Result<std::vector<std::string>> universe = Universe(spec);
    if (!universe.ok()) {
      Note(universe.status().message());
      return Status::Ok();
    }
    const EntryExtras extras = EntryExtrasOf(spec);
    std::string key;
    auto program = programs.Get(ForTimeframe(spec, spec.entry), extras.texts, &key);
    if (!program.ok()) {
      Note(fmt::format("{}: entry rule: {}", spec.name, program.status().message()));
      return Status::Ok();
    }
    // Symbols held or with a pending entry get no new entry signal.
    KAIROS_ASSIGN_OR_RETURN(const std::vector<Position>* positions, position_list.Of(spec.name));
    KAIROS_ASSIGN_OR_RETURN(std::vector<Order> all, OpenOrSessionOrders(spec.name, session));
    std::unordered_set<std::string_view> held;  // views into `*positions` and `all`
    held.reserve(positions->size() + all.size());
    for (const Position& p : *positions) held.insert(p.symbol);
    for (const Order& o : all) {
      if (o.request.side == EntrySide(spec) && !IsTerminal(o.status)) held.insert(o.request.symbol);
    }
    ScanRequest req;
    req.program = *program;
    req.symbols = std::move(*universe);
    req.as_of = session;
    KAIROS_ASSIGN_OR_RETURN(ScanResult result, market->ScanAsOf(req, key));
    for (const std::string& s : result.skipped) Note(fmt::format("{}: {}", spec.name, s));
    for (const ScanMatch& m : result.matches) {
      if (m.date != session || held.count(m.symbol)) continue;
      Signal s = EntrySignal(rec, result, m, extras, session);
      bool now = spec.approval == Approval::kAuto && spec.execution == Execution::kSameClose;
      s.execute_on = now ? session : next;
      KAIROS_ASSIGN_OR_RETURN(auto stored, book.Record(s, spec.approval));
      (void)stored;
    }
    return Status::Ok();
  }

  Status CheckExits(const StrategyRecord& rec, Date session, Date next, bool scan_today) {
    const StrategySpec& spec = rec.spec;
    KAIROS_ASSIGN_OR_RETURN(std::vector<Position> * listed, position_list.Listed(spec.name));
    std::vector<Position*> positions;
    positions.reserve(listed->size());
    for (Position& p : *listed) {
      if (p.qty.units() != 0) positions.push_back(&p);
    }
    if (positions.empty()) return Status::Ok();

    entry_facts.ForgetClosed(spec, positions);

    KAIROS_ASSIGN_OR_RETURN(std::vector<uint8_t> rule_hit,
                            ExitRuleHits(spec, positions, session, scan_today));
    for (size_t at = 0; at < positions.size(); ++at) {
      KAIROS_RETURN_IF_ERROR(CheckExit(rec, *positions[at], rule_hit[at] != 0, session, next));
    }
    return Status::Ok();
  }

  // Whether the exit rule matches each of `positions` at `session` (all 0 when the strategy
  // has none or does not scan today; a rule that does not compile is noted).
  Result<std::vector<uint8_t>> ExitRuleHits(const StrategySpec& spec,
                                            const std::vector<Position*>& positions, Date session,
                                            bool scan_today) {
    std::vector<uint8_t> rule_hit(positions.size(), 0);  // by position
    if (spec.exit.empty() || !scan_today) return rule_hit;
    std::string key;
    auto program = programs.Get(ForTimeframe(spec, spec.exit), {}, &key);
    if (!program.ok()) {
      Note(fmt::format("{}: exit rule: {}", spec.name, program.status().message()));
      return rule_hit;
    }
    ScanRequest req;
    req.program = *program;
    for (const Position* p : positions) req.symbols.push_back(p->symbol);
    req.as_of = session;
    KAIROS_ASSIGN_OR_RETURN(std::vector<uint8_t> hit, market->MatchFlags(req, key));
    for (size_t i = 0; i < hit.size() && i < rule_hit.size(); ++i) rule_hit[i] = hit[i];
    return rule_hit;
  }

  // One open position at `session`'s close: its levels, high water and sessions held brought
  // up to date (written back when changed), then an exit signal if an exit condition holds.
  Status CheckExit(const StrategyRecord& rec, Position& pos, bool rule_matched, Date session,
                   Date next) {
    const StrategySpec& spec = rec.spec;
    std::optional<Price> close = CloseOn(pos.symbol, session);
    if (!close) {
      Note(fmt::format("{} {}: no bar on {}; exits not checked", spec.name, pos.symbol, session));
      return Status::Ok();
    }
    std::optional<Price> entry = AverageEntry(pos);
    if (!entry) return Status::Ok();
    KAIROS_ASSIGN_OR_RETURN(const EntryFacts* facts, EntryFactsOf(spec, pos));
    LevelInputs in;
    if (facts->has_signal) in = facts->levels;
    FixedLevels levels = LevelsAtEntry(spec, *entry, in);
    Price hw = BestClose(spec.side, pos.high_water.value_or(*entry), *close);
    int held = sessions.SessionsHeld(pos.entry_session, session);
    std::optional<Price> stop = StopWithTrail(spec, levels, hw);
    if (hw != pos.high_water || held != pos.sessions_held || stop != pos.stop ||
        levels.take_profit != pos.target) {
      // Changed in the kept list and written back, so the list stays current.
      pos.high_water = hw;
      pos.sessions_held = held;
      pos.stop = stop;
      pos.target = levels.take_profit;
      KAIROS_RETURN_IF_ERROR(position_list.PutListed(pos));
    }
    ExitInput ein;
    ein.close = *close;
    ein.high_water = hw;
    ein.sessions_held = held;
    ein.exit_rule_matched = rule_matched;
    std::optional<ExitDecision> d = DecideExit(spec, levels, ein);
    if (!d) return Status::Ok();
    Signal s = ExitSignal(rec, pos, *d, *close, held, session);
    s.execute_on = spec.execution == Execution::kSameClose ? session : next;
    KAIROS_ASSIGN_OR_RETURN(auto stored, book.Record(s, Approval::kAuto));
    (void)stored;
    return Status::Ok();
  }

  Status EndOfDay(const StrategyRecord& rec, Date session) {
    const StrategySpec& spec = rec.spec;
    const Currency& cur = spec.currency;
    KAIROS_ASSIGN_OR_RETURN(const FillReplay* replayed, ReplayFills(rec, session));
    KAIROS_ASSIGN_OR_RETURN(const std::vector<Position>* listed, position_list.Of(spec.name));
    const std::vector<Position>& positions = *listed;
    // A replay kept from earlier sessions that disagrees with the positions is rebuilt from the
    // store before the check (MarkToClose) counts.
    if (!PositionsAreSumsOfFills(positions, *replayed)) {
      KAIROS_ASSIGN_OR_RETURN(replayed, ReplayFills(rec, session, /*fresh=*/true));
    }
    const FillReplay& replay = *replayed;
    if (!rec.enabled && replay.fills == 0 && positions.empty()) return Status::Ok();
    int64_t unrealized = 0, cost_open = 0;
    for (const Position& p : positions) {
      if (p.qty.units() == 0) continue;
      KAIROS_RETURN_IF_ERROR(MarkToClose(spec, cur, p, replay, session, unrealized, cost_open));
    }
    DailyPnl row;
    row.session = session;
    row.strategy = spec.name;
    auto on = [&](const std::map<Date, int64_t>& m) {
      auto it = m.find(session);
      return it == m.end() ? int64_t{0} : it->second;
    };
    row.realized = on(replay.realized_on);
    row.fees = on(replay.fees_on);
    row.unrealized = unrealized;
    row.equity = rec.allocation + replay.realized_cum + unrealized - replay.fees_cum;
    row.cash = rec.allocation + replay.realized_cum - replay.fees_cum - cost_open;
    return store.ledger().PutDailyPnl(row);
  }

  // One open position at the end of `session`: checked against its fills, marked to the last
  // close (added to `unrealized`, or at cost without one), its cost added to `cost_open`, its
  // sessions held brought up to date.
  Status MarkToClose(const StrategySpec& spec, const Currency& cur, const Position& p,
                     const FillReplay& replay, Date session, int64_t& unrealized,
                     int64_t& cost_open) {
    auto net = replay.net_of.find(p.symbol);
    Fill sum;  // the fills of the position netted into one, for CheckPosition
    sum.symbol = p.symbol;
    const int64_t units = net == replay.net_of.end() ? 0 : net->second;
    sum.side = units >= 0 ? Side::kBuy : Side::kSell;
    sum.qty = Quantity::FromUnits(units >= 0 ? units : -units);
    KAIROS_RETURN_IF_ERROR(CheckPosition(p, std::span<const Fill>(&sum, 1)));
    std::optional<Price> close = CloseOn(p.symbol, session, /*at_or_before=*/true);
    if (!close) {
      Note(fmt::format("{} {}: no close up to {}; marked at cost", spec.name, p.symbol, session));
    } else {
      Result<int64_t> u = Unrealized(p, *close, cur);
      if (!u.ok()) {
        return u.status().WithContext(
            fmt::format("{} {}: marking to the close of {}", spec.name, p.symbol, session));
      }
      KAIROS_ASSIGN_OR_RETURN(unrealized,
                              CheckedAdd(unrealized, *u, "the unrealised P&L of the strategy"));
    }
    KAIROS_RETURN_IF_ERROR(AddCostOfLots(cost_open, p, cur, "the cost of the open positions"));
    int held = sessions.SessionsHeld(p.entry_session, session);
    if (held != p.sessions_held) {
      Position q = p;
      q.sessions_held = held;
      KAIROS_RETURN_IF_ERROR(position_list.Put(q));
    }
    return Status::Ok();
  }
};

TradingDay::TradingDay(ports::Store& store, ports::Broker& broker, const ports::Clock& clock,
                       const marketdata::BarStore& bars, const calendar::ExchangeCalendar& cal,
                       OrderManager& orders, MarketReader* market, const TradingDayOptions& options)
    : impl_(std::make_unique<Impl>(store, broker, clock, bars, cal, orders, market, options)) {}

TradingDay::~TradingDay() = default;

std::string TradingDay::DoneKey(Date session) { return fmt::format("run_day.done:{}", session); }

std::string SessionMarkers::DoneKey(Date session) const {
  if (exchange.empty()) return TradingDay::DoneKey(session);
  return fmt::format("run_day.done:{}:{}", exchange, session);
}

std::string SessionMarkers::LastKey() const {
  if (exchange.empty()) return std::string(TradingDay::kLastSessionKey);
  return fmt::format("{}:{}", TradingDay::kLastSessionKey, exchange);
}

SessionMarkers MarkersOf(const calendar::ExchangeCalendar& cal, bool adopt_unkeyed) {
  return SessionMarkers{.exchange = std::string(cal.name()), .adopt_unkeyed = adopt_unkeyed};
}

namespace {

// The value under `key`, or (adopting) under `unkeyed` when `key` holds none.
Result<std::optional<std::string>> ReadMarker(ports::Store& store, const SessionMarkers& markers,
                                              const std::string& key, std::string_view unkeyed) {
  KAIROS_ASSIGN_OR_RETURN(std::optional<std::string> value, store.state().Get(key));
  if (value || markers.exchange.empty() || !markers.adopt_unkeyed) return value;
  return store.state().Get(unkeyed);
}

}  // namespace

Result<bool> SessionDone(ports::Store& store, const SessionMarkers& markers, Date session) {
  KAIROS_ASSIGN_OR_RETURN(
      std::optional<std::string> done,
      ReadMarker(store, markers, markers.DoneKey(session), TradingDay::DoneKey(session)));
  return done.has_value();
}

Result<std::optional<Date>> LastSessionRun(ports::Store& store, const SessionMarkers& markers) {
  KAIROS_ASSIGN_OR_RETURN(
      std::optional<std::string> last,
      ReadMarker(store, markers, markers.LastKey(), TradingDay::kLastSessionKey));
  if (!last) return std::optional<Date>();
  Result<Date> d = Date::Parse(*last);
  if (!d.ok()) {
    return Status::Corruption(
        fmt::format("state '{}' is not a date: '{}'", markers.LastKey(), *last));
  }
  return std::optional<Date>(*d);
}

TradingDay::Counts TradingDay::TakeCounts() {
  Counts c{.expired = impl_->expired, .orders_sent = impl_->sent};
  impl_->expired = 0;
  impl_->sent = 0;
  return c;
}

std::vector<std::string> TradingDay::TakeNotes() {
  std::vector<std::string> out;
  out.swap(impl_->notes);
  return out;
}

Status TradingDay::PreOpen(Date session) {
  Impl& m = *impl_;
  KAIROS_ASSIGN_OR_RETURN(bool begun, m.BeginPhase(session));
  if (!begun) return Status::Ok();
  KAIROS_RETURN_IF_ERROR(m.NoteSkipped(session));
  KAIROS_RETURN_IF_ERROR(m.Expire().status());
  KAIROS_RETURN_IF_ERROR(m.FailMissed(session));
  bool halted = IsHalted(m.store);
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> strategies, m.Strategies());
  for (const StrategyRecord& rec : strategies) {
    if (rec.spec.execution != Execution::kNextOpen) continue;
    KAIROS_RETURN_IF_ERROR(m.ExecuteExits(rec, session, /*at_close=*/false));
    KAIROS_RETURN_IF_ERROR(m.ExecuteEntries(rec, session, /*at_close=*/false, halted));
  }
  return m.Submit();
}

Status TradingDay::AfterOpen(Date session) {
  (void)session;
  return impl_->SyncOrders();
}

Status TradingDay::AtClose(Date session) {
  Impl& m = *impl_;
  KAIROS_ASSIGN_OR_RETURN(bool begun, m.BeginPhase(session));
  if (!begun) return Status::Ok();
  const Date next = m.cal.NextSession(session);
  bool halted = IsHalted(m.store);
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> strategies, m.Strategies());
  for (const StrategyRecord& rec : strategies) {
    const bool scan_today = m.ScansOn(rec.spec, session);
    if (rec.enabled && scan_today) KAIROS_RETURN_IF_ERROR(m.ScanEntries(rec, session, next));
    KAIROS_RETURN_IF_ERROR(m.CheckExits(rec, session, next, scan_today));
    if (rec.spec.execution == Execution::kSameClose) {
      KAIROS_RETURN_IF_ERROR(m.ExecuteExits(rec, session, /*at_close=*/true));
      KAIROS_RETURN_IF_ERROR(m.ExecuteEntries(rec, session, /*at_close=*/true, halted));
    }
  }
  return m.Submit();
}

Result<int> TradingDay::ExpireSignals(Date session) {
  Impl& m = *impl_;
  KAIROS_ASSIGN_OR_RETURN(bool begun, m.BeginPhase(session));
  if (!begun) return 0;
  return m.Expire();
}

Status TradingDay::ScanEntries(Date session, Timeframe timeframe) {
  Impl& m = *impl_;
  KAIROS_ASSIGN_OR_RETURN(bool begun, m.BeginPhase(session));
  if (!begun) return Status::Ok();
  const Date next = m.cal.NextSession(session);
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> strategies, m.Strategies());
  for (const StrategyRecord& rec : strategies) {
    if (rec.spec.timeframe != timeframe || !rec.enabled || !m.ScansOn(rec.spec, session)) continue;
    KAIROS_RETURN_IF_ERROR(m.ScanEntries(rec, session, next));
  }
  return Status::Ok();
}

Status TradingDay::CheckExits(Date session) {
  Impl& m = *impl_;
  KAIROS_ASSIGN_OR_RETURN(bool begun, m.BeginPhase(session));
  if (!begun) return Status::Ok();
  const Date next = m.cal.NextSession(session);
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> strategies, m.Strategies());
  for (const StrategyRecord& rec : strategies) {
    KAIROS_RETURN_IF_ERROR(m.CheckExits(rec, session, next, m.ScansOn(rec.spec, session)));
  }
  return Status::Ok();
}

Status TradingDay::AfterClose(Date session) {
  Impl& m = *impl_;
  KAIROS_ASSIGN_OR_RETURN(bool past, m.Past(session));
  if (past) return Status::Ok();
  m.NewPhase();
  KAIROS_RETURN_IF_ERROR(m.SyncOrders());
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> strategies, m.Strategies());
  for (const StrategyRecord& rec : strategies) {
    KAIROS_RETURN_IF_ERROR(m.EndOfDay(rec, session));
  }
  KAIROS_RETURN_IF_ERROR(m.store.state().Put(m.markers.DoneKey(session),
                                             fmt::format("{{\"time_ns\":{}}}", m.clock.NowNs())));
  KAIROS_ASSIGN_OR_RETURN(std::optional<Date> last, LastSessionRun(m.store, m.markers));
  if (!last || *last < session) {
    KAIROS_RETURN_IF_ERROR(m.store.state().Put(m.markers.LastKey(), session.ToString()));
  }
  return Status::Ok();
}

Result<SessionReport> TradingDay::RunSession(ports::ManualClock& clock, Date session) {
  Impl& m = *impl_;
  if (!m.cal.IsSession(session)) return NotASession(m.cal, session);
  KAIROS_ASSIGN_OR_RETURN(bool done, SessionDone(m.store, m.markers, session));
  if (done) {
    KAIROS_ASSIGN_OR_RETURN(SessionReport r, Report(session));
    r.already_done = true;
    return r;
  }
  KAIROS_ASSIGN_OR_RETURN(std::optional<Date> last, LastSessionRun(m.store, m.markers));
  if (last && session < *last) {
    return Status::FailedPrecondition(fmt::format(
        "{} is before the last session run ({}); sessions run in order", session, *last));
  }
  KAIROS_ASSIGN_OR_RETURN(std::vector<Date> skipped,
                          MissedSessions(m.store, m.cal, session, m.markers));
  KAIROS_ASSIGN_OR_RETURN(calendar::Session s, m.cal.SessionOf(session));
  TakeCounts();
  clock.AdvanceTo(s.open.nanos() - kMinuteNs);
  KAIROS_RETURN_IF_ERROR(PreOpen(session));
  clock.AdvanceTo(s.open.nanos() + kMinuteNs);
  KAIROS_RETURN_IF_ERROR(AfterOpen(session));
  // A minute before the close instant: market-on-close orders must reach the broker before its
  // closing auction (in simulation the session's bar is in the bar store already).
  clock.AdvanceTo(s.close.nanos() - kMinuteNs);
  KAIROS_RETURN_IF_ERROR(AtClose(session));
  clock.AdvanceTo(s.close.nanos() + kMinuteNs);
  KAIROS_RETURN_IF_ERROR(AfterClose(session));
  KAIROS_ASSIGN_OR_RETURN(SessionReport r, Report(session));
  const Counts counts = TakeCounts();
  r.expired = counts.expired;
  r.orders_sent = counts.orders_sent;
  r.skipped = std::move(skipped);
  r.notes = TakeNotes();
  return r;
}

Result<std::vector<Date>> MissedSessions(ports::Store& store, const calendar::ExchangeCalendar& cal,
                                         Date session, const SessionMarkers& markers) {
  if (!cal.IsSession(session)) return NotASession(cal, session);
  KAIROS_ASSIGN_OR_RETURN(std::optional<Date> since, LastSessionRun(store, markers));
  if (!since) return std::vector<Date>();
  const Date first = cal.NextSession(*since);
  if (!(first < session)) return std::vector<Date>();
  return cal.Sessions(first, cal.PreviousSession(session));
}

Result<SessionReport> TradingDay::Report(Date session) {
  Impl& m = *impl_;
  SessionReport r;
  r.session = session;
  r.halted = IsHalted(m.store);
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> strategies, m.store.strategies().List());
  ports::SignalFilter sf;
  sf.session = session;
  KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> signals, m.store.signals().List(sf));
  ports::OrderFilter of;
  of.session = session;
  KAIROS_ASSIGN_OR_RETURN(std::vector<Order> orders, m.store.orders().List(of));
  ports::FillFilter ff;
  ff.from = session;
  ff.to = session;
  KAIROS_ASSIGN_OR_RETURN(auto fills, m.store.ledger().ListFills(ff));
  for (const StrategyRecord& rec : strategies) {
    StrategySessionReport s;
    s.strategy = rec.spec.name;
    for (const Signal& g : signals) {
      if (g.strategy != s.strategy) continue;
      if (g.kind == SignalKind::kExit) {
        ++s.exits;
        continue;
      }
      ++s.signals;
      if (g.status == SignalStatus::kPendingReview) ++s.pending;
      if (g.status != SignalStatus::kPendingReview && g.status != SignalStatus::kRejected &&
          g.status != SignalStatus::kExpired) {
        ++s.approved;
      }
    }
    for (const Order& o : orders) s.orders += o.strategy == s.strategy;
    for (const auto& [strategy, f] : fills) s.fills += strategy == s.strategy;
    KAIROS_ASSIGN_OR_RETURN(std::vector<DailyPnl> pnl,
                            m.store.ledger().ListDailyPnl(s.strategy, session, session));
    if (!pnl.empty()) s.pnl = pnl.front();
    if (!s.pnl && s.signals == 0 && s.orders == 0 && s.fills == 0 && s.exits == 0) continue;
    r.strategies.push_back(std::move(s));
  }
  return r;
}

}  // namespace kairos::engine
