#pragma once

// The contract of ports::Store (ports/store.h) that every store keeps, as a typed GoogleTest
// suite: adapters/sqlite/sqlite_store_test.cc runs it on the SQLite store,
// adapters/memory/memory_store_test.cc on the in-process one and
// engine/testing/fake_store_contract_test.cc on the engine's test fake. It lives with the port so
// that engine tests can run it without including an adapter. Include it in one test file per
// binary and instantiate it there, inside this namespace:
//
//   struct Traits {
//     struct Env;                                  // the store and whatever it lives in
//     static std::unique_ptr<Env> Open();          // a fresh, empty store
//     static ports::Store& StoreOf(Env& env);
//     static void Reopen(Env& env);                // durable stores: close and open again
//     static int64_t Count(Env& env, std::string_view table);  // rows of a table of the schema
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(Name, StoreContractTest, Traits);
//
// Tables named by Count: strategies, strategy_state, signals, orders, fills, positions, daily_pnl,
// universes, state, audit, job_runs, outbox, users, sessions, api_tokens, login_throttle.
//
// Error texts that name SQL internals (a CHECK constraint) are not part of the contract: these
// tests check their status code, each store's own tests the text.

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/result.h"
#include "core/status.h"
#include "ports/store.h"
#include "ports/store_errors.h"

namespace kairos::ports::store_contract {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

inline Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }
inline Price P(int64_t raw) { return Price::FromRaw(raw); }
inline Quantity Q(int64_t units) { return Quantity::FromUnits(units); }

// By value: a range-for over `Result(...).value()` would dangle (the Result is a temporary).
template <typename T>
T Unwrap(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return T{};
  return std::move(r).value();
}

inline StrategySpec SimpleSpec(const std::string& name) {
  StrategySpec s;
  s.name = name;
  s.entry = "close > sma(close, 10)";
  s.symbols = {"GOOG"};
  s.allocation = 10'000'000;
  return s;
}

// Every field differs from StrategySpec's default.
inline StrategySpec FullSpec() {
  StrategySpec s;
  s.name = "full_spec";
  s.description = "every field set";
  s.exchange = "NSE";
  s.universe = "liquid";
  s.symbols = {"RELIANCE", "TCS"};
  s.timeframe = Timeframe::kWeekly;
  s.side = PositionSide::kShort;
  s.entry = "crossover(sma(close,10), sma(close,30))";
  s.exit = "crossunder(sma(close,10), sma(close,30))";
  s.stop_loss = {LevelSpec::Kind::kPercent, 5.25, ""};
  s.take_profit = {LevelSpec::Kind::kDistance, 0, "2*atr(14)"};
  s.trailing_stop = {LevelSpec::Kind::kPrice, 0.1, "lowest(low, 10)"};
  s.max_hold = 20;
  s.approval = Approval::kAuto;
  s.review_cutoff_minute = 8 * 60 + 45;
  s.execution = Execution::kSameClose;
  s.order_type = EntryOrderType::kLimit;
  s.limit_offset_percent = 0.5;
  s.allocation = 123'456'789;
  s.currency = Currency::Inr();
  s.sizing = {SizingSpec::Method::kRisk, 7, 250'000, 1.5};
  s.max_positions = 5;
  s.max_new_per_day = 2;
  s.rank = "rsi(close,14)";
  s.fees = {FeeSpec::Kind::kCustom, 2000, 0.03};
  s.slippage_bps = 2.5;
  s.enabled = false;
  return s;
}

inline void ExpectLevelEq(const LevelSpec& a, const LevelSpec& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.percent, b.percent);
  EXPECT_EQ(a.expr, b.expr);
}

inline void ExpectSpecEq(const StrategySpec& a, const StrategySpec& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.exchange, b.exchange);
  EXPECT_EQ(a.universe, b.universe);
  EXPECT_EQ(a.symbols, b.symbols);
  EXPECT_EQ(a.timeframe, b.timeframe);
  EXPECT_EQ(a.side, b.side);
  EXPECT_EQ(a.entry, b.entry);
  EXPECT_EQ(a.exit, b.exit);
  ExpectLevelEq(a.stop_loss, b.stop_loss);
  ExpectLevelEq(a.take_profit, b.take_profit);
  ExpectLevelEq(a.trailing_stop, b.trailing_stop);
  EXPECT_EQ(a.max_hold, b.max_hold);
  EXPECT_EQ(a.approval, b.approval);
  EXPECT_EQ(a.review_cutoff_minute, b.review_cutoff_minute);
  EXPECT_EQ(a.execution, b.execution);
  EXPECT_EQ(a.order_type, b.order_type);
  EXPECT_EQ(a.limit_offset_percent, b.limit_offset_percent);
  EXPECT_EQ(a.allocation, b.allocation);
  EXPECT_EQ(a.currency, b.currency);
  EXPECT_EQ(a.sizing.method, b.sizing.method);
  EXPECT_EQ(a.sizing.qty, b.sizing.qty);
  EXPECT_EQ(a.sizing.amount, b.sizing.amount);
  EXPECT_EQ(a.sizing.percent, b.sizing.percent);
  EXPECT_EQ(a.max_positions, b.max_positions);
  EXPECT_EQ(a.max_new_per_day, b.max_new_per_day);
  EXPECT_EQ(a.rank, b.rank);
  EXPECT_EQ(a.fees.kind, b.fees.kind);
  EXPECT_EQ(a.fees.per_order, b.fees.per_order);
  EXPECT_EQ(a.fees.percent, b.fees.percent);
  EXPECT_EQ(a.slippage_bps, b.slippage_bps);
  EXPECT_EQ(a.enabled, b.enabled);
}

inline Signal MakeSignal(const std::string& symbol, Date session, Side side = Side::kBuy) {
  Signal s;
  s.strategy = "sma_cross";
  s.strategy_version = 3;
  s.symbol = symbol;
  s.session = session;
  s.side = side;
  s.kind = SignalKind::kEntry;
  s.status = SignalStatus::kPendingReview;
  s.terms = {{"sma_10", 101.25}, {"sma_30", 99.5}};
  s.rank_value = 27.31;
  s.reason = "entry_rule";
  s.execute_on = session.AddDays(1);
  s.created_ns = 1'700'000'000'000'000'000;
  return s;
}

inline Order MakeOrder(const std::string& client_id, Date session = D(2024, 3, 4)) {
  Order o;
  o.request.client_order_id = client_id;
  o.request.symbol = "GOOG";
  o.request.side = Side::kSell;
  o.request.qty = Q(10);
  o.request.type = OrderType::kStopLimit;
  o.request.tif = TimeInForce::kGtc;
  o.request.limit_price = P(14'150'000'000);
  o.request.stop_price = P(14'200'000'000);
  o.request.session = session;
  o.strategy = "sma_cross";
  o.signal_id = 7;
  o.status = OrderStatus::kNew;
  o.created_ns = 100;
  o.updated_ns = 100;
  return o;
}

inline Fill MakeFill(const std::string& execution_id, Date session, int64_t time_ns) {
  Fill f;
  f.execution_id = execution_id;
  f.client_order_id = "sma_cross-GOOG-1";
  f.symbol = "GOOG";
  f.side = Side::kBuy;
  f.qty = Q(4);
  f.price = P(14'012'345'678);
  f.fees = 35;
  f.session = session;
  f.time_ns = time_ns;
  return f;
}

inline Position MakePosition(const std::string& strategy, const std::string& symbol) {
  Position p;
  p.strategy = strategy;
  p.symbol = symbol;
  p.qty = Q(15);
  p.lots = {{D(2024, 3, 1), Q(10), P(10'000'000'000), 12},
            {D(2024, 3, 4), Q(5), P(10'250'000'000), 7}};
  p.entry_session = D(2024, 3, 1);
  p.sessions_held = 3;
  p.stop = P(9'500'000'000);
  p.target = std::nullopt;
  p.high_water = P(10'400'000'000);
  p.realized = -1234;
  return p;
}

template <typename Traits>
class StoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = Traits::Open();
    ASSERT_NE(env_, nullptr);
  }
  ports::Store& store() { return Traits::StoreOf(*env_); }
  int64_t Count(std::string_view table) { return Traits::Count(*env_, table); }
  void Reopen() { Traits::Reopen(*env_); }

 private:
  std::unique_ptr<typename Traits::Env> env_;
};

TYPED_TEST_SUITE_P(StoreContractTest);

// ------------------------------------------------------------------------------------------
// Strategies

TYPED_TEST_P(StoreContractTest, ImportStoresANewStrategyAsVersionOne) {
  auto imported =
      this->store().strategies().Import(SimpleSpec("sma_cross"), "name = \"sma_cross\"\n");
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_TRUE(imported->second);
  EXPECT_EQ(imported->first.version, 1);
  EXPECT_EQ(imported->first.source, "name = \"sma_cross\"\n");
  EXPECT_TRUE(imported->first.enabled);
  EXPECT_EQ(imported->first.allocation, 10'000'000);
  auto got = this->store().strategies().Get("sma_cross");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->version, 1);
  ExpectSpecEq((*got)->spec, SimpleSpec("sma_cross"));
}

TYPED_TEST_P(StoreContractTest, ImportOfADisabledSpecStoresItDisabled) {
  StrategySpec spec = SimpleSpec("off");
  spec.enabled = false;
  auto imported = this->store().strategies().Import(spec, "enabled = false");
  ASSERT_TRUE(imported.ok());
  EXPECT_FALSE(imported->first.enabled);
}

TYPED_TEST_P(StoreContractTest, ImportOfTheSameTextReturnsTheLatestUnchanged) {
  ASSERT_TRUE(this->store().strategies().Import(SimpleSpec("s"), "text v1").ok());
  ASSERT_TRUE(this->store().strategies().SetAllocation("s", 42).ok());
  auto again = this->store().strategies().Import(SimpleSpec("s"), "text v1");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->second);
  EXPECT_EQ(again->first.version, 1);
  EXPECT_EQ(again->first.allocation, 42);  // an unchanged import changes nothing
  EXPECT_EQ(this->Count("strategies"), 1);
}

TYPED_TEST_P(StoreContractTest, ChangedTextCreatesANewVersionKeepingEnabledAndTakingAllocation) {
  ASSERT_TRUE(this->store().strategies().Import(SimpleSpec("s"), "text v1").ok());
  ASSERT_TRUE(this->store().strategies().SetEnabled("s", false).ok());
  StrategySpec v2 = SimpleSpec("s");
  v2.entry = "close > sma(close, 20)";
  v2.allocation = 5'000'000;
  v2.enabled = true;
  auto imported = this->store().strategies().Import(v2, "text v2");
  ASSERT_TRUE(imported.ok());
  EXPECT_TRUE(imported->second);
  EXPECT_EQ(imported->first.version, 2);
  EXPECT_FALSE(imported->first.enabled);
  EXPECT_EQ(imported->first.allocation, 5'000'000);
  EXPECT_EQ(imported->first.spec.entry, "close > sma(close, 20)");

  auto v1 = this->store().strategies().GetVersion("s", 1);
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(v1->has_value());
  EXPECT_EQ((*v1)->source, "text v1");
  EXPECT_EQ((*v1)->spec.entry, "close > sma(close, 10)");
  auto latest = this->store().strategies().Get("s");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ((*latest)->source, "text v2");
  EXPECT_EQ(this->store().strategies().GetVersion("s", 3).value_or(StrategyRecord{}), std::nullopt);
}

TYPED_TEST_P(StoreContractTest, EverySpecFieldRoundTrips) {
  StrategySpec full = FullSpec();
  ASSERT_TRUE(this->store().strategies().Import(full, "full").ok());
  this->Reopen();  // SQLite: through the file, not a cache
  auto got = this->store().strategies().Get("full_spec");
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSpecEq((*got)->spec, full);
  // The test spec really differs from the default everywhere it can be compared.
  StrategySpec defaults;
  EXPECT_NE(full.description, defaults.description);
  EXPECT_NE(full.exchange, defaults.exchange);
  EXPECT_NE(full.timeframe, defaults.timeframe);
  EXPECT_NE(full.review_cutoff_minute, defaults.review_cutoff_minute);
  EXPECT_NE(full.currency, defaults.currency);
  EXPECT_NE(full.enabled, defaults.enabled);
}

TYPED_TEST_P(StoreContractTest, ListReturnsLatestVersionsByName) {
  ASSERT_TRUE(this->store().strategies().Import(SimpleSpec("zeta"), "z1").ok());
  ASSERT_TRUE(this->store().strategies().Import(SimpleSpec("alpha"), "a1").ok());
  ASSERT_TRUE(this->store().strategies().Import(SimpleSpec("alpha"), "a2").ok());
  auto list = this->store().strategies().List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].spec.name, "alpha");
  EXPECT_EQ((*list)[0].version, 2);
  EXPECT_EQ((*list)[1].spec.name, "zeta");
  EXPECT_EQ((*list)[1].version, 1);
}

TYPED_TEST_P(StoreContractTest, SetEnabledAndSetAllocationChangeStateWithoutANewVersion) {
  ASSERT_TRUE(this->store().strategies().Import(SimpleSpec("s"), "t").ok());
  ASSERT_TRUE(this->store().strategies().SetEnabled("s", false).ok());
  ASSERT_TRUE(this->store().strategies().SetAllocation("s", 777).ok());
  auto got = this->store().strategies().Get("s");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_FALSE((*got)->enabled);
  EXPECT_EQ((*got)->allocation, 777);
  EXPECT_EQ((*got)->version, 1);
  ASSERT_TRUE(this->store().strategies().SetEnabled("s", true).ok());
  EXPECT_TRUE(this->store().strategies().Get("s").value()->enabled);
}

TYPED_TEST_P(StoreContractTest, UnknownStrategyIsNotFoundAndChangesNothing) {
  ASSERT_TRUE(this->store().strategies().Import(SimpleSpec("s"), "t").ok());
  Status enabled = this->store().strategies().SetEnabled("x", false);
  EXPECT_EQ(enabled, Status::NotFound("no strategy named 'x'"));
  Status allocation = this->store().strategies().SetAllocation("x", 5);
  EXPECT_EQ(allocation, Status::NotFound("no strategy named 'x'"));
  EXPECT_EQ(this->Count("strategy_state"), 1);
  EXPECT_EQ(this->store().strategies().Get("s").value()->allocation, 10'000'000);
  EXPECT_EQ(this->store().strategies().Get("x").value_or(StrategyRecord{}), std::nullopt);
}

TYPED_TEST_P(StoreContractTest, ImportWithoutANameIsRefused) {
  auto imported = this->store().strategies().Import(StrategySpec{}, "");
  EXPECT_EQ(imported.status(), Status::InvalidArgument("a strategy needs a name"));
  EXPECT_EQ(this->Count("strategies"), 0);
}

// ------------------------------------------------------------------------------------------
// Signals

TYPED_TEST_P(StoreContractTest, SignalInsertAssignsAnIdAndRoundTripsEveryField) {
  Signal s = MakeSignal("GOOG", D(2024, 3, 1));
  s.terms.emplace_back("nan_term", std::nan(""));
  s.kind = SignalKind::kExit;
  s.side = Side::kSell;
  s.status = SignalStatus::kApproved;
  s.decided_by = "auto";
  s.decided_ns = 55;
  s.note = "n";
  auto inserted = this->store().signals().Insert(s);
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  EXPECT_TRUE(inserted->second);
  EXPECT_GT(inserted->first.id, 0);
  auto got = this->store().signals().Get(inserted->first.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const Signal& g = **got;
  EXPECT_EQ(g.id, inserted->first.id);
  EXPECT_EQ(g.strategy, "sma_cross");
  EXPECT_EQ(g.strategy_version, 3);
  EXPECT_EQ(g.symbol, "GOOG");
  EXPECT_EQ(g.session, D(2024, 3, 1));
  EXPECT_EQ(g.side, Side::kSell);
  EXPECT_EQ(g.kind, SignalKind::kExit);
  EXPECT_EQ(g.status, SignalStatus::kApproved);
  ASSERT_EQ(g.terms.size(), 3u);
  EXPECT_EQ(g.terms[0], std::make_pair(std::string("sma_10"), 101.25));
  EXPECT_EQ(g.terms[1], std::make_pair(std::string("sma_30"), 99.5));
  EXPECT_EQ(g.terms[2].first, "nan_term");
  EXPECT_TRUE(std::isnan(g.terms[2].second));
  EXPECT_EQ(g.rank_value, 27.31);
  EXPECT_EQ(g.reason, "entry_rule");
  EXPECT_EQ(g.execute_on, D(2024, 3, 2));
  EXPECT_EQ(g.created_ns, 1'700'000'000'000'000'000);
  EXPECT_EQ(g.decided_by, "auto");
  EXPECT_EQ(g.decided_ns, 55);
  EXPECT_EQ(g.note, "n");
}

TYPED_TEST_P(StoreContractTest, NanRankValueRoundTrips) {
  Signal s = MakeSignal("GOOG", D(2024, 3, 1));
  s.rank_value = std::nan("");
  auto inserted = this->store().signals().Insert(s);
  ASSERT_TRUE(inserted.ok());
  EXPECT_TRUE(std::isnan(this->store().signals().Get(inserted->first.id).value()->rank_value));
}

TYPED_TEST_P(StoreContractTest, SignalInsertIsIdempotentOnStrategySymbolSessionSide) {
  auto first = this->store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1)));
  ASSERT_TRUE(first.ok());
  Signal again = MakeSignal("GOOG", D(2024, 3, 1));
  again.terms = {{"different", 1}};
  again.strategy_version = 4;
  auto second = this->store().signals().Insert(again);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->second);
  EXPECT_EQ(second->first.id, first->first.id);
  EXPECT_EQ(second->first.strategy_version, 3);  // the stored one, not the new one
  ASSERT_EQ(second->first.terms.size(), 2u);
  EXPECT_EQ(this->Count("signals"), 1);
  // Another side, session or symbol is another signal.
  EXPECT_TRUE(
      this->store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1), Side::kSell))->second);
  EXPECT_TRUE(this->store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 4)))->second);
  EXPECT_TRUE(this->store().signals().Insert(MakeSignal("MSFT", D(2024, 3, 1)))->second);
  EXPECT_EQ(this->Count("signals"), 4);
}

