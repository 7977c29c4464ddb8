#include "domain/fees.h"

#include <gtest/gtest.h>

namespace kairos {
namespace {

FeeSpec Spec(FeeSpec::Kind kind) {
  FeeSpec s;
  s.kind = kind;
  return s;
}

Price P(std::string_view text) { return Price::Parse(text).value(); }
Quantity Q(int64_t units) { return Quantity::FromUnits(units); }

// Rates of FY2025 before the SEC's 2025-05-14 zero rate: $27.80 per $1M, TAF $0.000166 / $8.30.
const Date kJan2025 = Date::FromYmd(2025, 1, 15);

TEST(UsEquityFees, SellOf1000SharesAt150_25) {
  // Proceeds 1,000 × $150.25 = $150,250.00.
  // SEC:  150,250 × 27.80 / 1,000,000 = $4.17695 -> rounded up to $4.18.
  // TAF:  1,000 × $0.000166 = $0.166 -> rounded up to $0.17 (below the $8.30 cap).
  // Total $4.35.
  auto f = ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(1000), P("150.25"),
                       Currency::Usd(), kJan2025);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->sec, 418);
  EXPECT_EQ(f->taf, 17);
  EXPECT_EQ(f->brokerage, 0);
  EXPECT_EQ(f->total, 435);
}

TEST(UsEquityFees, SellUsesTheRateInForceOnTheTradeDate) {
  // 2025-06-02 falls in the SEC's $0.00 period (2025-05-14 .. 2026-04-03): only the TAF, $0.17.
  auto zero = ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(1000), P("150.25"),
                          Currency::Usd(), Date::FromYmd(2025, 6, 2));
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->sec, 0);
  EXPECT_EQ(zero->total, 17);
  // From 2026-04-04, $20.60 per $1M: 150,250 × 20.60 / 1e6 = $3.09515 -> $3.10; + TAF $0.17.
  auto fy26 = ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(1000), P("150.25"),
                          Currency::Usd(), Date::FromYmd(2026, 6, 1));
  ASSERT_TRUE(fy26.ok());
  EXPECT_EQ(fy26->sec, 310);
  EXPECT_EQ(fy26->total, 327);
  // Without a date, the newest rates apply: the same as on 2026-06-01.
  auto latest = ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(1000), P("150.25"),
                            Currency::Usd());
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, *fy26);
}

TEST(UsEquityFees, TafIsCappedPerTrade) {
  // 60,000 × $10.00 = $600,000.00.
  // SEC: 600,000 × 27.80 / 1e6 = $16.68 exactly.
  // TAF: 60,000 × 0.000166 = $9.96 > cap -> $8.30.  Total $24.98.
  auto f = ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(60'000), P("10.00"),
                       Currency::Usd(), kJan2025);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->sec, 1668);
  EXPECT_EQ(f->taf, 830);
  EXPECT_EQ(f->total, 2498);
  // 50,000 shares: 50,000 × 0.000166 = $8.30, exactly the cap.
  auto at_cap = ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(50'000), P("1.00"),
                            Currency::Usd(), kJan2025);
  ASSERT_TRUE(at_cap.ok());
  EXPECT_EQ(at_cap->taf, 830);
  // 10 shares: $0.00166 -> rounded up to one cent.
  auto tiny = ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(10), P("1.00"),
                          Currency::Usd(), kJan2025);
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->taf, 1);
  EXPECT_EQ(tiny->sec, 1);  // $10 × 27.80 / 1e6 = $0.000278 -> $0.01
}

TEST(UsEquityFees, BuyIsFree) {
  auto f = ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kBuy, Q(1000), P("150.25"),
                       Currency::Usd(), kJan2025);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, FeeBreakdown{});
}

// 100 RELIANCE at ₹2,950.50: turnover ₹2,95,050.00. Rates: FEES.md (NSE from 2024-10-01).
TEST(IndiaDeliveryFees, BuyOf100RelianceAt2950_50) {
  // brokerage  0
  // STT        0.1 % × 295,050 = ₹295.05 -> nearest rupee ₹295.00
  // exchange   0.00297 % × 295,050 = ₹8.762985 -> ₹8.76
  // SEBI       ₹10/crore = 295,050 × 1e-6 = ₹0.29505 -> ₹0.30
  // GST        18 % × (0 + 8.76 + 0.30) = ₹1.6308 -> ₹1.63
  // stamp      0.015 % × 295,050 = ₹44.2575 -> ₹44.26
  // total      295.00 + 8.76 + 0.30 + 1.63 + 44.26 = ₹349.95
  auto f = ComputeFees(Spec(FeeSpec::Kind::kIndiaDelivery), Side::kBuy, Q(100), P("2950.50"),
                       Currency::Inr());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->brokerage, 0);
  EXPECT_EQ(f->stt, 29500);
  EXPECT_EQ(f->exchange, 876);
  EXPECT_EQ(f->sebi, 30);
  EXPECT_EQ(f->gst, 163);
  EXPECT_EQ(f->stamp, 4426);
  EXPECT_EQ(f->total, 34995);
}

