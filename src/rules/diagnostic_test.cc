#include "rules/diagnostic.h"

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace kairos::rules {
namespace {

TEST(DiagnosticTest, FormatsLineColumnSourceAndCaret) {
  std::string_view source = "rsi(close,14) < 30 and emaa(close, 20) > close";
  EXPECT_EQ(FormatDiagnostic(source, {1, 24}, "unknown indicator 'emaa'"),
            "1:24: unknown indicator 'emaa'\n"
            "rsi(close,14) < 30 and emaa(close, 20) > close\n"
            "                       ^");
}

TEST(DiagnosticTest, PicksTheRightLineAndKeepsTabs) {
  std::string_view source = "close > open\r\n\tand  $\n";
  EXPECT_EQ(FormatDiagnostic(source, {2, 7}, "unexpected character '$'"),
            "2:7: unexpected character '$'\n"
            "\tand  $\n"
            "\t     ^");
}

TEST(DiagnosticTest, ControlBytesAreNotEchoed) {
  std::string_view source("a\x01 b", 4);
  EXPECT_EQ(FormatDiagnostic(source, {1, 2}, "m"), "1:2: m\na? b\n ^");
}

TEST(DiagnosticTest, PositionPastTheTextStillFormats) {
  EXPECT_EQ(FormatDiagnostic("ab", {5, 9}, "m"), "5:9: m\n\n^");
  EXPECT_EQ(FormatDiagnostic("ab", {1, 3}, "m"), "1:3: m\nab\n  ^");
}

TEST(DiagnosticTest, RuleErrorIsInvalidArgument) {
  Status s = RuleError("x", {1, 1}, "bad");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "1:1: bad\nx\n^");
}

TEST(ParseDiagnosticTest, TakesPositionMessageAndHintApart) {
  Status s = RuleError("close > emaa(close, 20)", {1, 9},
                       "unknown indicator 'emaa' — did you mean 'ema'?");
  Diagnostic d = ParseDiagnostic(s.message());
  EXPECT_EQ(d.line, 1);
  EXPECT_EQ(d.column, 9);
  EXPECT_EQ(d.message, "unknown indicator 'emaa'");
  EXPECT_EQ(d.hint, "did you mean 'ema'?");

  d = ParseDiagnostic("--rank: 2:13: expected ')'\nx\n^");
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.column, 13);
  EXPECT_EQ(d.message, "expected ')'");
  EXPECT_EQ(d.hint, "");
}

TEST(ParseDiagnosticTest, MessageWithoutPositionIsLineZero) {
  Diagnostic d = ParseDiagnostic("the rule is empty\nmore");
  EXPECT_EQ(d.line, 0);
  EXPECT_EQ(d.column, 0);
  EXPECT_EQ(d.message, "the rule is empty");
}

TEST(ParseDiagnosticsTest, OneForEachLineWithAPosition) {
  std::vector<Diagnostic> all = ParseDiagnostics(
      "sma.toml:4:8: side: expected \"long\" or \"short\", got \"sideways\"\n"
      "sma.toml:9:1: alocation: unknown key — did you mean 'allocation'?\n"
      "entry = \"x\"\n"
      "        ^");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].line, 4);
  EXPECT_EQ(all[0].column, 8);
  EXPECT_EQ(all[0].message, "side: expected \"long\" or \"short\", got \"sideways\"");
  EXPECT_EQ(all[1].line, 9);
  EXPECT_EQ(all[1].hint, "did you mean 'allocation'?");
  ASSERT_EQ(ParseDiagnostics("no position").size(), 1u);
}

TEST(EditDistanceTest, CountsEditsAndAdjacentTranspositions) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("ema", ""), 3);
  EXPECT_EQ(EditDistance("ema", "ema"), 0);
  EXPECT_EQ(EditDistance("emaa", "ema"), 1);
  EXPECT_EQ(EditDistance("sma", "ema"), 1);
  EXPECT_EQ(EditDistance("mcad", "macd"), 1);  // one transposition
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("ca", "abc"), 3);  // OSA, not unrestricted Damerau (2)
}

TEST(ClosestNameTest, NearestWithinTwoEditsFirstOnTies) {
  std::vector<std::string_view> names = {"ema", "sma", "macd", "close", "rsi"};
  EXPECT_EQ(ClosestName("emaa", names), "ema");
  EXPECT_EQ(ClosestName("clsoe", names), "close");
  EXPECT_EQ(ClosestName("xma", names), "ema");  // tie between ema and sma: the first
  EXPECT_EQ(ClosestName("volume", names), "");
  EXPECT_EQ(ClosestName("r", names), "");  // a one-letter name is not "near" everything
  EXPECT_EQ(DidYouMean("rsj", names), " — did you mean 'rsi'?");
  EXPECT_EQ(DidYouMean("zzzzzz", names), "");
  EXPECT_EQ(ClosestName("foo", std::vector<std::string_view>{"mom"}), "");  // 2 edits: too far
  EXPECT_EQ(ClosestName("sig", std::vector<std::string_view>{"macd", "signal"}), "signal");
}

}  // namespace
}  // namespace kairos::rules