TYPED_TEST_P(StoreContractTest, SignalListFiltersAndOrdersById) {
  Signal a = MakeSignal("A", D(2024, 3, 1));
  Signal b = MakeSignal("B", D(2024, 3, 1));
  b.status = SignalStatus::kApproved;
  Signal c = MakeSignal("C", D(2024, 3, 4));
  c.strategy = "other";
  c.execute_on = D(2024, 3, 2);
  for (const Signal& s : {a, b, c}) ASSERT_TRUE(this->store().signals().Insert(s).ok());
  auto symbols = [&](const ports::SignalFilter& f) {
    std::vector<std::string> out;
    for (const Signal& s : Unwrap(this->store().signals().List(f))) out.push_back(s.symbol);
    return out;
  };
  EXPECT_THAT(symbols({}), ElementsAre("A", "B", "C"));
  EXPECT_THAT(symbols({.status = SignalStatus::kApproved}), ElementsAre("B"));
  EXPECT_THAT(symbols({.session = D(2024, 3, 1)}), ElementsAre("A", "B"));
  EXPECT_THAT(symbols({.execute_on = D(2024, 3, 2)}), ElementsAre("A", "B", "C"));
  EXPECT_THAT(symbols({.strategy = "other"}), ElementsAre("C"));
  EXPECT_THAT(symbols({.status = SignalStatus::kPendingReview, .strategy = "sma_cross"}),
              ElementsAre("A"));
  EXPECT_THAT(symbols({.status = SignalStatus::kFailed}), IsEmpty());
}

TYPED_TEST_P(StoreContractTest, TransitionMovesStatusRecordsDecisionAndAudits) {
  auto s = this->store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1)));
  ASSERT_TRUE(s.ok());
  int64_t id = s->first.id;
  ASSERT_TRUE(this->store()
                  .signals()
                  .Transition(id, SignalStatus::kPendingReview, SignalStatus::kApproved,
                              "cli:alice", "looks good", 999)
                  .ok());
  auto got = this->store().signals().Get(id).value();
  EXPECT_EQ(got->status, SignalStatus::kApproved);
  EXPECT_EQ(got->decided_by, "cli:alice");
  EXPECT_EQ(got->decided_ns, 999);
  EXPECT_EQ(got->note, "looks good");
  auto audit = this->store().audit().List("signal:");
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].time_ns, 999);
  EXPECT_EQ((*audit)[0].actor, "cli:alice");
  EXPECT_EQ((*audit)[0].action, "signal.approve");
  EXPECT_EQ((*audit)[0].subject, "signal:" + std::to_string(id));
  EXPECT_EQ((*audit)[0].detail, "pending_review -> approved: looks good");

  ASSERT_TRUE(
      this->store()
          .signals()
          .Transition(id, SignalStatus::kApproved, SignalStatus::kOrdered, "engine", "", 1000)
          .ok());
  got = this->store().signals().Get(id).value();
  EXPECT_EQ(got->status, SignalStatus::kOrdered);
  EXPECT_EQ(got->decided_by, "engine");  // every transition records who moved it last
  EXPECT_EQ(got->decided_ns, 1000);
  EXPECT_EQ(got->note, "");
  audit = this->store().audit().List("signal:");
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[1].action, "signal.ordered");
  EXPECT_EQ((*audit)[1].detail, "approved -> ordered");
}

TYPED_TEST_P(StoreContractTest, TransitionFromTheWrongStatusFailsAndChangesNothing) {
  Signal expired = MakeSignal("GOOG", D(2024, 3, 1));
  expired.status = SignalStatus::kExpired;
  expired.decided_by = "expiry";
  expired.decided_ns = 5;
  int64_t id = this->store().signals().Insert(expired)->first.id;
  Status status = this->store().signals().Transition(id, SignalStatus::kPendingReview,
                                                     SignalStatus::kApproved, "cli:bob", "late", 6);
  EXPECT_EQ(status, Status::FailedPrecondition("signal " + std::to_string(id) +
                                               " is expired, not pending_review"));
  auto got = this->store().signals().Get(id).value();
  EXPECT_EQ(got->status, SignalStatus::kExpired);
  EXPECT_EQ(got->decided_by, "expiry");
  EXPECT_EQ(got->decided_ns, 5);
  EXPECT_EQ(got->note, "");
  EXPECT_EQ(this->Count("audit"), 0);
}

TYPED_TEST_P(StoreContractTest, TransitionOfAnUnknownSignalIsNotFound) {
  Status status = this->store().signals().Transition(99, SignalStatus::kPendingReview,
                                                     SignalStatus::kApproved, "cli", "", 1);
  EXPECT_EQ(status, Status::NotFound("no signal with id 99"));
  EXPECT_EQ(this->Count("audit"), 0);
  EXPECT_EQ(this->store().signals().Get(99).value_or(Signal{}), std::nullopt);
}

// ------------------------------------------------------------------------------------------
// Orders

