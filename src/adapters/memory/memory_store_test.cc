#include "adapters/memory/memory_store.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/sqlite/sqlite_store.h"
#include "ports/testing/store_contract_test.h"

namespace kairos::adapters::memory {
namespace {

using ports::store_contract::D;
using ports::store_contract::MakeFill;
using ports::store_contract::MakeOrder;
using ports::store_contract::MakePosition;
using ports::store_contract::MakeSignal;
using ports::store_contract::P;
using ports::store_contract::Q;
using ports::store_contract::SimpleSpec;
using ports::store_contract::Unwrap;

struct MemoryTraits {
  struct Env {
    std::unique_ptr<ports::Store> store = OpenStore();
  };
  static std::unique_ptr<Env> Open() { return std::make_unique<Env>(); }
  static ports::Store& StoreOf(Env& env) { return *env.store; }
  static void Reopen(Env&) {}  // nothing outlives the store: the round trip is through it
  static int64_t Count(Env& env, std::string_view table) {
    RowCounts n = CountRows(*env.store).value();
    if (table == "strategies") return n.strategies;
    if (table == "strategy_state") return n.strategy_states;
    if (table == "signals") return n.signals;
    if (table == "orders") return n.orders;
    if (table == "fills") return n.fills;
    if (table == "positions") return n.positions;
    if (table == "daily_pnl") return n.daily_pnl;
    if (table == "universes") return n.universes;
    if (table == "job_runs") return n.job_runs;
    if (table == "outbox") return n.outbox;
    if (table == "users") return n.users;
    if (table == "sessions") return n.sessions;
    if (table == "api_tokens") return n.api_tokens;
    if (table == "login_throttle") return n.login_throttle;
    if (table == "state") return n.state;
    if (table == "audit") return n.audit;
    ADD_FAILURE() << "no table " << table;
    return -1;
  }
};

// ------------------------------------------------------------------------------------------
// Reading a whole store back as text, through the ports only (the state keys are given: the
// port cannot list them). Every List is asked with each kind of filter, so that a broken index
// shows up as a difference.

std::string Num(double v) { return std::isnan(v) ? "NaN" : fmt::format("{}", v); }

std::string Opt(const std::optional<Price>& p) { return p ? fmt::format("{}", p->raw()) : "-"; }

std::string Describe(const StrategySpec& s) {
  auto level = [](const LevelSpec& l) {
    return fmt::format("{}:{}:{}", static_cast<int>(l.kind), Num(l.percent), l.expr);
  };
  return fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}:{}:{}:{}|{}|{}|{}|{}:{}:{}|"
      "{}|{}",
      s.name, s.description, s.exchange, s.universe, fmt::join(s.symbols, ","),
      static_cast<int>(s.timeframe), static_cast<int>(s.side), s.entry, s.exit, level(s.stop_loss),
      level(s.take_profit), level(s.trailing_stop), s.max_hold, static_cast<int>(s.approval),
      s.review_cutoff_minute, static_cast<int>(s.execution), static_cast<int>(s.order_type),
      Num(s.limit_offset_percent), s.allocation, s.currency.code(),
      static_cast<int>(s.sizing.method), s.sizing.qty, s.sizing.amount, Num(s.sizing.percent),
      s.max_positions, s.max_new_per_day, s.rank, static_cast<int>(s.fees.kind), s.fees.per_order,
      Num(s.fees.percent), Num(s.slippage_bps), s.enabled);
}

std::string Describe(const StrategyRecord& r) {
  return fmt::format("strategy v{} enabled={} allocation={} source={} spec={}", r.version,
                     r.enabled, r.allocation, r.source, Describe(r.spec));
}

std::string Describe(const Signal& s) {
  std::vector<std::string> terms;
  for (const auto& [name, value] : s.terms) terms.push_back(name + "=" + Num(value));
  return fmt::format(
      "signal {} {} v{} {} {} {} {} {} [{}] rank={} {} exec={} created={} by={} at={} note={}",
      s.id, s.strategy, s.strategy_version, s.symbol, s.session.ToString(), SideName(s.side),
      static_cast<int>(s.kind), SignalStatusName(s.status), fmt::join(terms, ","),
      Num(s.rank_value), s.reason, s.execute_on.ToString(), s.created_ns, s.decided_by,
      s.decided_ns, s.note);
}

std::string Describe(const Order& o) {
  const OrderRequest& r = o.request;
  return fmt::format("order {} {} {} {} {} {} {} {} {} {} {} {} signal={} filled={} {} {} {} {}",
                     o.id, r.client_order_id, o.strategy, r.symbol, SideName(r.side), r.qty.units(),
                     OrderTypeName(r.type), TimeInForceName(r.tif), Opt(r.limit_price),
                     Opt(r.stop_price), r.session.ToString(), OrderStatusName(o.status),
                     o.signal_id, o.filled_qty.units(), o.broker_order_id, o.message, o.created_ns,
                     o.updated_ns);
}

std::string Describe(const std::pair<std::string, Fill>& sf) {
  const Fill& f = sf.second;
  return fmt::format("fill {} {} {} {} {} {} {} {} {} {}", sf.first, f.execution_id,
                     f.client_order_id, f.symbol, SideName(f.side), f.qty.units(), f.price.raw(),
                     f.fees, f.session.ToString(), f.time_ns);
}

std::string Describe(const Position& p) {
  std::vector<std::string> lots;
  for (const Lot& l : p.lots) {
    lots.push_back(
        fmt::format("{}:{}:{}:{}", l.opened.ToString(), l.qty.units(), l.price.raw(), l.fees));
  }
  return fmt::format("position {} {} {} [{}] {} {} {} {} {} {}", p.strategy, p.symbol,
                     p.qty.units(), fmt::join(lots, ","), p.entry_session.ToString(),
                     p.sessions_held, Opt(p.stop), Opt(p.target), Opt(p.high_water), p.realized);
}

std::string Describe(const DailyPnl& d) {
  return fmt::format("pnl {} {} {} {} {} {} {}", d.strategy, d.session.ToString(), d.realized,
                     d.unrealized, d.fees, d.equity, d.cash);
}

