#include "adapters/kite/kite_broker.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>

#include "adapters/http_client/curl_transport.h"
#include "adapters/http_client/testing/standin_process.h"

namespace kairos::kite {
namespace {

using nlohmann::json;

constexpr const char* kKey = "standinkey";
constexpr const char* kSecret = "standinsecret";

OrderRequest Order(std::string id, std::string symbol = "INFY", int64_t qty = 5,
                   OrderType type = OrderType::kMarket, TimeInForce tif = TimeInForce::kDay) {
  OrderRequest r;
  r.client_order_id = std::move(id);
  r.symbol = std::move(symbol);
  r.qty = Quantity::FromUnits(qty);
  r.type = type;
  r.tif = tif;
  return r;
}

class KiteBrokerTest : public ::testing::Test {
 protected:
  KiteBrokerTest()
      : standin_("tests/standins/kite_api.py", {"--api-key", kKey, "--api-secret", kSecret}) {}
  void SetUp() override {
    ASSERT_TRUE(standin_.ok()) << standin_.error();
    KiteConfig config;
    config.base_url = standin_.base_url();
    config.api_key = kKey;
    config.access_token = "standin-access-token-1";
    config.request_timeout_ms = 2'000;
    broker_ = std::make_unique<KiteBroker>(config, http::MakeCurlTransport());
  }
  json Orders() { return standin_.Control("orders")["orders"]; }
  int WithTag(std::string_view client_id) {
    int n = 0;
    for (const json& o : Orders()) n += o["tag"] == KiteTag(client_id) ? 1 : 0;
    return n;
  }

  http::testing::StandinProcess standin_;
  std::unique_ptr<KiteBroker> broker_;
};

TEST(KiteTag, IsAlphanumericAtMost20AndStable) {
  std::string tag = KiteTag("sma-RELIANCE-20261207-b-1");
  EXPECT_LE(tag.size(), 20u);
  for (char c : tag) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << tag;
  EXPECT_EQ(tag, KiteTag("sma-RELIANCE-20261207-b-1"));
  EXPECT_NE(tag, KiteTag("sma-RELIANCE-20261207-b-2"));
}

TEST_F(KiteBrokerTest, RequestsArePacedToTenPerSecond) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 11; ++i) ASSERT_TRUE(broker_->OpenOrders().ok());
  // The 11th read waits for the first one's second to pass.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
}

