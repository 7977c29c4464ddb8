// The order path (engine::OrderManager over the SQLite store) against the Alpaca adapter and its
// stand-in with faults: what a trader needs after each one is exactly one order at the broker and
// a known state in kairos's books, fills applied once.
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/alpaca/alpaca_broker.h"
#include "adapters/alpaca/testing/alpaca_standin.h"
#include "adapters/http_client/curl_transport.h"
#include "adapters/sqlite/sqlite_store.h"
#include "engine/order_manager.h"

namespace kairos {
namespace {

namespace fs = std::filesystem;
using alpaca::testing::AlpacaStandin;
using engine::ClientOrderId;
using engine::OrderManager;
using nlohmann::json;

const Date kDay = Date::FromYmd(2026, 12, 7);

class AlpacaOrderPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(standin_.ok()) << standin_.error();
    std::string pattern = (fs::temp_directory_path() / "kairos-alpaca-path-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    auto store = adapters::sqlite::OpenStore(dir_ / "kairos.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    broker_ = std::make_unique<alpaca::AlpacaBroker>(standin_.Config(), http::MakeCurlTransport());
    om_ = std::make_unique<OrderManager>(*store_, *broker_, clock_);
  }
  void TearDown() override {
    om_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string Intent(std::string symbol, int64_t qty) {
    OrderRequest r;
    r.client_order_id = ClientOrderId("sma", symbol, kDay, Side::kBuy);
    r.symbol = std::move(symbol);
    r.qty = Quantity::FromUnits(qty);
    r.session = kDay;
    EXPECT_TRUE(om_->CreateIntent(r, "sma", 0).ok());
    return r.client_order_id;
  }
  Order Stored(std::string_view cid) { return store_->orders().GetByClientId(cid).value().value(); }
  int AtBroker(std::string_view cid) {
    int n = 0;
    for (const json& o : standin_.Orders()) n += o["client_order_id"] == cid ? 1 : 0;
    return n;
  }
  int64_t KairosPosition(std::string_view symbol) {
    for (const Position& p : store_->ledger().Positions("sma").value()) {
      if (p.symbol == symbol) return p.qty.units();
    }
    return 0;
  }
  int64_t AtBrokerQty(std::string_view symbol) {
    for (const kairos::BrokerPosition& p : broker_->Positions().value()) {
      if (p.symbol == symbol) return p.qty.units();
    }
    return 0;
  }

  AlpacaStandin standin_;
  fs::path dir_;
  ports::ManualClock clock_{1'000};
  std::unique_ptr<ports::Store> store_;
  std::unique_ptr<alpaca::AlpacaBroker> broker_;
  std::unique_ptr<OrderManager> om_;
};

TEST_F(AlpacaOrderPathTest, AnOrderAcceptedButLostAndSeenLateIsOneOrderFilledOnce) {
  std::string cid = Intent("AAPL", 10);
  ASSERT_FALSE(standin_.Control("config", {{"visible_after_s", 1.0}}).is_null());
  ASSERT_FALSE(standin_.Control("fault", {{"kind", "drop_after_accept"}}).is_null());
  auto first = om_->SubmitPendingReport();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->unknown, 1);
  EXPECT_EQ(Stored(cid).status, OrderStatus::kUnknown);

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto second = om_->SubmitPendingReport();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->resolved, 1);
  EXPECT_EQ(AtBroker(cid), 1);
  EXPECT_EQ(standin_.Control("orders")["order_posts"], 1);

  EXPECT_EQ(om_->Sync().value_or(-1), 1);
  EXPECT_EQ(om_->Sync().value_or(-1), 0);  // the same execution is not applied twice
  EXPECT_EQ(Stored(cid).status, OrderStatus::kFilled);
  EXPECT_EQ(KairosPosition("AAPL"), 10);
  EXPECT_EQ(KairosPosition("AAPL"), AtBrokerQty("AAPL"));
}

TEST_F(AlpacaOrderPathTest, A5xxAfterAcceptAndAnHtmlPageLeaveOneOrderEach) {
  std::string a = Intent("AAPL", 3);
  std::string m = Intent("MSFT", 4);
  ASSERT_FALSE(
      standin_.Control("fault", {{"kind", "5xx"}, {"code", 502}, {"accept", true}}).is_null());
  ASSERT_FALSE(
      standin_.Control("fault", {{"kind", "html"}, {"status", 200}, {"accept", true}}).is_null());
  auto report = om_->SubmitPendingReport();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 2);
  EXPECT_EQ(AtBroker(a), 1);
  EXPECT_EQ(AtBroker(m), 1);
  EXPECT_EQ(om_->Sync().value_or(-1), 2);
  EXPECT_EQ(KairosPosition("AAPL"), AtBrokerQty("AAPL"));
  EXPECT_EQ(KairosPosition("MSFT"), AtBrokerQty("MSFT"));
}

TEST_F(AlpacaOrderPathTest, PartialFillsAreAppliedOnceEachUntilFilled) {
  std::string cid = Intent("SPY", 10);
  ASSERT_FALSE(standin_.Control("config", {{"market_fill", "partial"}}).is_null());
  ASSERT_TRUE(om_->SubmitPending().ok());
  EXPECT_EQ(om_->Sync().value_or(-1), 1);
  EXPECT_EQ(Stored(cid).status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(Stored(cid).filled_qty.units(), 5);
  ASSERT_FALSE(standin_.Control("fill", {{"client_order_id", cid}, {"qty", "5"}, {"price", "100"}})
                   .is_null());
  EXPECT_EQ(om_->Sync().value_or(-1), 1);
  EXPECT_EQ(om_->Sync().value_or(-1), 0);
  EXPECT_EQ(Stored(cid).status, OrderStatus::kFilled);
  EXPECT_EQ(KairosPosition("SPY"), 10);
  EXPECT_EQ(AtBrokerQty("SPY"), 10);
}

TEST_F(AlpacaOrderPathTest, ARefusalIsStoredRejectedWithTheBrokersReason) {
  std::string cid = Intent("AAPL", 10);
  ASSERT_FALSE(standin_.Control("config", {{"buying_power", "100"}}).is_null());
  auto report = om_->SubmitPendingReport();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rejected, 1);
  Order o = Stored(cid);
  EXPECT_EQ(o.status, OrderStatus::kRejected);
  EXPECT_NE(o.message.find("insufficient buying power"), std::string::npos) << o.message;
  EXPECT_EQ(AtBroker(cid), 0);
}

}  // namespace
}  // namespace kairos
