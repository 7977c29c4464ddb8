#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "indicators/indicator.h"
#include "rules/ast.h"

namespace kairos::rules {

enum class Type : uint8_t { kNumber, kBool };

// What a BoundExpr computes. Every node is a whole series (one value per bar), so an evaluator can
// compute a node from its children's series in one pass.
enum class BoundKind : uint8_t {
  kConstant,   // constant (the same value on every bar)
  kField,      // field
  kIndicator,  // indicator(args[0] if it reads a series, params).outputs[output]
  kUnary,      // unary_op args[0]
  kBinary,     // args[0] binary_op args[1]
  kOffset,     // args[0] `window` bars ago
  kBuiltin,    // builtin(args..., window)
  kWeekly,     // args[0] computed on weekly bars, each daily bar seeing its last completed week
};

enum class Field : uint8_t { kOpen, kHigh, kLow, kClose, kVolume, kHl2, kHlc3, kOhlc4, kTurnover };

enum class Builtin : uint8_t {
  kCrossover,   // a > b and a[1] <= b[1]
  kCrossunder,  // a < b and a[1] >= b[1]
  kHighest,     // max of x over the last n bars (this one included)
  kLowest,      // min of x over the last n bars
  kChange,      // x - x[n]
  kPctChange,   // 100 * (x - x[n]) / x[n]
  kAbs,         // |x|
  kMin,         // the smaller of a and b, bar by bar
  kMax,         // the larger of a and b, bar by bar
  kCount,       // how many of the last n bars have cond true
  kBarsSince,   // bars since cond was last true (0 on a true bar); NaN before the first true
  kRising,      // x > x[1] on each of the last n bars
  kFalling,     // x < x[1] on each of the last n bars
  kMedian,      // median of x over the last n bars
};

std::string_view FieldName(Field field);
std::string_view BuiltinName(Builtin builtin);

struct BoundExpr {
  BoundKind kind = BoundKind::kConstant;
  Type type = Type::kNumber;
  // Bars of history needed before this node's first defined value: a node with lookback L is
  // defined from bar index L on (0-based) when the data has no gaps. See README.md.
  int lookback = 0;
  // True inside weekly(...): the node is computed on weekly bars; its lookback counts weeks.
  bool weekly = false;
  SourcePos pos;  // where the expression starts in the rule text

  double constant = 0;                                   // kConstant
  Field field = Field::kClose;                           // kField
  const indicators::IndicatorInfo* indicator = nullptr;  // kIndicator (registry-owned)
  std::vector<double> params;                    // kIndicator: all of them, defaults filled in
  size_t output = 0;                             // kIndicator: index into indicator->outputs
  UnaryOp unary_op = UnaryOp::kNegate;           // kUnary
  BinaryOp binary_op = BinaryOp::kAdd;           // kBinary
  Builtin builtin = Builtin::kAbs;               // kBuiltin
  int window = 0;                                // kOffset: n; kBuiltin with a window: n
  std::vector<std::unique_ptr<BoundExpr>> args;  // the series this node reads
};

// A checked rule: a boolean series.
struct BoundRule {
  std::unique_ptr<BoundExpr> root;
  int lookback = 0;  // root->lookback, in daily bars
};

// Resolves names against the indicator registry, the builtins and the bar fields; checks arity,
// types, constant parameters and their ranges; computes lookbacks. `source` is the text `expr`
// was parsed from (for diagnostics). Never throws.
Result<std::unique_ptr<BoundExpr>> Bind(const Expr& expr, std::string_view source);

// Parse + Bind + "the rule is a boolean".
Result<BoundRule> CompileRule(std::string_view source);

// The canonical text of a node: lower case, every binary operation parenthesized, every indicator
// parameter written out (defaults included), a multi-output indicator with its `.output`:
//   `rsi(close)` -> "rsi(close, 14)", `a+b*c` -> "(a + (b * c))".
// Two nodes with the same ShareKey compute the same series, so an evaluator can compute
// `sma(close, 200)` once however often a rule uses it.
std::string CanonicalText(const BoundExpr& expr);
// CanonicalText plus the timeframe ("weekly:" prefix for nodes inside weekly(...)).
std::string ShareKey(const BoundExpr& expr);

std::string_view TypeName(Type type);

}  // namespace kairos::rules
