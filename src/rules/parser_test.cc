#include "rules/parser.h"

#include <string>

#include <fmt/core.h>
#include <gtest/gtest.h>

namespace kairos::rules {
namespace {

// The tree as an S-expression, to check the shape the parser built.
std::string Dump(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumber:
      return fmt::format("{}", e.number);
    case ExprKind::kIdentifier:
      return e.name;
    case ExprKind::kUnary:
      return fmt::format("({} {})", OpText(e.unary_op), Dump(*e.children[0]));
    case ExprKind::kBinary:
      return fmt::format("({} {} {})", OpText(e.binary_op), Dump(*e.children[0]),
                         Dump(*e.children[1]));
    case ExprKind::kCall: {
      std::string s = "(call " + e.name;
      for (const auto& c : e.children) s += " " + Dump(*c);
      return s + ")";
    }
    case ExprKind::kMember:
      return fmt::format("(. {} {})", Dump(*e.children[0]), e.name);
    case ExprKind::kIndex:
      return fmt::format("([] {} {})", Dump(*e.children[0]), Dump(*e.children[1]));
  }
  return "?";
}

std::string ParseDump(std::string_view text) {
  auto expr = Parse(text);
  if (!expr.ok()) return "error: " + expr.status().message();
  return Dump(**expr);
}

std::string FirstLine(std::string_view text) {
  auto expr = Parse(text);
  if (expr.ok()) return "ok";
  Status status = expr.status();
  return status.message().substr(0, status.message().find('\n'));
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(ParseDump("a or b and c"), "(or a (and b c))");
  EXPECT_EQ(ParseDump("a and b or c"), "(or (and a b) c)");
  EXPECT_EQ(ParseDump("not a and b"), "(and (not a) b)");
  EXPECT_EQ(ParseDump("not a < b"), "(not (< a b))");
  EXPECT_EQ(ParseDump("a + b < c * d"), "(< (+ a b) (* c d))");
  EXPECT_EQ(ParseDump("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(ParseDump("a / b * c"), "(* (/ a b) c)");
  EXPECT_EQ(ParseDump("-a * b"), "(* (- a) b)");
  EXPECT_EQ(ParseDump("-x[1]"), "(- ([] x 1))");
  EXPECT_EQ(ParseDump("- -a"), "(- (- a))");
  EXPECT_EQ(ParseDump("(a + b) * c"), "(* (+ a b) c)");
}

TEST(ParserTest, PostfixChains) {
  EXPECT_EQ(ParseDump("macd(close, 12, 26, 9).signal[1]"),
            "([] (. (call macd close 12 26 9) signal) 1)");
  EXPECT_EQ(ParseDump("atr()"), "(call atr)");
  EXPECT_EQ(ParseDump("weekly(rsi(close))"), "(call weekly (call rsi close))");
}

TEST(ParserTest, PositionsAreWhereExpressionsStart) {
  auto expr = Parse("close >\n  sma(close, 20).x");
  ASSERT_TRUE(expr.ok());
  const Expr& right = *(*expr)->children[1];
  EXPECT_EQ((*expr)->pos, (SourcePos{1, 1}));
  EXPECT_EQ((*expr)->op_pos, (SourcePos{1, 7}));
  EXPECT_EQ(right.kind, ExprKind::kMember);
  EXPECT_EQ(right.pos, (SourcePos{2, 3}));
  EXPECT_EQ(right.op_pos, (SourcePos{2, 18}));
}

TEST(ParserTest, ComparisonsDoNotChain) {
  EXPECT_EQ(FirstLine("a < b < c"),
            "1:7: comparisons do not chain: '<' follows '<'; write 'a < b and b < c' instead");
  EXPECT_EQ(FirstLine("a == b != c"),
            "1:8: comparisons do not chain: '!=' follows '=='; write 'a < b and b < c' instead");
  EXPECT_EQ(ParseDump("(a < b) == (c < d)"), "(== (< a b) (< c d))");
  EXPECT_EQ(ParseDump("(a < b) < c"), "(< (< a b) c)");  // parses; the binder rejects the types
}

TEST(ParserTest, SyntaxErrors) {
  EXPECT_EQ(FirstLine(""), "1:1: empty rule");
  EXPECT_EQ(FirstLine("  # only a comment\n"), "2:1: empty rule");
  EXPECT_EQ(FirstLine("a +"), "1:4: the rule ends where a value was expected");
  EXPECT_EQ(FirstLine("a + * b"), "1:5: expected a value (a number, a name or '('), found '*'");
  EXPECT_EQ(FirstLine("a)"), "1:2: unexpected ')' after a complete expression (no '(' is open)");
  EXPECT_EQ(FirstLine("a."), "1:3: expected an output name after '.', found end of rule");
  EXPECT_EQ(FirstLine("a[1"), "1:4: expected ']' to close the '[' at 1:2, found end of rule");
  EXPECT_EQ(FirstLine("(a)(1)"),
            "1:4: only a function or indicator name can be called with '(...)'");
  EXPECT_EQ(FirstLine("+a"), "1:1: unary '+' is not supported; write the number alone");
  EXPECT_EQ(FirstLine("f(a,)"), "1:5: expected a value (a number, a name or '('), found ')'");
}

TEST(ParserTest, NestingIsLimited) {
  // A chain of unary minus is as tall as it is long.
  std::string ok = std::string(kMaxNesting - 1, '-') + "a";
  EXPECT_EQ(FirstLine(ok), "ok");
  std::string deep = std::string(kMaxNesting + 1, '-') + "a";
  EXPECT_EQ(FirstLine(deep), "1:2: expression is nested too deeply (the limit is 200 levels)");
  // Redundant parentheses add no height; only the parser's recursion bounds them.
  std::string parens =
      std::string(kMaxRecursion - 1, '(') + "a" + std::string(kMaxRecursion - 1, ')');
  EXPECT_EQ(FirstLine(parens), "ok");
  std::string stack =
      std::string(kMaxRecursion + 1, '(') + "a" + std::string(kMaxRecursion + 1, ')');
  EXPECT_EQ(FirstLine(stack),
            "1:403: parentheses and operators are nested too deeply (the limit is 402 levels of "
            "parsing)");
  // Left-associative chains and postfix chains grow the tree without recursion in the parser;
  // their height is limited too.
  std::string sum = "a";
  for (int i = 0; i < 5000; ++i) sum += "+a";
  EXPECT_EQ(FirstLine(sum), "1:1: expression is nested too deeply (the limit is 200 levels)");
  std::string offsets = "a";
  for (int i = 0; i < 5000; ++i) offsets += "[1]";
  EXPECT_EQ(FirstLine(offsets), "1:1: expression is nested too deeply (the limit is 200 levels)");
  std::string negations(5000, '-');
  EXPECT_EQ(FirstLine(negations + "a").substr(0, 10), "1:403: par");
}

}  // namespace
}  // namespace kairos::rules
