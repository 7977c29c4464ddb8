#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "rules/ast.h"

namespace kairos::rules {

// Deeper expressions are refused with an error, so that no later recursive pass (binder,
// evaluator, destructor) can exhaust the stack on hostile input.
inline constexpr int kMaxNesting = 200;
// Parentheses add recursion without adding height, so the parser's own recursion is bounded
// separately: canonical text (binder.h) wraps every operator in parentheses and must parse again
// whenever its tree did, which costs at most two levels of parsing per level of height. The bound
// also keeps the stack small enough for sanitizer builds (about 650 levels overflow 8 MiB there).
inline constexpr int kMaxRecursion = 2 * kMaxNesting + 2;

// Parses a rule (an expression; see README.md for the grammar). Precedence, loosest first:
// or < and < not < comparison < + - < * / < unary minus < postfix (call, .output, [n]).
// Comparisons do not chain: `a < b < c` is an error. Errors are InvalidArgument whose message is
// a FormatDiagnostic ("line:col: message", the line, a caret). Never throws, whatever the input.
Result<std::unique_ptr<Expr>> Parse(std::string_view source);

}  // namespace kairos::rules
