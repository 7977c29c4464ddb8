#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace kairos::rules {

// A place in the rule text. Both 1-based; the column counts bytes (the lexer accepts only ASCII
// outside comments, so bytes and characters agree wherever a diagnostic can point).
struct SourcePos {
  int line = 1;
  int column = 1;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

// "line:col: message", then the source line and a caret under the column:
//   1:24: unknown indicator 'emaa' — did you mean 'ema'?
//   close > sma(close,200) and emaa(close, 20) > 0
//                              ^
std::string FormatDiagnostic(std::string_view source, SourcePos pos, std::string_view message);

// An InvalidArgument status whose message is FormatDiagnostic(...).
Status RuleError(std::string_view source, SourcePos pos, std::string_view message);

// Optimal-string-alignment (restricted Damerau-Levenshtein) distance: insertions, deletions,
// substitutions and transpositions of adjacent characters each cost 1.
int EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `name` if it is near enough to be a likely typo (at most 1 edit for
// names of up to 4 characters, 2 for longer ones, and fewer edits than `name` has characters);
// ties go to the earliest candidate. Failing that, the first candidate that `name` (3 characters
// or more) abbreviates. Empty when none.
std::string_view ClosestName(std::string_view name, std::span<const std::string_view> candidates);

// " — did you mean 'x'?" for ClosestName, or "" when nothing is close.
std::string DidYouMean(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace kairos::rules
