#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/result.h"
#include "core/status.h"

namespace kairos::engine {

// Reading a TOML file a person wrote (a strategy file, kairos.toml): every problem is collected,
// then reported together in file order, one per line, as "<file>:<line>:<col>: <key>: <text>",
// so a person fixes a file in one pass. Readers add what is special to their file (amounts,
// rules, durations) on top of these checks.
class TomlChecker {
 public:
  TomlChecker(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  void Add(const toml::source_region& where, std::string_view key, std::string message);
  void AddAt(int line, int column, std::string text);

  // What a node holds, for "got ...": a scalar as written in the file.
  std::string Got(const toml::node& n) const;
  void Expected(const toml::node& n, std::string_view key, std::string_view what);

  std::optional<std::string> String(const toml::node& n, std::string_view key,
                                    std::string_view what = "a string");
  std::optional<bool> Bool(const toml::node& n, std::string_view key);
  // One of `names`: its index.
  std::optional<size_t> Enum(const toml::node& n, std::string_view key,
                             const std::vector<std::string_view>& names);
  // An integer in [lo, hi]; hi at the type's maximum reads "an integer >= lo".
  std::optional<int64_t> Integer(const toml::node& n, std::string_view key, int64_t lo, int64_t hi);
  // An integer or a float in [lo, hi].
  std::optional<double> Number(const toml::node& n, std::string_view key, double lo, double hi);
  const toml::table* Table(const toml::node& n, std::string_view key);

  // Keys of `table` not in `known`: "unknown <what>" with a suggestion.
  void UnknownKeys(const toml::table& table, std::string_view prefix,
                   const std::vector<std::string_view>& known, std::string_view what = "key");

  // OK, or InvalidArgument listing every problem in file order.
  Status Finish();

  std::string_view text() const { return text_; }

  // "daemon.time_zone"; a name that is not a bare TOML key is quoted: jobs."scan.daily".
  static std::string Key(std::string_view prefix, std::string_view name);

 private:
  struct Problem {
    int line = 1;
    int column = 1;
    std::string text;  // "key: message", possibly followed by "\n  ..." context lines
  };

  std::string_view text_;
  std::string_view file_;
  std::vector<Problem> problems_;
};

// The file parsed, or its syntax error as "<file>:<line>:<col>: TOML syntax error: ...".
Result<toml::table> ParseTomlText(std::string_view text, std::string_view file);

// `s` in double quotes, escaped, cut after 60 characters: "\"long\"".
std::string Quoted(std::string_view s);
// A list of choices: "\"a\", \"b\" or \"c\"".
std::string Alternatives(const std::vector<std::string_view>& names);

// The byte offset of (line, column) in `text`; toml++ counts columns in code points.
size_t OffsetOf(std::string_view text, int line, int column);
// Line `line` of `text`, without its line end.
std::string_view LineText(std::string_view text, int line);
// The text a node was written as ("100000.10", "1_000", "\"5%\"").
std::string_view RawText(std::string_view text, const toml::source_region& r);

}  // namespace kairos::engine
