#include "adapters/sim_broker/slippage.h"

#include <gtest/gtest.h>

namespace kairos::sim_broker {
namespace {

Price P(std::string_view text) { return Price::Parse(text).value(); }

TEST(SlippageTest, TickIsOneMinorUnitOfTheCurrency) {
  EXPECT_EQ(TickOf(Currency::FromCode("USD").value()), 1'000'000);
  EXPECT_EQ(TickOf(Currency::FromCode("JPY").value()), Price::kScale);
}

TEST(SlippageTest, BuysPayUpAndSellsReceiveLess) {
  EXPECT_EQ(WithSlippage(P("100"), Side::kBuy, 25, 1'000'000), P("100.25"));
  EXPECT_EQ(WithSlippage(P("100"), Side::kSell, 25, 1'000'000), P("99.75"));
}

TEST(SlippageTest, RoundsHalfEvenToTheTick) {
  // 10.05 x 1.0005 = 10.055025 -> 10.06; 10.00 x 1.0005 = 10.005 -> 10.00 (half to even).
  EXPECT_EQ(WithSlippage(P("10.05"), Side::kBuy, 5, 1'000'000), P("10.06"));
  EXPECT_EQ(WithSlippage(P("10.00"), Side::kBuy, 5, 1'000'000), P("10.00"));
}

TEST(SlippageTest, ZeroBasisPointsLeavesATickPriceUnchanged) {
  EXPECT_EQ(WithSlippage(P("123.45"), Side::kSell, 0, 1'000'000), P("123.45"));
}

}  // namespace
}  // namespace kairos::sim_broker
