#include "engine/testing/fakes.h"

#include <gtest/gtest.h>

namespace kairos::engine::testing {
namespace {

Signal MakeSignal(std::string symbol) {
  Signal s;
  s.strategy = "sma";
  s.symbol = std::move(symbol);
  s.session = Date::FromYmd(2024, 3, 1);
  s.status = SignalStatus::kApproved;
  return s;
}

Order MakeOrder(std::string cid) {
  Order o;
  o.request.client_order_id = std::move(cid);
  o.request.symbol = "GOOG";
  o.request.qty = Quantity::FromUnits(10);
  o.strategy = "sma";
  return o;
}

TEST(FakeStoreTest, SignalInsertIsIdempotentPerStrategySymbolSessionSide) {
  FakeStore store;
  auto a = store.signals().Insert(MakeSignal("GOOG"));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->second);
  EXPECT_EQ(a->first.id, 1);
  auto b = store.signals().Insert(MakeSignal("GOOG"));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->second);
  EXPECT_EQ(b->first.id, 1);
  Signal sell = MakeSignal("GOOG");
  sell.side = Side::kSell;
  EXPECT_EQ(store.signals().Insert(sell)->first.id, 2);
}

TEST(FakeStoreTest, SignalTransitionIsCompareAndSet) {
  FakeStore store;
  int64_t id = store.signals().Insert(MakeSignal("GOOG"))->first.id;
  Status st = store.signals().Transition(id, SignalStatus::kPendingReview, SignalStatus::kApproved,
                                         "cli", "", 5);
  EXPECT_EQ(st, Status::FailedPrecondition("signal 1 is approved, not pending_review"));
  EXPECT_EQ((*store.signals().Get(id))->status, SignalStatus::kApproved);
  ASSERT_TRUE(
      store.signals()
          .Transition(id, SignalStatus::kApproved, SignalStatus::kOrdered, "engine", "order x", 7)
          .ok());
  Signal s = **store.signals().Get(id);
  EXPECT_EQ(s.status, SignalStatus::kOrdered);
  EXPECT_EQ(s.decided_by, "engine");
  EXPECT_EQ(s.decided_ns, 7);
  EXPECT_EQ(store.signals()
                .Transition(99, SignalStatus::kApproved, SignalStatus::kOrdered, "", "", 0)
                .code(),
            StatusCode::kNotFound);
}

TEST(FakeStoreTest, OrderCreateRefusesADuplicateClientId) {
  FakeStore store;
  auto a = store.orders().Create(MakeOrder("sma-GOOG-1"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->id, 1);
  auto b = store.orders().Create(MakeOrder("sma-GOOG-1"));
  EXPECT_EQ(b.status(), Status::AlreadyExists("order 'sma-GOOG-1' already exists"));
  EXPECT_EQ(store.orders().List({})->size(), 1u);
}

TEST(FakeStoreTest, OrderUpdateWritesOnlyTheMutableFields) {
  FakeStore store;
  Order o = *store.orders().Create(MakeOrder("x"));
  o.status = OrderStatus::kAccepted;
  o.filled_qty = Quantity::FromUnits(3);
  o.request.symbol = "MSFT";  // not a mutable field
  ASSERT_TRUE(store.orders().Update(o).ok());
  Order back = **store.orders().GetByClientId("x");
  EXPECT_EQ(back.status, OrderStatus::kAccepted);
  EXPECT_EQ(back.filled_qty.units(), 3);
  EXPECT_EQ(back.request.symbol, "GOOG");
  auto list = store.orders().List({.statuses = {OrderStatus::kNew}});
  EXPECT_TRUE(list->empty());
}

TEST(FakeStoreTest, RecordFillDeduplicatesByExecutionId) {
  FakeStore store;
  Fill f;
  f.execution_id = "E1";
  f.symbol = "GOOG";
  f.qty = Quantity::FromUnits(5);
  EXPECT_TRUE(*store.ledger().RecordFill(f, "sma"));
  EXPECT_FALSE(*store.ledger().RecordFill(f, "sma"));
  EXPECT_EQ(store.ledger().ListFills({})->size(), 1u);
}

TEST(FakeStoreTest, PositionWithZeroQtyIsDeleted) {
  FakeStore store;
  Position p;
  p.strategy = "sma";
  p.symbol = "GOOG";
  p.qty = Quantity::FromUnits(10);
  ASSERT_TRUE(store.ledger().PutPosition(p).ok());
  EXPECT_EQ(store.ledger().Positions("sma")->size(), 1u);
  EXPECT_EQ(store.ledger().Positions("")->size(), 1u);
  EXPECT_EQ(store.ledger().Positions("other")->size(), 0u);
  p.qty = Quantity::FromUnits(0);
  ASSERT_TRUE(store.ledger().PutPosition(p).ok());
  EXPECT_TRUE(store.ledger().Positions("")->empty());
}

TEST(FakeStoreTest, GetPositionFindsOneOpenPositionByStrategyAndSymbol) {
  FakeStore store;
  Position p;
  p.strategy = "sma";
  p.symbol = "GOOG";
  p.qty = Quantity::FromUnits(10);
  p.sessions_held = 2;
  ASSERT_TRUE(store.ledger().PutPosition(p).ok());
  Position other = p;  // same symbol, another strategy
  other.strategy = "rsi";
  other.qty = Quantity::FromUnits(-4);
  ASSERT_TRUE(store.ledger().PutPosition(other).ok());

  auto got = store.ledger().GetPosition("sma", "GOOG");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->strategy, "sma");
  EXPECT_EQ((*got)->qty, Quantity::FromUnits(10));
  EXPECT_EQ((*got)->sessions_held, 2);
  EXPECT_EQ((*store.ledger().GetPosition("rsi", "GOOG"))->qty, Quantity::FromUnits(-4));
  EXPECT_EQ(store.ledger().GetPosition("sma", "MSFT").value(), std::nullopt);
  EXPECT_EQ(store.ledger().GetPosition("other", "GOOG").value(), std::nullopt);
  EXPECT_EQ(store.ledger().GetPosition("", "GOOG").value(), std::nullopt);

  p.qty = Quantity::FromUnits(0);  // closed: deleted
  ASSERT_TRUE(store.ledger().PutPosition(p).ok());
  EXPECT_EQ(store.ledger().GetPosition("sma", "GOOG").value(), std::nullopt);
  EXPECT_EQ((*store.ledger().GetPosition("rsi", "GOOG"))->qty, Quantity::FromUnits(-4));
}