TEST(SessionChecksum, IsSha256OfKeyTokenAndSecret) {
  // sha256("abc") split across the three parts.
  EXPECT_EQ(SessionChecksum("a", "b", "c"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(KiteBrokerTest, MarketOrderIsTaggedProtectedAndFilledOnce) {
  auto placed = broker_->Submit(Order("k-1"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_FALSE(placed->broker_order_id.empty());
  json o = Orders()[0];
  EXPECT_EQ(o["tag"], KiteTag("k-1"));
  EXPECT_EQ(o["market_protection"], -1);
  EXPECT_EQ(o["product"], "CNC");
  EXPECT_EQ(o["variety"], "regular");
  auto fills = broker_->FillsSince(0);
  ASSERT_TRUE(fills.ok()) << fills.status().ToString();
  ASSERT_EQ(fills->size(), 1u);
  EXPECT_EQ((*fills)[0].client_order_id, "k-1");
  EXPECT_EQ((*fills)[0].qty.units(), 5);
  auto positions = broker_->Positions();
  ASSERT_TRUE(positions.ok());
  ASSERT_EQ(positions->size(), 1u);
  EXPECT_EQ((*positions)[0].qty.units(), 5);
  auto account = broker_->GetAccount();
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->currency, "INR");
  EXPECT_EQ(account->cash, 10'000'000);
}

TEST_F(KiteBrokerTest, SubmitWithAKnownIdIsAQuery) {
  auto first = broker_->Submit(Order("k-2"));
  auto again = broker_->Submit(Order("k-2"));
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->broker_order_id, again->broker_order_id);
  EXPECT_EQ(WithTag("k-2"), 1);
}

TEST_F(KiteBrokerTest, NextOpenIsAnAmoAndLimitPricesKeepTheTick) {
  auto placed = broker_->Submit(Order("k-3", "INFY", 2, OrderType::kLimit, TimeInForce::kOpg));
  EXPECT_FALSE(placed.ok());  // no limit price
  OrderRequest r = Order("k-4", "INFY", 2, OrderType::kLimit, TimeInForce::kOpg);
  r.limit_price = *Price::Parse("1500.07");
  auto amo = broker_->Submit(r);
  ASSERT_TRUE(amo.ok()) << amo.status().ToString();
  json o = Orders()[0];
  EXPECT_EQ(o["variety"], "amo");
  EXPECT_DOUBLE_EQ(o["price"].get<double>(), 1500.05);
  EXPECT_EQ(amo->status, OrderStatus::kAccepted);
  ASSERT_TRUE(broker_->Cancel("k-4").ok());
  auto after = broker_->OrderByClientId("k-4");
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->status, OrderStatus::kCancelled);
  EXPECT_EQ(broker_->Cancel("k-4").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(broker_->Cancel("nope").code(), StatusCode::kNotFound);
}

TEST_F(KiteBrokerTest, ADroppedAnswerIsResolvedFromTheOrderBookNotResent) {
  ASSERT_FALSE(standin_.Control("fault", {{"kind", "drop_after_accept"}}).is_null());
  auto placed = broker_->Submit(Order("k-5"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ(WithTag("k-5"), 1);
  EXPECT_EQ(standin_.Control("orders")["order_posts"], 1);
}

TEST_F(KiteBrokerTest, A502HtmlPageBeforeTheOrderIsUnknownAndNothingPlaced) {
  ASSERT_FALSE(standin_.Control("fault", {{"kind", "html"}, {"accept", false}}).is_null());
  auto placed = broker_->Submit(Order("k-6"));
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(WithTag("k-6"), 0);
  // The caller's resolution: not in the book, so it sends again under the same tag.
  auto found = broker_->OrderByClientId("k-6");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  ASSERT_TRUE(broker_->Submit(Order("k-6")).ok());
  EXPECT_EQ(WithTag("k-6"), 1);
}

TEST_F(KiteBrokerTest, RefusalsCarryKitesReason) {
  auto poor = broker_->Submit(Order("k-7", "NOMARGIN"));
  EXPECT_EQ(poor.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(poor.status().message().find("Insufficient funds"), std::string::npos);
  EXPECT_TRUE(Orders().empty());
}

TEST_F(KiteBrokerTest, AnExpiredSessionSendsNothingUntilLoginWithTheChecksum) {
  ASSERT_FALSE(standin_.Control("expire").is_null());
  auto placed = broker_->Submit(Order("k-8"));
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.status().code(), StatusCode::kUnavailable);  // unknown, not rejected
  EXPECT_NE(placed.status().message().find("kairos broker login"), std::string::npos);
  EXPECT_TRUE(Orders().empty());
  EXPECT_FALSE(broker_->Login("standin-request-token", "wrong-secret").ok());
  auto token = broker_->Login("standin-request-token", kSecret);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(*token, standin_.Control("orders")["access_token"]);
  ASSERT_TRUE(broker_->Submit(Order("k-8")).ok());
  EXPECT_EQ(WithTag("k-8"), 1);
}

TEST_F(KiteBrokerTest, PartialFillsReportEachTradeOnce) {
  OrderRequest r = Order("k-9", "TCS", 10, OrderType::kLimit);
  r.limit_price = *Price::Parse("50");
  ASSERT_TRUE(broker_->Submit(r).ok());
  ASSERT_FALSE(
      standin_.Control("fill", {{"tag", KiteTag("k-9")}, {"quantity", 4}, {"price", 49.95}})
          .is_null());
  auto part = broker_->OrderByClientId("k-9");
  ASSERT_TRUE(part.ok() && part->has_value());
  EXPECT_EQ((*part)->status, OrderStatus::kPartiallyFilled);
  ASSERT_FALSE(standin_.Control("fill", {{"tag", KiteTag("k-9")}, {"quantity", 6}, {"price", 50}})
                   .is_null());
  auto fills = broker_->FillsSince(0);
  ASSERT_TRUE(fills.ok()) << fills.status().ToString();
  ASSERT_EQ(fills->size(), 2u);
  EXPECT_NE((*fills)[0].execution_id, (*fills)[1].execution_id);
  EXPECT_EQ((*fills)[0].price.ToString(), "49.95");
  auto done = broker_->OrderByClientId("k-9");
  EXPECT_EQ((*done)->status, OrderStatus::kFilled);
}

}  // namespace
}  // namespace kairos::kite