TEST(IndiaDeliveryFees, SellOf100RelianceAt2950_50) {
  // The same as the buy without stamp duty: 295.00 + 8.76 + 0.30 + 1.63 = ₹305.69.
  auto f = ComputeFees(Spec(FeeSpec::Kind::kIndiaDelivery), Side::kSell, Q(100), P("2950.50"),
                       Currency::Inr());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->stt, 29500);
  EXPECT_EQ(f->stamp, 0);
  EXPECT_EQ(f->total, 30569);
}

TEST(IndiaIntradayFees, RoundTripAtTheTwentyRupeeCap) {
  // Buy 100 at ₹2,950.50 (turnover ₹2,95,050):
  //   brokerage  min(₹20, 0.03 % × 295,050 = ₹88.515) = ₹20.00
  //   STT        0 on buys
  //   exchange   ₹8.76; SEBI ₹0.30 (as above)
  //   GST        18 % × (20 + 8.76 + 0.30) = 18 % × 29.06 = ₹5.2308 -> ₹5.23
  //   stamp      0.003 % × 295,050 = ₹8.8515 -> ₹8.85
  //   total      20 + 8.76 + 0.30 + 5.23 + 8.85 = ₹43.14
  auto buy = ComputeFees(Spec(FeeSpec::Kind::kIndiaIntraday), Side::kBuy, Q(100), P("2950.50"),
                         Currency::Inr());
  ASSERT_TRUE(buy.ok());
  EXPECT_EQ(buy->brokerage, 2000);
  EXPECT_EQ(buy->stt, 0);
  EXPECT_EQ(buy->gst, 523);
  EXPECT_EQ(buy->stamp, 885);
  EXPECT_EQ(buy->total, 4314);
  // Sell 100 at ₹2,960.00 (turnover ₹2,96,000):
  //   brokerage  min(₹20, ₹88.80) = ₹20.00
  //   STT        0.025 % × 296,000 = ₹74.00
  //   exchange   0.00297 % × 296,000 = ₹8.7912 -> ₹8.79
  //   SEBI       ₹0.296 -> ₹0.30
  //   GST        18 % × (20 + 8.79 + 0.30) = 18 % × 29.09 = ₹5.2362 -> ₹5.24
  //   total      20 + 74 + 8.79 + 0.30 + 5.24 = ₹108.33
  auto sell = ComputeFees(Spec(FeeSpec::Kind::kIndiaIntraday), Side::kSell, Q(100), P("2960.00"),
                          Currency::Inr());
  ASSERT_TRUE(sell.ok());
  EXPECT_EQ(sell->brokerage, 2000);
  EXPECT_EQ(sell->stt, 7400);
  EXPECT_EQ(sell->exchange, 879);
  EXPECT_EQ(sell->gst, 524);
  EXPECT_EQ(sell->stamp, 0);
  EXPECT_EQ(sell->total, 10833);
}

TEST(IndiaIntradayFees, RoundTripBelowTheCap) {
  // Buy 10 at ₹500.00 (turnover ₹5,000):
  //   brokerage  0.03 % × 5,000 = ₹1.50 (below ₹20)
  //   exchange   0.00297 % × 5,000 = ₹0.1485 -> ₹0.15 (half up)
  //   SEBI       ₹0.005 -> ₹0.01 (half up)
  //   GST        18 % × (1.50 + 0.15 + 0.01) = 18 % × 1.66 = ₹0.2988 -> ₹0.30
  //   stamp      0.003 % × 5,000 = ₹0.15
  //   total      1.50 + 0.15 + 0.01 + 0.30 + 0.15 = ₹2.11
  auto buy = ComputeFees(Spec(FeeSpec::Kind::kIndiaIntraday), Side::kBuy, Q(10), P("500.00"),
                         Currency::Inr());
  ASSERT_TRUE(buy.ok());
  EXPECT_EQ(buy->brokerage, 150);
  EXPECT_EQ(buy->exchange, 15);
  EXPECT_EQ(buy->sebi, 1);
  EXPECT_EQ(buy->gst, 30);
  EXPECT_EQ(buy->stamp, 15);
  EXPECT_EQ(buy->total, 211);
  // Sell 10 at ₹510.00 (turnover ₹5,100):
  //   brokerage  0.03 % × 5,100 = ₹1.53
  //   STT        0.025 % × 5,100 = ₹1.275 -> nearest rupee ₹1.00
  //   exchange   ₹0.15147 -> ₹0.15; SEBI ₹0.0051 -> ₹0.01
  //   GST        18 % × (1.53 + 0.15 + 0.01) = 18 % × 1.69 = ₹0.3042 -> ₹0.30
  //   total      1.53 + 1.00 + 0.15 + 0.01 + 0.30 = ₹2.99
  auto sell = ComputeFees(Spec(FeeSpec::Kind::kIndiaIntraday), Side::kSell, Q(10), P("510.00"),
                          Currency::Inr());
  ASSERT_TRUE(sell.ok());
  EXPECT_EQ(sell->brokerage, 153);
  EXPECT_EQ(sell->stt, 100);
  EXPECT_EQ(sell->gst, 30);
  EXPECT_EQ(sell->total, 299);
}

