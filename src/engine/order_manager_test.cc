#include "engine/order_manager.h"

#include <memory>

#include <gtest/gtest.h>

#include "engine/ledger.h"
#include "engine/testing/fakes.h"

namespace kairos::engine {
namespace {

using testing::FakeBroker;
using testing::FakeStore;

const Date kDay = Date::FromYmd(2024, 3, 1);

class OrderManagerTest : public ::testing::Test {
 protected:
  OrderRequest Request(std::string symbol = "GOOG", Side side = Side::kBuy, int64_t qty = 10) {
    OrderRequest r;
    r.client_order_id = ClientOrderId("sma", symbol, kDay, side);
    r.symbol = std::move(symbol);
    r.side = side;
    r.qty = Quantity::FromUnits(qty);
    r.session = kDay;
    return r;
  }
  int64_t ApprovedSignal(std::string symbol = "GOOG", Side side = Side::kBuy) {
    Signal s;
    s.strategy = "sma";
    s.symbol = std::move(symbol);
    s.session = kDay;
    s.side = side;
    s.status = SignalStatus::kApproved;
    return store.signals().Insert(s)->first.id;
  }
  Order Stored(std::string_view cid) { return store.orders().GetByClientId(cid).value().value(); }
  SignalStatus SignalState(int64_t id) { return store.signals().Get(id).value()->status; }
  // Creates an intent on a fresh manager and sends it.
  Order Sent(const OrderRequest& r, int64_t signal_id = 0) {
    OrderManager om(store, broker, clock);
    EXPECT_TRUE(om.CreateIntent(r, "sma", signal_id).ok());
    EXPECT_EQ(om.SubmitPending().value_or(-1), 1);
    return Stored(r.client_order_id);
  }
  std::vector<Position> Positions() { return store.ledger().Positions("sma").value(); }

