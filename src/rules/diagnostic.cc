#include "rules/diagnostic.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/core.h>

namespace kairos::rules {
namespace {

// Line `line` (1-based) of `source` without its line break; empty past the end.
std::string_view SourceLine(std::string_view source, int line) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  std::string_view text = source.substr(start, end == std::string_view::npos ? end : end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

}  // namespace

std::string FormatDiagnostic(std::string_view source, SourcePos pos, std::string_view message) {
  std::string out = fmt::format("{}:{}: {}", pos.line, pos.column, message);
  std::string_view line = SourceLine(source, pos.line);
  std::string shown;
  shown.reserve(line.size());
  for (char c : line) {
    // Control bytes would garble a terminal; keep tabs so the caret lines up.
    bool control = (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
    shown.push_back(control ? '?' : c);
  }
  std::string caret;
  for (int i = 1; i < pos.column && static_cast<size_t>(i - 1) < line.size(); ++i) {
    caret.push_back(line[i - 1] == '\t' ? '\t' : ' ');
  }
  caret.push_back('^');
  out += "\n";
  out += shown;
  out += "\n";
  out += caret;
  return out;
}

Status RuleError(std::string_view source, SourcePos pos, std::string_view message) {
  return Status::InvalidArgument(FormatDiagnostic(source, pos, message));
}

Diagnostic ParseDiagnostic(std::string_view message) {
  Diagnostic d;
  std::string_view first = message.substr(0, message.find('\n'));
  // The first "<line>:<column>: " of the line.
  for (size_t i = 0; i < first.size(); ++i) {
    if (i > 0 && std::isdigit(static_cast<unsigned char>(first[i - 1]))) continue;
    size_t p = i;
    auto number = [&](int& out) {
      size_t start = p;
      long long v = 0;
      while (p < first.size() && std::isdigit(static_cast<unsigned char>(first[p])) &&
             p - start < 9) {
        v = v * 10 + (first[p++] - '0');
      }
      out = static_cast<int>(v);
      return p > start;
    };
    int line = 0, column = 0;
    if (!number(line) || p >= first.size() || first[p++] != ':' || !number(column) ||
        first.substr(p, 2) != ": ") {
      continue;
    }
    d.line = line, d.column = column;
    first = first.substr(p + 2);
    break;
  }
  constexpr std::string_view kHint = " — ";
  size_t hint = first.find(kHint);
  if (hint != std::string_view::npos) {
    d.hint = std::string(first.substr(hint + kHint.size()));
    first = first.substr(0, hint);
  }
  d.message = std::string(first);
  return d;
}

std::vector<Diagnostic> ParseDiagnostics(std::string_view message) {
  std::vector<Diagnostic> out;
  size_t start = 0;
  while (start < message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string_view::npos) end = message.size();
    Diagnostic d = ParseDiagnostic(message.substr(start, end - start));
    if (d.line > 0) out.push_back(std::move(d));
    start = end + 1;
  }
  if (out.empty()) out.push_back(ParseDiagnostic(message));
  return out;
}

int EditDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  const size_t m = b.size();
  // Three rows of the dynamic-programming table: i-2, i-1, i.
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[m];
}

std::string_view ClosestName(std::string_view name, std::span<const std::string_view> candidates) {
  // Short names get one edit, longer ones two: 'foo' is not a typo of 'mom'.
  const int max_distance = name.size() <= 4 ? 1 : 2;
  std::string_view best;
  int best_distance = max_distance + 1;
  for (std::string_view candidate : candidates) {
    if (candidate.size() > name.size() + max_distance ||
        name.size() > candidate.size() + max_distance) {
      continue;
    }
    int d = EditDistance(name, candidate);
    if (d < best_distance && d < static_cast<int>(name.size())) {
      best = candidate;
      best_distance = d;
    }
  }
  if (!best.empty() || name.size() < 3) return best;
  // An abbreviation: 'sig' for 'signal'.
  for (std::string_view candidate : candidates) {
    if (candidate.substr(0, name.size()) == name) return candidate;
  }
  return {};
}

std::string DidYouMean(std::string_view name, std::span<const std::string_view> candidates) {
  std::string_view best = ClosestName(name, candidates);
  if (best.empty()) return "";
  return fmt::format(" — did you mean '{}'?", best);
}

}  // namespace kairos::rules
