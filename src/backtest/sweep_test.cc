#include "backtest/sweep.h"

#include <gtest/gtest.h>

namespace kairos::backtest {
namespace {

const char* kText = R"(entry = "rsi(close, ${period=14}) < ${level=30}"
exit = "rsi(close, ${period=14}) > 60")";

TEST(PlaceholdersTest, FoundWithTheirDefaults) {
  auto p = FindPlaceholders(kText);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*p, (Params{{"level", "30"}, {"period", "14"}}));
}

TEST(PlaceholdersTest, ExpandedWithValuesElseDefaults) {
  auto t = ExpandPlaceholders(kText, {{"period", "7"}});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, "entry = \"rsi(close, 7) < 30\"\nexit = \"rsi(close, 7) > 60\"");
  EXPECT_EQ(*ExpandPlaceholders("no placeholder", {}), "no placeholder");
}

TEST(PlaceholdersTest, BadTextAndUnknownNamesAreRefused) {
  EXPECT_EQ(FindPlaceholders("x ${period=14").status(),
            Status::InvalidArgument("placeholder at offset 2: no closing '}'"));
  EXPECT_EQ(FindPlaceholders("${period}").status(),
            Status::InvalidArgument("placeholder '${period}': expected ${name=default}"));
  EXPECT_EQ(FindPlaceholders("${Per=1}").status(),
            Status::InvalidArgument(
                "placeholder '${Per=1}': the name must be lower-case letters, digits or '_'"));
  EXPECT_EQ(FindPlaceholders("${p=1} ${p=2}").status(),
            Status::InvalidArgument("placeholder 'p' has two defaults: '1' and '2'"));
  EXPECT_EQ(
      ExpandPlaceholders(kText, {{"lenght", "3"}}).status(),
      Status::InvalidArgument("--sweep lenght: the strategy has no placeholder ${lenght=...}"));
}

TEST(ParseSweepTest, ARangeWithAStepListsEveryStepToItsEnd) {
  auto r = ParseSweep("period=5..30:5");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "period");
  EXPECT_EQ(r->values, (std::vector<std::string>{"5", "10", "15", "20", "25", "30"}));
}

TEST(ParseSweepTest, ARangeWithoutAStepStepsByOne) {
  auto r = ParseSweep("n=1..3");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->values, (std::vector<std::string>{"1", "2", "3"}));
}

TEST(ParseSweepTest, AListKeepsItsValuesInTheOrderWritten) {
  auto r = ParseSweep("level=30,20,25");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "level");
  EXPECT_EQ(r->values, (std::vector<std::string>{"30", "20", "25"}));
}

TEST(ParseSweepTest, BadArgumentsQuoteTheArgument) {
  const std::string tail = " (expected name=from..to[:step] or name=a,b,c)";
  EXPECT_EQ(ParseSweep("period").status(),
            Status::InvalidArgument("--sweep 'period': no '='" + tail));
  EXPECT_EQ(ParseSweep("p=5..x").status(),
            Status::InvalidArgument("--sweep 'p=5..x': a range takes integers" + tail));
  EXPECT_EQ(ParseSweep("p=5..10:0").status(),
            Status::InvalidArgument("--sweep 'p=5..10:0': the step must be positive" + tail));
  EXPECT_EQ(ParseSweep("p=10..5").status(),
            Status::InvalidArgument("--sweep 'p=10..5': the range ends before it starts" + tail));
  EXPECT_EQ(ParseSweep("p=1,,2").status(),
            Status::InvalidArgument("--sweep 'p=1,,2': an empty value" + tail));
}

TEST(CombinationsTest, CartesianProductFirstAxisSlowest) {
  auto c = Combinations({{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}});
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[0], (Params{{"a", "1"}, {"b", "x"}}));
  EXPECT_EQ(c[2], (Params{{"a", "1"}, {"b", "z"}}));
  EXPECT_EQ(c[5], (Params{{"a", "2"}, {"b", "z"}}));
  EXPECT_EQ(Combinations({}).size(), 1u);  // no axis: the defaults, once
}

TEST(RankKeyTest, HigherIsBetterAndDrawdownIsNegated) {
  engine::Metrics m;
  m.sharpe = 1.5;
  m.max_drawdown.percent = 12;
  EXPECT_EQ(RankKey(m, "sharpe"), 1.5);
  EXPECT_EQ(RankKey(m, "max_drawdown"), -12);
  EXPECT_EQ(RankKey(m, "sortino"), std::nullopt);
}

}  // namespace
}  // namespace kairos::backtest
