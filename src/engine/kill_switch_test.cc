#include "engine/kill_switch.h"

#include <gtest/gtest.h>

#include "engine/testing/fakes.h"

namespace kairos::engine {
namespace {

using testing::FakeBroker;
using testing::FakeStore;

const Date kDay = Date::FromYmd(2024, 3, 1);
const Date kNext = Date::FromYmd(2024, 3, 4);

class KillSwitchTest : public ::testing::Test {
 protected:
  OrderRequest Request(std::string strategy, std::string symbol, Side side, int64_t qty,
                       Date day = kDay) {
    OrderRequest r;
    r.client_order_id = ClientOrderId(strategy, symbol, day, side);
    r.symbol = std::move(symbol);
    r.side = side;
    r.qty = Quantity::FromUnits(qty);
    r.session = day;
    return r;
  }
  // A filled position of `qty` (negative: short) for `strategy` in `symbol`.
  void Hold(std::string strategy, std::string symbol, int64_t qty) {
    OrderManager om(store, broker, clock);
    OrderRequest r = Request(strategy, symbol, qty > 0 ? Side::kBuy : Side::kSell, std::abs(qty));
    ASSERT_TRUE(om.CreateIntent(r, strategy, 0).ok());
    ASSERT_EQ(om.SubmitPending().value_or(-1), 1);
    broker.Execute(r.client_order_id, std::abs(qty), Price::Parse("100").value(), 0, ++fill_time);
    ASSERT_EQ(om.Sync().value_or(-1), 1);
  }
  std::vector<Position> AllPositions() { return store.ledger().Positions("").value(); }
  Order Stored(std::string_view cid) { return store.orders().GetByClientId(cid).value().value(); }

  FakeStore store;
  FakeBroker broker;
  ports::ManualClock clock{1'700'000'000'000'000'000};
  int64_t fill_time = 10'000;
};

TEST_F(KillSwitchTest, NothingIsSubmittedWhileHaltedEvenAfterARestart) {
  OrderManager om(store, broker, clock);
  EXPECT_FALSE(IsHalted(store));
  auto halt = Halt(store, om, broker, false, "cli", "broker outage");
  ASSERT_TRUE(halt.ok()) << halt.status().ToString();
  EXPECT_FALSE(halt->already_halted);
  EXPECT_TRUE(IsHalted(store));
  auto record = GetHalt(store).value();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->actor, "cli");
  EXPECT_EQ(record->reason, "broker outage");
  EXPECT_EQ(record->time_ns, clock.NowNs());
  EXPECT_NE(store.state().Get(kHaltKey).value()->find("\"time\":\"2023-11-14T22:13:20Z\""),
            std::string::npos);

  ASSERT_TRUE(om.CreateIntent(Request("sma", "GOOG", Side::kBuy, 10), "sma", 0).ok());
  auto report = om.SubmitPendingReport();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->sent, 0);
  EXPECT_EQ(report->refused, 1);
  EXPECT_EQ(broker.submit_calls(), 0);

  // A restart: a new manager over the same store.
  OrderManager restarted(store, broker, clock);
  EXPECT_EQ(restarted.SubmitPending().value_or(-1), 0);
  EXPECT_EQ(broker.submit_calls(), 0);
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kNew);

  EXPECT_TRUE(Resume(store, "cli", clock.NowNs()).value());
  EXPECT_FALSE(IsHalted(store));
  EXPECT_EQ(restarted.SubmitPending().value_or(-1), 1);
  EXPECT_EQ(broker.orders().size(), 1u);
  EXPECT_FALSE(Resume(store, "cli").value());  // not halted any more
}

TEST_F(KillSwitchTest, OnlyExposureReducingOrdersPassWhileHalted) {
  Hold("sma", "GOOG", 10);
  Hold("shorty", "MSFT", -5);
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(Halt(store, om, broker, false, "cli", "test").ok());
  const int before = broker.submit_calls();
  // A sell of the whole long and a buy covering part of the short reduce exposure.
  ASSERT_TRUE(om.CreateIntent(Request("sma", "GOOG", Side::kSell, 10, kNext), "sma", 0).ok());
  ASSERT_TRUE(om.CreateIntent(Request("shorty", "MSFT", Side::kBuy, 3, kNext), "shorty", 0).ok());
  // Adding to the long, selling through zero and a new symbol do not.
  ASSERT_TRUE(om.CreateIntent(Request("sma", "GOOG", Side::kBuy, 1, kNext), "sma", 0).ok());
  ASSERT_TRUE(
      om.CreateIntent(Request("shorty", "MSFT", Side::kBuy, 6, kNext.AddDays(1)), "shorty", 0)
          .ok());
  ASSERT_TRUE(om.CreateIntent(Request("sma", "AAPL", Side::kBuy, 1, kNext), "sma", 0).ok());
  auto report = om.SubmitPendingReport();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->sent, 2);
  EXPECT_EQ(report->refused, 3);
  EXPECT_EQ(broker.submit_calls() - before, 2);
  EXPECT_TRUE(broker.orders().contains("sma-GOOG-20240304-s-1"));
  EXPECT_TRUE(broker.orders().contains("shorty-MSFT-20240304-b-1"));
}

