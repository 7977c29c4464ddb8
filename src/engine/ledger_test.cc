#include "engine/ledger.h"

#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace kairos::engine {
namespace {

Price P(std::string_view text) { return Price::Parse(text).value(); }

Fill MakeFill(Side side, int64_t qty, std::string_view price, int day = 1, int64_t fees = 0) {
  static int n = 0;
  Fill f;
  f.execution_id = "E" + std::to_string(++n);
  f.symbol = "GOOG";
  f.side = side;
  f.qty = Quantity::FromUnits(qty);
  f.price = P(price);
  f.fees = fees;
  f.session = Date::FromYmd(2024, 3, day);
  return f;
}

Position NewPosition() {
  Position p;
  p.strategy = "sma";
  p.symbol = "GOOG";
  return p;
}

const Currency kUsd = Currency::Usd();

TEST(LedgerTest, ScaleInThenPartialExitAcrossLotsIsFifo) {
  Position p = NewPosition();
  auto a = ApplyFill(p, MakeFill(Side::kBuy, 10, "100.00", 1, 7), kUsd);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->realized, 0);
  EXPECT_EQ(a->fees, 7);
  EXPECT_FALSE(a->closed_position);
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 5, "110.00", 2), kUsd).ok());
  EXPECT_EQ(p.qty.units(), 15);
  ASSERT_EQ(p.lots.size(), 2u);
  EXPECT_EQ(p.entry_session, Date::FromYmd(2024, 3, 1));  // scaling in keeps the entry

  // Sell 12 at 120: lot 1 (10 @ 100) closes for 200.00, lot 2 gives 2 @ 110 for 20.00.
  auto s = ApplyFill(p, MakeFill(Side::kSell, 12, "120.00", 3), kUsd);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->realized, 22'000);
  EXPECT_FALSE(s->closed_position);
  EXPECT_EQ(p.qty.units(), 3);
  ASSERT_EQ(p.lots.size(), 1u);
  EXPECT_EQ(p.lots[0].qty.units(), 3);
  EXPECT_EQ(p.lots[0].price, P("110.00"));
  EXPECT_EQ(p.realized, 22'000);

  // The rest at 105: 3 x -5.00.
  auto c = ApplyFill(p, MakeFill(Side::kSell, 3, "105.00", 4), kUsd);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->realized, -1'500);
  EXPECT_TRUE(c->closed_position);
  EXPECT_EQ(p.qty.units(), 0);
  EXPECT_TRUE(p.lots.empty());
  EXPECT_EQ(p.realized, 20'500);
}

TEST(LedgerTest, PartialCloseSplitsEntryFeesProRataWithoutLosingAUnit) {
  Position p = NewPosition();
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 10, "100.00", 1, 7), kUsd).ok());
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kSell, 4, "100.00", 2), kUsd).ok());
  // 7 x 4 / 10 = 2.8 -> 3 goes with the closed part, 4 stays.
  EXPECT_EQ(p.lots[0].fees, 4);
}

TEST(LedgerTest, ShortIsSymmetric) {
  Position p = NewPosition();
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kSell, 10, "50.00"), kUsd).ok());
  EXPECT_EQ(p.qty.units(), -10);
  EXPECT_EQ(p.lots[0].qty.units(), -10);
  // Cover 4 at 45.50: (45.50 - 50.00) x -4 = +18.00.
  auto c = ApplyFill(p, MakeFill(Side::kBuy, 4, "45.50", 2), kUsd);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->realized, 1'800);
  EXPECT_EQ(p.qty.units(), -6);
  // Marked at 52: (52 - 50) x -6 = -12.00.
  EXPECT_EQ(Unrealized(p, P("52"), kUsd).value(), -1'200);
}

TEST(LedgerTest, FlipThroughZeroClosesThenOpensTheOtherSide) {
  Position p = NewPosition();
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 10, "100.00", 1), kUsd).ok());
  p.stop = P("95");
  p.sessions_held = 4;
  auto f = ApplyFill(p, MakeFill(Side::kSell, 15, "90.00", 5, 30), kUsd);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->realized, -10'000);  // (90 - 100) x 10
  EXPECT_TRUE(f->closed_position);
  EXPECT_EQ(f->fees, 30);
  EXPECT_EQ(p.qty.units(), -5);
  ASSERT_EQ(p.lots.size(), 1u);
  EXPECT_EQ(p.lots[0].qty.units(), -5);
  EXPECT_EQ(p.lots[0].price, P("90.00"));
  EXPECT_EQ(p.lots[0].fees, 10);  // 30 x 5 / 15
  EXPECT_EQ(p.entry_session, Date::FromYmd(2024, 3, 5));
  EXPECT_EQ(p.sessions_held, 0);
  EXPECT_FALSE(p.stop.has_value());
  EXPECT_EQ(p.realized, 0);  // a new position
}