TEST(FakeStoreTest, FailedTransactionLeavesNothingBehind) {
  FakeStore store;
  Status st = store.InTransaction([&] {
    KAIROS_RETURN_IF_ERROR(store.state().Put("a", "1"));
    return store.InTransaction([&]() -> Status {
      KAIROS_RETURN_IF_ERROR(store.orders().Create(MakeOrder("x")).status());
      return Status::Internal("boom");
    });
  });
  EXPECT_EQ(st, Status::Internal("boom"));
  EXPECT_FALSE(store.state().Get("a")->has_value());
  EXPECT_TRUE(store.orders().List({})->empty());
  EXPECT_EQ(store.transactions_committed(), 0);
  ASSERT_TRUE(store.InTransaction([&] { return store.state().Put("a", "2"); }).ok());
  EXPECT_EQ(**store.state().Get("a"), "2");
  EXPECT_EQ(store.transactions_committed(), 1);
}

TEST(FakeStoreTest, InjectedWriteFailureChangesNothing) {
  FakeStore store;
  store.fail_writes_after = 1;
  ASSERT_TRUE(store.state().Put("a", "1").ok());
  EXPECT_EQ(store.state().Put("b", "1"), Status::Unavailable("injected store failure"));
  EXPECT_FALSE(store.state().Get("b")->has_value());
  store.fail_writes_after = -1;
  EXPECT_TRUE(store.state().Put("b", "1").ok());
}

TEST(FakeStoreTest, StrategyImportVersionsOnChangedText) {
  FakeStore store;
  StrategySpec spec;
  spec.name = "sma";
  spec.allocation = 1000;
  auto a = store.strategies().Import(spec, "v1");
  EXPECT_TRUE(a->second);
  EXPECT_EQ(a->first.version, 1);
  ASSERT_TRUE(store.strategies().SetEnabled("sma", false).ok());
  ASSERT_TRUE(store.strategies().SetAllocation("sma", 500).ok());
  EXPECT_FALSE(store.strategies().Import(spec, "v1")->second);
  EXPECT_EQ((*store.strategies().Get("sma"))->allocation, 500);
  spec.allocation = 2000;
  auto b = store.strategies().Import(spec, "v2");
  EXPECT_TRUE(b->second);
  EXPECT_EQ(b->first.version, 2);
  EXPECT_FALSE(b->first.enabled);  // a new version keeps the enabled flag
  EXPECT_EQ(b->first.allocation, 2000);
  EXPECT_EQ((*store.strategies().GetVersion("sma", 1))->source, "v1");
  EXPECT_EQ(store.strategies().SetEnabled("nope", true).code(), StatusCode::kNotFound);
}

TEST(FakeBrokerTest, KnownClientIdIsAQueryNotASecondOrder) {
  FakeBroker broker;
  OrderRequest r;
  r.client_order_id = "x";
  r.qty = Quantity::FromUnits(1);
  auto a = broker.Submit(r);
  auto b = broker.Submit(r);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->broker_order_id, b->broker_order_id);
  EXPECT_EQ(broker.orders().size(), 1u);
}

}  // namespace
}  // namespace kairos::engine::testing