  FakeStore store;
  FakeBroker broker;
  ports::ManualClock clock{1'000};
};

TEST(ClientOrderIdTest, IsDeterministicReadableAndBounded) {
  EXPECT_EQ(ClientOrderId("sma", "GOOG", kDay, Side::kBuy), "sma-GOOG-20240301-b-1");
  EXPECT_EQ(ClientOrderId("sma", "GOOG", kDay, Side::kSell, 2), "sma-GOOG-20240301-s-2");
  EXPECT_EQ(ClientOrderId("sma", "BRK.B", kDay, Side::kSell, "sq"), "sma-BRK.B-20240301-s-sq");
  const std::string long_name(60, 'x');
  const std::string a = ClientOrderId(long_name, "GOOG", kDay, Side::kBuy);
  EXPECT_EQ(a.size(), 48u);
  EXPECT_EQ(a, ClientOrderId(long_name, "GOOG", kDay, Side::kBuy));
  EXPECT_EQ(a.substr(0, 10), "xxxxxxxxxx");
  EXPECT_NE(a, ClientOrderId(long_name, "GOOG", kDay, Side::kBuy, 2));
  EXPECT_NE(a, ClientOrderId(long_name, "GOOG", kDay.AddDays(1), Side::kBuy));
}

TEST_F(OrderManagerTest, IntentIsStoredNewAndIdempotentAndMovesTheSignalToOrdered) {
  OrderManager om(store, broker, clock);
  const int64_t signal = ApprovedSignal();
  auto first = om.CreateIntent(Request(), "sma", signal);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->status, OrderStatus::kNew);
  EXPECT_EQ(first->created_ns, 1'000);
  EXPECT_EQ(broker.submit_calls(), 0);
  EXPECT_EQ(SignalState(signal), SignalStatus::kOrdered);

  OrderRequest changed = Request();
  changed.qty = Quantity::FromUnits(99);
  auto second = om.CreateIntent(changed, "sma", signal);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->request.qty.units(), 10);  // the stored intent, unchanged
  EXPECT_EQ(store.orders().List({})->size(), 1u);
  auto audit = store.audit().List("order:sma-GOOG-20240301-b-1").value();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "order.intent");
}

TEST_F(OrderManagerTest, BadIntentIsRefusedAndNothingIsStored) {
  OrderManager om(store, broker, clock);
  OrderRequest zero = Request();
  zero.qty = Quantity::FromUnits(0);
  EXPECT_EQ(
      om.CreateIntent(zero, "sma", 0).status(),
      Status::InvalidArgument("order intent sma-GOOG-20240301-b-1: quantity 0 is not positive"));
  OrderRequest limit = Request();
  limit.type = OrderType::kLimit;
  EXPECT_EQ(om.CreateIntent(limit, "sma", 0).status(),
            Status::InvalidArgument(
                "order intent sma-GOOG-20240301-b-1: a limit order needs a limit price"));
  EXPECT_EQ(om.CreateIntent(Request(), "sma", 42).status(),
            Status::NotFound("order intent sma-GOOG-20240301-b-1: signal 42 not found"));
  EXPECT_TRUE(store.orders().List({})->empty());
  EXPECT_TRUE(store.audit().List("")->empty());
}

TEST_F(OrderManagerTest, IntentIsMarkedSubmittedInTheStoreBeforeTheBrokerIsCalled) {
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(om.CreateIntent(Request(), "sma", 0).ok());
  int checked = 0;
  broker.on_submit = [&](const OrderRequest& r) {
    auto stored = store.orders().GetByClientId(r.client_order_id).value();
    EXPECT_TRUE(stored.has_value());
    if (stored) {
      EXPECT_EQ(stored->status, OrderStatus::kSubmitted);
    }
    ++checked;
    return Status::Ok();
  };
  EXPECT_EQ(om.SubmitPending().value_or(-1), 1);
  EXPECT_EQ(checked, 1);
  Order o = Stored("sma-GOOG-20240301-b-1");
  EXPECT_EQ(o.status, OrderStatus::kAccepted);
  EXPECT_EQ(o.broker_order_id, "B1");
  EXPECT_EQ(om.SubmitPending().value_or(-1), 0);  // nothing new to send
  EXPECT_EQ(broker.submit_calls(), 1);
}

TEST_F(OrderManagerTest, LostAnswerIsResolvedByQueryNotByANewId) {
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(om.CreateIntent(Request(), "sma", 0).ok());
  broker.drop_next_submit_answer = true;
  auto first = om.SubmitPendingReport();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->unknown, 1);
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kUnknown);

  auto second = om.SubmitPendingReport();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->resolved, 1);
  EXPECT_EQ(second->sent, 0);
  EXPECT_EQ(broker.submit_calls(), 1);  // resolved by OrderByClientId, not by a resend
  ASSERT_EQ(broker.orders().size(), 1u);
  EXPECT_EQ(broker.orders().begin()->first, "sma-GOOG-20240301-b-1");
  Order o = Stored("sma-GOOG-20240301-b-1");
  EXPECT_EQ(o.status, OrderStatus::kAccepted);
  EXPECT_EQ(o.broker_order_id, "B1");
}

TEST_F(OrderManagerTest, UnknownOrderTheBrokerNeverGotIsResentUnderTheSameId) {
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(om.CreateIntent(Request(), "sma", 0).ok());
  broker.fail_next_submit = true;
  ASSERT_TRUE(om.SubmitPending().ok());
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kUnknown);
  EXPECT_TRUE(broker.orders().empty());
  EXPECT_EQ(om.SubmitPending().value_or(-1), 1);
  ASSERT_EQ(broker.orders().size(), 1u);
  EXPECT_EQ(broker.orders().begin()->first, "sma-GOOG-20240301-b-1");
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kAccepted);
}

TEST_F(OrderManagerTest, CrashBetweenStoringTheIntentAndSendingIt) {
  {
    OrderManager before_crash(store, broker, clock);
    ASSERT_TRUE(before_crash.CreateIntent(Request(), "sma", 0).ok());
  }  // the process dies here: nothing was sent
  OrderManager after(store, broker, clock);
  EXPECT_EQ(after.SubmitPending().value_or(-1), 1);
  EXPECT_EQ(after.SubmitPending().value_or(-1), 0);
  EXPECT_EQ(broker.orders().size(), 1u);
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kAccepted);
}

