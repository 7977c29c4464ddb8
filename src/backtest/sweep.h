#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
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

// Runs `run` for every item on up to `threads` threads (0: hardware concurrency) and returns the
// results in item order, whatever the scheduling.
template <typename T>
std::vector<T> ParallelMap(size_t items, int threads, const std::function<T(size_t)>& run);

template <typename T>
std::vector<T> ParallelMap(size_t items, int threads, const std::function<T(size_t)>& run) {
  std::vector<std::optional<T>> slots(items);
  size_t n = threads > 0 ? static_cast<size_t>(threads)
                         : std::max(1u, std::thread::hardware_concurrency());
  n = std::min(n, std::max<size_t>(items, 1));
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (size_t t = 0; t < n; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < items; i = next++) slots[i].emplace(run(i));
    });
  }
  for (std::thread& th : pool) th.join();
  std::vector<T> out;
  out.reserve(items);
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

}  // namespace kairos::backtest
