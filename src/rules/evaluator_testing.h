#pragma once

// Test helpers for the evaluator tests: owned columns and a plain weekly resampler (the real one
// is marketdata's; rules/ may not depend on it, so tests build weekly bars themselves).

#include <algorithm>
#include <cstdint>
#include <vector>

#include "rules/evaluator.h"

namespace kairos::rules::testing {

struct OwnedBars {
  std::vector<double> open, high, low, close, volume;
  size_t size() const { return close.size(); }
  BarColumns View() const { return {open, high, low, close, volume}; }
  // Bars [from, to).
  OwnedBars Slice(size_t from, size_t to) const {
    auto cut = [&](const std::vector<double>& v) {
      return v.empty() ? v : std::vector<double>(v.begin() + from, v.begin() + to);
    };
    return {cut(open), cut(high), cut(low), cut(close), cut(volume)};
  }
};

struct OwnedWeekly {
  OwnedBars bars;
  std::vector<int32_t> last_completed;
  WeeklyColumns View() const { return {bars.View(), last_completed}; }
};

// Monday-based week number of a day count since 1970-01-01 (a Thursday).
inline int64_t WeekOf(int32_t days) { return (static_cast<int64_t>(days) + 3) / 7; }

// One weekly bar per calendar week (open of the first session, extremes, close of the last,
// summed volume); day i sees the last week that ended before day i's week began.
inline OwnedWeekly ResampleWeekly(const OwnedBars& daily, const std::vector<int32_t>& days) {
  OwnedWeekly w;
  const bool ohlcv = !daily.open.empty();
  int64_t current_week = -1;
  for (size_t i = 0; i < daily.size(); ++i) {
    const int64_t week = WeekOf(days[i]);
    if (week != current_week) {
      current_week = week;
      w.bars.close.push_back(daily.close[i]);
      if (ohlcv) {
        w.bars.open.push_back(daily.open[i]);
        w.bars.high.push_back(daily.high[i]);
        w.bars.low.push_back(daily.low[i]);
        w.bars.volume.push_back(daily.volume[i]);
      }
    } else {
      w.bars.close.back() = daily.close[i];
      if (ohlcv) {
        w.bars.high.back() = std::max(w.bars.high.back(), daily.high[i]);
        w.bars.low.back() = std::min(w.bars.low.back(), daily.low[i]);
        w.bars.volume.back() += daily.volume[i];
      }
    }
    // The bar just pushed or updated is the week in progress: the previous one is complete.
    w.last_completed.push_back(static_cast<int32_t>(w.bars.close.size()) - 2);
  }
  return w;
}

}  // namespace kairos::rules::testing
