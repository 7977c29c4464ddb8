#include "engine/alerts.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "engine/kill_switch.h"
#include "engine/order_manager.h"
#include "engine/signal_book.h"
#include "engine/testing/fakes.h"
#include "engine/trading_day.h"

namespace kairos::engine {
namespace {

using testing::FakeBroker;
using testing::FakeStore;

const Date kDay = Date::FromYmd(2024, 3, 1);
const Date kNext = Date::FromYmd(2024, 3, 4);

Price P(std::string_view text) { return Price::Parse(text).value(); }

class AlertsTest : public ::testing::Test {
 protected:
  std::vector<ports::OutboxMessage> Messages(std::string kind = "") {
    ports::OutboxFilter f;
    f.kind = std::move(kind);
    return store.outbox().List(f).value();
  }
  Signal Entry(std::string strategy, std::string symbol) {
    Signal s;
    s.strategy = std::move(strategy);
    s.symbol = std::move(symbol);
    s.session = kDay;
    s.execute_on = kNext;
    s.reason = "entry_rule";
    s.terms = {{"close", 160}, {"rsi", 27.5}};
    return s;
  }
  Signal Exit(std::string reason) {
    Signal s = Entry("jump", "AAA");
    s.kind = SignalKind::kExit;
    s.side = Side::kSell;
    s.reason = reason;
    s.terms = {{"close", 150}, {reason, 152.95}};
    return s;
  }
  OrderRequest Request(std::string symbol, int64_t qty) {
    OrderRequest r;
    r.client_order_id = ClientOrderId("jump", symbol, kNext, Side::kBuy);
    r.symbol = std::move(symbol);
    r.qty = Quantity::FromUnits(qty);
    r.type = OrderType::kMarket;
    r.tif = TimeInForce::kOpg;
    r.session = kNext;
    return r;
  }

  FakeStore store;
  FakeBroker broker;
  ports::ManualClock clock{1'700'000'000'000'000'000};
  Alerts alerts{store, clock};
};

TEST_F(AlertsTest, APendingSignalIsEnqueuedOnceWithItsIdForTheButtons) {
  SignalBook book(store, clock, &alerts);
  auto first = book.Record(Entry("dip<&>", "M&M"), Approval::kManual).value();
  ASSERT_TRUE(first.second);
  EXPECT_FALSE(book.Record(Entry("dip<&>", "M&M"), Approval::kManual).value().second);
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  const ports::OutboxMessage& m = messages[0];
  EXPECT_EQ(m.kind, "signal.pending");
  EXPECT_EQ(m.key, fmt::format("signal.pending:{}", first.first.id));
  EXPECT_EQ(m.payload, fmt::format("{{\"signal\":{}}}", first.first.id));
  EXPECT_EQ(m.text, fmt::format("<b>Signal awaiting review</b>\ndip&lt;&amp;&gt; buy M&amp;M (#{}, "
                                "entry_rule on 2024-03-01)\nexecutes on 2024-03-04\nclose=160 "
                                "rsi=27.5",
                                first.first.id));
  EXPECT_EQ(m.created_ns, clock.NowNs());
  EXPECT_FALSE(m.silent);
}

TEST_F(AlertsTest, AnAutoApprovedEntryIsNoAlert) {
  SignalBook book(store, clock, &alerts);
  ASSERT_TRUE(book.Record(Entry("jump", "AAA"), Approval::kAuto).ok());
  EXPECT_TRUE(Messages().empty());
}

TEST_F(AlertsTest, AStopExitIsAStopHitAndOtherExitsAreNot) {
  SignalBook book(store, clock, &alerts);
  auto stop = book.Record(Exit("stop_loss"), Approval::kAuto).value().first;
  Signal target = Exit("take_profit");
  target.symbol = "BBB";
  ASSERT_TRUE(book.Record(target, Approval::kAuto).ok());
  Signal trail = Exit("trailing_stop");
  trail.symbol = "CCC";
  ASSERT_TRUE(book.Record(trail, Approval::kAuto).ok());
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].kind, "exit.stop_hit");
  EXPECT_EQ(messages[0].key, fmt::format("exit.stop_hit:{}", stop.id));
  EXPECT_EQ(messages[0].text,
            fmt::format("<b>Stop hit</b>\njump sell AAA (#{}, stop_loss on 2024-03-01)\nclose "
                        "150.00, stop_loss 152.95; exit ordered for 2024-03-04",
                        stop.id));
  EXPECT_EQ(messages[1].kind, "exit.stop_hit");
}

