#pragma once

// Small helpers shared by the kairos benchmarks (header-only; bench/ is not a library).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

namespace kairos::bench {

// An integer from the environment (e.g. KAIROS_BENCH_BARS=100000 for a quick run), or `fallback`.
inline int64_t EnvInt(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  long long parsed = std::strtoll(value, &end, 10);
  return (end != value && *end == '\0' && parsed > 0) ? parsed : fallback;
}

// Seconds per item, shown by the console as e.g. "2.1ns" per bar: the inverse of the
// items-per-second rate, for `items` items per iteration.
inline benchmark::Counter PerItem(double items) {
  return benchmark::Counter(
      items, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The console reporter, plus a copy of each finished run's counters keyed by the registered name
// (without suffixes such as "/real_time"), so
// main() can print ratios against the peer after all benchmarks ran.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal (a custom reporter does not see --benchmark_color).
  CollectingReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      std::map<std::string, double>& counters = results_[run.run_name.function_name];
      for (const auto& [name, counter] : run.counters) counters[name] = counter.value;
      counters["real_time_ns"] =
          run.GetAdjustedRealTime() * 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
    }
  }
  // Counter `counter` of benchmark `name`, or a negative number if it did not run.
  double Get(const std::string& name, const std::string& counter) const {
    auto it = results_.find(name);
    if (it == results_.end()) return -1;
    auto c = it->second.find(counter);
    return c == it->second.end() ? -1 : c->second;
  }

 private:
  std::map<std::string, std::map<std::string, double>> results_;
};

}  // namespace kairos::bench