TEST(IndiaFees, SttRoundsHalfUpToTheRupee) {
  // Delivery STT on ₹2,505.00 of turnover is ₹2.505 -> ₹3; on ₹2,495.00 it is ₹2.495 -> ₹2.
  auto up = ComputeFees(Spec(FeeSpec::Kind::kIndiaDelivery), Side::kSell, Q(1), P("2505.00"),
                        Currency::Inr());
  auto down = ComputeFees(Spec(FeeSpec::Kind::kIndiaDelivery), Side::kSell, Q(1), P("2495.00"),
                          Currency::Inr());
  ASSERT_TRUE(up.ok() && down.ok());
  EXPECT_EQ(up->stt, 300);
  EXPECT_EQ(down->stt, 200);
}

TEST(CustomFees, PerOrderPlusPercentOfNotional) {
  // 100 × $150.25 = $15,025.00; 0.03 % of it = $4.5075 -> $4.51; + $1.00 per order = $5.51.
  FeeSpec spec = Spec(FeeSpec::Kind::kCustom);
  spec.per_order = 100;
  spec.percent = 0.03;
  auto f = ComputeFees(spec, Side::kBuy, Q(100), P("150.25"), Currency::Usd());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->brokerage, 551);
  EXPECT_EQ(f->total, 551);
  // The same on a sell: custom fees do not depend on the side.
  auto s = ComputeFees(spec, Side::kSell, Q(100), P("150.25"), Currency::Usd());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total, 551);
}

TEST(NoFees, AllZero) {
  auto f =
      ComputeFees(Spec(FeeSpec::Kind::kNone), Side::kSell, Q(100), P("150.25"), Currency::Inr());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, FeeBreakdown{});
}

TEST(FeeErrors, PreciseMessages) {
  auto expect_error = [](Result<FeeBreakdown> r, std::string_view message) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), message);
  };
  expect_error(
      ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(-5), P("10"), Currency::Usd()),
      "fees: quantity must be positive, got -5");
  expect_error(ComputeFees(Spec(FeeSpec::Kind::kNone), Side::kSell, Q(0), P("10"), Currency::Usd()),
               "fees: quantity must be positive, got 0");
  expect_error(
      ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(5), P("0"), Currency::Usd()),
      "fees: price must be positive, got 0.00");
  expect_error(
      ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(5), P("10"), Currency::Inr()),
      "fees: us_equity charges are in USD, not INR");
  expect_error(
      ComputeFees(Spec(FeeSpec::Kind::kIndiaDelivery), Side::kBuy, Q(5), P("10"), Currency::Usd()),
      "fees: india_delivery charges are in INR, not USD");
  expect_error(
      ComputeFees(Spec(FeeSpec::Kind::kIndiaIntraday), Side::kBuy, Q(5), P("10"), Currency::Usd()),
      "fees: india_intraday charges are in INR, not USD");
  FeeSpec bad = Spec(FeeSpec::Kind::kCustom);
  bad.percent = -1;
  expect_error(ComputeFees(bad, Side::kBuy, Q(5), P("10"), Currency::Usd()),
               "fees: custom percent must be between 0 and 100, got -1");
  bad.percent = 0;
  bad.per_order = -1;
  expect_error(ComputeFees(bad, Side::kBuy, Q(5), P("10"), Currency::Usd()),
               "fees: custom per_order must be >= 0, got -1");
}

TEST(FeeTables, RowsAreInDateOrderAndSourced) {
  auto check = [](auto rows) {
    ASSERT_FALSE(rows.empty());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_FALSE(rows[i].source.empty());
      if (i > 0) {
        EXPECT_LT(rows[i - 1].effective, rows[i].effective);
      }
    }
  };
  check(SecFeeRates());
  check(TafRates());
  check(IndiaEquityRateTable());
  // Before the first row, the first row applies (the oldest rate kairos knows).
  auto early = ComputeFees(Spec(FeeSpec::Kind::kUsEquity), Side::kSell, Q(1000), P("150.25"),
                           Currency::Usd(), Date::FromYmd(2020, 1, 2));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->sec, 418);
}

}  // namespace
}  // namespace kairos
