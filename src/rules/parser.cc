#include "rules/parser.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "rules/lexer.h"

namespace kairos::rules {

std::string_view OpText(UnaryOp op) { return op == UnaryOp::kNegate ? "-" : "not"; }

std::string_view OpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSubtract:
      return "-";
    case BinaryOp::kMultiply:
      return "*";
    case BinaryOp::kDivide:
      return "/";
    case BinaryOp::kLess:
      return "<";
    case BinaryOp::kLessEqual:
      return "<=";
    case BinaryOp::kGreater:
      return ">";
    case BinaryOp::kGreaterEqual:
      return ">=";
    case BinaryOp::kEqual:
      return "==";
    case BinaryOp::kNotEqual:
      return "!=";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
  }
  return "?";
}

bool IsComparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::kLess:
    case BinaryOp::kLessEqual:
    case BinaryOp::kGreater:
    case BinaryOp::kGreaterEqual:
    case BinaryOp::kEqual:
    case BinaryOp::kNotEqual:
      return true;
    default:
      return false;
  }
}

namespace {

// Binding powers: a larger number binds tighter.
constexpr int kOrPower = 1;
constexpr int kAndPower = 2;
constexpr int kNotPower = 3;
constexpr int kComparisonPower = 4;
constexpr int kAdditivePower = 5;
constexpr int kMultiplicativePower = 6;
constexpr int kNegatePower = 7;

struct InfixOp {
  BinaryOp op;
  int power;
};

std::optional<InfixOp> Infix(TokenKind kind) {
  switch (kind) {
    case TokenKind::kOr:
      return InfixOp{BinaryOp::kOr, kOrPower};
    case TokenKind::kAnd:
      return InfixOp{BinaryOp::kAnd, kAndPower};
    case TokenKind::kLess:
      return InfixOp{BinaryOp::kLess, kComparisonPower};
    case TokenKind::kLessEqual:
      return InfixOp{BinaryOp::kLessEqual, kComparisonPower};
    case TokenKind::kGreater:
      return InfixOp{BinaryOp::kGreater, kComparisonPower};
    case TokenKind::kGreaterEqual:
      return InfixOp{BinaryOp::kGreaterEqual, kComparisonPower};
    case TokenKind::kEqualEqual:
      return InfixOp{BinaryOp::kEqual, kComparisonPower};
    case TokenKind::kNotEqual:
      return InfixOp{BinaryOp::kNotEqual, kComparisonPower};
    case TokenKind::kPlus:
      return InfixOp{BinaryOp::kAdd, kAdditivePower};
    case TokenKind::kMinus:
      return InfixOp{BinaryOp::kSubtract, kAdditivePower};
    case TokenKind::kStar:
      return InfixOp{BinaryOp::kMultiply, kMultiplicativePower};
    case TokenKind::kSlash:
      return InfixOp{BinaryOp::kDivide, kMultiplicativePower};
    default:
      return std::nullopt;
  }
}

using ExprPtr = std::unique_ptr<Expr>;

class Parser {
 public:
  Parser(std::string_view source, std::vector<Token> tokens)
      : source_(source), tokens_(std::move(tokens)) {}

  Result<ExprPtr> ParseRule() {
    if (Peek().kind == TokenKind::kEnd) return Error(Peek().pos, "empty rule");
    KAIROS_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpression(kOrPower));
    if (Peek().kind != TokenKind::kEnd) {
      const Token& t = Peek();
      std::string hint = t.kind == TokenKind::kRightParen ? " (no '(' is open)"
                                                          : " (is an 'and' or 'or' missing?)";
      return Error(t.pos,
                   fmt::format("unexpected {} after a complete expression{}", Describe(t), hint));
    }
    return expr;
  }

 private:
  const Token& Peek() const { return tokens_[next_]; }
  const Token& Advance() {
    const Token& t = tokens_[next_];
    if (t.kind != TokenKind::kEnd) ++next_;
    return t;
  }

  Status Error(SourcePos pos, std::string_view message) const {
    return RuleError(source_, pos, message);
  }

  // Gives `node` its height and refuses it past kMaxNesting.
  Result<ExprPtr> Finish(ExprPtr node) {
    int tallest = 0;
    for (const ExprPtr& child : node->children) tallest = std::max(tallest, child->height);
    node->height = tallest + 1;
    if (node->height > kMaxNesting) {
      return Error(
          node->pos,
          fmt::format("expression is nested too deeply (the limit is {} levels)", kMaxNesting));
    }
    return node;
  }

  Result<ExprPtr> ParseExpression(int min_power) {
    if (++depth_ > kMaxRecursion) {
      return Error(Peek().pos,
                   fmt::format("parentheses and operators are nested too deeply (the limit is {} "
                               "levels of parsing)",
                               kMaxRecursion));
    }
    auto result = ParseExpressionBody(min_power);
    --depth_;
    return result;
  }

