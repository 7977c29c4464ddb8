#pragma once

// Whole-series loops used by the evaluator (evaluator.cc): element-wise arithmetic and
// comparisons, Kleene logic on booleans, shifts and the builtins. Internal to rules/.
//
// Representation: a number series is doubles, NaN where "none" (every non-finite result of an
// operation is turned into NaN, so "none" is one value). A boolean series is one byte per bar in
// the order false < none < true, which makes Kleene logic `and` = min, `or` = max, `not` = 2 - x.

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "rules/ast.h"
#include "rules/binder.h"
#include "rules/evaluator.h"

namespace kairos::rules::eval {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr uint8_t kFalse = 0;
inline constexpr uint8_t kNone = 1;
inline constexpr uint8_t kTrue = 2;

// A number operand: a series, or a constant broadcast to every bar (no buffer filled).
struct NumArg {
  const double* data = nullptr;  // nullptr: the constant
  double constant = 0;
};

// a op b for + - * /, NaN where the result is not finite (division by zero included).
void Arithmetic(BinaryOp op, NumArg a, NumArg b, std::span<double> out);
// a op b for < <= > >= == !=: none where either side is not finite.
void Compare(BinaryOp op, NumArg a, NumArg b, std::span<uint8_t> out);
// Kleene and/or, and ==/!= on booleans (none when either side is none).
void Logic(BinaryOp op, const uint8_t* a, const uint8_t* b, std::span<uint8_t> out);
void Negate(const double* x, std::span<double> out);
void Not(const uint8_t* x, std::span<uint8_t> out);
void Fill(double value, std::span<double> out);
void ShiftNumber(const double* x, int n, std::span<double> out);
void ShiftBool(const uint8_t* x, int n, std::span<uint8_t> out);
// Derived fields; any column pointer may be null when the field does not read it.
void Derived(Field field, const BarColumns& bars, std::span<double> out);

// Builtins.
void CrossOver(bool over, const double* a, const double* b, std::span<uint8_t> out);
void FiniteCopy(const double* x, std::span<double> out);  // highest/lowest/median with n = 1
void Change(bool percent, const double* x, int n, std::span<double> out);
void Abs(const double* x, std::span<double> out);
void MinMax(bool max, const double* a, const double* b, std::span<double> out);
void Count(const uint8_t* cond, int n, std::span<double> out);
void BarsSince(const uint8_t* cond, std::span<double> out);
void Rising(bool rising, const double* x, int n, std::span<uint8_t> out);
// highest/lowest: the extreme of the last n bars, none until n bars exist and while the window
// holds a none (as the registry's MAX/MIN). O(n) with a monotonic queue in `queue` (scratch).
void Extreme(bool highest, const double* x, int n, std::vector<size_t>& queue,
             std::span<double> out);
// `sorted` is scratch (kept by the caller to avoid allocating per symbol).
void Median(const double* x, int n, std::vector<double>& sorted, std::span<double> out);

}  // namespace kairos::rules::eval
