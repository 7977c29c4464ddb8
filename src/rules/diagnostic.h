#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// A diagnostic as data, for callers that show it themselves (the HTTP API underlines it).
struct Diagnostic {
  int line = 0;  // 0 (with column 0) when the message points at no place in the text
  int column = 0;
  std::string message;  // without the position and the hint
  std::string hint;     // "did you mean 'ema'?", or ""
};

// The diagnostic of a RuleError's message ("1:24: unknown indicator 'emaa' — did you mean
// 'ema'?" then the source line and the caret), also behind a context ("--rank: 1:3: ...").
// A message without a position gives line and column 0 and its first line as the message.
Diagnostic ParseDiagnostic(std::string_view message);
// Every diagnostic of a message that lists one problem per line (a strategy file's:
// "sma.toml:4:8: side: expected ..."), lines without a position (a rule's source line and caret)
// skipped; one of line 0 when no line has a position.
std::vector<Diagnostic> ParseDiagnostics(std::string_view message);

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
