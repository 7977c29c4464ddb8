// The order path against the real SQLite store and the real paper broker: the crash scenarios of
// issue 5 with the database file closed and reopened between steps (a process restart) and the
// paper broker's injected faults. The broker's own state is persisted by its callback and restored
// after each "crash", as a real broker keeps its orders while kairos restarts.
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/sim_broker/paper_broker.h"
#include "adapters/sqlite/sqlite_store.h"
#include "calendar/calendar.h"
#include "engine/kill_switch.h"
#include "engine/ledger.h"
#include "engine/order_manager.h"

namespace kairos {
namespace {

namespace fs = std::filesystem;
using engine::ClientOrderId;
using engine::OrderManager;
using sim_broker::PaperBroker;

// NYSE, May 2024 (EDT): the open is 13:30 UTC.
const Date kD0 = Date::FromYmd(2024, 4, 30);
const Date kD1 = Date::FromYmd(2024, 5, 1);
const Date kD2 = Date::FromYmd(2024, 5, 2);

int64_t At(Date d, std::string_view hhmmss) {
  return Timestamp::Parse(fmt::format("{}T{}Z", d, hhmmss)).value().nanos();
}

class Bars : public ports::BarSource {
 public:
  Result<std::optional<Bar>> BarOn(std::string_view symbol, Date session) override {
    if (symbol != "ABC") return std::optional<Bar>();
    if (session == kD1) return std::optional<Bar>(Bar{kD1, 100, 105, 95, 102, 1'000});
    if (session == kD2) return std::optional<Bar>(Bar{kD2, 103, 106, 101, 104, 1'000});
    return std::optional<Bar>();
  }
};

class OrderPathTest : public ::testing::Test {
 protected:
  OrderPathTest() : clock_(At(kD0, "22:00:00")) {
    const fs::path base =
        fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string pattern = (base / "kairos-order-path-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    calendar_ = calendar::ExchangeCalendar::ForExchange("NYSE").value();
  }
  ~OrderPathTest() override {
    om_.reset();
    broker_.reset();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  PaperBroker::Options Options() {
    PaperBroker::Options o;
    o.starting_cash = 1'000'000'00;
    o.max_participation = participation_;
    o.persist = [this](std::string_view state) {
      broker_state_ = std::string(state);
      return Status::Ok();
    };
    return o;
  }
  // Starts (or restarts) kairos: the store file is opened afresh, the broker restored from what it
  // persisted, a new OrderManager built. Everything in memory before is gone.
  void Start() {
    om_.reset();
    broker_.reset();
    store_.reset();
    auto store = adapters::sqlite::OpenStore(dir_ / "kairos.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    if (broker_state_.empty()) {
      broker_ = std::make_unique<PaperBroker>(clock_, bars_, *calendar_, Options());
    } else {
      auto b = PaperBroker::Restore(broker_state_, clock_, bars_, *calendar_, Options());
      ASSERT_TRUE(b.ok()) << b.status().ToString();
      broker_ = std::move(*b);
    }
    om_ = std::make_unique<OrderManager>(*store_, *broker_, clock_);
  }
  OrderRequest Request(int64_t qty = 10, TimeInForce tif = TimeInForce::kOpg) {
    OrderRequest r;
    r.client_order_id = ClientOrderId("sma", "ABC", kD1, Side::kBuy);
    r.symbol = "ABC";
    r.side = Side::kBuy;
    r.qty = Quantity::FromUnits(qty);
    r.tif = tif;
    r.session = kD1;
    return r;
  }
  // Orders the broker holds, from its persisted state (the invariant: one per intent).
  size_t BrokerOrderCount() {
    if (broker_state_.empty()) return 0;
    return nlohmann::json::parse(broker_state_).at("orders").size();
  }
  Order Stored(std::string_view cid) { return store_->orders().GetByClientId(cid).value().value(); }
  int64_t HeldQty() {
    auto positions = store_->ledger().Positions("sma").value();
    return positions.empty() ? 0 : positions[0].qty.units();
  }

  fs::path dir_;
  ports::ManualClock clock_;
  Bars bars_;
  const calendar::ExchangeCalendar* calendar_ = nullptr;
  double participation_ = 0;
  std::string broker_state_;
  std::unique_ptr<ports::Store> store_;
  std::unique_ptr<PaperBroker> broker_;
  std::unique_ptr<OrderManager> om_;
};

TEST_F(OrderPathTest, CrashBetweenStoringTheIntentAndSendingIt) {
  Start();
  const int64_t signal = [&] {
    Signal s;
    s.strategy = "sma";
    s.symbol = "ABC";
    s.session = kD0;
    s.status = SignalStatus::kApproved;
    return store_->signals().Insert(s).value().first.id;
  }();
  ASSERT_TRUE(om_->CreateIntent(Request(), "sma", signal).ok());
  Start();  // crash: the intent is in the file, nothing was sent
  EXPECT_EQ(Stored(Request().client_order_id).status, OrderStatus::kNew);
  EXPECT_EQ(BrokerOrderCount(), 0u);
  EXPECT_EQ(om_->SubmitPending().value_or(-1), 1);
  Start();
  EXPECT_EQ(om_->SubmitPending().value_or(-1), 0);
  EXPECT_EQ(BrokerOrderCount(), 1u);

  clock_.AdvanceTo(At(kD1, "13:30:00"));
  EXPECT_EQ(om_->Sync().value_or(-1), 1);
  Start();
  EXPECT_EQ(om_->Sync().value_or(-1), 0);  // the cursor and the fill are in the file
  Order o = Stored(Request().client_order_id);
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.broker_order_id, "paper-1");
  EXPECT_EQ(HeldQty(), 10);
  EXPECT_EQ(store_->signals().Get(signal).value()->status, SignalStatus::kFilled);
  EXPECT_EQ(BrokerOrderCount(), 1u);
}

TEST_F(OrderPathTest, CrashBetweenSendingAndStoringTheAnswer) {
  Start();
  ASSERT_TRUE(om_->CreateIntent(Request(), "sma", 0).ok());
  broker_->InjectFault(PaperBroker::Fault::kDropNextSubmitAnswer);
  auto report = om_->SubmitPendingReport();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->unknown, 1);
  EXPECT_EQ(Stored(Request().client_order_id).status, OrderStatus::kUnknown);
  EXPECT_EQ(BrokerOrderCount(), 1u);  // the broker has it; we do not know

  Start();
  report = om_->SubmitPendingReport();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->resolved, 1);
  EXPECT_EQ(report->sent, 0);
  EXPECT_EQ(Stored(Request().client_order_id).status, OrderStatus::kAccepted);
  EXPECT_EQ(BrokerOrderCount(), 1u);

  clock_.AdvanceTo(At(kD1, "13:30:00"));
  Start();
  EXPECT_EQ(om_->Sync().value_or(-1), 1);
  EXPECT_EQ(HeldQty(), 10);
  EXPECT_EQ(BrokerOrderCount(), 1u);
}

// The process dies after the broker took the order and before anything but "submitted" was
// written: the next start resolves it by asking, through Sync (after the fill) as well.
TEST_F(OrderPathTest, CrashRightAfterTheBrokerTookTheOrderResolvedBySync) {
  Start();
  Order o = om_->CreateIntent(Request(), "sma", 0).value();
  o.status = OrderStatus::kSubmitted;
  ASSERT_TRUE(store_->orders().Update(o).ok());
  ASSERT_TRUE(broker_->Submit(o.request).ok());  // what the dead process had sent
  clock_.AdvanceTo(At(kD1, "13:30:00"));
  Start();
  EXPECT_EQ(om_->Sync().value_or(-1), 1);
  Order after = Stored(Request().client_order_id);
  EXPECT_EQ(after.status, OrderStatus::kFilled);
  EXPECT_EQ(after.broker_order_id, "paper-1");
  EXPECT_EQ(om_->SubmitPending().value_or(-1), 0);
  EXPECT_EQ(BrokerOrderCount(), 1u);
  EXPECT_EQ(HeldQty(), 10);
}

TEST_F(OrderPathTest, RefusedConnectionIsResentUnderTheSameId) {
  Start();
  ASSERT_TRUE(om_->CreateIntent(Request(), "sma", 0).ok());
  broker_->InjectFault(PaperBroker::Fault::kFailNextSubmit);
  ASSERT_TRUE(om_->SubmitPending().ok());
  EXPECT_EQ(Stored(Request().client_order_id).status, OrderStatus::kUnknown);
  EXPECT_EQ(BrokerOrderCount(), 0u);
  Start();
  EXPECT_EQ(om_->SubmitPending().value_or(-1), 1);
  EXPECT_EQ(BrokerOrderCount(), 1u);
  EXPECT_TRUE(broker_->OrderByClientId(Request().client_order_id).value().has_value());
}

// The broker never receives the order, three times over (the process dies between marking it
// submitted and the broker taking it, or the call fails), and kairos restarts each time: one
// broker order, and the audit log holds one order.submit for it, each send again an order.resend.
TEST_F(OrderPathTest, SendsAgainAfterRestartsAuditOneSubmitPerBrokerOrder) {
  Start();
  ASSERT_TRUE(om_->CreateIntent(Request(), "sma", 0).ok());
  for (int attempt = 0; attempt < 3; ++attempt) {
    broker_->InjectFault(PaperBroker::Fault::kFailNextSubmit);
    ASSERT_TRUE(om_->SubmitPending().ok());
    EXPECT_EQ(Stored(Request().client_order_id).status, OrderStatus::kUnknown);
    Start();
  }
  EXPECT_EQ(om_->SubmitPending().value_or(-1), 1);
  Start();
  EXPECT_EQ(om_->SubmitPending().value_or(-1), 0);
  EXPECT_EQ(BrokerOrderCount(), 1u);
  const std::vector<AuditEntry> audit = store_->audit().List("order:").value();
  std::map<std::string, int> actions;
  for (const AuditEntry& e : audit) ++actions[e.action];
  EXPECT_EQ(actions["order.submit"], 1);
  EXPECT_EQ(actions["order.resend"], 3);
  EXPECT_EQ(actions["order.intent"], 1);
}

TEST_F(OrderPathTest, PartialFillsAcrossSessionsSumExactly) {
  participation_ = 0.003;  // 3 of the bar's 1,000 shares per session
  Start();
  ASSERT_TRUE(om_->CreateIntent(Request(5, TimeInForce::kGtc), "sma", 0).ok());
  ASSERT_EQ(om_->SubmitPending().value_or(-1), 1);
  clock_.AdvanceTo(At(kD1, "13:30:00"));
  EXPECT_EQ(om_->Sync().value_or(-1), 1);
  Order o = Stored(Request().client_order_id);
  EXPECT_EQ(o.status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(o.filled_qty.units(), 3);
  Start();
  clock_.AdvanceTo(At(kD2, "13:30:00"));
  EXPECT_EQ(om_->Sync().value_or(-1), 1);
  o = Stored(Request().client_order_id);
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.filled_qty.units(), 5);
  EXPECT_EQ(HeldQty(), 5);
  std::vector<Fill> fills;
  const auto stored_fills = store_->ledger().ListFills({}).value();
  for (const auto& [strategy, f] : stored_fills) fills.push_back(f);
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_TRUE(engine::CheckPosition(store_->ledger().Positions("sma").value()[0], fills).ok());
}

TEST_F(OrderPathTest, HaltSurvivesARestartAndNothingReachesTheBroker) {
  Start();
  ASSERT_TRUE(engine::Halt(*store_, *om_, *broker_, false, "cli", "test").ok());
  Start();
  EXPECT_TRUE(engine::IsHalted(*store_));
  ASSERT_TRUE(om_->CreateIntent(Request(), "sma", 0).ok());
  EXPECT_EQ(om_->SubmitPending().value_or(-1), 0);
  Start();
  EXPECT_EQ(om_->SubmitPending().value_or(-1), 0);
  EXPECT_EQ(BrokerOrderCount(), 0u);
  EXPECT_TRUE(engine::Resume(*store_, "cli").value());
  Start();
  EXPECT_EQ(om_->SubmitPending().value_or(-1), 1);
  EXPECT_EQ(BrokerOrderCount(), 1u);
}

TEST_F(OrderPathTest, SquareoffClosesThePositionThroughThePaperBroker) {
  Start();
  ASSERT_TRUE(om_->CreateIntent(Request(), "sma", 0).ok());
  ASSERT_EQ(om_->SubmitPending().value_or(-1), 1);
  clock_.AdvanceTo(At(kD1, "13:30:00"));
  ASSERT_EQ(om_->Sync().value_or(-1), 1);
  clock_.AdvanceTo(At(kD1, "15:00:00"));
  auto halt = engine::Halt(*store_, *om_, *broker_, true, "cli", "panic", kD1);
  ASSERT_TRUE(halt.ok()) << halt.status().ToString();
  EXPECT_EQ(halt->squareoff_ids, std::vector<std::string>{"sma-ABC-20240501-s-sq"});
  EXPECT_EQ(halt->squareoff_submitted, 1);
  clock_.AdvanceTo(At(kD1, "20:00:00"));  // a day market order submitted in the session: the close
  Start();
  EXPECT_EQ(om_->Sync().value_or(-1), 1);
  EXPECT_EQ(HeldQty(), 0);
  EXPECT_EQ(Stored("sma-ABC-20240501-s-sq").status, OrderStatus::kFilled);
}

}  // namespace
}  // namespace kairos