  Result<ExprPtr> ParseExpressionBody(int min_power) {
    KAIROS_ASSIGN_OR_RETURN(ExprPtr left, ParsePrefix());
    while (true) {
      const Token& op_token = Peek();
      std::optional<InfixOp> infix = Infix(op_token.kind);
      if (!infix || infix->power < min_power) return left;
      if (infix->power == kComparisonPower && left->kind == ExprKind::kBinary &&
          IsComparison(left->binary_op) && !left->parenthesized) {
        return Error(op_token.pos, fmt::format("comparisons do not chain: '{}' follows '{}'; write "
                                               "'a < b and b < c' instead",
                                               op_token.text, OpText(left->binary_op)));
      }
      Advance();
      KAIROS_ASSIGN_OR_RETURN(ExprPtr right, ParseExpression(infix->power + 1));
      auto node = std::make_unique<Expr>();
      node->kind = ExprKind::kBinary;
      node->pos = left->pos;
      node->op_pos = op_token.pos;
      node->binary_op = infix->op;
      node->children.push_back(std::move(left));
      node->children.push_back(std::move(right));
      KAIROS_ASSIGN_OR_RETURN(left, Finish(std::move(node)));
    }
  }

  Result<ExprPtr> ParsePrefix() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kNot || t.kind == TokenKind::kMinus) {
      Advance();
      bool is_not = t.kind == TokenKind::kNot;
      KAIROS_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpression(is_not ? kNotPower : kNegatePower));
      auto node = std::make_unique<Expr>();
      node->kind = ExprKind::kUnary;
      node->pos = t.pos;
      node->op_pos = t.pos;
      node->unary_op = is_not ? UnaryOp::kNot : UnaryOp::kNegate;
      node->children.push_back(std::move(operand));
      return Finish(std::move(node));
    }
    if (t.kind == TokenKind::kPlus) {
      return Error(t.pos, "unary '+' is not supported; write the number alone");
    }
    KAIROS_ASSIGN_OR_RETURN(ExprPtr primary, ParsePrimary());
    return ParsePostfix(std::move(primary));
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Advance();
    switch (t.kind) {
      case TokenKind::kNumber: {
        auto node = std::make_unique<Expr>();
        node->kind = ExprKind::kNumber;
        node->pos = node->op_pos = t.pos;
        node->number = t.number;
        return node;
      }
      case TokenKind::kIdentifier: {
        auto node = std::make_unique<Expr>();
        node->pos = node->op_pos = t.pos;
        node->name = std::string(t.text);
        if (Peek().kind != TokenKind::kLeftParen) {
          node->kind = ExprKind::kIdentifier;
          return node;
        }
        node->kind = ExprKind::kCall;
        SourcePos open = Advance().pos;
        if (Peek().kind != TokenKind::kRightParen) {
          while (true) {
            KAIROS_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpression(kOrPower));
            node->children.push_back(std::move(arg));
            if (Peek().kind == TokenKind::kComma) {
              Advance();
              continue;
            }
            if (Peek().kind == TokenKind::kRightParen) break;
            return Error(Peek().pos,
                         fmt::format("expected ',' or ')' in the call of '{}' opened at {}:{}, "
                                     "found {}",
                                     node->name, open.line, open.column, Describe(Peek())));
          }
        }
        Advance();
        return Finish(std::move(node));
      }
      case TokenKind::kLeftParen: {
        KAIROS_ASSIGN_OR_RETURN(ExprPtr inner, ParseExpression(kOrPower));
        if (Peek().kind != TokenKind::kRightParen) {
          return Error(Peek().pos, fmt::format("expected ')' to close the '(' at {}:{}, found {}",
                                               t.pos.line, t.pos.column, Describe(Peek())));
        }
        Advance();
        inner->parenthesized = true;
        inner->pos = t.pos;  // the expression starts at its '('
        return inner;
      }
      case TokenKind::kEnd:
        return Error(t.pos, "the rule ends where a value was expected");
      default:
        return Error(t.pos, fmt::format("expected a value (a number, a name or '('), found {}",
                                        Describe(t)));
    }
  }

  Result<ExprPtr> ParsePostfix(ExprPtr expr) {
    while (true) {
      const Token& t = Peek();
      if (t.kind == TokenKind::kDot) {
        Advance();
        const Token& name = Advance();
        if (name.kind != TokenKind::kIdentifier) {
          return Error(name.pos,
                       fmt::format("expected an output name after '.', found {}", Describe(name)));
        }
        auto node = std::make_unique<Expr>();
        node->kind = ExprKind::kMember;
        node->pos = expr->pos;
        node->op_pos = name.pos;
        node->name = std::string(name.text);
        node->children.push_back(std::move(expr));
        KAIROS_ASSIGN_OR_RETURN(expr, Finish(std::move(node)));
      } else if (t.kind == TokenKind::kLeftBracket) {
        Advance();
        KAIROS_ASSIGN_OR_RETURN(ExprPtr index, ParseExpression(kOrPower));
        if (Peek().kind != TokenKind::kRightBracket) {
          return Error(Peek().pos, fmt::format("expected ']' to close the '[' at {}:{}, found {}",
                                               t.pos.line, t.pos.column, Describe(Peek())));
        }
        Advance();
        auto node = std::make_unique<Expr>();
        node->kind = ExprKind::kIndex;
        node->pos = expr->pos;
        node->op_pos = t.pos;
        node->children.push_back(std::move(expr));
        node->children.push_back(std::move(index));
        KAIROS_ASSIGN_OR_RETURN(expr, Finish(std::move(node)));
      } else if (t.kind == TokenKind::kLeftParen) {
        return Error(t.pos, "only a function or indicator name can be called with '(...)'");
      } else {
        return expr;
      }
    }
  }

  std::string_view source_;
  std::vector<Token> tokens_;
  size_t next_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<std::unique_ptr<Expr>> Parse(std::string_view source) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(source));
  return Parser(source, std::move(tokens)).ParseRule();
}

}  // namespace kairos::rules
