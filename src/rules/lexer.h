#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "rules/diagnostic.h"

namespace kairos::rules {

// Rules longer than this are refused before lexing (a rule is a line or a few, not a program).
inline constexpr size_t kMaxRuleBytes = 64 * 1024;

enum class TokenKind : uint8_t {
  kEnd,         // end of the rule text
  kNumber,      // 30, 1.5, 1e7
  kIdentifier,  // close, rsi, macd (as written; the binder ignores case)
  kAnd,
  kOr,
  kNot,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kEqualEqual,
  kNotEqual,
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kComma,
  kDot,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // a view into the source; empty for kEnd
  double number = 0;      // kNumber only
  SourcePos pos;
};

// How a token reads in a message: "'+'", "number '30'", "end of rule".
std::string Describe(const Token& token);

// Splits `source` into tokens; the last one is kEnd. `#` starts a comment to the end of the line;
// spaces, tabs and line breaks separate tokens. The keywords and/or/not are case-insensitive.
// Errors (an unexpected character, a malformed or out-of-range number, a rule over kMaxRuleBytes)
// are InvalidArgument with a FormatDiagnostic message. The tokens view `source`, which must
// outlive them.
Result<std::vector<Token>> Lex(std::string_view source);

}  // namespace kairos::rules