TEST_F(KillSwitchTest, TwoExitsCannotTogetherFlipAPositionWhileHalted) {
  Hold("sma", "GOOG", 10);
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(Halt(store, om, broker, false, "cli", "test").ok());
  ASSERT_TRUE(om.CreateIntent(Request("sma", "GOOG", Side::kSell, 10, kNext), "sma", 0).ok());
  ASSERT_TRUE(
      om.CreateIntent(Request("sma", "GOOG", Side::kSell, 10, kNext.AddDays(1)), "sma", 0).ok());
  auto report = om.SubmitPendingReport();
  EXPECT_EQ(report->sent, 1);
  EXPECT_EQ(report->refused, 1);
}

TEST_F(KillSwitchTest, HaltCancelsOpenOrders) {
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(om.CreateIntent(Request("sma", "GOOG", Side::kBuy, 10), "sma", 0).ok());
  ASSERT_EQ(om.SubmitPending().value_or(-1), 1);
  ASSERT_TRUE(om.CreateIntent(Request("sma", "MSFT", Side::kBuy, 10), "sma", 0).ok());
  auto halt = Halt(store, om, broker, false, "cli", "test");
  ASSERT_TRUE(halt.ok());
  EXPECT_EQ(halt->cancelled, 2);
  EXPECT_EQ(halt->cancelled_ids,
            (std::vector<std::string>{"sma-GOOG-20240301-b-1", "sma-MSFT-20240301-b-1"}));
  EXPECT_EQ(broker.orders().at("sma-GOOG-20240301-b-1").second.status, OrderStatus::kCancelled);
  EXPECT_FALSE(broker.orders().contains("sma-MSFT-20240301-b-1"));
  EXPECT_EQ(Stored("sma-MSFT-20240301-b-1").status, OrderStatus::kCancelled);
  EXPECT_TRUE(halt->squareoff_ids.empty());
  auto audit = store.audit().List("system:halt").value();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "halt");
  EXPECT_EQ(audit[0].actor, "cli");
}

TEST_F(KillSwitchTest, SquareoffClosesEveryPositionAtMarket) {
  Hold("sma", "GOOG", 10);
  Hold("shorty", "MSFT", -5);
  OrderManager om(store, broker, clock);
  auto halt = Halt(store, om, broker, true, "cli", "panic", kNext);
  ASSERT_TRUE(halt.ok()) << halt.status().ToString();
  EXPECT_EQ(halt->squareoff_ids,
            (std::vector<std::string>{"shorty-MSFT-20240304-b-sq", "sma-GOOG-20240304-s-sq"}));
  EXPECT_EQ(halt->squareoff_submitted, 2);
  EXPECT_TRUE(halt->problems.empty());
  const auto& [sell_req, sell] = broker.orders().at("sma-GOOG-20240304-s-sq");
  EXPECT_EQ(sell_req.qty.units(), 10);
  EXPECT_EQ(sell_req.side, Side::kSell);
  EXPECT_EQ(sell_req.type, OrderType::kMarket);
  EXPECT_EQ(broker.orders().at("shorty-MSFT-20240304-b-sq").first.qty.units(), 5);
  // Each exit has an exit signal with reason squareoff, now ordered.
  auto signals = store.signals().List({.status = SignalStatus::kOrdered}).value();
  ASSERT_EQ(signals.size(), 2u);
  EXPECT_EQ(signals[0].reason, "squareoff");
  EXPECT_EQ(signals[0].kind, SignalKind::kExit);
  // Who squared off is in the audit log (the signal's decided_by now records the order step).
  auto audit = store.audit().List("order:sma-GOOG-20240304-s-sq").value();
  ASSERT_GE(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "order.intent");
  EXPECT_EQ(audit[1].action, "squareoff");
  EXPECT_EQ(audit[1].actor, "cli");

  broker.Execute("sma-GOOG-20240304-s-sq", 10, Price::Parse("90").value(), 0, ++fill_time);
  broker.Execute("shorty-MSFT-20240304-b-sq", 5, Price::Parse("95").value(), 0, ++fill_time);
  EXPECT_EQ(om.Sync().value_or(-1), 2);
  EXPECT_TRUE(AllPositions().empty());
  EXPECT_TRUE(IsHalted(store));
}

