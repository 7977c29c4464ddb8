#include "rules/lexer.h"

#include <string>

#include <gtest/gtest.h>

namespace kairos::rules {
namespace {

TEST(LexerTest, TokensKeepTheirPositions) {
  auto tokens = Lex("rsi(close, 14) < 30  # oversold\n  AND\tx[1] >= 1.5e-2");
  ASSERT_TRUE(tokens.ok()) << tokens.status().message();
  std::vector<TokenKind> kinds;
  for (const Token& t : *tokens) kinds.push_back(t.kind);
  using K = TokenKind;
  EXPECT_EQ(kinds, (std::vector<K>{K::kIdentifier, K::kLeftParen, K::kIdentifier, K::kComma,
                                   K::kNumber, K::kRightParen, K::kLess, K::kNumber, K::kAnd,
                                   K::kIdentifier, K::kLeftBracket, K::kNumber, K::kRightBracket,
                                   K::kGreaterEqual, K::kNumber, K::kEnd}));
  EXPECT_EQ((*tokens)[0].pos, (SourcePos{1, 1}));
  EXPECT_EQ((*tokens)[4].pos, (SourcePos{1, 12}));
  EXPECT_EQ((*tokens)[4].number, 14);
  EXPECT_EQ((*tokens)[8].pos, (SourcePos{2, 3}));
  EXPECT_EQ((*tokens)[9].pos, (SourcePos{2, 7}));
  EXPECT_EQ((*tokens)[14].text, "1.5e-2");
  EXPECT_DOUBLE_EQ((*tokens)[14].number, 0.015);
  EXPECT_EQ((*tokens)[15].pos, (SourcePos{2, 21}));
}

TEST(LexerTest, NumbersAndOperators) {
  auto tokens = Lex("1e7 30 0.25 <= == != > < - + * / .");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].number, 1e7);
  EXPECT_EQ((*tokens)[1].number, 30);
  EXPECT_EQ((*tokens)[2].number, 0.25);
  EXPECT_EQ((*tokens)[3].kind, TokenKind::kLessEqual);
  EXPECT_EQ((*tokens)[4].kind, TokenKind::kEqualEqual);
  EXPECT_EQ((*tokens)[5].kind, TokenKind::kNotEqual);
  EXPECT_EQ((*tokens)[12].kind, TokenKind::kDot);
}

TEST(LexerTest, ADotAfterANumberWithoutDigitsIsAnOperator) {
  auto tokens = Lex("5.x");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].number, 5);
  EXPECT_EQ((*tokens)[1].kind, TokenKind::kDot);
}

std::string FirstLine(const Status& s) { return s.message().substr(0, s.message().find('\n')); }

TEST(LexerTest, ErrorsPointAtTheCharacter) {
  EXPECT_EQ(FirstLine(Lex("close > 5\n  @").status()), "2:3: unexpected character '@'");
  EXPECT_EQ(FirstLine(Lex("a\x80").status()), "1:2: unexpected character byte 0x80");
  EXPECT_EQ(FirstLine(Lex("1e").status()), "1:1: malformed number: exponent has no digits");
  EXPECT_EQ(FirstLine(Lex("12abc").status()), "1:1: malformed number '12a'");
  EXPECT_EQ(FirstLine(Lex("a ! b").status()), "1:3: use 'not' to negate a condition");
  EXPECT_EQ(FirstLine(Lex("a || b").status()), "1:3: use 'or' to combine conditions");
}

TEST(LexerTest, NonAsciiInsideCommentsIsFine) {
  auto tokens = Lex("close > 1 # größer — ok\n");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens->size(), 4u);
}

TEST(LexerTest, RefusesOverlongRules) {
  std::string big(kMaxRuleBytes + 1, ' ');
  Status s = Lex(big).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "rule is too long: 65537 bytes (the limit is 65536)");
  EXPECT_TRUE(Lex(std::string(kMaxRuleBytes, ' ')).ok());
}

}  // namespace
}  // namespace kairos::rules