TEST_F(OrderManagerTest, CrashAfterMarkingSubmittedBeforeTheSend) {
  OrderManager om(store, broker, clock);
  Order o = om.CreateIntent(Request(), "sma", 0).value();
  o.status = OrderStatus::kSubmitted;  // what a crash right after the mark leaves behind
  ASSERT_TRUE(store.orders().Update(o).ok());
  OrderManager after(store, broker, clock);
  EXPECT_EQ(after.SubmitPending().value_or(-1), 1);
  EXPECT_EQ(broker.orders().size(), 1u);
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kAccepted);
}

// The broker takes the order, then the process dies before the answer is stored (the store
// refuses every write from the send on). A new manager must find it, not send a second one.
TEST_F(OrderManagerTest, CrashBetweenSendingAndStoringTheAnswerResolvedBySubmitPending) {
  {
    OrderManager om(store, broker, clock);
    ASSERT_TRUE(om.CreateIntent(Request(), "sma", 0).ok());
    broker.on_submit = [&](const OrderRequest&) {
      store.fail_writes_after = 0;
      return Status::Ok();
    };
    EXPECT_EQ(om.SubmitPending().status().code(), StatusCode::kUnavailable);
  }
  broker.on_submit = nullptr;
  store.fail_writes_after = -1;
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kSubmitted);
  OrderManager after(store, broker, clock);
  auto report = after.SubmitPendingReport();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->resolved, 1);
  EXPECT_EQ(broker.submit_calls(), 1);
  EXPECT_EQ(broker.orders().size(), 1u);
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kAccepted);
}

TEST_F(OrderManagerTest, CrashBetweenSendingAndStoringTheAnswerResolvedBySync) {
  {
    OrderManager om(store, broker, clock);
    ASSERT_TRUE(om.CreateIntent(Request(), "sma", 0).ok());
    broker.on_submit = [&](const OrderRequest&) {
      store.fail_writes_after = 0;
      return Status::Ok();
    };
    EXPECT_FALSE(om.SubmitPending().ok());
  }
  broker.on_submit = nullptr;
  store.fail_writes_after = -1;
  broker.Execute("sma-GOOG-20240301-b-1", 10, Price::Parse("100").value(), 0, 5'000);
  OrderManager after(store, broker, clock);
  EXPECT_EQ(after.Sync().value_or(-1), 1);
  EXPECT_EQ(broker.submit_calls(), 1);
  EXPECT_EQ(broker.orders().size(), 1u);
  Order o = Stored("sma-GOOG-20240301-b-1");
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.broker_order_id, "B1");
  EXPECT_EQ(after.SubmitPending().value_or(-1), 0);
  EXPECT_EQ(broker.orders().size(), 1u);
}

TEST_F(OrderManagerTest, FillReturnedTwiceIsAppliedOnce) {
  const int64_t signal = ApprovedSignal();
  Sent(Request(), signal);
  Fill f = broker.Execute("sma-GOOG-20240301-b-1", 10, Price::Parse("101.25").value(), 3, 5'000);
  OrderManager om(store, broker, clock);
  EXPECT_EQ(om.Sync().value_or(-1), 1);
  EXPECT_EQ(om.Sync().value_or(-1), 0);  // FillsSince is inclusive: the same fill comes back
  broker.AddFill(f);                     // and the broker reports it a second time
  EXPECT_EQ(om.Sync().value_or(-1), 0);
  EXPECT_EQ(store.ledger().ListFills({})->size(), 1u);
  auto positions = Positions();
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].qty.units(), 10);
  EXPECT_EQ(positions[0].entry_session, kDay);
  Order o = Stored("sma-GOOG-20240301-b-1");
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.filled_qty.units(), 10);
  EXPECT_EQ(SignalState(signal), SignalStatus::kFilled);
}

