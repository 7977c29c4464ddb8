#include "engine/sizing.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kairos::engine {
namespace {

Price P(std::string_view text) { return Price::Parse(text).value(); }
const Currency kUsd = Currency::Usd();

SizingSpec Method(SizingSpec::Method m, int64_t qty = 0, int64_t amount = 0, double pct = 0) {
  SizingSpec s;
  s.method = m;
  s.qty = qty;
  s.amount = amount;
  s.percent = pct;
  return s;
}

int64_t Size(const SizingSpec& s, int64_t allocation, std::string_view price,
             std::optional<Price> stop = std::nullopt, std::string* why = nullptr,
             PositionSide side = PositionSide::kLong) {
  return SizeByMethod(s, allocation, kUsd, side, P(price), stop, why).units();
}

TEST(SizingTest, FixedQtyIsTheQty) {
  EXPECT_EQ(Size(Method(SizingSpec::Method::kFixedQty, 10), 10'000'000, "123.45"), 10);
}

TEST(SizingTest, FixedAmountFloorsAmountOverPrice) {
  // 10,000.00 / 123.45 = 81.004... -> 81 shares (81 × 123.45 = 9,999.45).
  EXPECT_EQ(Size(Method(SizingSpec::Method::kFixedAmount, 0, 1'000'000), 0, "123.45"), 81);
  // Exactly divisible: 10,000.00 / 125 = 80.
  EXPECT_EQ(Size(Method(SizingSpec::Method::kFixedAmount, 0, 1'000'000), 0, "125"), 80);
}

TEST(SizingTest, PercentOfAllocation) {
  // 10 % of 100,000.00 = 10,000.00; at 250.00 -> 40; at 333.33 -> floor(30.0003) = 30.
  SizingSpec s = Method(SizingSpec::Method::kPercent, 0, 0, 10);
  EXPECT_EQ(Size(s, 10'000'000, "250"), 40);
  EXPECT_EQ(Size(s, 10'000'000, "333.33"), 30);
  // 2.5 % of 100,000.00 = 2,500.00 at 99.99 -> 25.
  EXPECT_EQ(Size(Method(SizingSpec::Method::kPercent, 0, 0, 2.5), 10'000'000, "99.99"), 25);
}

TEST(SizingTest, RiskIsRiskAmountOverStopDistance) {
  // 1 % of 100,000.00 = 1,000.00 risked; entry 50.00, stop 47.50: 2.50 a share -> 400.
  SizingSpec s = Method(SizingSpec::Method::kRisk, 0, 0, 1);
  EXPECT_EQ(Size(s, 10'000'000, "50", P("47.50")), 400);
  // Distance 3.00 -> floor(333.33) = 333.
  EXPECT_EQ(Size(s, 10'000'000, "50", P("47")), 333);
  // Shorts: the stop is above.
  EXPECT_EQ(Size(s, 10'000'000, "50", P("52.50"), nullptr, PositionSide::kShort), 400);
}

TEST(SizingTest, RiskOverAOneTickStopIsCappedFarBelowOverflow) {
  // 100 % of 10^12 USD risked over a stop one tick (1e-8) away would be 10^22 shares.
  SizingSpec s = Method(SizingSpec::Method::kRisk, 0, 0, 100);
  int64_t units = Size(s, 100'000'000'000'000, "50", Price::FromRaw(P("50").raw() - 1));
  EXPECT_EQ(units, 100'000'000'000);
  EXPECT_GT(ReserveFor(P("50"), Quantity::FromUnits(units), kUsd, 50), 0);
}

TEST(SizingTest, ZeroSizesSayWhy) {
  std::string why;
  EXPECT_EQ(Size(Method(SizingSpec::Method::kRisk, 0, 0, 1), 10'000'000, "50", std::nullopt, &why),
            0);
  EXPECT_EQ(why, "risk sizing needs a stop_loss level");
  EXPECT_EQ(Size(Method(SizingSpec::Method::kRisk, 0, 0, 1), 10'000'000, "50", P("51"), &why), 0);
  EXPECT_EQ(why, "stop 51.00 is not on the losing side of 50.00");
  EXPECT_EQ(Size(Method(SizingSpec::Method::kFixedAmount, 0, 10'000), 0, "150", std::nullopt, &why),
            0);
  EXPECT_EQ(why, "amount 100.00 buys no share at 150.00");
}

TEST(SizingTest, ReserveAddsTheBufferAndRoundsUp) {
  // 10 × 100.00 × 1.01 = 1,010.00.
  EXPECT_EQ(ReserveFor(P("100"), Quantity::FromUnits(10), kUsd, 100), 101'000);
  // 3 × 33.333 = 99.999 -> 100.00 (up to the cent).
  EXPECT_EQ(ReserveFor(P("33.333"), Quantity::FromUnits(3), kUsd, 0), 10'000);
}

StrategySpec Spec(int max_new, int max_pos, int64_t qty = 10) {
  StrategySpec s;
  s.name = "t";
  s.max_new_per_day = max_new;
  s.max_positions = max_pos;
  s.sizing = Method(SizingSpec::Method::kFixedQty, qty);
  return s;
}

EntryCandidate C(int64_t id, std::string sym, double rank, std::string_view price = "100") {
  EntryCandidate c;
  c.signal_id = id;
  c.symbol = std::move(sym);
  c.rank_value = rank;
  c.reference = P(price);
  return c;
}

std::vector<std::string> Symbols(const Selection& s) {
  std::vector<std::string> out;
  for (const auto& e : s.entries) out.push_back(e.symbol);
  return out;
}

TEST(SelectEntriesTest, RankAscendingThenMaxNewPerDay) {
  BookState book;
  book.cash = 100'000'000;
  Selection s = SelectEntries(
      Spec(2, 5), 0, kUsd, book,
      {C(1, "CCC", 30), C(2, "BBB", 10), C(3, "AAA", 20), C(4, "DDD", std::nan(""))}, 0);
  EXPECT_EQ(Symbols(s), (std::vector<std::string>{"BBB", "AAA"}));
  ASSERT_EQ(s.refused.size(), 2u);
  EXPECT_EQ(s.refused[0].symbol, "CCC");
  EXPECT_EQ(s.refused[0].note, "not selected: max_new_per_day 2 reached");
  EXPECT_EQ(s.refused[1].symbol, "DDD");  // NaN ranks last
}

TEST(SelectEntriesTest, TiesBySymbol) {
  BookState book;
  book.cash = 100'000'000;
  Selection s =
      SelectEntries(Spec(2, 5), 0, kUsd, book, {C(1, "ZZZ", 5), C(2, "MMM", 5), C(3, "AAA", 5)}, 0);
  EXPECT_EQ(Symbols(s), (std::vector<std::string>{"AAA", "MMM"}));
}

TEST(SelectEntriesTest, MaxPositionsCountsOpenAndPending) {
  BookState book;
  book.cash = 100'000'000;
  book.open_positions = 4;
  book.new_today = 0;
  Selection s = SelectEntries(Spec(3, 5), 0, kUsd, book, {C(1, "AAA", 1), C(2, "BBB", 2)}, 0);
  EXPECT_EQ(Symbols(s), (std::vector<std::string>{"AAA"}));
  ASSERT_EQ(s.refused.size(), 1u);
  EXPECT_EQ(s.refused[0].note, "not selected: max_positions 5 reached");
}

TEST(SelectEntriesTest, NewTodayUsesUpSlotsAndHeldSymbolsAreSkipped) {
  BookState book;
  book.cash = 100'000'000;
  book.new_today = 1;
  book.held = {"AAA"};
  Selection s =
      SelectEntries(Spec(2, 5), 0, kUsd, book, {C(1, "AAA", 1), C(2, "BBB", 2), C(3, "CCC", 3)}, 0);
  EXPECT_EQ(Symbols(s), (std::vector<std::string>{"BBB"}));
  ASSERT_EQ(s.refused.size(), 2u);
  EXPECT_EQ(s.refused[0].note, "not selected: AAA already held or ordered by t");
  EXPECT_EQ(s.refused[1].note, "not selected: max_new_per_day 2 reached");
}

TEST(SelectEntriesTest, CashCutsTheQuantityThenRefusesSizeZero) {
  // 1,500.00 cash; 10 shares at 100.00 reserve 1,010.00 with a 1 % buffer; 490.00 left affords
  // floor(490 / 101) = 4 shares (404.00); 86.00 left buys nothing.
  BookState book;
  book.cash = 150'000;
  Selection s = SelectEntries(Spec(5, 5), 0, kUsd, book,
                              {C(1, "AAA", 1), C(2, "BBB", 2), C(3, "CCC", 3)}, 100);
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(s.entries[0].qty.units(), 10);
  EXPECT_EQ(s.entries[0].reserved, 101'000);
  EXPECT_EQ(s.entries[1].qty.units(), 4);
  EXPECT_EQ(s.entries[1].reserved, 40'400);
  ASSERT_EQ(s.refused.size(), 1u);
  EXPECT_EQ(s.refused[0].note, "size 0: cash 86.00 left, one share needs 101.00");
}

TEST(SelectEntriesTest, SizeZeroFromTheMethodIsRefused) {
  StrategySpec spec = Spec(5, 5);
  spec.sizing = Method(SizingSpec::Method::kRisk, 0, 0, 1);
  BookState book;
  book.cash = 100'000'000;
  Selection s = SelectEntries(spec, 10'000'000, kUsd, book, {C(1, "AAA", 1)}, 0);
  EXPECT_TRUE(s.entries.empty());
  ASSERT_EQ(s.refused.size(), 1u);
  EXPECT_EQ(s.refused[0].note, "size 0: risk sizing needs a stop_loss level");
}

}  // namespace
}  // namespace kairos::engine
