#include "engine/exits.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kairos::engine {
namespace {

Price P(std::string_view text) { return Price::Parse(text).value(); }

LevelSpec Pct(double p) {
  LevelSpec l;
  l.kind = LevelSpec::Kind::kPercent;
  l.percent = p;
  return l;
}
LevelSpec Expr(LevelSpec::Kind k, std::string e) {
  LevelSpec l;
  l.kind = k;
  l.expr = std::move(e);
  return l;
}

std::string Reason(const StrategySpec& spec, const FixedLevels& levels, std::string_view close,
                   std::string_view high_water, int held = 0, bool rule = false) {
  ExitInput in;
  in.close = P(close);
  in.high_water = P(high_water);
  in.sessions_held = held;
  in.exit_rule_matched = rule;
  auto d = DecideExit(spec, levels, in);
  return d ? d->reason : "hold";
}

TEST(ExitsTest, PercentStopAndTargetFromTheEntryFill) {
  StrategySpec spec;
  spec.stop_loss = Pct(5);
  spec.take_profit = Pct(10);
  FixedLevels l = LevelsAtEntry(spec, P("100"), {});
  EXPECT_EQ(l.stop_loss, P("95"));
  EXPECT_EQ(l.take_profit, P("110"));
  EXPECT_EQ(Reason(spec, l, "95.01", "100"), "hold");
  EXPECT_EQ(Reason(spec, l, "95", "100"), "stop_loss");  // at the level counts
  EXPECT_EQ(Reason(spec, l, "94.99", "100"), "stop_loss");
  EXPECT_EQ(Reason(spec, l, "109.99", "109.99"), "hold");
  EXPECT_EQ(Reason(spec, l, "110", "110"), "take_profit");
}

TEST(ExitsTest, DistanceAndPriceStopsUseTheDecisionBarValues) {
  StrategySpec spec;
  spec.stop_loss = Expr(LevelSpec::Kind::kDistance, "2*atr(14)");
  spec.take_profit = Expr(LevelSpec::Kind::kPrice, "highest(high, 20)");
  LevelInputs in;
  in.stop_loss = 3.5;
  in.take_profit = 112.25;
  FixedLevels l = LevelsAtEntry(spec, P("100"), in);
  EXPECT_EQ(l.stop_loss, P("96.50"));
  EXPECT_EQ(l.take_profit, P("112.25"));
  EXPECT_EQ(Reason(spec, l, "96.51", "100"), "hold");
  EXPECT_EQ(Reason(spec, l, "96.50", "100"), "stop_loss");
  // A value that was NaN on the decision bar leaves the level unset, never guessed.
  in.stop_loss = std::nan("");
  EXPECT_FALSE(LevelsAtEntry(spec, P("100"), in).stop_loss.has_value());
}

TEST(ExitsTest, ShortsMirrorTheLevels) {
  StrategySpec spec;
  spec.side = PositionSide::kShort;
  spec.stop_loss = Pct(5);
  spec.take_profit = Pct(10);
  FixedLevels l = LevelsAtEntry(spec, P("100"), {});
  EXPECT_EQ(l.stop_loss, P("105"));
  EXPECT_EQ(l.take_profit, P("90"));
  EXPECT_EQ(Reason(spec, l, "105", "100"), "stop_loss");
  EXPECT_EQ(Reason(spec, l, "90", "90"), "take_profit");
  EXPECT_EQ(Reason(spec, l, "100", "95"), "hold");
}

TEST(ExitsTest, TrailingStopFollowsTheBestClose) {
  StrategySpec spec;
  spec.trailing_stop = Pct(8);
  FixedLevels l = LevelsAtEntry(spec, P("100"), {});
  // Best close 120 -> trailing level 110.40.
  EXPECT_EQ(TrailingLevel(spec, l, P("120")), P("110.40"));
  EXPECT_EQ(Reason(spec, l, "110.41", "120"), "hold");
  EXPECT_EQ(Reason(spec, l, "110.40", "120"), "trailing_stop");
  EXPECT_EQ(BestClose(PositionSide::kLong, P("120"), P("118")), P("120"));
  EXPECT_EQ(BestClose(PositionSide::kShort, P("90"), P("88")), P("88"));
}

TEST(ExitsTest, TrailingPriceExpressionBecomesADistanceAtEntry) {
  StrategySpec spec;
  spec.trailing_stop = Expr(LevelSpec::Kind::kPrice, "lowest(low, 10)");
  LevelInputs in;
  in.trailing_stop = 95;
  in.decision_close = 100;
  FixedLevels l = LevelsAtEntry(spec, P("101"), in);
  EXPECT_EQ(l.trailing_distance, P("5"));
  EXPECT_EQ(TrailingLevel(spec, l, P("110")), P("105"));
}

TEST(ExitsTest, MaxHoldAndExitRule) {
  StrategySpec spec;
  spec.max_hold = 3;
  FixedLevels none;
  EXPECT_EQ(Reason(spec, none, "100", "100", 2), "hold");
  EXPECT_EQ(Reason(spec, none, "100", "100", 3), "max_hold");
  spec.max_hold = 0;
  EXPECT_EQ(Reason(spec, none, "100", "100", 300), "hold");
  EXPECT_EQ(Reason(spec, none, "100", "100", 0, /*rule=*/true), "exit_rule");
}

TEST(ExitsTest, LossLimitingReasonWinsWhenSeveralHold) {
  StrategySpec spec;
  spec.stop_loss = Pct(5);
  spec.max_hold = 1;
  FixedLevels l = LevelsAtEntry(spec, P("100"), {});
  EXPECT_EQ(Reason(spec, l, "90", "100", 5, true), "stop_loss");
}

}  // namespace
}  // namespace kairos::engine
