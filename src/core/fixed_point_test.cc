#include "core/fixed_point.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace kairos {
namespace {

TEST(RoundingTest, EveryModeOnTiesAndNonTies) {
  struct Case {
    int64_t n, d;
    Rounding mode;
    int64_t want;
  } cases[] = {
      {25, 10, Rounding::kHalfEven, 2},   {35, 10, Rounding::kHalfEven, 4},
      {-25, 10, Rounding::kHalfEven, -2}, {26, 10, Rounding::kHalfEven, 3},
      {25, 10, Rounding::kHalfUp, 3},     {-25, 10, Rounding::kHalfUp, -3},
      {24, 10, Rounding::kHalfUp, 2},     {29, 10, Rounding::kDown, 2},
      {-29, 10, Rounding::kDown, -2},     {-21, 10, Rounding::kFloor, -3},
      {21, 10, Rounding::kFloor, 2},      {21, 10, Rounding::kCeiling, 3},
      {-29, 10, Rounding::kCeiling, -2},  {30, 10, Rounding::kCeiling, 3},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(static_cast<int64_t>(DivideRounded(c.n, c.d, c.mode)), c.want)
        << c.n << "/" << c.d << " mode " << static_cast<int>(c.mode);
  }
}

TEST(PriceTest, ParsesExactlyAndFormats) {
  EXPECT_EQ(Price::Parse("25.5625")->raw(), 2'556'250'000);
  EXPECT_EQ(Price::Parse("0.00390625")->raw(), 390'625);  // 1/256
  EXPECT_EQ(Price::Parse("-1.5")->raw(), -150'000'000);
  EXPECT_EQ(Price::Parse("100")->ToString(), "100.00");
  EXPECT_EQ(Price::Parse("25.5625")->ToString(), "25.5625");
  EXPECT_EQ(Price::Parse("-0.1")->ToString(), "-0.10");
  EXPECT_EQ(Price::Parse("1.230000000000")->raw(), 123'000'000);  // extra zeros are fine
  EXPECT_EQ(Price::Parse("1.000000001").status().message(),
            "'1.000000001' is not a valid price: more than 8 decimal places");
  EXPECT_EQ(Price::Parse("").status().message(), "'' is not a valid price: no digits");
  EXPECT_EQ(Price::Parse("12a").status().message(),
            "'12a' is not a valid price: unexpected character");
  EXPECT_FALSE(Price::Parse("1e3").ok());
  EXPECT_FALSE(Price::Parse("99999999999999999999").ok());
}

// FromDouble's arithmetic shortcut gives what the shortest decimal text gives: random prices on
// the tick grid (as a CSV would hold them), random doubles off it, both signs, every rounding.
TEST(PriceTest, FromDoubleEqualsParsingTheShortestText) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> ticks(-150'000'000'000'000, 150'000'000'000'000);
  std::uniform_int_distribution<int> digits(0, 8);
  std::uniform_real_distribution<double> any(-2e6, 2e6);
  int compared = 0;
  for (int i = 0; i < 200'000; ++i) {
    double v;
    if (i % 2 == 0) {
      // A price with 0..8 decimals.
      int64_t t = ticks(rng);
      int64_t step = 1;
      for (int k = digits(rng); k < 8; ++k) step *= 10;
      t -= t % step;
      v = std::stod(fmt::format("{}.{:08d}", t / 100'000'000, std::abs(t % 100'000'000)));
      if (t < 0 && t > -100'000'000) v = -v;
    } else {
      v = any(rng);
    }
    std::string text = fmt::format("{}", v);
    if (text.find_first_of("eE") != std::string::npos) continue;
    auto parsed = Price::Parse(text);
    if (!parsed.ok()) continue;  // more than 8 decimals: the rounding path, checked below
    for (Rounding mode : {Rounding::kHalfEven, Rounding::kHalfUp, Rounding::kDown, Rounding::kFloor,
                          Rounding::kCeiling}) {
      auto fast = Price::FromDouble(v, mode);
      ASSERT_TRUE(fast.ok()) << text;
      ASSERT_EQ(fast->raw(), parsed->raw()) << text;
    }
    ++compared;
  }
  EXPECT_GT(compared, 100'000);
  // Off the grid the rounding mode still decides.
  EXPECT_EQ(Price::FromDouble(0.123456789, Rounding::kDown)->raw(), 12'345'678);
  EXPECT_EQ(Price::FromDouble(0.123456789, Rounding::kCeiling)->raw(), 12'345'679);
  EXPECT_EQ(Price::FromDouble(-0.0)->raw(), 0);
  EXPECT_EQ(Price::FromDouble(999'999.99999999)->raw(), 99'999'999'999'999);
}

TEST(PriceTest, FromDoubleTakesTheWrittenDecimal) {
  EXPECT_EQ(Price::FromDouble(0.1)->raw(), 10'000'000);
  EXPECT_EQ(Price::FromDouble(1455.219971)->raw(), 145'521'997'100);
  EXPECT_EQ(Price::FromDouble(1.0 / 3.0)->raw(), 33'333'333);
  EXPECT_EQ(Price::FromDouble(2.0 / 3.0, Rounding::kDown)->raw(), 66'666'666);
  EXPECT_EQ(Price::FromDouble(2.0 / 3.0, Rounding::kHalfEven)->raw(), 66'666'667);
  EXPECT_FALSE(Price::FromDouble(std::nan("")).ok());
  EXPECT_FALSE(Price::FromDouble(1e300).ok());
}

TEST(PriceTest, RoundsToTick) {
  Price p = *Price::Parse("101.23");
  EXPECT_EQ(p.RoundToTick(5'000'000, Rounding::kHalfEven).ToString(), "101.25");
  EXPECT_EQ(p.RoundToTick(5'000'000, Rounding::kFloor).ToString(), "101.20");
}

TEST(QuantityTest, WholeUnitsOnly) {
  EXPECT_EQ(Quantity::Parse("150")->units(), 150);
  EXPECT_EQ(Quantity::Parse("-3")->units(), -3);
  EXPECT_EQ(Quantity::Parse("10.5").status().message(),
            "'10.5' is not a valid quantity: more than 0 decimal places");
  EXPECT_EQ((Quantity::FromUnits(5) - Quantity::FromUnits(8)).units(), -3);
}

TEST(MoneyTest, ParseFormatAndCurrencies) {
  Currency usd = Currency::Usd();
  EXPECT_EQ(Money::Parse("1234.56", usd)->minor(), 123456);
  EXPECT_EQ(Money::Parse("1234.5", usd)->ToString(), "1234.50");
  EXPECT_EQ(Money::Parse("-0.05", usd)->ToStringWithCode(), "-0.05 USD");
  EXPECT_EQ(Money::Parse("0.001", usd).status().message(),
            "'0.001' is not a valid USD amount: more than 2 decimal places");
  Currency jpy = *Currency::FromCode("JPY");
  EXPECT_EQ(Money::Parse("1500", jpy)->ToString(), "1500");
  EXPECT_FALSE(Money::Parse("1500.5", jpy).ok());
  EXPECT_EQ(Currency::FromCode("XYZ").status().code(), StatusCode::kNotFound);
}

TEST(MoneyTest, SumsThatADoubleGetsWrong) {
  // Ten million payments of 0.10: a double drifts, integer minor units do not.
  Money total = Money::Zero(Currency::Usd());
  double naive = 0;
  Money dime = *Money::Parse("0.10", Currency::Usd());
  for (int i = 0; i < 10'000'000; ++i) {
    total += dime;
    naive += 0.10;
  }
  EXPECT_EQ(total.ToString(), "1000000.00");
  EXPECT_NE(naive, 1000000.0);  // the reason Money exists

  // 0.1 + 0.2 is not 0.3 in binary floating point; it is in Money.
  Money a = *Money::Parse("0.10", Currency::Usd());
  Money b = *Money::Parse("0.20", Currency::Usd());
  EXPECT_EQ(a + b, *Money::Parse("0.30", Currency::Usd()));
  EXPECT_NE(0.1 + 0.2, 0.3);

  // Mixed signs cancel exactly.
  Money m = *Money::Parse("100000000000.01", Currency::Usd());
  m -= *Money::Parse("100000000000.00", Currency::Usd());
  EXPECT_EQ(m.minor(), 1);
}

TEST(MoneyTest, CheckedNotionalIsOutOfRangeWhereNotionalWouldAbort) {
  Currency usd = Currency::Usd();
  Price p = *Price::Parse("90000000000");
  auto fits = CheckedNotional(p, Quantity::FromUnits(1'000'000), usd);
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->ToString(), "90000000000000000.00");
  auto beyond = CheckedNotional(p, Quantity::FromUnits(100'000'000'000), usd);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(beyond.status().message(),
            "the value of 100000000000 units at 90000000000.00 USD is beyond the ledger's 64-bit "
            "range: a price or quantity this large is a data error");
  EXPECT_FALSE(CheckedNotional(p, Quantity::FromUnits(-100'000'000'000), usd).ok());
}

TEST(MoneyTest, CheckedAddIsOutOfRangeNamingWhatOverflows) {
  EXPECT_EQ(CheckedAdd(-5, 7, "cash").value(), 2);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(CheckedAdd(kMax, 0, "cash").value(), kMax);
  auto over = CheckedAdd(kMax, 1, "the paper account's cash");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message().rfind("the paper account's cash is beyond", 0), 0u);
  EXPECT_FALSE(CheckedAdd(std::numeric_limits<int64_t>::min(), -1, "cash").ok());
}

TEST(MoneyTest, NotionalRoundsOnceAsStated) {
  Currency usd = Currency::Usd();
  // 3 shares at 33.333 = 99.999 -> 100.00 half-even, 99.99 truncated.
  Price p = *Price::Parse("33.333");
  EXPECT_EQ(Notional(p, Quantity::FromUnits(3), usd).ToString(), "100.00");
  EXPECT_EQ(Notional(p, Quantity::FromUnits(3), usd, Rounding::kDown).ToString(), "99.99");
  // A tie: 1 share at 0.125 -> 0.12 half-even, 0.13 half-up.
  Price tie = *Price::Parse("0.125");
  EXPECT_EQ(Notional(tie, Quantity::FromUnits(1), usd).ToString(), "0.12");
  EXPECT_EQ(Notional(tie, Quantity::FromUnits(1), usd, Rounding::kHalfUp).ToString(), "0.13");
  // Sixteenths: 100 shares at 25 9/16.
  EXPECT_EQ(Notional(*Price::Parse("25.5625"), Quantity::FromUnits(100), usd).ToString(),
            "2556.25");
  // Short side is negative and rounds symmetrically.
  EXPECT_EQ(Notional(tie, Quantity::FromUnits(-1), usd, Rounding::kHalfUp).ToString(), "-0.13");
  // Large values do not overflow the intermediate product.
  EXPECT_EQ(
      Notional(*Price::Parse("50000.12345678"), Quantity::FromUnits(1'000'000), usd).ToString(),
      "50000123456.78");
}

TEST(MoneyTest, FeesAsRatios) {
  Money turnover = *Money::Parse("100000.00", Currency::Inr());
  // 0.1 % STT = 100.00; 0.00297 % exchange charge = 2.97.
  EXPECT_EQ(turnover.MulRatio(1, 1000, Rounding::kHalfUp).ToString(), "100.00");
  EXPECT_EQ(turnover.MulRatio(297, 10'000'000, Rounding::kHalfUp).ToString(), "2.97");
  Money odd = *Money::Parse("0.05", Currency::Inr());
  EXPECT_EQ(odd.MulRatio(1, 2, Rounding::kHalfEven).ToString(), "0.02");
  EXPECT_EQ(odd.MulRatio(1, 2, Rounding::kHalfUp).ToString(), "0.03");
}

TEST(MoneyDeathTest, MixingCurrenciesIsABug) {
  Money usd = Money::Zero(Currency::Usd());
  Money inr = Money::Zero(Currency::Inr());
  EXPECT_DEATH((void)(usd + inr), "adding INR to USD");
}

TEST(MoneyDeathTest, OverflowIsABug) {
  Money big(INT64_MAX, Currency::Usd());
  EXPECT_DEATH((void)(big + Money(1, Currency::Usd())), "overflows int64");
}

}  // namespace
}  // namespace kairos