std::string Describe(const Universe& u) {
  const UniverseDefinition& d = u.definition;
  return fmt::format("universe {} {}:{}:{}:{}:{}:{}:{} {} [{}] {}", u.name,
                     static_cast<int>(d.kind), fmt::join(d.symbols, ","), d.exchange, d.rule,
                     d.rank, d.top, d.base, u.as_of.ToString(), fmt::join(u.members, ","),
                     u.computed_ns);
}

std::string Describe(const AuditEntry& e) {
  return fmt::format("audit {} {} {} {} {} {}", e.id, e.time_ns, e.actor, e.action, e.subject,
                     e.detail);
}

std::string Describe(const ports::JobRun& r) {
  return fmt::format("run {} {}@{} started={} finished={} retry_at={} {} attempts={} message={}",
                     r.id, r.job, r.scheduled_ns, r.started_ns, r.finished_ns, r.retry_at_ns,
                     ports::JobRunStatusName(r.status), r.attempts, r.message);
}

std::string Describe(const std::pair<ports::JobRun, bool>& claimed) {
  return fmt::format("{} new={}", Describe(claimed.first), claimed.second);
}

std::string Describe(const ports::OutboxMessage& m) {
  return fmt::format(
      "message {} {} key={} text={} silent={} payload={} created={} sent={} attempts={} "
      "error={} external={}",
      m.id, m.kind, m.key, m.text, m.silent, m.payload, m.created_ns, m.sent_ns, m.attempts,
      m.last_error, m.external_id);
}

template <typename T>
std::string Describe(const std::optional<T>& v) {
  return v ? Describe(*v) : "none";
}
std::string Describe(const std::optional<std::string>& v) { return v ? "'" + *v + "'" : "none"; }
std::string Describe(bool b) { return b ? "true" : "false"; }

template <typename T>
std::string Describe(const std::vector<T>& list) {
  std::string out = fmt::format("{} rows", list.size());
  for (const T& v : list) out += "\n  " + Describe(v);
  return out;
}

// A result as text: the status (code and message) or the value.
template <typename T>
std::string Text(const Result<T>& r) {
  if (!r.ok()) return "error " + r.status().ToString();
  return Describe(*r);
}

// The names the tests below use; the dump asks for each.
const std::vector<std::string> kStrategies = {"s1", "s2", "s3"};
const std::vector<std::string> kSymbols = {"A", "B", "C"};
const std::vector<std::string> kStateKeys = {"halt", "k1", "k2", "counter"};
const std::vector<std::string> kJobs = {"scan.daily", "orders.open@NSE", "backup"};
const std::vector<std::string> kMessageKinds = {"job.failed", "signal.pending"};
Date Session(int i) { return D(2024, 3, 1).AddDays(i); }
constexpr int kSessions = 6;

std::vector<std::string> Dump(ports::Store& s) {
  std::vector<std::string> out;
  auto add = [&](std::string what, std::string text) { out.push_back(what + ": " + text); };
  add("strategies", Text(s.strategies().List()));
  for (const std::string& name : kStrategies) {
    for (int v = 0; v <= 3; ++v) {
      add(fmt::format("strategy {} v{}", name, v), Text(s.strategies().GetVersion(name, v)));
    }
    add("strategy " + name, Text(s.strategies().Get(name)));
  }
  add("signals", Text(s.signals().List({})));
  for (int st = 0; st <= static_cast<int>(SignalStatus::kFailed); ++st) {
    ports::SignalFilter f{.status = static_cast<SignalStatus>(st)};
    add(fmt::format("signals status {}", st), Text(s.signals().List(f)));
  }
  for (int i = 0; i < kSessions + 2; ++i) {
    add(fmt::format("signals session {}", i), Text(s.signals().List({.session = Session(i)})));
    add(fmt::format("signals execute_on {}", i),
        Text(s.signals().List({.execute_on = Session(i)})));
  }
  for (const std::string& name : kStrategies) {
    add("signals strategy " + name, Text(s.signals().List({.strategy = name})));
  }
  add("orders", Text(s.orders().List({})));
  for (int st = 0; st <= static_cast<int>(OrderStatus::kUnknown); ++st) {
    ports::OrderFilter f{.statuses = {static_cast<OrderStatus>(st)}};
    add(fmt::format("orders status {}", st), Text(s.orders().List(f)));
  }
  for (int i = 0; i < kSessions + 2; ++i) {
    add(fmt::format("orders session {}", i), Text(s.orders().List({.session = Session(i)})));
  }
  for (const std::string& name : kStrategies) {
    add("orders strategy " + name, Text(s.orders().List({.strategy = name})));
  }
  for (const Order& o : s.orders().List({}).value_or({})) {
    add("order " + o.request.client_order_id,
        Text(s.orders().GetByClientId(o.request.client_order_id)));
  }
  add("fills", Text(s.ledger().ListFills({})));
  for (const std::string& name : kStrategies) {
    add("fills strategy " + name, Text(s.ledger().ListFills({.strategy = name})));
  }
  for (const std::string& symbol : kSymbols) {
    add("fills symbol " + symbol, Text(s.ledger().ListFills({.symbol = symbol})));
  }
  add("fills from 2 to 3",
      Text(s.ledger().ListFills({.from = Session(2), .to = Session(3), .strategy = "s1"})));
  add("positions", Text(s.ledger().Positions("")));
  for (const std::string& name : kStrategies) {
    add("positions " + name, Text(s.ledger().Positions(name)));
    for (const std::string& symbol : kSymbols) {
      add("position " + name + "/" + symbol, Text(s.ledger().GetPosition(name, symbol)));
    }
  }
  add("pnl", Text(s.ledger().ListDailyPnl("", std::nullopt, std::nullopt)));
  add("pnl from 2 to 4", Text(s.ledger().ListDailyPnl("", Session(2), Session(4))));
  for (const std::string& name : kStrategies) {
    add("pnl " + name, Text(s.ledger().ListDailyPnl(name, std::nullopt, std::nullopt)));
  }
  add("universes", Text(s.universes().List()));
  for (const std::string& key : kStateKeys) add("state " + key, Text(s.state().Get(key)));
  add("audit", Text(s.audit().List("")));
  add("audit signal:", Text(s.audit().List("signal:")));
  add("job runs", Text(s.job_runs().History("", 0)));
  add("job runs unfinished", Text(s.job_runs().Unfinished()));
  for (const std::string& job : kJobs) {
    add("job runs " + job, Text(s.job_runs().History(job, 0)));
    add("last job run " + job, Text(s.job_runs().Last(job)));
  }
  add("outbox", Text(s.outbox().List({})));
  add("outbox pending", Text(s.outbox().Pending(0)));
  for (const std::string& kind : kMessageKinds) {
    add("outbox unsent " + kind, Text(s.outbox().List({.unsent_only = true, .kind = kind})));
    add("outbox newest " + kind, Text(s.outbox().List({.kind = kind, .limit = 3})));
  }
  add("outbox since 3", Text(s.outbox().List({.since_ns = 3})));
  return out;
}