TEST_F(OrderManagerTest, PartialFillsSumExactly) {
  const int64_t signal = ApprovedSignal();
  Sent(Request(), signal);
  OrderManager om(store, broker, clock);
  broker.Execute("sma-GOOG-20240301-b-1", 3, Price::Parse("100.0625").value(), 1, 5'000);
  EXPECT_EQ(om.Sync().value_or(-1), 1);
  Order o = Stored("sma-GOOG-20240301-b-1");
  EXPECT_EQ(o.status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(o.filled_qty.units(), 3);
  EXPECT_EQ(SignalState(signal), SignalStatus::kPartiallyFilled);
  EXPECT_EQ(Positions()[0].qty.units(), 3);

  broker.Execute("sma-GOOG-20240301-b-1", 7, Price::Parse("100.125").value(), 2, 6'000);
  EXPECT_EQ(om.Sync().value_or(-1), 1);
  o = Stored("sma-GOOG-20240301-b-1");
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.filled_qty.units(), 10);
  EXPECT_EQ(SignalState(signal), SignalStatus::kFilled);
  Position p = Positions()[0];
  EXPECT_EQ(p.qty.units(), 10);
  ASSERT_EQ(p.lots.size(), 2u);
  std::vector<Fill> fills;
  const auto stored_fills = store.ledger().ListFills({.strategy = "sma"}).value();
  for (const auto& [strategy, f] : stored_fills) {
    fills.push_back(f);
  }
  EXPECT_TRUE(CheckPosition(p, fills).ok());
}

TEST_F(OrderManagerTest, OverfillIsRefusedAuditedAndChangesNothing) {
  Sent(Request());
  OrderManager om(store, broker, clock);
  broker.Execute("sma-GOOG-20240301-b-1", 10, Price::Parse("100").value(), 0, 5'000);
  Fill extra;
  extra.execution_id = "X9";
  extra.client_order_id = "sma-GOOG-20240301-b-1";
  extra.symbol = "GOOG";
  extra.side = Side::kBuy;
  extra.qty = Quantity::FromUnits(1);
  extra.price = Price::Parse("100").value();
  extra.session = kDay;
  extra.time_ns = 5'001;
  broker.AddFill(extra);
  EXPECT_EQ(om.Sync().status(),
            Status::Internal("1 fill(s) refused: execution X9 of 1 would fill order "
                             "sma-GOOG-20240301-b-1 to 11 of 10"));
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").filled_qty.units(), 10);
  EXPECT_EQ(Positions()[0].qty.units(), 10);
  EXPECT_EQ(store.ledger().ListFills({})->size(), 1u);
  auto audit = store.audit().List("order:sma-GOOG-20240301-b-1").value();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().action, "fill.refused");
}

TEST_F(OrderManagerTest, FillOfAnotherSideIsRefused) {
  Sent(Request());
  OrderManager om(store, broker, clock);
  Fill wrong;
  wrong.execution_id = "W1";
  wrong.client_order_id = "sma-GOOG-20240301-b-1";
  wrong.symbol = "GOOG";
  wrong.side = Side::kSell;
  wrong.qty = Quantity::FromUnits(1);
  wrong.price = Price::Parse("100").value();
  wrong.time_ns = 5'000;
  broker.AddFill(wrong);
  EXPECT_EQ(om.Sync().status().code(), StatusCode::kInternal);
  EXPECT_TRUE(Positions().empty());
  EXPECT_TRUE(store.ledger().ListFills({})->empty());
}

TEST_F(OrderManagerTest, UnmatchedFillIsAuditedAndSkipped) {
  OrderManager om(store, broker, clock);
  Fill stray;
  stray.execution_id = "S1";
  stray.client_order_id = "manual-1";
  stray.symbol = "GOOG";
  stray.qty = Quantity::FromUnits(1);
  stray.price = Price::Parse("100").value();
  broker.AddFill(stray);
  EXPECT_EQ(om.Sync().value_or(-1), 0);
  auto audit = store.audit().List("order:manual-1").value();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "fill.unmatched");
}

TEST_F(OrderManagerTest, EntryThenExitClosesThePositionWithFifoPnl) {
  Sent(Request());
  OrderManager om(store, broker, clock);
  broker.Execute("sma-GOOG-20240301-b-1", 10, Price::Parse("100").value(), 0, 5'000);
  ASSERT_EQ(om.Sync().value_or(-1), 1);
  Sent(Request("GOOG", Side::kSell, 10));
  broker.Execute("sma-GOOG-20240301-s-1", 10, Price::Parse("104.5").value(), 0, 6'000);
  ASSERT_EQ(om.Sync().value_or(-1), 1);
  EXPECT_TRUE(Positions().empty());
}

TEST_F(OrderManagerTest, BrokerRejectionFailsTheSignal) {
  OrderManager om(store, broker, clock);
  const int64_t signal = ApprovedSignal();
  ASSERT_TRUE(om.CreateIntent(Request(), "sma", signal).ok());
  broker.reject_next_submit = true;
  auto report = om.SubmitPendingReport();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rejected, 1);
  Order o = Stored("sma-GOOG-20240301-b-1");
  EXPECT_EQ(o.status, OrderStatus::kRejected);
  EXPECT_EQ(o.message, "broker: insufficient buying power");
  EXPECT_EQ(SignalState(signal), SignalStatus::kFailed);
  EXPECT_EQ(om.SubmitPending().value_or(-1), 0);  // a rejected order is never resent
  EXPECT_EQ(broker.submit_calls(), 1);
}

TEST_F(OrderManagerTest, ExpiryAtTheBrokerIsPickedUpBySync) {
  const int64_t unfilled = ApprovedSignal("GOOG");
  const int64_t partial = ApprovedSignal("MSFT");
  Sent(Request("GOOG"), unfilled);
  Sent(Request("MSFT"), partial);
  broker.Execute("sma-MSFT-20240301-b-1", 4, Price::Parse("50").value(), 0, 5'000);
  broker.SetStatus("sma-GOOG-20240301-b-1", OrderStatus::kExpired);
  broker.SetStatus("sma-MSFT-20240301-b-1", OrderStatus::kExpired);
  OrderManager om(store, broker, clock);
  EXPECT_EQ(om.Sync().value_or(-1), 1);
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kExpired);
  EXPECT_EQ(SignalState(unfilled), SignalStatus::kCancelled);
  Order m = Stored("sma-MSFT-20240301-b-1");
  EXPECT_EQ(m.status, OrderStatus::kExpired);
  EXPECT_EQ(m.filled_qty.units(), 4);
  EXPECT_EQ(SignalState(partial), SignalStatus::kPartiallyFilled);
}

TEST_F(OrderManagerTest, CancelOpenCancelsAtTheBrokerAndUnsentOnesLocally) {
  const int64_t sent_signal = ApprovedSignal("GOOG");
  Sent(Request("GOOG"), sent_signal);
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(om.CreateIntent(Request("MSFT"), "sma", 0).ok());
  EXPECT_EQ(om.CancelOpen("cli").value_or(-1), 2);
  EXPECT_EQ(broker.cancel_calls(), 1);  // the unsent one never went to the broker
  EXPECT_EQ(broker.orders().at("sma-GOOG-20240301-b-1").second.status, OrderStatus::kCancelled);
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kCancelled);
  EXPECT_EQ(Stored("sma-MSFT-20240301-b-1").status, OrderStatus::kCancelled);
  EXPECT_EQ(SignalState(sent_signal), SignalStatus::kCancelled);
  EXPECT_EQ(om.last_cancelled().size(), 2u);
  EXPECT_EQ(om.SubmitPending().value_or(-1), 0);
  EXPECT_EQ(om.CancelOpen("cli").value_or(-1), 0);
}

TEST_F(OrderManagerTest, BrokerWithoutAnswerLeavesTheOrderUnknownUntilItAnswers) {
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(om.CreateIntent(Request(), "sma", 0).ok());
  broker.unavailable = true;
  EXPECT_EQ(om.SubmitPending().value_or(-1), 0);
  EXPECT_EQ(om.SubmitPending().value_or(-1), 0);
  EXPECT_EQ(om.Sync().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kUnknown);
  broker.unavailable = false;
  EXPECT_EQ(om.SubmitPending().value_or(-1), 1);
  EXPECT_EQ(broker.orders().size(), 1u);
}

}  // namespace
}  // namespace kairos::engine
