#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/analytics.h"

namespace kairos::backtest {

// Parameter sweeps (docs/BACKTESTING.md): a strategy text may hold placeholders
// `${name=default}` (name: [a-z_][a-z0-9_]*), replaced by text before the file is parsed.

using Params = std::map<std::string, std::string>;  // name -> value, as text

// The placeholders of `text` with their defaults, by name. InvalidArgument for a `${` without
// a closing `}`, a bad name, a missing `=default`, or one name with two different defaults.
Result<Params> FindPlaceholders(std::string_view text);

// `text` with every placeholder replaced by values[name], else its default. InvalidArgument
// (as FindPlaceholders), or for a value naming no placeholder of the text.
Result<std::string> ExpandPlaceholders(std::string_view text, const Params& values);

// One --sweep argument: "period=5..30:5" (from..to:step, integers, step defaults to 1) or
// "level=20,25,30" (a list). InvalidArgument with the argument quoted otherwise.
struct SweepAxis {
  std::string name;
  std::vector<std::string> values;
};
Result<SweepAxis> ParseSweep(std::string_view arg);

// Every combination of the axes' values, the first axis varying slowest.
std::vector<Params> Combinations(const std::vector<SweepAxis>& axes);

// The metrics --rank-by may name, best first when sorted by RankKey descending: sharpe,
// sortino, total_return, cagr, profit_factor, win_rate, max_drawdown (smaller is better).
const std::vector<std::string_view>& RankMetrics();
// The value to sort by (higher is better); nullopt when the metric is undefined for this run.
// REQUIRES: metric is one of RankMetrics().
std::optional<double> RankKey(const engine::Metrics& m, std::string_view metric);

}  // namespace kairos::backtest