TYPED_TEST_P(StoreContractTest, OrderCreateAssignsAnIdAndRoundTrips) {
  Order o = MakeOrder("sma_cross-GOOG-20240304-sell-1");
  auto created = this->store().orders().Create(o);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  auto got = this->store().orders().GetByClientId("sma_cross-GOOG-20240304-sell-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  const Order& g = **got;
  EXPECT_EQ(g.id, created->id);
  EXPECT_EQ(g.request.client_order_id, "sma_cross-GOOG-20240304-sell-1");
  EXPECT_EQ(g.request.symbol, "GOOG");
  EXPECT_EQ(g.request.side, Side::kSell);
  EXPECT_EQ(g.request.qty, Q(10));
  EXPECT_EQ(g.request.type, OrderType::kStopLimit);
  EXPECT_EQ(g.request.tif, TimeInForce::kGtc);
  EXPECT_EQ(g.request.limit_price, P(14'150'000'000));
  EXPECT_EQ(g.request.stop_price, P(14'200'000'000));
  EXPECT_EQ(g.request.session, D(2024, 3, 4));
  EXPECT_EQ(g.strategy, "sma_cross");
  EXPECT_EQ(g.signal_id, 7);
  EXPECT_EQ(g.status, OrderStatus::kNew);
  EXPECT_EQ(g.filled_qty, Q(0));
  EXPECT_EQ(g.created_ns, 100);
  EXPECT_EQ(g.updated_ns, 100);

  Order market = MakeOrder("m-1");
  market.request.type = OrderType::kMarket;
  market.request.limit_price.reset();
  market.request.stop_price.reset();
  ASSERT_TRUE(this->store().orders().Create(market).ok());
  auto m = this->store().orders().GetByClientId("m-1").value();
  EXPECT_EQ(m->request.limit_price, std::nullopt);
  EXPECT_EQ(m->request.stop_price, std::nullopt);
  EXPECT_EQ(this->store().orders().GetByClientId("nope").value_or(Order{}), std::nullopt);
}

TYPED_TEST_P(StoreContractTest, DuplicateClientOrderIdIsAlreadyExistsAndChangesNothing) {
  ASSERT_TRUE(this->store().orders().Create(MakeOrder("dup")).ok());
  Order other = MakeOrder("dup");
  other.request.qty = Q(99);
  auto again = this->store().orders().Create(other);
  EXPECT_EQ(again.status(),
            Status::AlreadyExists("an order with client order id 'dup' is already stored"));
  EXPECT_EQ(this->Count("orders"), 1);
  EXPECT_EQ(this->store().orders().GetByClientId("dup").value()->request.qty, Q(10));
}

// The text is each store's own (SQLite names its CHECK constraint): see the stores' tests.
TYPED_TEST_P(StoreContractTest, OrderWithoutQuantityIsInvalidAndChangesNothing) {
  Order zero = MakeOrder("zero");
  zero.request.qty = Q(0);
  auto created = this->store().orders().Create(zero);
  EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(this->Count("orders"), 0);
  EXPECT_EQ(this->store().orders().GetByClientId("zero").value_or(Order{}), std::nullopt);
}

TYPED_TEST_P(StoreContractTest, OrderUpdateWritesOnlyTheMutableFields) {
  Order o = this->store().orders().Create(MakeOrder("u-1")).value();
  o.status = OrderStatus::kPartiallyFilled;
  o.filled_qty = Q(4);
  o.broker_order_id = "B-77";
  o.message = "partial";
  o.updated_ns = 200;
  o.request.qty = Q(1000);  // not written: the request is immutable once stored
  o.strategy = "changed";
  ASSERT_TRUE(this->store().orders().Update(o).ok());
  auto got = this->store().orders().GetByClientId("u-1").value();
  EXPECT_EQ(got->status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(got->filled_qty, Q(4));
  EXPECT_EQ(got->broker_order_id, "B-77");
  EXPECT_EQ(got->message, "partial");
  EXPECT_EQ(got->updated_ns, 200);
  EXPECT_EQ(got->created_ns, 100);
  EXPECT_EQ(got->request.qty, Q(10));
  EXPECT_EQ(got->strategy, "sma_cross");
}

TYPED_TEST_P(StoreContractTest, OrderUpdateBeyondTheQuantityIsRefusedAndChangesNothing) {
  Order o = this->store().orders().Create(MakeOrder("over")).value();
  o.filled_qty = Q(11);
  o.status = OrderStatus::kFilled;
  Status status = this->store().orders().Update(o);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);  // the text is the store's own
  auto got = this->store().orders().GetByClientId("over").value();
  EXPECT_EQ(got->filled_qty, Q(0));
  EXPECT_EQ(got->status, OrderStatus::kNew);
}

TYPED_TEST_P(StoreContractTest, OrderUpdateOfAnUnknownIdIsNotFound) {
  Order o = MakeOrder("ghost");
  o.id = 42;
  EXPECT_EQ(this->store().orders().Update(o), Status::NotFound("no order with id 42"));
}

TYPED_TEST_P(StoreContractTest, OrderListFiltersByStatusSessionAndStrategy) {
  Order a = MakeOrder("a", D(2024, 3, 4));
  Order b = MakeOrder("b", D(2024, 3, 4));
  b.status = OrderStatus::kUnknown;
  Order c = MakeOrder("c", D(2024, 3, 5));
  c.status = OrderStatus::kFilled;
  c.filled_qty = Q(10);
  c.strategy = "other";
  for (const Order& o : {a, b, c}) ASSERT_TRUE(this->store().orders().Create(o).ok());
  auto ids = [&](const ports::OrderFilter& f) {
    std::vector<std::string> out;
    for (const Order& o : Unwrap(this->store().orders().List(f)))
      out.push_back(o.request.client_order_id);
    return out;
  };
  EXPECT_THAT(ids({}), ElementsAre("a", "b", "c"));
  EXPECT_THAT(ids({.statuses = {OrderStatus::kNew, OrderStatus::kUnknown}}), ElementsAre("a", "b"));
  EXPECT_THAT(ids({.statuses = {OrderStatus::kFilled}}), ElementsAre("c"));
  EXPECT_THAT(ids({.session = D(2024, 3, 4)}), ElementsAre("a", "b"));
  EXPECT_THAT(ids({.strategy = "other"}), ElementsAre("c"));
  EXPECT_THAT(ids({.statuses = {OrderStatus::kCancelled}}), IsEmpty());
}

// ------------------------------------------------------------------------------------------
// Ledger

TYPED_TEST_P(StoreContractTest, FillIsRecordedOnceByExecutionId) {
  Fill f = MakeFill("E-1", D(2024, 3, 4), 10);
  auto first = this->store().ledger().RecordFill(f, "sma_cross");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  Fill changed = f;
  changed.qty = Q(400);
  auto second = this->store().ledger().RecordFill(changed, "other");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  auto fills = this->store().ledger().ListFills({});
  ASSERT_TRUE(fills.ok());
  ASSERT_EQ(fills->size(), 1u);
  EXPECT_EQ((*fills)[0].first, "sma_cross");
  const Fill& g = (*fills)[0].second;
  EXPECT_EQ(g.execution_id, "E-1");
  EXPECT_EQ(g.client_order_id, "sma_cross-GOOG-1");
  EXPECT_EQ(g.symbol, "GOOG");
  EXPECT_EQ(g.side, Side::kBuy);
  EXPECT_EQ(g.qty, Q(4));
  EXPECT_EQ(g.price, P(14'012'345'678));
  EXPECT_EQ(g.fees, 35);
  EXPECT_EQ(g.session, D(2024, 3, 4));
  EXPECT_EQ(g.time_ns, 10);
}

TYPED_TEST_P(StoreContractTest, FillsAreListedBySessionThenTimeAndFiltered) {
  ASSERT_TRUE(this->store().ledger().RecordFill(MakeFill("late", D(2024, 3, 5), 1), "s1").ok());
  ASSERT_TRUE(this->store().ledger().RecordFill(MakeFill("b", D(2024, 3, 4), 20), "s1").ok());
  ASSERT_TRUE(this->store().ledger().RecordFill(MakeFill("a", D(2024, 3, 4), 10), "s2").ok());
  Fill msft = MakeFill("m", D(2024, 3, 6), 1);
  msft.symbol = "MSFT";
  ASSERT_TRUE(this->store().ledger().RecordFill(msft, "s2").ok());
  auto ids = [&](const ports::FillFilter& f) {
    std::vector<std::string> out;
    for (const auto& [strategy, fill] : Unwrap(this->store().ledger().ListFills(f))) {
      out.push_back(strategy + "/" + fill.execution_id);
    }
    return out;
  };
  EXPECT_THAT(ids({}), ElementsAre("s2/a", "s1/b", "s1/late", "s2/m"));
  EXPECT_THAT(ids({.from = D(2024, 3, 5)}), ElementsAre("s1/late", "s2/m"));
  EXPECT_THAT(ids({.to = D(2024, 3, 5)}), ElementsAre("s2/a", "s1/b", "s1/late"));
  EXPECT_THAT(ids({.from = D(2024, 3, 5), .to = D(2024, 3, 5)}), ElementsAre("s1/late"));
  EXPECT_THAT(ids({.strategy = "s2"}), ElementsAre("s2/a", "s2/m"));
  EXPECT_THAT(ids({.symbol = "MSFT"}), ElementsAre("s2/m"));
}

TYPED_TEST_P(StoreContractTest, PositionRoundTripsUpsertsAndIsDeletedAtZero) {
  Position p = MakePosition("s1", "GOOG");
  ASSERT_TRUE(this->store().ledger().PutPosition(p).ok());
  auto got = this->store().ledger().Positions("s1");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const Position& g = (*got)[0];
  EXPECT_EQ(g.strategy, "s1");
  EXPECT_EQ(g.symbol, "GOOG");
  EXPECT_EQ(g.qty, Q(15));
  ASSERT_EQ(g.lots.size(), 2u);
  EXPECT_EQ(g.lots[0].opened, D(2024, 3, 1));
  EXPECT_EQ(g.lots[0].qty, Q(10));
  EXPECT_EQ(g.lots[0].price, P(10'000'000'000));
  EXPECT_EQ(g.lots[0].fees, 12);
  EXPECT_EQ(g.lots[1].opened, D(2024, 3, 4));
  EXPECT_EQ(g.lots[1].qty, Q(5));
  EXPECT_EQ(g.lots[1].price, P(10'250'000'000));
  EXPECT_EQ(g.lots[1].fees, 7);
  EXPECT_EQ(g.entry_session, D(2024, 3, 1));
  EXPECT_EQ(g.sessions_held, 3);
  EXPECT_EQ(g.stop, P(9'500'000'000));
  EXPECT_EQ(g.target, std::nullopt);
  EXPECT_EQ(g.high_water, P(10'400'000'000));
  EXPECT_EQ(g.realized, -1234);

  p.qty = Q(-5);  // a short position is signed
  p.lots = {{D(2024, 3, 5), Q(-5), P(10'300'000'000), 3}};
  p.stop.reset();
  p.target = P(9'000'000'000);
  ASSERT_TRUE(this->store().ledger().PutPosition(p).ok());
  got = this->store().ledger().Positions("");
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].qty, Q(-5));
  ASSERT_EQ((*got)[0].lots.size(), 1u);
  EXPECT_EQ((*got)[0].lots[0].qty, Q(-5));
  EXPECT_EQ((*got)[0].stop, std::nullopt);
  EXPECT_EQ((*got)[0].target, P(9'000'000'000));

  p.qty = Q(0);
  p.lots.clear();
  ASSERT_TRUE(this->store().ledger().PutPosition(p).ok());
  EXPECT_THAT(this->store().ledger().Positions("").value(), IsEmpty());
  // Closing a position that is not there is fine (a repeated end of day).
  EXPECT_TRUE(this->store().ledger().PutPosition(p).ok());
}

TYPED_TEST_P(StoreContractTest, PositionsAreListedByStrategyThenSymbol) {
  for (auto [strategy, symbol] : {std::pair{"s2", "AAA"}, {"s1", "MSFT"}, {"s1", "GOOG"}}) {
    ASSERT_TRUE(this->store().ledger().PutPosition(MakePosition(strategy, symbol)).ok());
  }
  std::vector<std::string> all;
  for (const Position& p : Unwrap(this->store().ledger().Positions(""))) {
    all.push_back(p.strategy + "/" + p.symbol);
  }
  EXPECT_THAT(all, ElementsAre("s1/GOOG", "s1/MSFT", "s2/AAA"));
  EXPECT_EQ(this->store().ledger().Positions("s2").value().size(), 1u);
  EXPECT_THAT(this->store().ledger().Positions("none").value(), IsEmpty());
}

TYPED_TEST_P(StoreContractTest, GetPositionReadsOneOpenPositionByStrategyAndSymbol) {
  ASSERT_TRUE(this->store().ledger().PutPosition(MakePosition("s1", "GOOG")).ok());
  Position other = MakePosition("s2", "GOOG");  // same symbol, another strategy
  other.qty = Q(-3);
  other.lots = {{D(2024, 3, 6), Q(-3), P(10'100'000'000), 2}};
  ASSERT_TRUE(this->store().ledger().PutPosition(other).ok());
  ASSERT_TRUE(this->store().ledger().PutPosition(MakePosition("s1", "MSFT")).ok());

  auto got = Unwrap(this->store().ledger().GetPosition("s1", "GOOG"));
  ASSERT_TRUE(got.has_value());
  // The whole row, as Positions() reads it.
  const Position listed = Unwrap(this->store().ledger().Positions("s1"))[0];
  EXPECT_EQ(got->strategy, "s1");
  EXPECT_EQ(got->symbol, "GOOG");
  EXPECT_EQ(got->qty, Q(15));
  ASSERT_EQ(got->lots.size(), 2u);
  EXPECT_EQ(got->lots[1].opened, D(2024, 3, 4));
  EXPECT_EQ(got->lots[1].qty, Q(5));
  EXPECT_EQ(got->lots[1].price, P(10'250'000'000));
  EXPECT_EQ(got->lots[1].fees, 7);
  EXPECT_EQ(got->entry_session, listed.entry_session);
  EXPECT_EQ(got->sessions_held, 3);
  EXPECT_EQ(got->stop, P(9'500'000'000));
  EXPECT_EQ(got->target, std::nullopt);
  EXPECT_EQ(got->high_water, P(10'400'000'000));
  EXPECT_EQ(got->realized, -1234);

  auto theirs = Unwrap(this->store().ledger().GetPosition("s2", "GOOG"));
  ASSERT_TRUE(theirs.has_value());
  EXPECT_EQ(theirs->strategy, "s2");
  EXPECT_EQ(theirs->qty, Q(-3));
  ASSERT_EQ(theirs->lots.size(), 1u);
  EXPECT_EQ(theirs->lots[0].price, P(10'100'000'000));

  EXPECT_EQ(Unwrap(this->store().ledger().GetPosition("s1", "AAPL")), std::nullopt);  // not held
  EXPECT_EQ(Unwrap(this->store().ledger().GetPosition("s3", "GOOG")),
            std::nullopt);  // other strategy
  EXPECT_EQ(Unwrap(this->store().ledger().GetPosition("", "GOOG")),
            std::nullopt);  // "" is no wildcard

  Position closed = MakePosition("s1", "GOOG");
  closed.qty = Q(0);
  closed.lots.clear();
  ASSERT_TRUE(this->store().ledger().PutPosition(closed).ok());
  EXPECT_EQ(Unwrap(this->store().ledger().GetPosition("s1", "GOOG")), std::nullopt);
  // Closing one strategy's position leaves the other's.
  EXPECT_EQ(Unwrap(this->store().ledger().GetPosition("s2", "GOOG"))->qty, Q(-3));
  EXPECT_EQ(Unwrap(this->store().ledger().GetPosition("s1", "MSFT"))->qty, Q(15));
}

TYPED_TEST_P(StoreContractTest, DailyPnlUpsertsAndListsByDate) {
  DailyPnl a{D(2024, 3, 5), "s1", 100, -20, 3, 10'000'077, 9'000'000};
  DailyPnl b{D(2024, 3, 4), "s1", 0, 50, 1, 10'000'049, 9'500'000};
  DailyPnl c{D(2024, 3, 4), "s0", 7, 0, 0, 7, 7};
  for (const DailyPnl& d : {a, b, c}) ASSERT_TRUE(this->store().ledger().PutDailyPnl(d).ok());
  a.realized = 150;
  a.equity = 10'000'127;
  ASSERT_TRUE(this->store().ledger().PutDailyPnl(a).ok());  // a rerun of the session replaces it
  EXPECT_EQ(this->Count("daily_pnl"), 3);

  auto all = this->store().ledger().ListDailyPnl("", std::nullopt, std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].strategy, "s0");
  EXPECT_EQ((*all)[1].session, D(2024, 3, 4));
  EXPECT_EQ((*all)[1].strategy, "s1");
  EXPECT_EQ((*all)[2].session, D(2024, 3, 5));
  EXPECT_EQ((*all)[2].realized, 150);
  EXPECT_EQ((*all)[2].unrealized, -20);
  EXPECT_EQ((*all)[2].fees, 3);
  EXPECT_EQ((*all)[2].equity, 10'000'127);
  EXPECT_EQ((*all)[2].cash, 9'000'000);

  auto s1 = this->store().ledger().ListDailyPnl("s1", D(2024, 3, 5), std::nullopt).value();
  ASSERT_EQ(s1.size(), 1u);
  EXPECT_EQ(s1[0].session, D(2024, 3, 5));
  auto to = this->store().ledger().ListDailyPnl("", std::nullopt, D(2024, 3, 4)).value();
  EXPECT_EQ(to.size(), 2u);
}

// ------------------------------------------------------------------------------------------
// Universes, state, audit

TYPED_TEST_P(StoreContractTest, UniversePutGetListRemove) {
  Universe liquid;
  liquid.name = "liquid";
  liquid.definition.kind = UniverseDefinition::Kind::kRule;
  liquid.definition.exchange = "NYSE";
  liquid.definition.rule = "median(turnover, 20) > 1e7";
  liquid.definition.rank = "median(turnover, 20)";
  liquid.definition.top = 200;
  liquid.definition.base = "all";
  liquid.definition.symbols = {"X"};
  liquid.as_of = D(2024, 3, 1);
  liquid.members = {"AAPL", "GOOG"};
  liquid.computed_ns = 77;
  ASSERT_TRUE(this->store().universes().Put(liquid).ok());
  Universe fixed;
  fixed.name = "fixed";
  fixed.definition.symbols = {"GOOG"};
  fixed.members = {"GOOG"};
  ASSERT_TRUE(this->store().universes().Put(fixed).ok());

  auto got = this->store().universes().Get("liquid").value();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->definition.kind, UniverseDefinition::Kind::kRule);
  EXPECT_EQ(got->definition.exchange, "NYSE");
  EXPECT_EQ(got->definition.rule, "median(turnover, 20) > 1e7");
  EXPECT_EQ(got->definition.rank, "median(turnover, 20)");
  EXPECT_EQ(got->definition.top, 200);
  EXPECT_EQ(got->definition.base, "all");
  EXPECT_EQ(got->definition.symbols, std::vector<std::string>{"X"});
  EXPECT_EQ(got->as_of, D(2024, 3, 1));
  EXPECT_EQ(got->members, (std::vector<std::string>{"AAPL", "GOOG"}));
  EXPECT_EQ(got->computed_ns, 77);

  liquid.members = {"MSFT"};
  liquid.as_of = D(2024, 3, 4);
  liquid.computed_ns = 78;
  ASSERT_TRUE(this->store().universes().Put(liquid).ok());  // a refresh replaces
  got = this->store().universes().Get("liquid").value();
  EXPECT_EQ(got->members, std::vector<std::string>{"MSFT"});
  EXPECT_EQ(got->as_of, D(2024, 3, 4));
  EXPECT_EQ(got->computed_ns, 78);

  auto list = this->store().universes().List().value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "fixed");
  EXPECT_EQ(list[1].name, "liquid");

  ASSERT_TRUE(this->store().universes().Remove("fixed").ok());
  EXPECT_EQ(this->store().universes().Remove("fixed"),
            Status::NotFound("no universe named 'fixed'"));
  EXPECT_EQ(this->store().universes().Get("fixed").value_or(Universe{}), std::nullopt);
  EXPECT_EQ(this->store().universes().List().value().size(), 1u);
}

TYPED_TEST_P(StoreContractTest, StateGetPutErase) {
  EXPECT_EQ(this->store().state().Get("halt").value_or("x"), std::nullopt);
  ASSERT_TRUE(this->store().state().Put("halt", R"({"squareoff":true})").ok());
  EXPECT_EQ(this->store().state().Get("halt").value_or(std::nullopt),
            std::optional<std::string>(R"({"squareoff":true})"));
  ASSERT_TRUE(this->store().state().Put("halt", "").ok());
  EXPECT_EQ(this->store().state().Get("halt").value_or(std::nullopt),
            std::optional<std::string>(""));
  ASSERT_TRUE(this->store().state().Erase("halt").ok());
  EXPECT_EQ(this->store().state().Get("halt").value_or("x"), std::nullopt);
  EXPECT_TRUE(this->store().state().Erase("halt").ok());  // erasing twice is not an error
}

TYPED_TEST_P(StoreContractTest, AuditAppendsAndListsByLiteralSubjectPrefix) {
  ASSERT_TRUE(this->store().audit().Append({0, 1, "cli", "halt", "system", "squareoff"}).ok());
  ASSERT_TRUE(this->store().audit().Append({0, 2, "engine", "order.submit", "order:A-1", ""}).ok());
  ASSERT_TRUE(
      this->store().audit().Append({0, 3, "engine", "order.cancel", "order:A-1", "halt"}).ok());
  ASSERT_TRUE(this->store().audit().Append({0, 4, "engine", "x", "order_%", ""}).ok());
  auto orders = this->store().audit().List("order:");
  ASSERT_TRUE(orders.ok());
  ASSERT_EQ(orders->size(), 2u);
  EXPECT_LT((*orders)[0].id, (*orders)[1].id);
  EXPECT_EQ((*orders)[0].action, "order.submit");
  EXPECT_EQ((*orders)[1].time_ns, 3);
  EXPECT_EQ((*orders)[1].actor, "engine");
  EXPECT_EQ((*orders)[1].detail, "halt");
  EXPECT_EQ(this->store().audit().List("").value().size(), 4u);
  EXPECT_EQ(this->store().audit().List("order_%").value().size(), 1u);  // '%' and '_' are literal
  EXPECT_EQ(this->store().audit().List("ord%").value().size(), 0u);
}

// ------------------------------------------------------------------------------------------
// Transactions

TYPED_TEST_P(StoreContractTest, TransactionCommitsEverythingTheBodyWrote) {
  Status status = this->store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(this->store().state().Put("a", "1"));
    KAIROS_RETURN_IF_ERROR(this->store().orders().Create(MakeOrder("t-1")).status());
    // The body sees its own writes.
    EXPECT_TRUE(this->store().orders().GetByClientId("t-1").value().has_value());
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(this->Count("orders"), 1);
  EXPECT_EQ(this->Count("state"), 1);
}

TYPED_TEST_P(StoreContractTest, TransactionRollsBackEverythingWhenTheBodyFails) {
  Status status = this->store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(this->store().state().Put("a", "1"));
    KAIROS_RETURN_IF_ERROR(
        this->store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1))).status());
    KAIROS_RETURN_IF_ERROR(this->store().orders().Create(MakeOrder("t-1")).status());
    return Status::Unavailable("broker timed out");
  });
  EXPECT_EQ(status, Status::Unavailable("broker timed out"));
  EXPECT_EQ(this->Count("orders"), 0);
  EXPECT_EQ(this->Count("signals"), 0);
  EXPECT_EQ(this->Count("state"), 0);
  // The store is usable afterwards.
  EXPECT_TRUE(this->store().state().Put("b", "2").ok());
  EXPECT_EQ(this->Count("state"), 1);
}

TYPED_TEST_P(StoreContractTest, TransactionRollsBackOnAFailedWrite) {
  ASSERT_TRUE(this->store().orders().Create(MakeOrder("dup")).ok());
  Status status = this->store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(this->store().state().Put("a", "1"));
    return this->store().orders().Create(MakeOrder("dup")).status();
  });
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(this->Count("state"), 0);
}

TYPED_TEST_P(StoreContractTest, AnExceptionInTheBodyRollsBack) {
  Status status = this->store().InTransaction([&]() -> Status {
    EXPECT_TRUE(this->store().state().Put("a", "1").ok());
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(status, Status::Internal("exception in a transaction: boom"));
  EXPECT_EQ(this->Count("state"), 0);
  EXPECT_TRUE(this->store().InTransaction([] { return Status::Ok(); }).ok());
}

TYPED_TEST_P(StoreContractTest, NestedTransactionsJoinTheOuterOne) {
  Status status = this->store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(this->store().state().Put("outer", "1"));
    KAIROS_RETURN_IF_ERROR(
        this->store().InTransaction([&] { return this->store().state().Put("inner", "1"); }));
    // The body sees what it and its inner transaction wrote (SQLite: another connection does
    // not see it yet, sqlite_store_test.cc).
    EXPECT_EQ(this->store().state().Get("inner").value_or(std::nullopt),
              std::optional<std::string>("1"));
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(this->Count("state"), 2);
}

TYPED_TEST_P(StoreContractTest, AnOuterFailureUndoesACompletedInnerTransaction) {
  Status status = this->store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(
        this->store().InTransaction([&] { return this->store().state().Put("inner", "1"); }));
    return Status::FailedPrecondition("halted");
  });
  EXPECT_EQ(status, Status::FailedPrecondition("halted"));
  EXPECT_EQ(this->Count("state"), 0);
}

TYPED_TEST_P(StoreContractTest, AnInnerFailureRollsBackTheWholeOuterTransaction) {
  Status inner;
  Status status = this->store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(this->store().state().Put("outer", "1"));
    inner = this->store().InTransaction([&]() -> Status {
      KAIROS_RETURN_IF_ERROR(this->store().state().Put("inner", "1"));
      return Status::InvalidArgument("bad size");
    });
    // The outer body ignores the failure; the transaction is rolled back anyway.
    return Status::Ok();
  });
  EXPECT_EQ(inner, Status::InvalidArgument("bad size"));
  EXPECT_EQ(status,
            Status::InvalidArgument("transaction rolled back after an inner failure: bad size"));
  EXPECT_EQ(this->Count("state"), 0);
  // The next transaction starts clean.
  EXPECT_TRUE(
      this->store().InTransaction([&] { return this->store().state().Put("next", "1"); }).ok());
  EXPECT_EQ(this->Count("state"), 1);
}

TYPED_TEST_P(StoreContractTest, AnExpectedRepositoryRefusalDoesNotDoomTheCallersTransaction) {
  int64_t id = this->store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1)))->first.id;
  ASSERT_TRUE(
      this->store()
          .signals()
          .Transition(id, SignalStatus::kPendingReview, SignalStatus::kExpired, "expiry", "", 1)
          .ok());
  Status status = this->store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(this->store().state().Put("a", "1"));
    Status approve = this->store().signals().Transition(id, SignalStatus::kPendingReview,
                                                        SignalStatus::kApproved, "auto", "", 2);
    EXPECT_EQ(approve.code(), StatusCode::kFailedPrecondition);
    Status dup = this->store().orders().Create(MakeOrder("x")).status();
    EXPECT_TRUE(dup.ok());
    EXPECT_EQ(this->store().orders().Create(MakeOrder("x")).status().code(),
              StatusCode::kAlreadyExists);
    return Status::Ok();  // the caller handled both refusals
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(this->Count("state"), 1);
  EXPECT_EQ(this->Count("orders"), 1);
}

TYPED_TEST_P(StoreContractTest, RepositoryWritesInsideATransactionAreUndoneWithIt) {
  Status status = this->store().InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(this->store().strategies().Import(SimpleSpec("s"), "t").status());
    int64_t id = this->store().signals().Insert(MakeSignal("GOOG", D(2024, 3, 1)))->first.id;
    KAIROS_RETURN_IF_ERROR(this->store().signals().Transition(
        id, SignalStatus::kPendingReview, SignalStatus::kApproved, "auto", "", 1));
    return Status::Internal("crash before the order");
  });
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  for (const char* table : {"strategies", "strategy_state", "signals", "audit"}) {
    EXPECT_EQ(this->Count(table), 0) << table;
  }
}

// ------------------------------------------------------------------------------------------
// Beyond the SQLite store's first tests: what the in-process store must copy exactly.

TYPED_TEST_P(StoreContractTest, IdsCountFromOnePerTableAndARolledBackRowFreesItsId) {
  auto& s = this->store();
  EXPECT_EQ(s.signals().Insert(MakeSignal("A", D(2024, 3, 1)))->first.id, 1);
  EXPECT_EQ(s.signals().Insert(MakeSignal("B", D(2024, 3, 1)))->first.id, 2);
  EXPECT_EQ(s.orders().Create(MakeOrder("o-1"))->id, 1);
  ASSERT_TRUE(s.audit().Append({0, 1, "cli", "halt", "system", ""}).ok());
  EXPECT_EQ(s.audit().List("").value().at(0).id, 1);
  Status status = s.InTransaction([&]() -> Status {
    EXPECT_EQ(s.signals().Insert(MakeSignal("C", D(2024, 3, 1)))->first.id, 3);
    EXPECT_EQ(s.orders().Create(MakeOrder("o-2"))->id, 2);
    return Status::Unavailable("no");
  });
  EXPECT_EQ(status, Status::Unavailable("no"));
  // The next row takes the id the rolled-back one had.
  EXPECT_EQ(s.signals().Insert(MakeSignal("D", D(2024, 3, 1)))->first.id, 3);
  EXPECT_EQ(s.orders().Create(MakeOrder("o-3"))->id, 2);
  EXPECT_EQ(s.signals().Get(3).value()->symbol, "D");
}

TYPED_TEST_P(StoreContractTest, ChecksComeBeforeTheDuplicateKey) {
  auto& s = this->store();
  ASSERT_TRUE(s.orders().Create(MakeOrder("dup")).ok());
  Order zero = MakeOrder("dup");
  zero.request.qty = Q(0);
  EXPECT_EQ(s.orders().Create(zero).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(s.ledger().RecordFill(MakeFill("E-1", D(2024, 3, 4), 1), "s1").ok());
  Fill bad = MakeFill("E-1", D(2024, 3, 4), 1);
  bad.qty = Q(0);
  EXPECT_EQ(s.ledger().RecordFill(bad, "s1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(this->Count("orders"), 1);
  EXPECT_EQ(this->Count("fills"), 1);
}

TYPED_TEST_P(StoreContractTest, FillBreakingACheckIsInvalidAndChangesNothing) {
  auto& s = this->store();
  Fill no_id = MakeFill("", D(2024, 3, 4), 1);
  Fill no_qty = MakeFill("E-2", D(2024, 3, 4), 1);
  no_qty.qty = Q(-1);
  Fill negative_fees = MakeFill("E-3", D(2024, 3, 4), 1);
  negative_fees.fees = -1;
  for (const Fill& f : {no_id, no_qty, negative_fees}) {
    EXPECT_EQ(s.ledger().RecordFill(f, "s1").status().code(), StatusCode::kInvalidArgument)
        << f.execution_id;
  }
  EXPECT_EQ(this->Count("fills"), 0);
  Fill zero_fees = MakeFill("E-4", D(2024, 3, 4), 1);
  zero_fees.fees = 0;
  EXPECT_TRUE(s.ledger().RecordFill(zero_fees, "s1").value_or(false));
}

TYPED_TEST_P(StoreContractTest, PositionWithNegativeSessionsHeldIsInvalidUnlessClosed) {
  auto& s = this->store();
  Position p = MakePosition("s1", "GOOG");
  ASSERT_TRUE(s.ledger().PutPosition(p).ok());
  Position bad = p;
  bad.sessions_held = -1;
  bad.qty = Q(3);
  EXPECT_EQ(s.ledger().PutPosition(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Unwrap(s.ledger().GetPosition("s1", "GOOG"))->qty, Q(15));
  bad.qty = Q(0);  // a close is a delete: nothing is checked
  EXPECT_TRUE(s.ledger().PutPosition(bad).ok());
  EXPECT_EQ(Unwrap(s.ledger().GetPosition("s1", "GOOG")), std::nullopt);
}

TYPED_TEST_P(StoreContractTest, OrderCreatedWithFilledQuantityBeyondItsQuantityIsInvalid) {
  auto& s = this->store();
  Order o = MakeOrder("over");
  o.filled_qty = Q(11);
  EXPECT_EQ(s.orders().Create(o).status().code(), StatusCode::kInvalidArgument);
  Order no_id = MakeOrder("");
  EXPECT_EQ(s.orders().Create(no_id).status().code(), StatusCode::kInvalidArgument);
  o.filled_qty = Q(10);
  o.status = OrderStatus::kFilled;  // stored as given
  EXPECT_TRUE(s.orders().Create(o).ok());
  EXPECT_EQ(this->Count("orders"), 1);
  EXPECT_EQ(s.orders().GetByClientId("over").value()->status, OrderStatus::kFilled);
}

// Spec and term doubles are JSON in SQLite: a non-finite one reads back as NaN. The rank value is
// a REAL column: an infinity survives, NaN is NULL and reads back as NaN, -0 reads back as 0.
TYPED_TEST_P(StoreContractTest, NonFiniteDoublesReadBackTheWaySqliteStoresThem) {
  auto& s = this->store();
  const double inf = std::numeric_limits<double>::infinity();
  StrategySpec spec = SimpleSpec("s");
  spec.slippage_bps = inf;
  spec.stop_loss = {LevelSpec::Kind::kPercent, -inf, ""};
  auto imported = s.strategies().Import(spec, "t");
  ASSERT_TRUE(imported.ok());
  EXPECT_TRUE(std::isnan(imported->first.spec.slippage_bps));
  auto got = Unwrap(s.strategies().Get("s"));
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(std::isnan(got->spec.slippage_bps));
  EXPECT_TRUE(std::isnan(got->spec.stop_loss.percent));

  Signal signal = MakeSignal("GOOG", D(2024, 3, 1));
  signal.terms = {{"up", inf}, {"down", -inf}, {"zero", -0.0}};
  signal.rank_value = -inf;
  auto inserted = s.signals().Insert(signal);
  ASSERT_TRUE(inserted.ok());
  EXPECT_EQ(inserted->first.terms[0].second, inf);  // the caller's signal, as given
  auto stored = Unwrap(s.signals().Get(inserted->first.id));
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(std::isnan(stored->terms[0].second));
  EXPECT_TRUE(std::isnan(stored->terms[1].second));
  EXPECT_EQ(stored->terms[2].second, 0.0);
  EXPECT_TRUE(std::signbit(stored->terms[2].second));  // JSON keeps the sign
  EXPECT_EQ(stored->rank_value, -inf);

  Signal zero = MakeSignal("MSFT", D(2024, 3, 1));
  zero.rank_value = -0.0;
  int64_t id = s.signals().Insert(zero)->first.id;
  double rank = Unwrap(s.signals().Get(id))->rank_value;
  EXPECT_EQ(rank, 0.0);
  EXPECT_FALSE(std::signbit(rank));
}

TYPED_TEST_P(StoreContractTest, OrderListCombinesStatusesSessionAndStrategy) {
  auto& s = this->store();
  const OrderStatus statuses[] = {OrderStatus::kNew, OrderStatus::kAccepted, OrderStatus::kFilled,
                                  OrderStatus::kCancelled};
  for (int i = 0; i < 16; ++i) {
    Order o = MakeOrder("o-" + std::to_string(i), D(2024, 3, 4 + i % 2));
    o.strategy = i % 3 == 0 ? "other" : "sma_cross";
    o.status = statuses[i % 4];
    if (o.status == OrderStatus::kFilled) o.filled_qty = o.request.qty;
    ASSERT_TRUE(s.orders().Create(o).ok());
  }
  auto ids = [&](const ports::OrderFilter& f) {
    std::vector<int64_t> out;
    for (const Order& o : Unwrap(s.orders().List(f))) out.push_back(o.id);
    return out;
  };
  // Ids are i + 1; statuses cycle new, accepted, filled, cancelled; sessions 4, 5; other: i % 3.
  EXPECT_THAT(ids({.statuses = {OrderStatus::kAccepted, OrderStatus::kNew}}),
              ElementsAre(1, 2, 5, 6, 9, 10, 13, 14));
  EXPECT_THAT(ids({.statuses = {OrderStatus::kNew, OrderStatus::kNew}}), ElementsAre(1, 5, 9, 13));
  EXPECT_THAT(ids({.statuses = {OrderStatus::kNew, OrderStatus::kAccepted}, .strategy = "other"}),
              ElementsAre(1, 10, 13));
  EXPECT_THAT(ids({.statuses = {OrderStatus::kFilled, OrderStatus::kCancelled},
                   .session = D(2024, 3, 5),
                   .strategy = "sma_cross"}),
              ElementsAre(8, 12));
  EXPECT_THAT(ids({.session = D(2024, 3, 6)}), IsEmpty());
  EXPECT_THAT(ids({.strategy = "nobody"}), IsEmpty());
  EXPECT_THAT(ids({.statuses = {OrderStatus::kUnknown}}), IsEmpty());
}

TYPED_TEST_P(StoreContractTest, AuditListByPrefixMergesSubjectsInIdOrder) {
  auto& s = this->store();
  for (const char* subject : {"order:B", "order:A", "signal:1", "order:B", "order:", "order"}) {
    ASSERT_TRUE(s.audit().Append({0, 1, "engine", "x", subject, ""}).ok());
  }
  std::vector<int64_t> ids;
  for (const AuditEntry& e : Unwrap(s.audit().List("order:"))) ids.push_back(e.id);
  EXPECT_THAT(ids, ElementsAre(1, 2, 4, 5));
  ids.clear();
  for (const AuditEntry& e : Unwrap(s.audit().List("order"))) ids.push_back(e.id);
  EXPECT_THAT(ids, ElementsAre(1, 2, 4, 5, 6));
  EXPECT_THAT(Unwrap(s.audit().List("order:C")), IsEmpty());
  EXPECT_EQ(Unwrap(s.audit().List("order:B")).size(), 2u);
}

TYPED_TEST_P(StoreContractTest, AnExceptionInANestedBodyRollsBackTheOuterTransaction) {
  auto& s = this->store();
  Status status = s.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(s.state().Put("outer", "1"));
    return s.InTransaction([&]() -> Status {
      EXPECT_TRUE(s.state().Put("inner", "1").ok());
      throw std::runtime_error("deep");
    });
  });
  EXPECT_EQ(status, Status::Internal("exception in a transaction: deep"));
  EXPECT_EQ(this->Count("state"), 0);
  EXPECT_TRUE(s.InTransaction([&] { return s.state().Put("next", "1"); }).ok());
  EXPECT_EQ(this->Count("state"), 1);
}

TYPED_TEST_P(StoreContractTest, AnInnerFailureTheOuterBodyReportsIsReturnedAsIs) {
  auto& s = this->store();
  Status status = s.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(s.state().Put("outer", "1"));
    KAIROS_RETURN_IF_ERROR(s.InTransaction([&] { return Status::NotFound("gone"); }));
    return Status::Ok();
  });
  EXPECT_EQ(status, Status::NotFound("gone"));
  EXPECT_EQ(this->Count("state"), 0);
}

TYPED_TEST_P(StoreContractTest, ThreadsSharingOneStoreNeverInterleaveTransactions) {
  auto& store = this->store();
  ASSERT_TRUE(store.state().Put("counter", "0").ok());
  // Read-modify-write inside a transaction: a lost update would show as a smaller count.
  auto work = [&] {
    for (int i = 0; i < 50; ++i) {
      Status status = store.InTransaction([&]() -> Status {
        KAIROS_ASSIGN_OR_RETURN(auto value, store.state().Get("counter"));
        int next = std::stoi(value.value_or("0")) + 1;
        return store.state().Put("counter", std::to_string(next));
      });
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
  };
  std::thread a(work);
  std::thread b(work);
  a.join();
  b.join();
  EXPECT_EQ(store.state().Get("counter").value_or(std::nullopt), std::optional<std::string>("100"));
}

// ------------------------------------------------------------------------------------------
// Job runs (ports/job_runs.h)

inline JobRun MustClaim(Store& store, std::string_view job, int64_t scheduled_ns,
                        int64_t now_ns = 1) {
  auto claimed = store.job_runs().Claim(job, scheduled_ns, now_ns);
  EXPECT_TRUE(claimed.ok()) << claimed.status().ToString();
  if (!claimed.ok()) return JobRun{};
  EXPECT_TRUE(claimed->second) << job << " at " << scheduled_ns << " was claimed before";
  return claimed->first;
}

// (job, scheduled_ns) of each run, in the order given.
inline std::vector<std::pair<std::string, int64_t>> Keys(const std::vector<JobRun>& runs) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const JobRun& r : runs) out.emplace_back(r.job, r.scheduled_ns);
  return out;
}

TYPED_TEST_P(StoreContractTest, ClaimCreatesARunningRunAndASecondClaimReturnsIt) {
  auto first = this->store().job_runs().Claim("scan.daily", 1'000, 7);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->second);
  const JobRun& run = first->first;
  EXPECT_EQ(run.id, 1);
  EXPECT_EQ(run.job, "scan.daily");
  EXPECT_EQ(run.scheduled_ns, 1'000);
  EXPECT_EQ(run.started_ns, 7);
  EXPECT_EQ(run.finished_ns, 0);
  EXPECT_EQ(run.retry_at_ns, 0);
  EXPECT_EQ(run.status, JobRunStatus::kRunning);
  EXPECT_EQ(run.attempts, 0);
  EXPECT_EQ(run.message, "");

  auto second = this->store().job_runs().Claim("scan.daily", 1'000, 9);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->second);
  EXPECT_EQ(second->first.id, run.id);
  EXPECT_EQ(second->first.started_ns, 7);  // the first claim's
  EXPECT_EQ(this->Count("job_runs"), 1);
}

TYPED_TEST_P(StoreContractTest, ClaimsAreUniquePerJobAndInstantWhateverTheStatus) {
  auto& runs = this->store().job_runs();
  JobRun a1 = MustClaim(this->store(), "report.eod", 100);
  JobRun a2 = MustClaim(this->store(), "report.eod", 200);
  JobRun b1 = MustClaim(this->store(), "orders.open@NSE", 100);  // same instant, other job
  EXPECT_EQ(std::vector<int64_t>({a1.id, a2.id, b1.id}), std::vector<int64_t>({1, 2, 3}));
  b1.status = JobRunStatus::kSucceeded;
  b1.finished_ns = 150;
  ASSERT_TRUE(runs.Update(b1).ok());
  auto again = runs.Claim("orders.open@NSE", 100, 999);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->second);
  EXPECT_EQ(again->first.status, JobRunStatus::kSucceeded);
  EXPECT_EQ(again->first.finished_ns, 150);
  EXPECT_EQ(this->Count("job_runs"), 3);
}

TYPED_TEST_P(StoreContractTest, ClaimWithoutAJobNameIsRefused) {
  EXPECT_EQ(this->store().job_runs().Claim("", 100, 1).status(),
            Status::InvalidArgument("a job run needs a job name"));
  EXPECT_EQ(this->Count("job_runs"), 0);
}

TYPED_TEST_P(StoreContractTest, JobRunUpdateWritesEveryMutableField) {
  JobRun run = MustClaim(this->store(), "data.ingest", 5'000, 5'001);
  MustClaim(this->store(), "data.ingest", 6'000);  // untouched by the update
  JobRun changed = run;
  changed.status = JobRunStatus::kRetrying;
  changed.attempts = 2;
  changed.finished_ns = 5'900;
  changed.retry_at_ns = 6'500;
  changed.message = "inbox/bars.csv: line 3: bad price";
  // Not written: the claim key and the first start.
  changed.job = "other";
  changed.scheduled_ns = 1;
  changed.started_ns = 2;
  ASSERT_TRUE(this->store().job_runs().Update(changed).ok());
  this->Reopen();
  auto got = this->store().job_runs().History("data.ingest", 0);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  const JobRun& stored = (*got)[1];
  EXPECT_EQ(stored.id, run.id);
  EXPECT_EQ(stored.job, "data.ingest");
  EXPECT_EQ(stored.scheduled_ns, 5'000);
  EXPECT_EQ(stored.started_ns, 5'001);
  EXPECT_EQ(stored.status, JobRunStatus::kRetrying);
  EXPECT_EQ(stored.attempts, 2);
  EXPECT_EQ(stored.finished_ns, 5'900);
  EXPECT_EQ(stored.retry_at_ns, 6'500);
  EXPECT_EQ(stored.message, "inbox/bars.csv: line 3: bad price");
  EXPECT_EQ((*got)[0].status, JobRunStatus::kRunning);
  EXPECT_EQ((*got)[0].attempts, 0);
  // Every status round-trips.
  for (JobRunStatus status :
       {JobRunStatus::kRunning, JobRunStatus::kRetrying, JobRunStatus::kSucceeded,
        JobRunStatus::kFailed, JobRunStatus::kSkipped}) {
    changed.status = status;
    ASSERT_TRUE(this->store().job_runs().Update(changed).ok());
    EXPECT_EQ(this->store().job_runs().History("data.ingest", 0).value().at(1).status, status);
  }
}

TYPED_TEST_P(StoreContractTest, JobRunUpdateOfAnUnknownIdOrNegativeAttemptsChangesNothing) {
  JobRun run = MustClaim(this->store(), "backup", 100);
  JobRun unknown = run;
  unknown.id = 9;
  unknown.status = JobRunStatus::kFailed;
  EXPECT_EQ(this->store().job_runs().Update(unknown), Status::NotFound("no job run with id 9"));
  JobRun negative = run;
  negative.attempts = -1;
  negative.status = JobRunStatus::kFailed;
  EXPECT_EQ(this->store().job_runs().Update(negative),
            Status::InvalidArgument("job run 1: attempts -1 is negative"));
  auto last = this->store().job_runs().Last("backup");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->status, JobRunStatus::kRunning);
  EXPECT_EQ((*last)->attempts, 0);
}

TYPED_TEST_P(StoreContractTest, JobRunHistoryIsNewestFirstWithLimitAndJobFilter) {
  MustClaim(this->store(), "a", 300);
  MustClaim(this->store(), "b", 200);
  MustClaim(this->store(), "a", 100);
  MustClaim(this->store(), "a", 200);
  using K = std::vector<std::pair<std::string, int64_t>>;
  auto& runs = this->store().job_runs();
  // Equal instants: the newer claim (higher id) first.
  EXPECT_EQ(Keys(Unwrap(runs.History("", 0))), K({{"a", 300}, {"a", 200}, {"b", 200}, {"a", 100}}));
  EXPECT_EQ(Keys(Unwrap(runs.History("", 2))), K({{"a", 300}, {"a", 200}}));
  EXPECT_EQ(Keys(Unwrap(runs.History("a", 0))), K({{"a", 300}, {"a", 200}, {"a", 100}}));
  EXPECT_EQ(Keys(Unwrap(runs.History("a", 2))), K({{"a", 300}, {"a", 200}}));
  EXPECT_EQ(Keys(Unwrap(runs.History("b", 5))), K({{"b", 200}}));
  EXPECT_THAT(Unwrap(runs.History("c", 0)), IsEmpty());
  EXPECT_THAT(Unwrap(runs.History("", -1)), ::testing::SizeIs(4));  // <= 0: every run
}

TYPED_TEST_P(StoreContractTest, JobRunLastIsTheLatestScheduledInstantOfTheJob) {
  auto& runs = this->store().job_runs();
  EXPECT_EQ(Unwrap(runs.Last("heartbeat")), std::nullopt);
  MustClaim(this->store(), "heartbeat", 200);
  MustClaim(this->store(), "heartbeat", 100);  // claimed later, scheduled earlier
  MustClaim(this->store(), "backup", 900);
  auto last = Unwrap(runs.Last("heartbeat"));
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->scheduled_ns, 200);
  EXPECT_EQ(last->id, 1);
  EXPECT_EQ(Unwrap(runs.Last("")), std::nullopt);
}

TYPED_TEST_P(StoreContractTest, UnfinishedListsRunningAndRetryingRunsOldestFirst) {
  auto& runs = this->store().job_runs();
  MustClaim(this->store(), "a", 300);                    // running
  JobRun done = MustClaim(this->store(), "a", 100);      // succeeded
  JobRun retrying = MustClaim(this->store(), "b", 200);  // retrying
  JobRun skipped = MustClaim(this->store(), "c", 50);    // skipped
  JobRun failed = MustClaim(this->store(), "d", 60);     // failed
  done.status = JobRunStatus::kSucceeded;
  retrying.status = JobRunStatus::kRetrying;
  skipped.status = JobRunStatus::kSkipped;
  failed.status = JobRunStatus::kFailed;
  for (const JobRun& r : {done, retrying, skipped, failed}) ASSERT_TRUE(runs.Update(r).ok());
  using K = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(Keys(Unwrap(runs.Unfinished())), K({{"b", 200}, {"a", 300}}));
  // Back to running (a retry's next attempt): unfinished again.
  done.status = JobRunStatus::kRunning;
  ASSERT_TRUE(runs.Update(done).ok());
  EXPECT_EQ(Keys(Unwrap(runs.Unfinished())), K({{"a", 100}, {"b", 200}, {"a", 300}}));
}

// ------------------------------------------------------------------------------------------
// The outbox (ports/outbox.h)

inline OutboxMessage MakeMessage(const std::string& key, const std::string& kind = "job.failed",
                                 int64_t created_ns = 1'000) {
  OutboxMessage m;
  m.kind = kind;
  m.text = "<b>scan.daily</b> failed: " + key;
  m.silent = true;
  m.key = key;
  m.payload = R"({"signal":12})";
  m.created_ns = created_ns;
  return m;
}

inline std::vector<std::string> KeysOf(const std::vector<OutboxMessage>& messages) {
  std::vector<std::string> out;
  for (const OutboxMessage& m : messages) out.push_back(m.key);
  return out;
}

inline int64_t MustEnqueue(Store& store, const OutboxMessage& m) {
  auto stored = store.outbox().Enqueue(m);
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
  return stored.ok() ? stored->id : 0;
}

TYPED_TEST_P(StoreContractTest, EnqueueStoresAMessageWithItsIdAndEveryField) {
  OutboxMessage m = MakeMessage("job.failed:scan.daily:1000");
  m.id = 42;       // ignored
  m.sent_ns = 5;   // ignored
  m.attempts = 3;  // ignored
  auto stored = this->store().outbox().Enqueue(m);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->id, 1);
  EXPECT_EQ(stored->sent_ns, 0);
  EXPECT_EQ(stored->attempts, 0);
  this->Reopen();
  auto listed = Unwrap(this->store().outbox().List({}));
  ASSERT_EQ(listed.size(), 1u);
  const OutboxMessage& got = listed[0];
  EXPECT_EQ(got.id, 1);
  EXPECT_EQ(got.kind, "job.failed");
  EXPECT_EQ(got.text, "<b>scan.daily</b> failed: job.failed:scan.daily:1000");
  EXPECT_TRUE(got.silent);
  EXPECT_EQ(got.key, "job.failed:scan.daily:1000");
  EXPECT_EQ(got.payload, R"({"signal":12})");
  EXPECT_EQ(got.created_ns, 1'000);
  EXPECT_EQ(got.sent_ns, 0);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_EQ(got.last_error, "");
  EXPECT_EQ(got.external_id, "");
}

TYPED_TEST_P(StoreContractTest, EnqueueOfAStoredKeyReturnsTheStoredMessageAndStoresOne) {
  int64_t id = MustEnqueue(this->store(), MakeMessage("signal.pending:12"));
  ASSERT_TRUE(this->store().outbox().MarkFailed(id, "timeout").ok());
  OutboxMessage again = MakeMessage("signal.pending:12", "signal.pending");
  again.text = "a different text";
  auto stored = this->store().outbox().Enqueue(again);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->id, id);
  EXPECT_EQ(stored->kind, "job.failed");
  EXPECT_EQ(stored->text, "<b>scan.daily</b> failed: signal.pending:12");
  EXPECT_EQ(stored->attempts, 1);
  EXPECT_EQ(this->Count("outbox"), 1);
}

TYPED_TEST_P(StoreContractTest, EnqueueWithoutAKeyOrAKindIsRefused) {
  EXPECT_EQ(this->store().outbox().Enqueue(MakeMessage("")).status(),
            Status::InvalidArgument("an outbox message needs a key"));
  EXPECT_EQ(this->store().outbox().Enqueue(MakeMessage("k", "")).status(),
            Status::InvalidArgument("an outbox message needs a kind"));
  EXPECT_EQ(this->Count("outbox"), 0);
}

TYPED_TEST_P(StoreContractTest, PendingListsUnsentMessagesInIdOrderUpToTheLimit) {
  for (const char* key : {"k1", "k2", "k3"}) MustEnqueue(this->store(), MakeMessage(key));
  auto& outbox = this->store().outbox();
  EXPECT_EQ(KeysOf(Unwrap(outbox.Pending(2))), std::vector<std::string>({"k1", "k2"}));
  EXPECT_EQ(KeysOf(Unwrap(outbox.Pending(0))), std::vector<std::string>({"k1", "k2", "k3"}));
  EXPECT_EQ(KeysOf(Unwrap(outbox.Pending(10))), std::vector<std::string>({"k1", "k2", "k3"}));
}

TYPED_TEST_P(StoreContractTest, MarkSentRecordsTheDeliveryAndRemovesFromPending) {
  for (const char* key : {"k1", "k2", "k3"}) MustEnqueue(this->store(), MakeMessage(key));
  auto& outbox = this->store().outbox();
  ASSERT_TRUE(outbox.MarkFailed(2, "429 Too Many Requests").ok());
  ASSERT_TRUE(outbox.MarkSent(2, 7'000, "4711").ok());
  EXPECT_EQ(KeysOf(Unwrap(outbox.Pending(0))), std::vector<std::string>({"k1", "k3"}));
  EXPECT_EQ(KeysOf(Unwrap(outbox.Pending(1))), std::vector<std::string>({"k1"}));
  this->Reopen();
  OutboxMessage sent = Unwrap(this->store().outbox().List({})).at(1);
  EXPECT_EQ(sent.sent_ns, 7'000);
  EXPECT_EQ(sent.external_id, "4711");
  EXPECT_EQ(sent.attempts, 1);  // MarkSent leaves the count of attempts
  EXPECT_EQ(sent.last_error, "429 Too Many Requests");
}

TYPED_TEST_P(StoreContractTest, MarkFailedCountsAttemptsKeepsTheLastErrorAndStaysPending) {
  int64_t id = MustEnqueue(this->store(), MakeMessage("k1"));
  auto& outbox = this->store().outbox();
  ASSERT_TRUE(outbox.MarkFailed(id, "connection refused").ok());
  ASSERT_TRUE(outbox.MarkFailed(id, "timeout after 10s").ok());
  this->Reopen();
  auto pending = Unwrap(this->store().outbox().Pending(0));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].attempts, 2);
  EXPECT_EQ(pending[0].last_error, "timeout after 10s");
  EXPECT_EQ(pending[0].sent_ns, 0);
}

TYPED_TEST_P(StoreContractTest, MarkingAnUnknownMessageIsNotFound) {
  MustEnqueue(this->store(), MakeMessage("k1"));
  auto& outbox = this->store().outbox();
  EXPECT_EQ(outbox.MarkSent(2, 1, "x"), Status::NotFound("no outbox message with id 2"));
  EXPECT_EQ(outbox.MarkFailed(0, "x"), Status::NotFound("no outbox message with id 0"));
  OutboxMessage m = Unwrap(outbox.List({})).at(0);
  EXPECT_EQ(m.sent_ns, 0);
  EXPECT_EQ(m.attempts, 0);
}

TYPED_TEST_P(StoreContractTest, OutboxListFiltersByUnsentKindAndSinceAndLimitsNewestFirst) {
  MustEnqueue(this->store(), MakeMessage("k1", "job.failed", 100));
  MustEnqueue(this->store(), MakeMessage("k2", "signal.pending", 300));
  MustEnqueue(this->store(), MakeMessage("k3", "job.failed", 200));  // written later, older
  MustEnqueue(this->store(), MakeMessage("k4", "job.failed", 400));
  ASSERT_TRUE(this->store().outbox().MarkSent(4, 500, "9").ok());
  auto list = [&](OutboxFilter f) { return KeysOf(Unwrap(this->store().outbox().List(f))); };
  using V = std::vector<std::string>;
  EXPECT_EQ(list({}), V({"k1", "k2", "k3", "k4"}));
  EXPECT_EQ(list({.unsent_only = true}), V({"k1", "k2", "k3"}));
  EXPECT_EQ(list({.kind = "job.failed"}), V({"k1", "k3", "k4"}));
  EXPECT_EQ(list({.since_ns = 200}), V({"k2", "k3", "k4"}));
  EXPECT_EQ(list({.unsent_only = true, .kind = "job.failed", .since_ns = 150}), V({"k3"}));
  EXPECT_EQ(list({.limit = 2}), V({"k4", "k3"}));
  EXPECT_EQ(list({.unsent_only = true, .kind = "job.failed", .limit = 5}), V({"k3", "k1"}));
  EXPECT_EQ(list({.kind = "order.filled"}), V());
}

// ------------------------------------------------------------------------------------------
// Job runs and the outbox in transactions

TYPED_TEST_P(StoreContractTest, ARolledBackTransactionUndoesClaimsEnqueuesAndTheirUpdates) {
  auto& s = this->store();
  JobRun kept = MustClaim(s, "scan.daily", 100);
  int64_t kept_message = MustEnqueue(s, MakeMessage("kept"));
  Status status = s.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(s.job_runs().Claim("scan.daily", 200, 1).status());
    KAIROS_RETURN_IF_ERROR(s.outbox().Enqueue(MakeMessage("lost")).status());
    JobRun done = kept;
    done.status = JobRunStatus::kSucceeded;
    done.attempts = 1;
    done.message = "12 signals";
    KAIROS_RETURN_IF_ERROR(s.job_runs().Update(done));
    KAIROS_RETURN_IF_ERROR(s.outbox().MarkFailed(kept_message, "timeout"));
    KAIROS_RETURN_IF_ERROR(s.outbox().MarkSent(kept_message, 9, "77"));
    return Status::Unavailable("crash before commit");
  });
  EXPECT_EQ(status, Status::Unavailable("crash before commit"));
  EXPECT_EQ(this->Count("job_runs"), 1);
  EXPECT_EQ(this->Count("outbox"), 1);
  JobRun run = Unwrap(s.job_runs().Last("scan.daily")).value_or(JobRun{});
  EXPECT_EQ(run.scheduled_ns, 100);
  EXPECT_EQ(run.status, JobRunStatus::kRunning);
  EXPECT_EQ(run.attempts, 0);
  EXPECT_EQ(run.message, "");
  EXPECT_THAT(Unwrap(s.job_runs().Unfinished()), ::testing::SizeIs(1));
  EXPECT_EQ(KeysOf(Unwrap(s.outbox().Pending(0))), std::vector<std::string>({"kept"}));
  OutboxMessage m = Unwrap(s.outbox().List({})).at(0);
  EXPECT_EQ(m.attempts, 0);
  EXPECT_EQ(m.last_error, "");
  EXPECT_EQ(m.external_id, "");
  // The instant and the key are free again, under the ids the rolled-back rows had.
  auto claimed = s.job_runs().Claim("scan.daily", 200, 2);
  ASSERT_TRUE(claimed.ok());
  EXPECT_TRUE(claimed->second);
  EXPECT_EQ(claimed->first.id, 2);
  EXPECT_EQ(MustEnqueue(s, MakeMessage("lost")), 2);
}

TYPED_TEST_P(StoreContractTest, ASignalAndItsOutboxMessageAreCommittedOrLostTogether) {
  auto& s = this->store();
  auto write = [&](const std::string& symbol, Status outcome) {
    return s.InTransaction([&]() -> Status {
      KAIROS_RETURN_IF_ERROR(s.signals().Insert(MakeSignal(symbol, D(2024, 3, 1))).status());
      KAIROS_RETURN_IF_ERROR(
          s.outbox().Enqueue(MakeMessage("signal.pending:" + symbol, "signal.pending")).status());
      return outcome;
    });
  };
  EXPECT_EQ(write("GOOG", Status::Internal("disk full")), Status::Internal("disk full"));
  EXPECT_EQ(this->Count("signals"), 0);
  EXPECT_EQ(this->Count("outbox"), 0);
  ASSERT_TRUE(write("MSFT", Status::Ok()).ok());
  EXPECT_EQ(this->Count("signals"), 1);
  EXPECT_EQ(KeysOf(Unwrap(s.outbox().Pending(0))),
            std::vector<std::string>({"signal.pending:MSFT"}));
}

TYPED_TEST_P(StoreContractTest, ARefusedEnqueueOrClaimDoesNotDoomTheCallersTransaction) {
  auto& s = this->store();
  Status status = s.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(s.state().Put("a", "1"));
    EXPECT_EQ(s.outbox().Enqueue(MakeMessage("")).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.job_runs().Claim("", 1, 1).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.outbox().MarkSent(5, 1, "").code(), StatusCode::kNotFound);
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(this->Count("state"), 1);
}

// ------------------------------------------------------------------------------------------
// Accounts (ports/accounts.h)

inline User MakeUser(const std::string& name, const std::string& role = "viewer") {
  return User{name, role, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", 1'000, false};
}

inline ApiToken MakeToken(const std::string& name, const std::string& hash,
                          const std::string& user = "alice") {
  return ApiToken{name, hash, "trader", user, 2'000, 0, 0};
}

inline std::vector<std::string> NamesOf(const std::vector<User>& users) {
  std::vector<std::string> out;
  for (const User& u : users) out.push_back(u.name);
  return out;
}

TYPED_TEST_P(StoreContractTest, AddUserStoresEveryFieldAndListsByName) {
  auto& a = this->store().accounts();
  User bob = MakeUser("bob", "admin");
  bob.disabled = true;
  bob.created_ns = 77;
  ASSERT_TRUE(a.AddUser(bob).ok());
  ASSERT_TRUE(a.AddUser(MakeUser("alice")).ok());
  this->Reopen();
  auto& r = this->store().accounts();
  auto got = Unwrap(r.GetUser("bob"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->name, "bob");
  EXPECT_EQ(got->role, "admin");
  EXPECT_EQ(got->password_hash, bob.password_hash);
  EXPECT_EQ(got->created_ns, 77);
  EXPECT_TRUE(got->disabled);
  EXPECT_EQ(Unwrap(r.GetUser("carol")), std::nullopt);
  EXPECT_EQ(NamesOf(Unwrap(r.ListUsers())), std::vector<std::string>({"alice", "bob"}));
  EXPECT_EQ(Unwrap(r.CountUsers()), 2);
}

TYPED_TEST_P(StoreContractTest, AddUserRefusesBadAndDuplicateUsersAndChangesNothing) {
  auto& a = this->store().accounts();
  ASSERT_TRUE(a.AddUser(MakeUser("alice")).ok());
  EXPECT_EQ(a.AddUser(MakeUser("")), UserWithoutName());
  User no_hash = MakeUser("bob");
  no_hash.password_hash = "";
  EXPECT_EQ(a.AddUser(no_hash), UserWithoutPasswordHash());
  EXPECT_EQ(a.AddUser(MakeUser("bob", "root")), UnknownAccountRole("root"));
  EXPECT_EQ(a.AddUser(MakeUser("alice", "admin")), UserAlreadyExists("alice"));
  EXPECT_EQ(this->Count("users"), 1);
  EXPECT_EQ(Unwrap(a.GetUser("alice"))->role, "viewer");
}

TYPED_TEST_P(StoreContractTest, SetPasswordAndSetDisabledChangeOnlyThatUser) {
  auto& a = this->store().accounts();
  ASSERT_TRUE(a.AddUser(MakeUser("alice")).ok());
  ASSERT_TRUE(a.AddUser(MakeUser("bob")).ok());
  ASSERT_TRUE(a.SetPassword("alice", "$argon2id$other").ok());
  ASSERT_TRUE(a.SetDisabled("alice", true).ok());
  EXPECT_EQ(Unwrap(a.GetUser("alice"))->password_hash, "$argon2id$other");
  EXPECT_TRUE(Unwrap(a.GetUser("alice"))->disabled);
  EXPECT_FALSE(Unwrap(a.GetUser("bob"))->disabled);
  EXPECT_EQ(Unwrap(a.GetUser("bob"))->password_hash, MakeUser("bob").password_hash);
  EXPECT_EQ(a.SetPassword("carol", "h"), NoUserNamed("carol"));
  EXPECT_EQ(a.SetPassword("alice", ""), UserWithoutPasswordHash());
  EXPECT_EQ(a.SetDisabled("carol", true), NoUserNamed("carol"));
  EXPECT_EQ(a.RemoveUser("carol", 5), NoUserNamed("carol"));
}

TYPED_TEST_P(StoreContractTest, SessionsAreFoundByHashTouchedAndDeleted) {
  auto& a = this->store().accounts();
  ASSERT_TRUE(a.AddUser(MakeUser("alice")).ok());
  ASSERT_TRUE(a.AddSession({"h1", "alice", "c1", 10, 10}).ok());
  ASSERT_TRUE(a.AddSession({"h2", "alice", "c2", 20, 20}).ok());
  EXPECT_EQ(a.AddSession({"h1", "alice", "c3", 30, 30}), SessionAlreadyStored());
  EXPECT_EQ(a.AddSession({"h3", "nobody", "c3", 30, 30}), NoUserNamed("nobody"));
  EXPECT_EQ(a.AddSession({"", "alice", "c3", 30, 30}), SessionWithoutHash());
  ASSERT_TRUE(a.TouchSession("h1", 15).ok());
  EXPECT_EQ(a.TouchSession("h9", 15), NoSuchSession());
  auto s = Unwrap(a.GetSession("h1"));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->user, "alice");
  EXPECT_EQ(s->csrf_hash, "c1");
  EXPECT_EQ(s->created_ns, 10);
  EXPECT_EQ(s->last_seen_ns, 15);
  ASSERT_TRUE(a.DeleteSession("h1").ok());
  ASSERT_TRUE(a.DeleteSession("h1").ok());  // gone already: no error
  EXPECT_EQ(Unwrap(a.GetSession("h1")), std::nullopt);
  EXPECT_EQ(this->Count("sessions"), 1);
  EXPECT_EQ(Unwrap(a.DeleteSessionsOf("alice")), 1);
  EXPECT_EQ(this->Count("sessions"), 0);
}

TYPED_TEST_P(StoreContractTest, RemoveUserDeletesItsSessionsAndRevokesItsTokens) {
  auto& a = this->store().accounts();
  ASSERT_TRUE(a.AddUser(MakeUser("alice")).ok());
  ASSERT_TRUE(a.AddUser(MakeUser("bob")).ok());
  ASSERT_TRUE(a.AddSession({"ha", "alice", "c", 1, 1}).ok());
  ASSERT_TRUE(a.AddSession({"hb", "bob", "c", 1, 1}).ok());
  ASSERT_TRUE(a.AddToken(MakeToken("ta", "xa", "alice")).ok());
  ASSERT_TRUE(a.AddToken(MakeToken("tb", "xb", "bob")).ok());
  ASSERT_TRUE(a.RemoveUser("alice", 99).ok());
  EXPECT_EQ(Unwrap(a.GetUser("alice")), std::nullopt);
  EXPECT_EQ(Unwrap(a.GetSession("ha")), std::nullopt);
  EXPECT_TRUE(Unwrap(a.GetSession("hb")).has_value());
  EXPECT_EQ(Unwrap(a.GetToken("ta"))->revoked_ns, 99);
  EXPECT_EQ(Unwrap(a.GetToken("tb"))->revoked_ns, 0);
}

TYPED_TEST_P(StoreContractTest, TokensAreFoundByNameAndHashAndRevokedOnce) {
  auto& a = this->store().accounts();
  ASSERT_TRUE(a.AddToken(MakeToken("deploy", "hash-d")).ok());
  ASSERT_TRUE(a.AddToken(MakeToken("backup", "hash-b")).ok());
  this->Reopen();
  auto& r = this->store().accounts();
  auto t = Unwrap(r.GetTokenByHash("hash-d"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->name, "deploy");
  EXPECT_EQ(t->role, "trader");
  EXPECT_EQ(t->user, "alice");
  EXPECT_EQ(t->created_ns, 2'000);
  EXPECT_EQ(Unwrap(r.GetTokenByHash("nope")), std::nullopt);
  ASSERT_TRUE(r.TouchToken("deploy", 3'000).ok());
  EXPECT_EQ(Unwrap(r.GetToken("deploy"))->last_used_ns, 3'000);
  ASSERT_TRUE(r.RevokeToken("deploy", 4'000).ok());
  EXPECT_EQ(r.RevokeToken("deploy", 5'000), TokenAlreadyRevoked("deploy"));
  EXPECT_EQ(Unwrap(r.GetToken("deploy"))->revoked_ns, 4'000);
  EXPECT_EQ(r.RevokeToken("ghost", 5'000), NoTokenNamed("ghost"));
  EXPECT_EQ(r.TouchToken("ghost", 5'000), NoTokenNamed("ghost"));
  auto listed = Unwrap(r.ListTokens());
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "backup");
  EXPECT_EQ(listed[1].name, "deploy");
}

TYPED_TEST_P(StoreContractTest, AddTokenRefusesBadAndDuplicateTokensAndChangesNothing) {
  auto& a = this->store().accounts();
  ASSERT_TRUE(a.AddToken(MakeToken("deploy", "hash-d")).ok());
  EXPECT_EQ(a.AddToken(MakeToken("deploy", "hash-other")), TokenAlreadyExists("deploy"));
  EXPECT_EQ(a.AddToken(MakeToken("other", "hash-d")), TokenHashAlreadyStored());
  EXPECT_EQ(a.AddToken(MakeToken("", "hash-x")), TokenWithoutName());
  EXPECT_EQ(a.AddToken(MakeToken("x", "")), TokenWithoutHash());
  ApiToken root = MakeToken("x", "hash-x");
  root.role = "root";
  EXPECT_EQ(a.AddToken(root), UnknownAccountRole("root"));
  EXPECT_EQ(this->Count("api_tokens"), 1);
}

TYPED_TEST_P(StoreContractTest, ThrottleIsEmptyUntilStoredAndClearedAtZero) {
  auto& a = this->store().accounts();
  LoginThrottle none = Unwrap(a.GetThrottle("user:alice"));
  EXPECT_EQ(none.key, "user:alice");
  EXPECT_EQ(none.failures, 0);
  EXPECT_EQ(none.locked_until_ns, 0);
  ASSERT_TRUE(a.PutThrottle({"user:alice", 5, 1'000}).ok());
  ASSERT_TRUE(a.PutThrottle({"addr:10.0.0.1", 1, 0}).ok());
  ASSERT_TRUE(a.PutThrottle({"user:alice", 6, 3'000}).ok());
  LoginThrottle t = Unwrap(a.GetThrottle("user:alice"));
  EXPECT_EQ(t.failures, 6);
  EXPECT_EQ(t.locked_until_ns, 3'000);
  EXPECT_EQ(this->Count("login_throttle"), 2);
  ASSERT_TRUE(a.PutThrottle({"user:alice", 0, 0}).ok());
  EXPECT_EQ(this->Count("login_throttle"), 1);
  EXPECT_EQ(Unwrap(a.GetThrottle("user:alice")).failures, 0);
}

TYPED_TEST_P(StoreContractTest, ARolledBackTransactionUndoesAccountWrites) {
  auto& s = this->store();
  ASSERT_TRUE(s.accounts().AddUser(MakeUser("alice")).ok());
  Status status = s.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(s.accounts().AddUser(MakeUser("bob")));
    KAIROS_RETURN_IF_ERROR(s.accounts().AddSession({"h", "alice", "c", 1, 1}));
    KAIROS_RETURN_IF_ERROR(s.accounts().AddToken(MakeToken("t", "x")));
    KAIROS_RETURN_IF_ERROR(s.accounts().SetDisabled("alice", true));
    KAIROS_RETURN_IF_ERROR(s.accounts().PutThrottle({"user:alice", 2, 0}));
    EXPECT_EQ(s.accounts().AddUser(MakeUser("bob")), UserAlreadyExists("bob"));
    return Status::Internal("disk full");
  });
  EXPECT_EQ(status, Status::Internal("disk full"));
  EXPECT_EQ(this->Count("users"), 1);
  EXPECT_EQ(this->Count("sessions"), 0);
  EXPECT_EQ(this->Count("api_tokens"), 0);
  EXPECT_EQ(this->Count("login_throttle"), 0);
  EXPECT_FALSE(Unwrap(s.accounts().GetUser("alice"))->disabled);
}

REGISTER_TYPED_TEST_SUITE_P(
    StoreContractTest, ImportStoresANewStrategyAsVersionOne, ImportOfADisabledSpecStoresItDisabled,
    ImportOfTheSameTextReturnsTheLatestUnchanged,
    ChangedTextCreatesANewVersionKeepingEnabledAndTakingAllocation, EverySpecFieldRoundTrips,
    ListReturnsLatestVersionsByName, SetEnabledAndSetAllocationChangeStateWithoutANewVersion,
    UnknownStrategyIsNotFoundAndChangesNothing, ImportWithoutANameIsRefused,
    SignalInsertAssignsAnIdAndRoundTripsEveryField, NanRankValueRoundTrips,
    SignalInsertIsIdempotentOnStrategySymbolSessionSide, SignalListFiltersAndOrdersById,
    TransitionMovesStatusRecordsDecisionAndAudits,
    TransitionFromTheWrongStatusFailsAndChangesNothing, TransitionOfAnUnknownSignalIsNotFound,
    OrderCreateAssignsAnIdAndRoundTrips, DuplicateClientOrderIdIsAlreadyExistsAndChangesNothing,
    OrderWithoutQuantityIsInvalidAndChangesNothing, OrderUpdateWritesOnlyTheMutableFields,
    OrderUpdateBeyondTheQuantityIsRefusedAndChangesNothing, OrderUpdateOfAnUnknownIdIsNotFound,
    OrderListFiltersByStatusSessionAndStrategy, FillIsRecordedOnceByExecutionId,
    FillsAreListedBySessionThenTimeAndFiltered, PositionRoundTripsUpsertsAndIsDeletedAtZero,
    PositionsAreListedByStrategyThenSymbol, GetPositionReadsOneOpenPositionByStrategyAndSymbol,
    DailyPnlUpsertsAndListsByDate, UniversePutGetListRemove, StateGetPutErase,
    AuditAppendsAndListsByLiteralSubjectPrefix, TransactionCommitsEverythingTheBodyWrote,
    TransactionRollsBackEverythingWhenTheBodyFails, TransactionRollsBackOnAFailedWrite,
    AnExceptionInTheBodyRollsBack, NestedTransactionsJoinTheOuterOne,
    AnOuterFailureUndoesACompletedInnerTransaction, AnInnerFailureRollsBackTheWholeOuterTransaction,
    AnExpectedRepositoryRefusalDoesNotDoomTheCallersTransaction,
    RepositoryWritesInsideATransactionAreUndoneWithIt,
    IdsCountFromOnePerTableAndARolledBackRowFreesItsId, ChecksComeBeforeTheDuplicateKey,
    FillBreakingACheckIsInvalidAndChangesNothing,
    PositionWithNegativeSessionsHeldIsInvalidUnlessClosed,
    OrderCreatedWithFilledQuantityBeyondItsQuantityIsInvalid,
    NonFiniteDoublesReadBackTheWaySqliteStoresThem, OrderListCombinesStatusesSessionAndStrategy,
    AuditListByPrefixMergesSubjectsInIdOrder, AnExceptionInANestedBodyRollsBackTheOuterTransaction,
    AnInnerFailureTheOuterBodyReportsIsReturnedAsIs,
    ThreadsSharingOneStoreNeverInterleaveTransactions,
    ClaimCreatesARunningRunAndASecondClaimReturnsIt,
    ClaimsAreUniquePerJobAndInstantWhateverTheStatus, ClaimWithoutAJobNameIsRefused,
    JobRunUpdateWritesEveryMutableField, JobRunUpdateOfAnUnknownIdOrNegativeAttemptsChangesNothing,
    JobRunHistoryIsNewestFirstWithLimitAndJobFilter, JobRunLastIsTheLatestScheduledInstantOfTheJob,
    UnfinishedListsRunningAndRetryingRunsOldestFirst, EnqueueStoresAMessageWithItsIdAndEveryField,
    EnqueueOfAStoredKeyReturnsTheStoredMessageAndStoresOne, EnqueueWithoutAKeyOrAKindIsRefused,
    PendingListsUnsentMessagesInIdOrderUpToTheLimit,
    MarkSentRecordsTheDeliveryAndRemovesFromPending,
    MarkFailedCountsAttemptsKeepsTheLastErrorAndStaysPending, MarkingAnUnknownMessageIsNotFound,
    OutboxListFiltersByUnsentKindAndSinceAndLimitsNewestFirst,
    ARolledBackTransactionUndoesClaimsEnqueuesAndTheirUpdates,
    ASignalAndItsOutboxMessageAreCommittedOrLostTogether,
    ARefusedEnqueueOrClaimDoesNotDoomTheCallersTransaction, AddUserStoresEveryFieldAndListsByName,
    AddUserRefusesBadAndDuplicateUsersAndChangesNothing,
    SetPasswordAndSetDisabledChangeOnlyThatUser, SessionsAreFoundByHashTouchedAndDeleted,
    RemoveUserDeletesItsSessionsAndRevokesItsTokens, TokensAreFoundByNameAndHashAndRevokedOnce,
    AddTokenRefusesBadAndDuplicateTokensAndChangesNothing,
    ThrottleIsEmptyUntilStoredAndClearedAtZero, ARolledBackTransactionUndoesAccountWrites);

}  // namespace kairos::ports::store_contract