TEST_F(AlertsTest, AnOrderIsSentThenFilledOncePerExecution) {
  OrderManager om(store, broker, clock, &alerts);
  OrderRequest r = Request("AAA", 10);
  ASSERT_TRUE(om.CreateIntent(r, "jump", 0).ok());
  EXPECT_TRUE(Messages().empty());  // an intent is not news
  ASSERT_EQ(om.SubmitPending().value(), 1);
  ASSERT_EQ(Messages("order.sent").size(), 1u);
  EXPECT_EQ(Messages("order.sent")[0].text,
            "<b>Order sent</b>\njump buy 10 AAA (market opg) for 2024-03-04\n"
            "<code>jump-AAA-20240304-b-1</code>");
  broker.Execute(r.client_order_id, 4, P("161"), 100, 1);
  broker.Execute(r.client_order_id, 6, P("161.5"), 100, 2);
  ASSERT_EQ(om.Sync().value(), 2);
  ASSERT_EQ(om.Sync().value(), 0);  // the same fills seen again
  ASSERT_EQ(om.SubmitPending().value(), 0);
  auto filled = Messages("order.filled");
  ASSERT_EQ(filled.size(), 2u);
  EXPECT_EQ(filled[0].key, "order.filled:jump-AAA-20240304-b-1-1");
  EXPECT_EQ(filled[0].text,
            "<b>Filled</b>\njump buy 4 AAA at 161.00 (fees 1.00), 4 of 10 filled\n"
            "<code>jump-AAA-20240304-b-1</code>");
  EXPECT_EQ(filled[1].key, "order.filled:jump-AAA-20240304-b-1-2");
  EXPECT_EQ(Messages().size(), 3u);
}

TEST_F(AlertsTest, ARejectedOrderIsARejectionNotASend) {
  OrderManager om(store, broker, clock, &alerts);
  ASSERT_TRUE(om.CreateIntent(Request("AAA", 10), "jump", 0).ok());
  broker.reject_next_submit = true;
  ASSERT_TRUE(om.SubmitPending().ok());
  ASSERT_TRUE(om.SubmitPending().ok());
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].kind, "order.rejected");
  EXPECT_EQ(messages[0].key, "order.rejected:jump-AAA-20240304-b-1");
  EXPECT_EQ(messages[0].text,
            "<b>Order rejected</b>\njump buy 10 AAA (market opg) for 2024-03-04: broker: "
            "insufficient buying power\n<code>jump-AAA-20240304-b-1</code>");
}

TEST_F(AlertsTest, AnOrderFoundAtTheBrokerAfterALostAnswerIsSentOnce) {
  OrderManager om(store, broker, clock, &alerts);
  ASSERT_TRUE(om.CreateIntent(Request("AAA", 10), "jump", 0).ok());
  broker.drop_next_submit_answer = true;
  ASSERT_TRUE(om.SubmitPending().ok());
  EXPECT_TRUE(Messages().empty());  // outcome unknown: nothing to tell yet
  ASSERT_TRUE(om.SubmitPending().ok());
  ASSERT_TRUE(om.Sync().ok());
  EXPECT_EQ(Messages("order.sent").size(), 1u);
  EXPECT_EQ(Messages().size(), 1u);
}

TEST_F(AlertsTest, HaltAndResumeAreEnqueuedOnceEach) {
  clock.AdvanceTo(clock.NowNs() + 1);
  OrderManager om(store, broker, clock, &alerts);
  ASSERT_TRUE(Halt(store, om, broker, false, "cli", "<drill>").ok());
  ASSERT_TRUE(Halt(store, om, broker, false, "cli", "again").ok());  // already on
  ASSERT_TRUE(Resume(store, "telegram:7", clock.NowNs(), &alerts).value());
  EXPECT_FALSE(Resume(store, "cli", clock.NowNs(), &alerts).value());
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].kind, "halt");
  EXPECT_EQ(messages[0].key, fmt::format("halt:{}", clock.NowNs()));
  EXPECT_EQ(messages[0].text,
            "<b>Trading halted</b> by cli: &lt;drill&gt;\nNo order that adds exposure is sent "
            "until trading is resumed.");
  EXPECT_EQ(messages[1].kind, "resume");
  EXPECT_EQ(messages[1].key, fmt::format("resume:{}", clock.NowNs()));
  EXPECT_EQ(messages[1].text,
            "<b>Trading resumed</b> by telegram:7 (halted by cli: &lt;drill&gt;)");
}

TEST_F(AlertsTest, AnAlertIsRolledBackWithItsChange) {
  SignalBook book(store, clock, &alerts);
  Status st = store.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(book.Record(Entry("dip", "AAA"), Approval::kManual).status());
    return Status::Internal("the change failed after the alert");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(store.signals().List({}).value().empty());
  EXPECT_TRUE(Messages().empty());
}

