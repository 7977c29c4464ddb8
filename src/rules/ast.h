#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rules/diagnostic.h"

namespace kairos::rules {

// The parser's output: the rule as written, with names unresolved and every node's place in the
// text (STYLE.md #13). The binder turns it into a BoundExpr.

enum class ExprKind : uint8_t {
  kNumber,      // number
  kIdentifier,  // name: a bar field, or an error the binder explains
  kUnary,       // op, children[0]
  kBinary,      // op, children[0] op children[1]
  kCall,        // name(children...)
  kMember,      // children[0].name: an indicator output
  kIndex,       // children[0][children[1]]: n bars ago
};

enum class UnaryOp : uint8_t { kNegate, kNot };

enum class BinaryOp : uint8_t {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kEqual,
  kNotEqual,
  kAnd,
  kOr,
};

// "+", "<=", "and", ...
std::string_view OpText(UnaryOp op);
std::string_view OpText(BinaryOp op);
bool IsComparison(BinaryOp op);

struct Expr {
  ExprKind kind = ExprKind::kNumber;
  SourcePos pos;      // where the expression starts in the text
  SourcePos op_pos;   // the operator, '[' or the member / callee name
  double number = 0;  // kNumber
  std::string name;   // kIdentifier, kCall (callee), kMember (output), as written
  UnaryOp unary_op = UnaryOp::kNegate;
  BinaryOp binary_op = BinaryOp::kAdd;
  std::vector<std::unique_ptr<Expr>> children;
  int height = 1;              // 1 + the tallest child; bounded by kMaxNesting
  bool parenthesized = false;  // written inside '(...)': `(a < b) < c` is not a chain
};

}  // namespace kairos::rules