// ------------------------------------------------------------------------------------------
// The contract

}  // namespace
}  // namespace kairos::adapters::memory

namespace kairos::ports::store_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, StoreContractTest, adapters::memory::MemoryTraits);
}  // namespace kairos::ports::store_contract

namespace kairos::adapters::memory {
namespace {

// ------------------------------------------------------------------------------------------
// This store's own texts where SQLite's name a CHECK constraint (README.md)

TEST(MemoryStoreTest, RefusalsThatAreCheckConstraintsInSqliteHaveTheirOwnTexts) {
  auto store = OpenStore();
  Order zero = MakeOrder("zero");
  zero.request.qty = Q(0);
  EXPECT_EQ(store->orders().Create(zero).status(),
            Status::InvalidArgument("order 'zero': quantity 0 is not positive"));
  EXPECT_EQ(store->orders().Create(MakeOrder("")).status(),
            Status::InvalidArgument("an order needs a client order id"));
  Order over = MakeOrder("over");
  over.filled_qty = Q(11);
  EXPECT_EQ(store->orders().Create(over).status(),
            Status::InvalidArgument("order 'over': filled quantity 11 is outside 0..10"));
  Order stored = store->orders().Create(MakeOrder("ok")).value();
  stored.filled_qty = Q(-1);
  EXPECT_EQ(store->orders().Update(stored),
            Status::InvalidArgument("order 1: filled quantity -1 is outside 0..10"));

  Fill fill = MakeFill("", D(2024, 3, 4), 1);
  EXPECT_EQ(store->ledger().RecordFill(fill, "s1").status(),
            Status::InvalidArgument("a fill needs an execution id"));
  fill.execution_id = "E-1";
  fill.qty = Q(0);
  EXPECT_EQ(store->ledger().RecordFill(fill, "s1").status(),
            Status::InvalidArgument("fill 'E-1': quantity 0 is not positive"));
  fill.qty = Q(1);
  fill.fees = -2;
  EXPECT_EQ(store->ledger().RecordFill(fill, "s1").status(),
            Status::InvalidArgument("fill 'E-1': fees -2 are negative"));

  Position p = MakePosition("s1", "GOOG");
  p.sessions_held = -1;
  EXPECT_EQ(store->ledger().PutPosition(p),
            Status::InvalidArgument("position s1/GOOG: sessions held -1 is negative"));

  RowCounts n = CountRows(*store).value();
  EXPECT_EQ(n.orders, 1);
  EXPECT_EQ(n.fills, 0);
  EXPECT_EQ(n.positions, 0);
  EXPECT_EQ(store->orders().GetByClientId("ok").value()->filled_qty, Q(0));
}

TEST(MemoryStoreTest, CountRowsRefusesAnotherStore) {
  auto sqlite = sqlite::OpenStore(":memory:");
  ASSERT_TRUE(sqlite.ok());
  EXPECT_EQ(CountRows(**sqlite).status(), Status::InvalidArgument("not an in-memory store"));
  auto store = OpenStore();
  ASSERT_TRUE(store->state().Put("k1", "v").ok());
  ASSERT_TRUE(store->strategies().Import(SimpleSpec("s1"), "a").ok());
  ASSERT_TRUE(store->strategies().Import(SimpleSpec("s1"), "b").ok());
  RowCounts n = CountRows(*store).value();
  EXPECT_EQ(n.state, 1);
  EXPECT_EQ(n.strategies, 2);
  EXPECT_EQ(n.strategy_states, 1);
  EXPECT_EQ(n.signals, 0);
}

// A non-std exception cannot become a Status: the writes are undone and it goes on up.
TEST(MemoryStoreTest, AnExceptionThatIsNoStdExceptionRollsBackAndPropagates) {
  auto store = OpenStore();
  EXPECT_THROW((void)store->InTransaction([&]() -> Status {
    EXPECT_TRUE(store->state().Put("k1", "1").ok());
    throw 42;
  }),
               int);
  EXPECT_EQ(store->state().Get("k1").value_or("x"), std::nullopt);
  EXPECT_TRUE(store->InTransaction([&] { return store->state().Put("k2", "1"); }).ok());
  EXPECT_EQ(CountRows(*store).value().state, 1);
}

// ------------------------------------------------------------------------------------------
// Rollback restores exactly what was there, write by write

// A store with some of everything, each table more than one row.
void Populate(ports::Store& s) {
  auto ok = [](const Status& status) { ASSERT_TRUE(status.ok()) << status.ToString(); };
  ok(s.strategies().Import(SimpleSpec("s1"), "v1").status());
  StrategySpec v2 = SimpleSpec("s1");
  v2.allocation = 5;
  ok(s.strategies().Import(v2, "v2").status());
  ok(s.strategies().Import(SimpleSpec("s2"), "v1").status());
  for (int i = 0; i < 4; ++i) {
    Signal g = MakeSignal(kSymbols[i % 3], Session(i));
    g.strategy = kStrategies[i % 2];
    g.status = i % 2 == 0 ? SignalStatus::kPendingReview : SignalStatus::kApproved;
    ok(s.signals().Insert(g).status());
  }
  ok(s.signals().Transition(1, SignalStatus::kPendingReview, SignalStatus::kApproved, "auto", "",
                            5));
  for (int i = 0; i < 3; ++i) {
    Order o = MakeOrder(fmt::format("o-{}", i), Session(i));
    o.strategy = kStrategies[i % 2];
    ok(s.orders().Create(o).status());
  }
  for (int i = 0; i < 3; ++i) {
    Fill f = MakeFill(fmt::format("e-{}", i), Session(i), 10 - i);
    f.symbol = kSymbols[i];
    ok(s.ledger().RecordFill(f, kStrategies[i % 2]).status());
    ok(s.ledger().PutPosition(MakePosition(kStrategies[i % 2], kSymbols[i])));
    ok(s.ledger().PutDailyPnl({Session(i), kStrategies[i % 2], i, 2 * i, 1, 100 + i, 90 + i}));
  }
  Universe u;
  u.name = "u1";
  u.members = {"A", "B"};
  ok(s.universes().Put(u));
  u.name = "u2";
  u.members = {"C"};
  ok(s.universes().Put(u));
  ok(s.state().Put("halt", "1"));
  ok(s.state().Put("k1", "x"));
  ok(s.audit().Append({0, 1, "cli", "halt", "system", ""}));
  ok(s.job_runs().Claim("scan.daily", 100, 1).status());
  auto backup = s.job_runs().Claim("backup", 200, 2);
  ASSERT_TRUE(backup.ok());
  backup->first.status = ports::JobRunStatus::kSucceeded;
  ok(s.job_runs().Update(backup->first));
  ports::OutboxMessage m;
  m.kind = "job.failed";
  m.key = "key1";
  ok(s.outbox().Enqueue(m).status());
  m.key = "key2";
  ok(s.outbox().Enqueue(m).status());
  ok(s.outbox().MarkSent(2, 5, "x"));
}

struct Write {
  std::string name;
  std::function<Status(ports::Store&)> apply;
};
void PrintTo(const Write& w, std::ostream* os) { *os << w.name; }

std::vector<Write> Writes() {
  Universe replaced;
  replaced.name = "u1";
  replaced.members = {"Z"};
  replaced.computed_ns = 9;
  Universe added = replaced;
  added.name = "u3";
  Position changed = MakePosition("s2", "B");
  changed.qty = Q(-2);
  changed.lots = {{Session(4), Q(-2), P(5), 1}};
  Position closed = MakePosition("s1", "A");
  closed.qty = Q(0);
  Order update = MakeOrder("o-1", Session(1));
  update.id = 2;
  update.status = OrderStatus::kPartiallyFilled;
  update.filled_qty = Q(3);
  update.broker_order_id = "B-1";
  update.message = "part";
  update.updated_ns = 77;
  StrategySpec v3 = SimpleSpec("s1");
  v3.allocation = 99;
  ports::JobRun finished{.id = 1, .status = ports::JobRunStatus::kFailed, .attempts = 3};
  ports::JobRun retrying{.id = 2, .retry_at_ns = 9, .status = ports::JobRunStatus::kRetrying};
  ports::OutboxMessage message{.kind = "signal.pending", .key = "key3", .created_ns = 4};
  return {
      {"SignalInsert",
       [](ports::Store& s) { return s.signals().Insert(MakeSignal("C", Session(5))).status(); }},
      {"SignalTransition",
       [](ports::Store& s) {
         return s.signals().Transition(3, SignalStatus::kPendingReview, SignalStatus::kRejected,
                                       "cli", "no", 8);
       }},
      {"OrderCreate",
       [](ports::Store& s) { return s.orders().Create(MakeOrder("o-new", Session(2))).status(); }},
      {"OrderUpdate", [update](ports::Store& s) { return s.orders().Update(update); }},
      {"FillRecord",
       [](ports::Store& s) {
         return s.ledger().RecordFill(MakeFill("e-new", Session(2), 5), "s1").status();
       }},
      {"PositionNew",
       [](ports::Store& s) { return s.ledger().PutPosition(MakePosition("s3", "C")); }},
      {"PositionReplace", [changed](ports::Store& s) { return s.ledger().PutPosition(changed); }},
      {"PositionDelete", [closed](ports::Store& s) { return s.ledger().PutPosition(closed); }},
      {"DailyPnlNew",
       [](ports::Store& s) {
         return s.ledger().PutDailyPnl({Session(5), "s3", 1, 2, 3, 4, 5});
       }},
      {"DailyPnlReplace",
       [](ports::Store& s) {
         return s.ledger().PutDailyPnl({Session(1), "s2", 9, 9, 9, 9, 9});
       }},
      {"UniverseNew", [added](ports::Store& s) { return s.universes().Put(added); }},
      {"UniverseReplace", [replaced](ports::Store& s) { return s.universes().Put(replaced); }},
      {"UniverseRemove", [](ports::Store& s) { return s.universes().Remove("u2"); }},
      {"StateNew", [](ports::Store& s) { return s.state().Put("k2", "new"); }},
      {"StateReplace", [](ports::Store& s) { return s.state().Put("halt", "0"); }},
      {"StateErase", [](ports::Store& s) { return s.state().Erase("k1"); }},
      {"AuditAppend",
       [](ports::Store& s) {
         return s.audit().Append({0, 2, "engine", "x", "order:o-1", "d"});
       }},
      {"StrategyImportNew",
       [](ports::Store& s) { return s.strategies().Import(SimpleSpec("s3"), "v1").status(); }},
      {"StrategyImportVersion",
       [v3](ports::Store& s) { return s.strategies().Import(v3, "v3").status(); }},
      {"StrategyEnable", [](ports::Store& s) { return s.strategies().SetEnabled("s2", false); }},
      {"StrategyAllocation",
       [](ports::Store& s) { return s.strategies().SetAllocation("s1", 1234); }},
      {"JobRunClaim",
       [](ports::Store& s) { return s.job_runs().Claim("scan.daily", 300, 3).status(); }},
      {"JobRunFinish", [finished](ports::Store& s) { return s.job_runs().Update(finished); }},
      {"JobRunRetry", [retrying](ports::Store& s) { return s.job_runs().Update(retrying); }},
      {"OutboxEnqueue",
       [message](ports::Store& s) { return s.outbox().Enqueue(message).status(); }},
      {"OutboxMarkSent", [](ports::Store& s) { return s.outbox().MarkSent(1, 7, "m-1"); }},
      {"OutboxMarkFailed", [](ports::Store& s) { return s.outbox().MarkFailed(2, "timeout"); }},
  };
}

class RollbackTest : public ::testing::TestWithParam<Write> {};

TEST_P(RollbackTest, AFailedTransactionRestoresTheExactPreviousState) {
  auto store = OpenStore();
  Populate(*store);
  const std::vector<std::string> before = Dump(*store);
  const RowCounts counts = CountRows(*store).value();

  // Applied and committed, the write shows (so the comparisons below are not vacuous).
  auto committed = OpenStore();
  Populate(*committed);
  ASSERT_TRUE(GetParam().apply(*committed).ok());
  ASSERT_NE(Dump(*committed), before);

  for (int how = 0; how < 3; ++how) {
    Status status = store->InTransaction([&]() -> Status {
      KAIROS_RETURN_IF_ERROR(GetParam().apply(*store));
      EXPECT_NE(Dump(*store), before);  // the body sees its write
      if (how == 0) return Status::Unavailable("broker down");
      if (how == 1) throw std::runtime_error("boom");
      // An inner failure the outer body ignores.
      (void)store->InTransaction([] { return Status::InvalidArgument("inner"); });
      return Status::Ok();
    });
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(Dump(*store), before) << "rollback " << how;
    RowCounts after = CountRows(*store).value();
    EXPECT_EQ(after.strategies, counts.strategies);
    EXPECT_EQ(after.strategy_states, counts.strategy_states);
    EXPECT_EQ(after.daily_pnl, counts.daily_pnl);
    EXPECT_EQ(after.audit, counts.audit);
    EXPECT_EQ(after.job_runs, counts.job_runs);
    EXPECT_EQ(after.outbox, counts.outbox);
  }
  // The indexes are whole again: the same write now gives what it gives on a fresh store.
  ASSERT_TRUE(GetParam().apply(*store).ok());
  EXPECT_EQ(Dump(*store), Dump(*committed));
}

INSTANTIATE_TEST_SUITE_P(EveryWrite, RollbackTest, ::testing::ValuesIn(Writes()),
                         [](const ::testing::TestParamInfo<Write>& info) {
                           return info.param.name;
                         });

TEST(MemoryStoreTest, RollingBackEveryKindOfWriteAtOnceRestoresThePreviousState) {
  auto store = OpenStore();
  Populate(*store);
  const std::vector<std::string> before = Dump(*store);
  std::vector<Write> writes = Writes();
  Status status = store->InTransaction([&]() -> Status {
    // Twice: the second round overwrites what the first wrote (or is refused), so the undo log
    // holds several records per row.
    for (int round = 0; round < 2; ++round) {
      for (const Write& w : writes) (void)w.apply(*store);
    }
    return Status::FailedPrecondition("halted");
  });
  EXPECT_EQ(status, Status::FailedPrecondition("halted"));
  EXPECT_EQ(Dump(*store), before);
}

TEST(MemoryStoreTest, ARefusedWriteInsideATransactionLeavesTheOtherWrites) {
  auto store = OpenStore();
  Populate(*store);
  Status status = store->InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store->state().Put("k2", "1"));
    EXPECT_EQ(store->orders().Create(MakeOrder("o-1")).status().code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(store->signals()
                  .Transition(2, SignalStatus::kPendingReview, SignalStatus::kApproved, "x", "", 1)
                  .code(),
              StatusCode::kFailedPrecondition);
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(store->state().Get("k2").value_or(std::nullopt), std::optional<std::string>("1"));
  EXPECT_EQ(CountRows(*store).value().orders, 3);
}

// The subject index is built when a List asks; rows appended before and after it, and an append
// rolled back after a List indexed it, all list as they should.
TEST(MemoryStoreTest, AuditListsRowsWhateverWasIndexedWhen) {
  auto store = OpenStore();
  auto append = [&](const std::string& subject, int64_t t) {
    return store->audit().Append(AuditEntry{0, t, "a", "act", subject, "d"});
  };
  auto subjects = [&](std::string_view prefix) {
    std::vector<std::string> out;
    const std::vector<AuditEntry> listed = store->audit().List(prefix).value();
    for (const AuditEntry& e : listed) {
      out.push_back(fmt::format("{}:{}", e.id, e.subject));
    }
    return out;
  };
  ASSERT_TRUE(append("order:b", 1).ok());
  ASSERT_TRUE(append("order:a", 2).ok());
  EXPECT_EQ(subjects("order:"), (std::vector<std::string>{"1:order:b", "2:order:a"}));
  ASSERT_TRUE(append("order:a", 3).ok());
  ASSERT_TRUE(append("signal:1", 4).ok());
  EXPECT_EQ(subjects("order:a"), (std::vector<std::string>{"2:order:a", "3:order:a"}));
  Status failed = store->InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(append("order:a", 5));
    EXPECT_EQ(subjects("order:a").size(), 3u);  // indexes the new row too
    KAIROS_RETURN_IF_ERROR(append("order:c", 6));
    return Status::Internal("no");
  });
  EXPECT_EQ(failed, Status::Internal("no"));
  EXPECT_EQ(subjects("order:"), (std::vector<std::string>{"1:order:b", "2:order:a", "3:order:a"}));
  ASSERT_TRUE(append("order:a", 7).ok());
  EXPECT_EQ(subjects("order:a"), (std::vector<std::string>{"2:order:a", "3:order:a", "5:order:a"}));
  EXPECT_EQ(subjects("").size(), 5u);
}