TEST_F(KillSwitchTest, SecondSquareoffAfterAnUnfilledOneUsesTheNextAttempt) {
  Hold("sma", "GOOG", 10);
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(Halt(store, om, broker, true, "cli", "first", kNext).ok());
  broker.SetStatus("sma-GOOG-20240304-s-sq", OrderStatus::kExpired);
  ASSERT_EQ(om.Sync().value_or(-1), 0);
  auto again = Halt(store, om, broker, true, "cli", "second", kNext);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_halted);
  EXPECT_EQ(again->squareoff_ids, std::vector<std::string>{"sma-GOOG-20240304-s-sq2"});
  EXPECT_EQ(broker.orders().size(), 3u);               // the entry, the expired exit, the new exit
  EXPECT_EQ(GetHalt(store).value()->reason, "first");  // the original halt is kept
}

TEST_F(KillSwitchTest, SecondHaltKeepsTheWorkingSquareoffOrders) {
  Hold("sma", "GOOG", 10);
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(Halt(store, om, broker, true, "cli", "first", kNext).ok());
  ASSERT_EQ(Stored("sma-GOOG-20240304-s-sq").status, OrderStatus::kAccepted);
  // An entry placed after (say, by hand at the broker's side of the store) is still cancelled.
  OrderRequest entry = Request("sma", "MSFT", Side::kBuy, 3, kNext);
  ASSERT_TRUE(om.CreateIntent(entry, "sma", 0).ok());
  auto again = Halt(store, om, broker, true, "cli", "second", kNext);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->cancelled_ids, std::vector<std::string>{entry.client_order_id});
  EXPECT_EQ(Stored("sma-GOOG-20240304-s-sq").status, OrderStatus::kAccepted);
  EXPECT_EQ(again->squareoff_ids, std::vector<std::string>{"sma-GOOG-20240304-s-sq"});
  EXPECT_EQ(broker.orders().count("sma-GOOG-20240304-s-sq2"), 0u);
  EXPECT_TRUE(IsSquareOffOrder(Stored("sma-GOOG-20240304-s-sq")));
  EXPECT_FALSE(IsSquareOffOrder(Stored(entry.client_order_id)));
  broker.Execute("sma-GOOG-20240304-s-sq", 10, Price::Parse("90").value(), 0, ++fill_time);
  EXPECT_EQ(om.Sync().value_or(-1), 1);
  EXPECT_TRUE(AllPositions().empty());
}

TEST_F(KillSwitchTest, HaltIsStoredEvenWhenTheBrokerDoesNotAnswer) {
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(om.CreateIntent(Request("sma", "GOOG", Side::kBuy, 10), "sma", 0).ok());
  ASSERT_EQ(om.SubmitPending().value_or(-1), 1);
  broker.unavailable = true;
  auto halt = Halt(store, om, broker, false, "cli", "outage");
  ASSERT_TRUE(halt.ok());
  EXPECT_TRUE(IsHalted(store));
  EXPECT_EQ(halt->cancelled, 0);
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kAccepted);  // still open
}

TEST_F(KillSwitchTest, HaltThatCannotBeStoredIsAnErrorAndDoesNothingElse) {
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(om.CreateIntent(Request("sma", "GOOG", Side::kBuy, 10), "sma", 0).ok());
  store.fail_writes_after = 0;
  EXPECT_EQ(Halt(store, om, broker, true, "cli", "x").status(),
            Status::Unavailable("injected store failure"));
  store.fail_writes_after = -1;
  EXPECT_FALSE(IsHalted(store));
  EXPECT_EQ(Stored("sma-GOOG-20240301-b-1").status, OrderStatus::kNew);
}

TEST_F(KillSwitchTest, ResumeIsAudited) {
  OrderManager om(store, broker, clock);
  ASSERT_TRUE(Halt(store, om, broker, false, "cli", "x").ok());
  ASSERT_TRUE(Resume(store, "telegram:42", 77).value());
  auto audit = store.audit().List("system:halt").value();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action, "resume");
  EXPECT_EQ(audit[1].actor, "telegram:42");
  EXPECT_EQ(audit[1].time_ns, 77);
}

}  // namespace
}  // namespace kairos::engine
