#include "adapters/sim_broker/fill_model.h"

#include <gtest/gtest.h>

namespace kairos::sim_broker {
namespace {

constexpr int64_t kCent = 1'000'000;  // ticks of one cent

Price P(std::string_view text) { return Price::Parse(text).value(); }

// Open 100, high 110, low 90, close 105.
const BarPrices kBar{P("100"), P("110"), P("90"), P("105")};

OrderRequest Order(OrderType type, Side side, TimeInForce tif = TimeInForce::kDay) {
  OrderRequest r;
  r.type = type;
  r.side = side;
  r.tif = tif;
  return r;
}
OrderRequest Limit(Side side, std::string_view limit, TimeInForce tif = TimeInForce::kDay) {
  OrderRequest r = Order(OrderType::kLimit, side, tif);
  r.limit_price = P(limit);
  return r;
}
OrderRequest Stop(Side side, std::string_view stop) {
  OrderRequest r = Order(OrderType::kStop, side);
  r.stop_price = P(stop);
  return r;
}
OrderRequest StopLimit(Side side, std::string_view stop, std::string_view limit) {
  OrderRequest r = Order(OrderType::kStopLimit, side);
  r.stop_price = P(stop);
  r.limit_price = P(limit);
  return r;
}
std::optional<Price> AtOpen(const OrderRequest& r, double bps = 0) {
  return FillPrice(r, kBar, Auction::kOpen, bps, kCent);
}
std::optional<Price> AtClose(const OrderRequest& r, double bps = 0) {
  return FillPrice(r, kBar, Auction::kClose, bps, kCent);
}

TEST(FillModelTest, MarketFillsAtTheOpenOrCloseWithSlippage) {
  EXPECT_EQ(AtOpen(Order(OrderType::kMarket, Side::kBuy), 10), P("100.10"));
  EXPECT_EQ(AtClose(Order(OrderType::kMarket, Side::kSell), 10), P("104.90"));
}

TEST(FillModelTest, MarketOnCloseDoesNotTradeAtTheOpen) {
  EXPECT_EQ(AtOpen(Order(OrderType::kMarket, Side::kBuy, TimeInForce::kCls)), std::nullopt);
  EXPECT_EQ(AtClose(Order(OrderType::kMarket, Side::kBuy, TimeInForce::kCls)), P("105"));
}

TEST(FillModelTest, LimitGappedThroughAtTheOpenFillsAtTheOpenWithoutSlippage) {
  EXPECT_EQ(AtOpen(Limit(Side::kBuy, "101"), 10), P("100"));
  EXPECT_EQ(AtOpen(Limit(Side::kSell, "99"), 10), P("100"));
  EXPECT_EQ(AtOpen(Limit(Side::kBuy, "99")), std::nullopt);
}

TEST(FillModelTest, LimitReachedDuringTheSessionFillsAtTheLimitAtTheClose) {
  EXPECT_EQ(AtClose(Limit(Side::kBuy, "95")), P("95"));
  EXPECT_EQ(AtClose(Limit(Side::kSell, "108")), P("108"));
  EXPECT_EQ(AtClose(Limit(Side::kBuy, "89")), std::nullopt);
}

TEST(FillModelTest, LimitOnCloseFillsAtTheCloseOnlyWhenTheCloseIsThrough) {
  EXPECT_EQ(AtOpen(Limit(Side::kBuy, "101", TimeInForce::kCls)), std::nullopt);
  EXPECT_EQ(AtClose(Limit(Side::kBuy, "106", TimeInForce::kCls)), P("105"));
  EXPECT_EQ(AtClose(Limit(Side::kBuy, "95", TimeInForce::kCls)), std::nullopt);
}

TEST(FillModelTest, StopGappedThroughAtTheOpenFillsAtTheOpenWithSlippage) {
  EXPECT_EQ(AtOpen(Stop(Side::kSell, "101"), 10), P("99.90"));
  EXPECT_EQ(AtOpen(Stop(Side::kSell, "99")), std::nullopt);
}

TEST(FillModelTest, StopHitDuringTheSessionFillsAtTheStopWithSlippageAtTheClose) {
  EXPECT_EQ(AtClose(Stop(Side::kSell, "95"), 20), P("94.81"));
  EXPECT_EQ(AtClose(Stop(Side::kBuy, "108")), P("108"));
  EXPECT_EQ(AtClose(Stop(Side::kSell, "89")), std::nullopt);
}

TEST(FillModelTest, StopLimitNeedsBothTheStopAndTheLimit) {
  EXPECT_EQ(AtOpen(StopLimit(Side::kBuy, "99", "101")), P("100"));
  EXPECT_EQ(AtOpen(StopLimit(Side::kBuy, "99", "99.50")), std::nullopt);
  EXPECT_EQ(AtClose(StopLimit(Side::kBuy, "108", "109")), P("109"));
  EXPECT_EQ(AtClose(StopLimit(Side::kBuy, "111", "112")), std::nullopt);
}

TEST(FillModelTest, APriceEqualToTheLimitOrStopCountsAsReached) {
  EXPECT_EQ(AtOpen(Limit(Side::kBuy, "100")), P("100"));
  EXPECT_EQ(AtOpen(Limit(Side::kSell, "100")), P("100"));
  EXPECT_EQ(AtClose(Limit(Side::kBuy, "90")), P("90"));
  EXPECT_EQ(AtClose(Limit(Side::kSell, "110")), P("110"));
  EXPECT_EQ(AtOpen(Stop(Side::kBuy, "100")), P("100"));
  EXPECT_EQ(AtClose(Stop(Side::kSell, "90")), P("90"));
}

}  // namespace
}  // namespace kairos::sim_broker