// ------------------------------------------------------------------------------------------
// The same random operations on both stores give the same answers

// What one operation answered: one entry per call (a transaction has one per call in its body,
// then its own status).
struct Entry {
  Status status;
  std::string value;
};
using Outcome = std::vector<Entry>;

template <typename T>
Entry Of(const Result<T>& r) {
  if (!r.ok()) return {r.status(), ""};
  return {Status::Ok(), Describe(*r)};
}
Entry Of(const Status& s) { return {s, ""}; }

// SQLite's texts for a broken CHECK constraint name SQL; the memory store has its own. Only the
// code is compared then.
void ExpectSame(const Entry& sqlite, const Entry& memory, const std::string& what) {
  EXPECT_EQ(sqlite.status.code(), memory.status.code()) << what;
  if (sqlite.status.message().find("sqlite: CHECK constraint failed") == std::string::npos) {
    EXPECT_EQ(sqlite.status.message(), memory.status.message()) << what;
  }
  EXPECT_EQ(sqlite.value, memory.value) << what;
}

using Op = std::function<void(ports::Store&, Outcome&)>;

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Int(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool Chance(int percent) { return Int(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(static_cast<int>(v.size())))];
  }
  std::string Strategy() { return Pick(kStrategies); }
  std::string Symbol() { return Pick(kSymbols); }
  Date AnySession() { return Session(Int(kSessions)); }
  std::optional<Date> MaybeSession() {
    return Chance(50) ? std::optional(AnySession()) : std::nullopt;
  }
  SignalStatus AnySignalStatus() {
    return static_cast<SignalStatus>(Int(static_cast<int>(SignalStatus::kFailed) + 1));
  }
  OrderStatus AnyOrderStatus() {
    return static_cast<OrderStatus>(Int(static_cast<int>(OrderStatus::kUnknown) + 1));
  }
  double Double() {
    switch (Int(8)) {
      case 0:
        return std::nan("");
      case 1:
        return std::numeric_limits<double>::infinity();
      case 2:
        return -0.0;
      default:
        return (Int(20001) - 10000) / 7.0;
    }
  }

  Op Next(bool top_level) {
    int kind = Int(top_level ? 106 : 96);
    if (kind < 10) return SignalInsert();
    if (kind < 18) return SignalTransition();
    if (kind < 23) return SignalRead();
    if (kind < 30) return OrderCreate();
    if (kind < 36) return OrderUpdate();
    if (kind < 41) return OrderRead();
    if (kind < 48) return FillRecord();
    if (kind < 51) return FillRead();
    if (kind < 58) return PositionWrite();
    if (kind < 62) return PositionRead();
    if (kind < 66) return Pnl();
    if (kind < 70) return UniverseOp();
    if (kind < 75) return StateOp();
    if (kind < 80) return AuditOp();
    if (kind < 90) return StrategyOp();
    if (kind < 93) return JobRunOp();
    if (kind < 96) return OutboxOp();
    return Transaction(/*nested=*/false);
  }

 private:
  Op SignalInsert() {
    Signal g = MakeSignal(Symbol(), AnySession(), Chance(50) ? Side::kBuy : Side::kSell);
    g.strategy = Strategy();
    g.strategy_version = Int(3);
    g.status = AnySignalStatus();
    g.kind = Chance(50) ? SignalKind::kEntry : SignalKind::kExit;
    g.execute_on = AnySession();
    g.terms = {{"a", Double()}, {"b", Double()}};
    g.rank_value = Double();
    g.created_ns = Int(1000);
    g.note = Chance(20) ? "n" : "";
    return [g](ports::Store& s, Outcome& out) {
      auto r = s.signals().Insert(g);
      // The answer's own fields (an inserted signal comes back as given, with its id).
      out.push_back(r.ok()
                        ? Entry{Status::Ok(), fmt::format("{} {}", Describe(r->first), r->second)}
                        : Entry{r.status(), ""});
    };
  }

  Op SignalTransition() {
    int64_t id = Int(70);
    bool from_current = Chance(75);
    SignalStatus from = AnySignalStatus();
    SignalStatus to = AnySignalStatus();
    std::string note = Chance(50) ? "why" : "";
    int64_t time = Int(1000);
    return [=](ports::Store& s, Outcome& out) {
      SignalStatus f = from;
      if (from_current) {
        auto current = s.signals().Get(id);
        if (current.ok() && current->has_value()) f = (*current)->status;
      }
      out.push_back(Of(s.signals().Transition(id, f, to, "gen", note, time)));
    };
  }

  Op SignalRead() {
    if (Chance(30)) {
      int64_t id = Int(70);
      return [id](ports::Store& s, Outcome& out) { out.push_back(Of(s.signals().Get(id))); };
    }
    ports::SignalFilter f;
    if (Chance(50)) f.status = AnySignalStatus();
    f.session = Chance(30) ? MaybeSession() : std::nullopt;
    f.execute_on = Chance(40) ? MaybeSession() : std::nullopt;
    if (Chance(50)) f.strategy = Strategy();
    return [f](ports::Store& s, Outcome& out) { out.push_back(Of(s.signals().List(f))); };
  }

  Op OrderCreate() {
    Order o = MakeOrder(Chance(3) ? "" : fmt::format("o{}", Int(40)), AnySession());
    o.strategy = Strategy();
    o.request.symbol = Symbol();
    o.request.qty = Q(Int(12) - 1);
    o.filled_qty = Q(Chance(90) ? 0 : Int(14) - 1);
    o.status = AnyOrderStatus();
    o.request.type = static_cast<OrderType>(Int(4));
    o.request.tif = static_cast<TimeInForce>(Int(4));
    if (Chance(50)) o.request.limit_price.reset();
    o.signal_id = Int(50);
    return [o](ports::Store& s, Outcome& out) { out.push_back(Of(s.orders().Create(o))); };
  }

  Op OrderUpdate() {
    Order o = MakeOrder("ignored");
    o.id = Int(40);
    o.status = AnyOrderStatus();
    o.filled_qty = Q(Int(14) - 1);
    o.broker_order_id = fmt::format("B{}", Int(5));
    o.message = Chance(50) ? "m" : "";
    o.updated_ns = Int(1000);
    return [o](ports::Store& s, Outcome& out) { out.push_back(Of(s.orders().Update(o))); };
  }

  Op OrderRead() {
    if (Chance(30)) {
      std::string id = fmt::format("o{}", Int(40));
      return
          [id](ports::Store& s, Outcome& out) { out.push_back(Of(s.orders().GetByClientId(id))); };
    }
    ports::OrderFilter f;
    int n = Int(4);
    for (int i = 0; i < n; ++i) f.statuses.push_back(AnyOrderStatus());
    f.session = Chance(40) ? MaybeSession() : std::nullopt;
    if (Chance(50)) f.strategy = Strategy();
    return [f](ports::Store& s, Outcome& out) { out.push_back(Of(s.orders().List(f))); };
  }

  Op FillRecord() {
    Fill f = MakeFill(Chance(3) ? "" : fmt::format("e{}", Int(60)), AnySession(), Int(4));
    f.symbol = Symbol();
    f.qty = Q(Chance(95) ? Int(5) + 1 : Int(2) - 1);
    f.fees = Chance(95) ? Int(10) : -1;
    f.side = Chance(50) ? Side::kBuy : Side::kSell;
    std::string strategy = Strategy();
    return [f, strategy](ports::Store& s, Outcome& out) {
      out.push_back(Of(s.ledger().RecordFill(f, strategy)));
    };
  }

  Op FillRead() {
    ports::FillFilter f;
    f.from = MaybeSession();
    f.to = MaybeSession();
    if (Chance(50)) f.strategy = Strategy();
    if (Chance(30)) f.symbol = Symbol();
    return [f](ports::Store& s, Outcome& out) { out.push_back(Of(s.ledger().ListFills(f))); };
  }

  Op PositionWrite() {
    Position p = MakePosition(Strategy(), Symbol());
    p.qty = Q(Chance(25) ? 0 : Int(21) - 10);
    p.sessions_held = Chance(95) ? Int(9) : -1;
    p.realized = Int(100);
    if (Chance(50)) p.stop.reset();
    p.lots.resize(static_cast<size_t>(Int(3)));
    return [p](ports::Store& s, Outcome& out) { out.push_back(Of(s.ledger().PutPosition(p))); };
  }

  Op PositionRead() {
    std::string strategy = Chance(20) ? "" : Strategy();
    std::string symbol = Symbol();
    if (Chance(50)) {
      return [strategy](ports::Store& s, Outcome& out) {
        out.push_back(Of(s.ledger().Positions(strategy)));
      };
    }
    return [strategy, symbol](ports::Store& s, Outcome& out) {
      out.push_back(Of(s.ledger().GetPosition(strategy, symbol)));
    };
  }

  Op Pnl() {
    if (Chance(60)) {
      DailyPnl d{AnySession(), Strategy(), Int(9), Int(9), Int(9), Int(9), Int(9)};
      return [d](ports::Store& s, Outcome& out) { out.push_back(Of(s.ledger().PutDailyPnl(d))); };
    }
    std::string strategy = Chance(30) ? "" : Strategy();
    std::optional<Date> from = MaybeSession(), to = MaybeSession();
    return [=](ports::Store& s, Outcome& out) {
      out.push_back(Of(s.ledger().ListDailyPnl(strategy, from, to)));
    };
  }

  Op UniverseOp() {
    std::string name = Chance(5) ? "" : fmt::format("u{}", Int(3));
    switch (Int(4)) {
      case 0: {
        Universe u;
        u.name = name;
        u.definition.kind = static_cast<UniverseDefinition::Kind>(Int(3));
        u.definition.top = Int(5);
        u.as_of = AnySession();
        for (int i = Int(4); i > 0; --i) u.members.push_back(Symbol());
        u.computed_ns = Int(100);
        return [u](ports::Store& s, Outcome& out) { out.push_back(Of(s.universes().Put(u))); };
      }
      case 1:
        return
            [name](ports::Store& s, Outcome& out) { out.push_back(Of(s.universes().Get(name))); };
      case 2:
        return [](ports::Store& s, Outcome& out) { out.push_back(Of(s.universes().List())); };
      default:
        return [name](ports::Store& s, Outcome& out) {
          out.push_back(Of(s.universes().Remove(name)));
        };
    }
  }

  Op StateOp() {
    std::string key = Pick(kStateKeys);
    std::string value = fmt::format("v{}", Int(4));
    switch (Int(3)) {
      case 0:
        return [=](ports::Store& s, Outcome& out) { out.push_back(Of(s.state().Put(key, value))); };
      case 1:
        return [=](ports::Store& s, Outcome& out) { out.push_back(Of(s.state().Get(key))); };
      default:
        return [=](ports::Store& s, Outcome& out) { out.push_back(Of(s.state().Erase(key))); };
    }
  }

  Op AuditOp() {
    static const std::vector<std::string> kSubjects = {"signal:1", "signal:12", "order:A",
                                                       "order:B",  "order_%",   "system"};
    static const std::vector<std::string> kPrefixes = {
        "", "order", "order:", "signal:", "signal:1", "ord%", "x"};
    if (Chance(50)) {
      AuditEntry e{0, Int(100), "gen", "act", Pick(kSubjects), "d"};
      return [e](ports::Store& s, Outcome& out) { out.push_back(Of(s.audit().Append(e))); };
    }
    std::string prefix = Pick(kPrefixes);
    return [prefix](ports::Store& s, Outcome& out) { out.push_back(Of(s.audit().List(prefix))); };
  }

  Op StrategyOp() {
    std::string name = Chance(3) ? "" : Strategy();
    switch (Int(6)) {
      case 0: {
        StrategySpec spec = SimpleSpec(name);
        spec.allocation = Int(5) * 1000;
        spec.enabled = Chance(50);
        spec.slippage_bps = Double();
        std::string source = fmt::format("text {}", Int(3));
        return [=](ports::Store& s, Outcome& out) {
          auto r = s.strategies().Import(spec, source);
          out.push_back(
              r.ok() ? Entry{Status::Ok(), fmt::format("{} {}", Describe(r->first), r->second)}
                     : Entry{r.status(), ""});
        };
      }
      case 1:
        return [=](ports::Store& s, Outcome& out) { out.push_back(Of(s.strategies().Get(name))); };
      case 2: {
        int version = Int(4);
        return [=](ports::Store& s, Outcome& out) {
          out.push_back(Of(s.strategies().GetVersion(name, version)));
        };
      }
      case 3:
        return [](ports::Store& s, Outcome& out) { out.push_back(Of(s.strategies().List())); };
      case 4: {
        bool enabled = Chance(50);
        return [=](ports::Store& s, Outcome& out) {
          out.push_back(Of(s.strategies().SetEnabled(name, enabled)));
        };
      }
      default: {
        int64_t allocation = Int(100);
        return [=](ports::Store& s, Outcome& out) {
          out.push_back(Of(s.strategies().SetAllocation(name, allocation)));
        };
      }
    }
  }

  Op JobRunOp() {
    std::string job = Chance(3) ? "" : Pick(kJobs);
    int64_t scheduled = Int(5) * 100;
    switch (Int(5)) {
      case 0: {
        int64_t now = Int(1000);
        return [=](ports::Store& s, Outcome& out) {
          out.push_back(Of(s.job_runs().Claim(job, scheduled, now)));
        };
      }
      case 1: {
        ports::JobRun run;
        run.id = Int(12);
        run.status = static_cast<ports::JobRunStatus>(Int(5));
        run.attempts = Int(4) - (Chance(5) ? 5 : 0);
        run.finished_ns = Int(1000);
        run.retry_at_ns = Int(1000);
        run.message = fmt::format("m{}", Int(3));
        return [=](ports::Store& s, Outcome& out) { out.push_back(Of(s.job_runs().Update(run))); };
      }
      case 2: {
        int limit = Int(4);
        return [=](ports::Store& s, Outcome& out) {
          out.push_back(Of(s.job_runs().History(job, limit)));
        };
      }
      case 3:
        return [=](ports::Store& s, Outcome& out) { out.push_back(Of(s.job_runs().Last(job))); };
      default:
        return [](ports::Store& s, Outcome& out) { out.push_back(Of(s.job_runs().Unfinished())); };
    }
  }

  Op OutboxOp() {
    int64_t id = Int(12);
    switch (Int(5)) {
      case 0: {
        ports::OutboxMessage m;
        m.kind = Chance(3) ? "" : Pick(kMessageKinds);
        m.key = Chance(3) ? "" : fmt::format("key{}", Int(10));
        m.text = fmt::format("text {}", Int(3));
        m.silent = Chance(50);
        m.payload = "{}";
        m.created_ns = Int(6);
        return [=](ports::Store& s, Outcome& out) { out.push_back(Of(s.outbox().Enqueue(m))); };
      }
      case 1: {
        int limit = Int(4);
        return [=](ports::Store& s, Outcome& out) { out.push_back(Of(s.outbox().Pending(limit))); };
      }
      case 2: {
        int64_t sent = Int(1000) + 1;
        std::string external = fmt::format("{}", Int(100));
        return [=](ports::Store& s, Outcome& out) {
          out.push_back(Of(s.outbox().MarkSent(id, sent, external)));
        };
      }
      case 3: {
        std::string error = fmt::format("error {}", Int(3));
        return [=](ports::Store& s, Outcome& out) {
          out.push_back(Of(s.outbox().MarkFailed(id, error)));
        };
      }
      default: {
        ports::OutboxFilter f{.unsent_only = Chance(50),
                              .kind = Chance(50) ? Pick(kMessageKinds) : "",
                              .since_ns = Int(6),
                              .limit = Int(4)};
        return [=](ports::Store& s, Outcome& out) { out.push_back(Of(s.outbox().List(f))); };
      }
    }
  }

  // A transaction of a few operations ending one of several ways.
  Op Transaction(bool nested) {
    std::vector<Op> before, after;
    for (int i = Int(4); i >= 0; --i) before.push_back(Next(false));
    for (int i = Int(3); i > 0; --i) after.push_back(Next(false));
    int mode = Int(nested ? 4 : 7);
    Op inner = mode >= 4 ? Transaction(/*nested=*/true) : Op();
    return [=](ports::Store& s, Outcome& out) {
      Status status = s.InTransaction([&]() -> Status {
        for (const Op& op : before) {
          op(s, out);
          // Mode 1 stops at the first refusal and returns it, as KAIROS_RETURN_IF_ERROR does.
          if (mode == 1 && !out.back().status.ok()) return out.back().status;
        }
        if (inner) {
          inner(s, out);
          // Mode 5 passes an inner failure on; 4 and 6 carry on (the transaction is doomed).
          if (mode == 5 && !out.back().status.ok()) return out.back().status;
        }
        for (const Op& op : after) op(s, out);
        if (mode == 2 || mode == 6) return Status::Unavailable("forced");
        if (mode == 3) throw std::runtime_error("boom");
        return Status::Ok();
      });
      out.push_back(Of(status));
    };
  }

  std::mt19937_64 rng_;
};

