// Indicator kernels, kairos vs TA-Lib, on one random-walk OHLCV series (10M bars by default;
// KAIROS_BENCH_BARS overrides). Each case of indicators::StandardBenchCases() is benchmarked as
// kairos/<label> (the registry's batch kernel) and, when TA-Lib was built
// (tools/peer/build_talib.sh), as talib/<label> on the same columns in the same process.
// Indicators not registered yet are skipped. After the runs, a table gives ns/bar for both, the
// speedup talib_ns / kairos_ns (above 1 = kairos faster), and the largest difference between the
// two outputs, which shows that both computed the same thing.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "bench/talib_peer.h"
#include "indicators/bench_suite.h"
#include "indicators/indicator.h"

namespace kairos::bench {
namespace {

using indicators::BenchCase;
using indicators::OhlcvColumns;
using indicators::PreparedCase;

int64_t Bars() {
  static const int64_t bars = EnvInt("KAIROS_BENCH_BARS", 10'000'000);
  return bars;
}

const OhlcvColumns& Data() {
  static const OhlcvColumns data = indicators::RandomWalkOhlcv(Bars());
  return data;
}

void SetBarCounters(benchmark::State& state) {
  double bars = static_cast<double>(Bars());
  state.SetItemsProcessed(state.iterations() * Bars());
  state.counters["ns_per_bar"] = PerItem(bars);
}

void BM_Kairos(benchmark::State& state, const BenchCase* bench_case) {
  Result<PreparedCase> prepared = PreparedCase::Prepare(*bench_case, Data());
  if (!prepared.ok()) {
    state.SkipWithError(prepared.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    Status status = prepared->Run();
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  SetBarCounters(state);
}

struct TaLibOutputs {
  std::vector<std::vector<double>> columns;
  std::vector<double*> pointers;
  int begin = 0;
  int count = 0;
};

TaLibOutputs AllocateTaLibOutputs(const TaLibCase& talib_case) {
  TaLibOutputs out;
  out.columns.assign(talib_case.outputs, std::vector<double>(Data().size()));
  for (std::vector<double>& c : out.columns) out.pointers.push_back(c.data());
  return out;
}

void BM_TaLib(benchmark::State& state, const TaLibCase* talib_case) {
  TaLibOutputs out = AllocateTaLibOutputs(*talib_case);
  int n = static_cast<int>(Data().size());
  for (auto _ : state) {
    if (!talib_case->run(Data(), n, out.pointers, out.begin, out.count)) {
      state.SkipWithError("TA-Lib returned an error");
      break;
    }
    benchmark::ClobberMemory();
  }
  SetBarCounters(state);
}

// Largest |kairos - talib| over every output and every row where TA-Lib has a value, or a
// negative number when the two cannot be compared. `warmup_ok` says whether kairos' first
// defined row is TA-Lib's first output row.
double MaxDifference(const BenchCase& bench_case, const TaLibCase& talib_case, bool& warmup_ok) {
  warmup_ok = false;
  Result<PreparedCase> prepared = PreparedCase::Prepare(bench_case, Data());
  if (!prepared.ok() || !prepared->Run().ok()) return -1;
  if (prepared->info().outputs.size() != static_cast<size_t>(talib_case.outputs)) return -1;
  TaLibOutputs out = AllocateTaLibOutputs(talib_case);
  if (!talib_case.run(Data(), static_cast<int>(Data().size()), out.pointers, out.begin,
                      out.count)) {
    return -1;
  }
  std::span<const double> first = prepared->output(0);
  auto defined = std::find_if(first.begin(), first.end(), [](double v) { return !std::isnan(v); });
  warmup_ok = defined - first.begin() == out.begin;
  double max_diff = 0;
  for (int k = 0; k < talib_case.outputs; ++k) {
    std::span<const double> ours = prepared->output(k);
    for (int i = 0; i < out.count; ++i) {
      double diff = std::abs(ours[out.begin + i] - out.columns[k][i]);
      if (std::isnan(diff)) return -1;
      max_diff = std::max(max_diff, diff);
    }
  }
  return max_diff;
}

void PrintSummary(const CollectingReporter& reporter) {
  std::printf("\nSUMMARY indicators (%lld bars, one random-walk series, single thread)\n",
              static_cast<long long>(Bars()));
  std::printf("%-14s %14s %14s %14s %14s\n", "indicator", "kairos_ns/bar", "talib_ns/bar",
              "speedup_x", "max_abs_diff");
  for (const BenchCase& bench_case : indicators::StandardBenchCases()) {
    std::string label(bench_case.label);
    double ours = reporter.Get("kairos/" + label, "ns_per_bar") * 1e9;
    double theirs = reporter.Get("talib/" + label, "ns_per_bar") * 1e9;
    char ours_text[32] = "skipped", theirs_text[32] = "-", ratio_text[32] = "-",
         diff_text[32] = "-";
    if (ours > 0) std::snprintf(ours_text, sizeof ours_text, "%.3f", ours);
    if (theirs > 0) std::snprintf(theirs_text, sizeof theirs_text, "%.3f", theirs);
    const TaLibCase* talib_case = FindTaLibCase(bench_case.label);
    if (ours > 0 && theirs > 0 && talib_case != nullptr) {
      std::snprintf(ratio_text, sizeof ratio_text, "%.2f", theirs / ours);
      bool warmup_ok = false;
      double diff = MaxDifference(bench_case, *talib_case, warmup_ok);
      if (diff < 0) {
        std::snprintf(diff_text, sizeof diff_text, "n/a");
      } else {
        std::snprintf(diff_text, sizeof diff_text, "%.2g%s", diff, warmup_ok ? "" : " (warmup!)");
      }
    }
    std::printf("%-14s %14s %14s %14s %14s\n", label.c_str(), ours_text, theirs_text, ratio_text,
                diff_text);
  }
  if (!TaLibAvailable()) {
    std::printf("(TA-Lib peer not built: run tools/peer/build_talib.sh and reconfigure)\n");
  }
}

}  // namespace
}  // namespace kairos::bench

int main(int argc, char** argv) {
  using namespace kairos::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  for (const kairos::indicators::BenchCase& bench_case : kairos::indicators::StandardBenchCases()) {
    std::string label(bench_case.label);
    if (kairos::indicators::FindIndicator(bench_case.indicator) != nullptr) {
      benchmark::RegisterBenchmark(("kairos/" + label).c_str(), BM_Kairos, &bench_case)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    } else {
      std::fprintf(stderr, "skipping kairos/%s: '%.*s' is not registered\n", label.c_str(),
                   static_cast<int>(bench_case.indicator.size()), bench_case.indicator.data());
    }
    if (const TaLibCase* talib_case = FindTaLibCase(bench_case.label)) {
      benchmark::RegisterBenchmark(("talib/" + label).c_str(), BM_TaLib, talib_case)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter);
  benchmark::Shutdown();
  return 0;
}