TEST_F(AlertsTest, AChangeIsRolledBackWhenItsAlertCannotBeStored) {
  SignalBook book(store, clock, &alerts);
  store.fail_writes_after = 1;  // the signal is written, its alert is not
  EXPECT_FALSE(book.Record(Entry("dip", "AAA"), Approval::kManual).ok());
  store.fail_writes_after = -1;
  EXPECT_TRUE(store.signals().List({}).value().empty());
  EXPECT_TRUE(Messages().empty());
}

TEST_F(AlertsTest, AnOverfillRefusedEnqueuesNoFill) {
  OrderManager om(store, broker, clock, &alerts);
  OrderRequest r = Request("AAA", 10);
  ASSERT_TRUE(om.CreateIntent(r, "jump", 0).ok());
  ASSERT_TRUE(om.SubmitPending().ok());
  broker.Execute(r.client_order_id, 10, P("161"), 0, 1);
  Fill extra = broker.Execute(r.client_order_id, 1, P("161"), 0, 2);
  (void)extra;
  EXPECT_FALSE(om.Sync().ok());
  EXPECT_EQ(Messages("order.filled").size(), 1u);
}

TEST_F(AlertsTest, KindsSwitchedOffAreKeptButNeverPendingAndSilentOnesAreMarked) {
  Alerts quiet(store, clock, {.off = {"order.sent"}, .silent = {"order.filled"}});
  OrderManager om(store, broker, clock, &quiet);
  OrderRequest r = Request("AAA", 10);
  ASSERT_TRUE(om.CreateIntent(r, "jump", 0).ok());
  ASSERT_TRUE(om.SubmitPending().ok());
  broker.Execute(r.client_order_id, 10, P("161"), 0, 1);
  ASSERT_TRUE(om.Sync().ok());
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].kind, "order.sent");
  EXPECT_EQ(messages[0].external_id, kOffDelivery);
  EXPECT_NE(messages[0].sent_ns, 0);
  EXPECT_EQ(messages[1].kind, "order.filled");
  EXPECT_TRUE(messages[1].silent);
  auto pending = store.outbox().Pending(0);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].kind, "order.filled");
}

// The trading day with alerts (paper, daemon) and without (a backtest).
class TradingDayAlertsTest : public AlertsTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kairos_alerts_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    marketdata::BarStoreOptions opts;
    opts.sync = false;
    bars_ = marketdata::BarStore::Open(dir_, opts).value();
    const auto& nyse = *calendar::ExchangeCalendar::ForExchange("NYSE").value();
    BarSeries s;
    s.instrument = {"AAA", "NYSE"};
    for (Date d : nyse.Sessions(Date::FromYmd(2024, 1, 2), Date::FromYmd(2024, 3, 28))) {
      double c = d == kDay ? 160 : 100;
      s.Append({d, c, c, c, c, 1'000'000});
    }
    ASSERT_TRUE(bars_->Upsert(s).ok());
    StrategySpec spec;
    spec.name = "dip";
    spec.symbols = {"AAA"};
    spec.entry = "close > 150";
    spec.approval = Approval::kManual;
    spec.allocation = 1'000'000;
    spec.sizing.method = SizingSpec::Method::kFixedQty;
    spec.sizing.qty = 10;
    ASSERT_TRUE(store.strategies().Import(spec, "text").ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void RunFriday(Alerts* with) {
    const auto& nyse = *calendar::ExchangeCalendar::ForExchange("NYSE").value();
    OrderManager om(store, broker, clock, with);
    TradingDay day(store, broker, clock, *bars_, nyse, om, nullptr, {.alerts = with});
    calendar::Session s = nyse.SessionOf(kDay).value();
    clock.AdvanceTo(s.close.nanos() - 60'000'000'000);
    ASSERT_TRUE(day.AtClose(kDay).ok());
    ASSERT_TRUE(day.AtClose(kDay).ok());  // again: nothing new
    ASSERT_TRUE(day.ScanEntries(kDay, Timeframe::kDaily).ok());
  }

  std::filesystem::path dir_;
  std::unique_ptr<marketdata::BarStore> bars_;
};

TEST_F(TradingDayAlertsTest, ASignalForReviewIsOneAlertHoweverOftenThePhaseRuns) {
  RunFriday(&alerts);
  auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].kind, "signal.pending");
}

TEST_F(TradingDayAlertsTest, ABacktestWithoutAlertsEnqueuesNothing) {
  RunFriday(nullptr);
  EXPECT_EQ(store.signals().List({}).value().size(), 1u);
  EXPECT_TRUE(Messages().empty());
}

}  // namespace
}  // namespace kairos::engine