TEST(MemoryStoreDifferentialTest, RandomOperationsAnswerAsTheSqliteStoreDoes) {
  auto sqlite = sqlite::OpenStore(":memory:");
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  ports::Store& reference = **sqlite;
  auto memory = OpenStore();
  Generator gen(20261128);
  constexpr int kOperations = 3000;
  int failures = 0;
  RowCounts peak;
  for (int i = 0; i < kOperations && failures == 0; ++i) {
    Op op = gen.Next(/*top_level=*/true);
    Outcome expected, got;
    op(reference, expected);
    op(*memory, got);
    ASSERT_EQ(expected.size(), got.size()) << "operation " << i;
    for (size_t j = 0; j < expected.size(); ++j) {
      ExpectSame(expected[j], got[j], fmt::format("operation {} call {}", i, j));
    }
    if (i % 300 == 299 || i == kOperations - 1) {
      EXPECT_EQ(Dump(reference), Dump(*memory)) << "after operation " << i;
    }
    if (::testing::Test::HasFailure()) ++failures;
    RowCounts n = CountRows(*memory).value();
    for (auto field :
         {&RowCounts::strategies, &RowCounts::signals, &RowCounts::orders, &RowCounts::fills,
          &RowCounts::positions, &RowCounts::daily_pnl, &RowCounts::universes, &RowCounts::state,
          &RowCounts::audit, &RowCounts::job_runs, &RowCounts::outbox}) {
      peak.*field = std::max(peak.*field, n.*field);
    }
  }
  // The run did reach every kind of row.
  EXPECT_GT(peak.signals, 40);
  EXPECT_GT(peak.orders, 20);
  EXPECT_GT(peak.fills, 30);
  EXPECT_GT(peak.positions, 3);
  EXPECT_GT(peak.daily_pnl, 10);
  EXPECT_GT(peak.audit, 50);
  EXPECT_GT(peak.strategies, 2);
  EXPECT_GT(peak.universes, 1);
  EXPECT_GT(peak.state, 1);
  EXPECT_GT(peak.job_runs, 5);
  EXPECT_GT(peak.outbox, 5);
}

}  // namespace
}  // namespace kairos::adapters::memory
