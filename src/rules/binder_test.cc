#include "rules/binder.h"

#include <string>

#include <gtest/gtest.h>

#include "rules/parser.h"

namespace kairos::rules {
namespace {

TEST(BinderTest, BoundTreeCarriesWhatAnEvaluatorNeeds) {
  auto rule = CompileRule("macd(close, 12, 26, 9).signal > 0 and rsi(hl2) < 30");
  ASSERT_TRUE(rule.ok()) << rule.status().message();
  const BoundExpr& root = *rule->root;
  EXPECT_EQ(root.kind, BoundKind::kBinary);
  EXPECT_EQ(root.type, Type::kBool);
  const BoundExpr& macd = *root.args[0]->args[0];
  ASSERT_EQ(macd.kind, BoundKind::kIndicator);
  EXPECT_EQ(macd.indicator->name, "macd");
  EXPECT_EQ(macd.params, (std::vector<double>{12, 26, 9}));
  EXPECT_EQ(macd.output, 1u);
  ASSERT_EQ(macd.args.size(), 1u);
  EXPECT_EQ(macd.args[0]->field, Field::kClose);
  const BoundExpr& rsi = *root.args[1]->args[0];
  EXPECT_EQ(rsi.params, (std::vector<double>{14}));  // default filled in
  EXPECT_EQ(rsi.args[0]->field, Field::kHl2);
  EXPECT_EQ(rsi.pos, (SourcePos{1, 39}));
  EXPECT_EQ(rule->lookback, 33);
}

TEST(BinderTest, FixedFieldIndicatorsTakeNoSeries) {
  auto rule = CompileRule("atr(10) > 1");
  ASSERT_TRUE(rule.ok());
  const BoundExpr& atr = *rule->root->args[0];
  EXPECT_TRUE(atr.args.empty());
  EXPECT_EQ(atr.params, (std::vector<double>{10}));
  EXPECT_EQ(atr.lookback, 10);
}

TEST(BinderTest, ConstantsFoldSoParametersMayBeExpressions) {
  auto rule = CompileRule("sma(close, 2 * 10) > -(1 + 1)");
  ASSERT_TRUE(rule.ok()) << rule.status().message();
  EXPECT_EQ(CanonicalText(*rule->root), "(sma(close, 20) > -2)");
}

TEST(BinderTest, IdenticalSubexpressionsShareAKey) {
  auto rule = CompileRule("close > sma(close, 200) and sma(close,200)[1] < SMA(close, 200.0)");
  ASSERT_TRUE(rule.ok());
  const BoundExpr& a = *rule->root->args[0]->args[1];
  const BoundExpr& b = *rule->root->args[1]->args[0]->args[0];
  const BoundExpr& c = *rule->root->args[1]->args[1];
  EXPECT_EQ(ShareKey(a), "sma(close, 200)");
  EXPECT_EQ(ShareKey(a), ShareKey(b));
  EXPECT_EQ(ShareKey(a), ShareKey(c));
}

TEST(BinderTest, WeeklyNodesAreMarkedAndKeyedApart) {
  auto rule = CompileRule("weekly(sma(close, 10)) > sma(close, 10)");
  ASSERT_TRUE(rule.ok());
  const BoundExpr& weekly = *rule->root->args[0];
  EXPECT_EQ(weekly.kind, BoundKind::kWeekly);
  EXPECT_FALSE(weekly.weekly);
  EXPECT_TRUE(weekly.args[0]->weekly);
  EXPECT_EQ(weekly.args[0]->lookback, 9);  // weeks
  EXPECT_EQ(weekly.lookback, 50);          // daily bars: 10 completed weeks of at most 5 bars
  EXPECT_EQ(ShareKey(*weekly.args[0]), "weekly:sma(close, 10)");
  EXPECT_EQ(ShareKey(*rule->root->args[1]), "sma(close, 10)");
}

TEST(BinderTest, MinAndMaxAreTheTwoArgumentBuiltins) {
  // The registry's MIN/MAX window indicators are reached through lowest()/highest().
  auto rule = CompileRule("max(open, close) > min(open, 30)");
  ASSERT_TRUE(rule.ok()) << rule.status().message();
  EXPECT_EQ(rule->root->args[0]->kind, BoundKind::kBuiltin);
  EXPECT_EQ(rule->root->args[0]->builtin, Builtin::kMax);
  EXPECT_EQ(rule->lookback, 0);
}

TEST(BinderTest, EveryRegistryIndicatorBindsWithItsDefaults) {
  for (const indicators::IndicatorInfo& info : indicators::AllIndicators()) {
    bool reads_series = std::find(info.inputs.begin(), info.inputs.end(),
                                  indicators::Input::kSeries) != info.inputs.end();
    std::string name(info.name);
    if (name == "min" || name == "max") continue;  // shadowed by the builtins
    std::string call = name + (reads_series ? "(close)" : "()");
    if (info.outputs.size() > 1) call += "." + std::string(info.outputs.back());
    std::string text = call + " > 0";
    SCOPED_TRACE(text);
    auto rule = CompileRule(text);
    ASSERT_TRUE(rule.ok()) << rule.status().message();
    EXPECT_EQ(rule->lookback, info.lookback(rule->root->args[0]->params));
  }
}

TEST(BinderTest, ErrorsShowTheTextAndACaret) {
  auto rule = CompileRule("rsi(close,14) < 30 and emaa(close, 20) > close");
  ASSERT_FALSE(rule.ok());
  EXPECT_EQ(rule.status().message(),
            "1:24: unknown indicator 'emaa' — did you mean 'ema'?\n"
            "rsi(close,14) < 30 and emaa(close, 20) > close\n"
            "                       ^");
}

TEST(BinderTest, CanonicalTextOfAnExpression) {
  auto expr = Parse("a_b + 1");
  ASSERT_TRUE(expr.ok());
  auto bound = Bind(**expr, "a_b + 1");
  ASSERT_FALSE(bound.ok());
  auto ok = Parse("crossover(ema(close,12), ema(close, 26)) or close[0] == 1e-7");
  ASSERT_TRUE(ok.ok());
  auto b = Bind(**ok, "");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(CanonicalText(**b),
            "(crossover(ema(close, 12), ema(close, 26)) or (close[0] == 1e-07))");
}

void ExpectCanonicalTextParsesAgain(const std::string& source) {
  auto expr = Parse(source);
  ASSERT_TRUE(expr.ok()) << expr.status().message();
  auto bound = Bind(**expr, source);
  ASSERT_TRUE(bound.ok()) << bound.status().message();
  std::string canonical = CanonicalText(**bound);
  auto again = Parse(canonical);
  ASSERT_TRUE(again.ok()) << again.status().message();
  auto rebound = Bind(**again, canonical);
  ASSERT_TRUE(rebound.ok());
  EXPECT_EQ(CanonicalText(**rebound), canonical);
  EXPECT_EQ((*rebound)->lookback, (*bound)->lookback);
}

// Found by rules_fuzzer: canonical text wraps every operator in parentheses, which once pushed a
// rule that parsed past the parser's recursion limit when its canonical text was parsed again.
// Each chain is about as tall as a rule may be.
TEST(BinderTest, CanonicalTextOfADeepChainParsesAgain) {
  const int levels = kMaxNesting - 4;
  std::string unary = std::string(levels, '-') + "high - -7 > 0";
  std::string right_nested;
  for (int i = 0; i < levels; ++i) right_nested += "close - (";
  right_nested += "close" + std::string(levels, ')') + " > 0";
  std::string negations;
  for (int i = 0; i < levels; ++i) negations += "not ";
  negations += "close > 1";
  for (const std::string& source : {unary, right_nested, negations}) {
    SCOPED_TRACE(source.substr(0, 40));
    ExpectCanonicalTextParsesAgain(source);
  }
}

}  // namespace
}  // namespace kairos::rules