TEST(LedgerTest, SixteenthsFrom1990sAreExact) {
  Position p = NewPosition();
  // 25 1/16 -> 26 3/16 on 100 shares: 1 1/8 x 100 = 112.50 exactly.
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 100, "25.0625"), kUsd).ok());
  auto s = ApplyFill(p, MakeFill(Side::kSell, 100, "26.1875"), kUsd);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->realized, 11'250);
  // 1/256ths: 7 x (10 5/256 - 10 1/256) = 7 x 0.015625 = 0.109375 -> 11 cents (one rounding).
  Position q = NewPosition();
  ASSERT_TRUE(ApplyFill(q, MakeFill(Side::kBuy, 7, "10.00390625"), kUsd).ok());
  EXPECT_EQ(ApplyFill(q, MakeFill(Side::kSell, 7, "10.01953125"), kUsd)->realized, 11);
}

TEST(LedgerTest, RoundingIsHalfEvenOncePerLot) {
  // 1 x 0.005 = 0.5 cent -> 0 (even); 1 x 0.015 = 1.5 cents -> 2 (even).
  Position p = NewPosition();
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 1, "10.000"), kUsd).ok());
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 1, "10.000"), kUsd).ok());
  auto a = ApplyFill(p, MakeFill(Side::kSell, 1, "10.005"), kUsd);
  EXPECT_EQ(a->realized, 0);
  auto b = ApplyFill(p, MakeFill(Side::kSell, 1, "10.015"), kUsd);
  EXPECT_EQ(b->realized, 2);
}

TEST(LedgerTest, IndianRupeesInPaise) {
  Position p = NewPosition();
  const Currency inr = Currency::Inr();
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 7, "2456.35"), inr).ok());
  EXPECT_EQ(Unrealized(p, P("2450.00"), inr).value(), -4'445);  // -6.35 x 7 = -44.45
  auto s = ApplyFill(p, MakeFill(Side::kSell, 7, "2461.05"), inr);
  EXPECT_EQ(s->realized, 3'290);  // 4.70 x 7 = 32.90
}

TEST(LedgerTest, UnrealizedMarksEveryLot) {
  Position p = NewPosition();
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 10, "100"), kUsd).ok());
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 5, "110"), kUsd).ok());
  EXPECT_EQ(Unrealized(p, P("105"), kUsd).value(), 2'500);  // +50.00 - 25.00
  EXPECT_EQ(Unrealized(NewPosition(), P("105"), kUsd).value(), 0);
}

TEST(LedgerTest, BadFillIsRefusedAndChangesNothing) {
  Position p = NewPosition();
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 10, "100"), kUsd).ok());
  const Position before = p;
  Fill zero = MakeFill(Side::kSell, 1, "100");
  zero.execution_id = "X1";
  zero.qty = Quantity::FromUnits(0);
  EXPECT_EQ(ApplyFill(p, zero, kUsd).status(),
            Status::InvalidArgument("fill X1: quantity 0 is not positive"));
  Fill free = MakeFill(Side::kSell, 1, "100");
  free.execution_id = "X2";
  free.price = Price::FromRaw(0);
  EXPECT_EQ(ApplyFill(p, free, kUsd).status(),
            Status::InvalidArgument("fill X2: price 0.00 is not positive"));
  Fill other = MakeFill(Side::kSell, 1, "100");
  other.execution_id = "X3";
  other.symbol = "MSFT";
  EXPECT_EQ(ApplyFill(p, other, kUsd).status(),
            Status::InvalidArgument("fill X3 is for MSFT, the position for GOOG"));
  EXPECT_EQ(p.qty, before.qty);
  ASSERT_EQ(p.lots.size(), 1u);
  EXPECT_EQ(p.lots[0].qty, before.lots[0].qty);
}

