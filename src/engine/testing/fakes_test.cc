#include "engine/testing/fakes.h"

#include <gtest/gtest.h>

namespace kairos::engine::testing {
namespace {

// FakeStore's repositories are held to the store contract (fake_store_contract_test.cc); these
// tests cover its test hooks and the scripted broker.

Order MakeOrder(std::string cid) {
  Order o;
  o.request.client_order_id = std::move(cid);
  o.request.symbol = "GOOG";
  o.request.qty = Quantity::FromUnits(10);
  o.strategy = "sma";
  return o;
}

TEST(FakeStoreTest, OnlyACommittedTransactionCounts) {
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
