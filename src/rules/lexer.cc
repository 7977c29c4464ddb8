#include "rules/lexer.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include <fmt/core.h>

namespace kairos::rules {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      SkipSpaceAndComments();
      SourcePos pos{line_, static_cast<int>(i_ - line_start_) + 1};
      if (i_ >= source_.size()) {
        tokens.push_back(Token{TokenKind::kEnd, {}, 0, pos});
        return tokens;
      }
      char c = source_[i_];
      if (IsDigit(c)) {
        auto number = LexNumber(pos);
        if (!number.ok()) return number.status();
        tokens.push_back(*number);
      } else if (IsIdentStart(c)) {
        tokens.push_back(LexWord(pos));
      } else {
        auto symbol = LexSymbol(pos);
        if (!symbol.ok()) return symbol.status();
        tokens.push_back(*symbol);
      }
    }
  }

 private:
  // A name, or the keyword and, or or not (in any case).
  Token LexWord(SourcePos pos) {
    size_t start = i_;
    while (i_ < source_.size() && IsIdentChar(source_[i_])) ++i_;
    std::string_view text = source_.substr(start, i_ - start);
    TokenKind kind = TokenKind::kIdentifier;
    if (EqualsLower(text, "and")) kind = TokenKind::kAnd;
    if (EqualsLower(text, "or")) kind = TokenKind::kOr;
    if (EqualsLower(text, "not")) kind = TokenKind::kNot;
    return Token{kind, text, 0, pos};
  }

  // The tokens of one character that no other token starts with.
  static std::optional<TokenKind> SingleCharacterKind(char c) {
    switch (c) {
      case '+':
        return TokenKind::kPlus;
      case '-':
        return TokenKind::kMinus;
      case '*':
        return TokenKind::kStar;
      case '/':
        return TokenKind::kSlash;
      case '(':
        return TokenKind::kLeftParen;
      case ')':
        return TokenKind::kRightParen;
      case '[':
        return TokenKind::kLeftBracket;
      case ']':
        return TokenKind::kRightBracket;
      case ',':
        return TokenKind::kComma;
      case '.':
        return TokenKind::kDot;
      default:
        return std::nullopt;
    }
  }

  // An operator or punctuation; an error naming what to write instead of a character of other
  // languages (=, !, &, |) and for any other character.
  Result<Token> LexSymbol(SourcePos pos) {
    const char c = source_[i_];
    const char next = i_ + 1 < source_.size() ? source_[i_ + 1] : '\0';
    TokenKind kind;
    size_t length = 1;
    if (std::optional<TokenKind> single = SingleCharacterKind(c)) {
      kind = *single;
    } else {
      switch (c) {
        case '<':
          kind = next == '=' ? TokenKind::kLessEqual : TokenKind::kLess;
          length = next == '=' ? 2 : 1;
          break;
        case '>':
          kind = next == '=' ? TokenKind::kGreaterEqual : TokenKind::kGreater;
          length = next == '=' ? 2 : 1;
          break;
        case '=':
          if (next != '=') return RuleError(source_, pos, "use '==' to compare");
          kind = TokenKind::kEqualEqual;
          length = 2;
          break;
        case '!':
          if (next != '=') return RuleError(source_, pos, "use 'not' to negate a condition");
          kind = TokenKind::kNotEqual;
          length = 2;
          break;
        case '&':
          return RuleError(source_, pos, "use 'and' to combine conditions");
        case '|':
          return RuleError(source_, pos, "use 'or' to combine conditions");
        default: {
          auto u = static_cast<unsigned char>(c);
          std::string shown =
              (u >= 0x21 && u < 0x7f) ? fmt::format("'{}'", c) : fmt::format("byte 0x{:02x}", u);
          return RuleError(source_, pos, fmt::format("unexpected character {}", shown));
        }
      }
    }
    const size_t start = i_;
    i_ += length;
    return Token{kind, source_.substr(start, length), 0, pos};
  }

  void SkipSpaceAndComments() {
    while (i_ < source_.size()) {
      char c = source_[i_];
      if (c == '\n') {
        ++i_;
        ++line_;
        line_start_ = i_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '#') {
        while (i_ < source_.size() && source_[i_] != '\n') ++i_;
      } else {
        return;
      }
    }
  }

  // digits [ '.' digits ] [ ('e'|'E') ['+'|'-'] digits ]
  Result<Token> LexNumber(SourcePos pos) {
    size_t start = i_;
    while (i_ < source_.size() && IsDigit(source_[i_])) ++i_;
    if (i_ + 1 < source_.size() && source_[i_] == '.' && IsDigit(source_[i_ + 1])) {
      ++i_;
      while (i_ < source_.size() && IsDigit(source_[i_])) ++i_;
    }
    if (i_ < source_.size() && (source_[i_] == 'e' || source_[i_] == 'E')) {
      size_t j = i_ + 1;
      if (j < source_.size() && (source_[j] == '+' || source_[j] == '-')) ++j;
      if (j >= source_.size() || !IsDigit(source_[j])) {
        return RuleError(source_, pos, "malformed number: exponent has no digits");
      }
      i_ = j;
      while (i_ < source_.size() && IsDigit(source_[i_])) ++i_;
    }
    if (i_ < source_.size() && IsIdentChar(source_[i_])) {
      return RuleError(source_, pos,
                       fmt::format("malformed number '{}'", source_.substr(start, i_ + 1 - start)));
    }
    std::string_view text = source_.substr(start, i_ - start);
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
      return RuleError(source_, pos, fmt::format("number '{}' is out of range", text));
    }
    return Token{TokenKind::kNumber, text, value, pos};
  }

  std::string_view source_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

std::string Describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of rule";
    case TokenKind::kNumber:
      return fmt::format("number '{}'", token.text);
    case TokenKind::kIdentifier:
      return fmt::format("name '{}'", token.text);
    default:
      return fmt::format("'{}'", token.text);
  }
}

Result<std::vector<Token>> Lex(std::string_view source) {
  if (source.size() > kMaxRuleBytes) {
    return Status::InvalidArgument(
        fmt::format("rule is too long: {} bytes (the limit is {})", source.size(), kMaxRuleBytes));
  }
  return Lexer(source).Run();
}

}  // namespace kairos::rules