TEST(LedgerTest, AProfitBeyondTheLedgersRangeIsRefusedAndChangesNothing) {
  // Two lots of 10^11 shares at 0.01; selling both at 9 x 10^10 would realise ~1.8 x 10^21 cents.
  Position p = NewPosition();
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 100'000'000'000, "0.01", 1, 7), kUsd).ok());
  ASSERT_TRUE(ApplyFill(p, MakeFill(Side::kBuy, 100'000'000'000, "0.01", 2, 7), kUsd).ok());
  const Position before = p;
  auto sold = ApplyFill(p, MakeFill(Side::kSell, 200'000'000'000, "90000000000", 3), kUsd);
  ASSERT_FALSE(sold.ok());
  EXPECT_EQ(sold.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(p.qty, before.qty);
  ASSERT_EQ(p.lots.size(), 2u);
  EXPECT_EQ(p.lots[0].qty, before.lots[0].qty);
  EXPECT_EQ(p.lots[0].fees, before.lots[0].fees);
  EXPECT_EQ(p.realized, before.realized);
  EXPECT_EQ(Unrealized(p, P("90000000000"), kUsd).status().code(), StatusCode::kOutOfRange);
}

TEST(LedgerTest, CheckPositionFindsEachBrokenInvariant) {
  std::vector<Fill> fills = {MakeFill(Side::kBuy, 10, "100"), MakeFill(Side::kSell, 4, "101")};
  Position p = NewPosition();
  for (const Fill& f : fills) ASSERT_TRUE(ApplyFill(p, f, kUsd).ok());
  EXPECT_TRUE(CheckPosition(p, fills).ok());

  Position wrong_qty = p;
  wrong_qty.qty = Quantity::FromUnits(7);
  EXPECT_EQ(CheckPosition(wrong_qty, fills),
            Status::Corruption("position sma/GOOG: qty 7 but its fills sum to 6"));

  Position wrong_lots = p;
  wrong_lots.lots.push_back(Lot{Date::FromYmd(2024, 3, 9), Quantity::FromUnits(1), P("1"), 0});
  EXPECT_EQ(CheckPosition(wrong_lots, fills),
            Status::Corruption("position sma/GOOG: qty 6 but its lots sum to 7"));

  Position wrong_sign = p;
  wrong_sign.lots.push_back(Lot{Date::FromYmd(2024, 3, 9), Quantity::FromUnits(-1), P("1"), 0});
  EXPECT_EQ(
      CheckPosition(wrong_sign, fills),
      Status::Corruption("position sma/GOOG: lot of -1 opened 2024-03-09 in a position of 6"));
}

// Whole-cent prices make every lot's P&L exact, so realised + unrealised must equal the exact cash
// flow of the fills, to the cent, after 10,000 random fills (longs, shorts, flips).
TEST(LedgerTest, TenThousandRandomFillsSumExactly) {
  std::mt19937_64 rng(20240301);
  std::uniform_int_distribution<int64_t> qty(1, 500), cents(100, 50'000);
  std::bernoulli_distribution buy(0.5);
  Position p = NewPosition();
  std::vector<Fill> fills;
  int64_t realized = 0, fees = 0;
  Int128 cash_cents = 0;  // - sum(signed qty x price)
  int64_t last_cents = 0;
  for (int i = 0; i < 10'000; ++i) {
    Fill f;
    f.execution_id = "R" + std::to_string(i);
    f.symbol = "GOOG";
    f.side = buy(rng) ? Side::kBuy : Side::kSell;
    f.qty = Quantity::FromUnits(qty(rng));
    last_cents = cents(rng);
    f.price = Price::FromRaw(last_cents * 1'000'000);
    f.fees = qty(rng) % 7;
    f.session = Date::FromYmd(2024, 1, 1).AddDays(i);
    auto e = ApplyFill(p, f, kUsd);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    realized += e->realized;
    fees += e->fees;
    const int64_t signed_qty = f.side == Side::kBuy ? f.qty.units() : -f.qty.units();
    cash_cents -= static_cast<Int128>(signed_qty) * last_cents;
    fills.push_back(f);
    if (i % 100 == 0) {
      ASSERT_TRUE(CheckPosition(p, fills).ok()) << i;
    }
  }
  const Int128 exact = cash_cents + static_cast<Int128>(p.qty.units()) * last_cents;
  EXPECT_EQ(static_cast<Int128>(realized) +
                Unrealized(p, Price::FromRaw(last_cents * 1'000'000), kUsd).value(),
            exact);
  int64_t lot_fees = 0;
  for (const Lot& lot : p.lots) lot_fees += lot.fees;
  EXPECT_LE(lot_fees, fees);
}

}  // namespace
}  // namespace kairos::engine
