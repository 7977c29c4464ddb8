// Universe throughput: what a daily full-market scan costs. 5,000 series x 5,000 bars (override
// with KAIROS_BENCH_SERIES / KAIROS_BENCH_SERIES_BARS), each series its own random walk; per
// series, RSI(14) and SMA(20) of the close and ATR(14) of high/low/close, through the registry's
// batch kernels. Series are spread over a pool of std::threads (an atomic cursor hands out chunks
// of series), 1 thread and all cores. Reported in bars/s (a bar = all three indicators on it).
// With the TA-Lib peer built, the same work through TA_RSI / TA_SMA / TA_ATR runs in the same
// process, and a table at the end gives the ratios.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.h"
#include "bench/talib_peer.h"
#include "indicators/bench_suite.h"
#include "indicators/indicator.h"

namespace kairos::bench {
namespace {

using indicators::IndicatorInfo;

int64_t SeriesCount() {
  static const int64_t n = EnvInt("KAIROS_BENCH_SERIES", 5'000);
  return n;
}
int64_t SeriesBars() {
  static const int64_t n = EnvInt("KAIROS_BENCH_SERIES_BARS", 5'000);
  return n;
}

// Per-series layout: every series owns its columns (what the bar store's views give).
struct Series {
  std::vector<double> high, low, close;
};

const std::vector<Series>& Universe() {
  static const std::vector<Series> universe = [] {
    std::vector<Series> all(SeriesCount());
    for (size_t s = 0; s < all.size(); ++s) {
      indicators::OhlcvColumns d = indicators::RandomWalkOhlcv(SeriesBars(), 1000 + s);
      all[s] = {std::move(d.high), std::move(d.low), std::move(d.close)};
    }
    return all;
  }();
  return universe;
}

int AllCores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// Calls work(series_index, worker_index) for every series, on `threads` threads.
template <typename Work>
void ForEachSeries(int threads, Work&& work) {
  constexpr int64_t kChunk = 16;
  std::atomic<int64_t> cursor{0};
  auto worker = [&](int worker_index) {
    for (;;) {
      int64_t first = cursor.fetch_add(kChunk, std::memory_order_relaxed);
      if (first >= SeriesCount()) return;
      int64_t last = std::min(first + kChunk, SeriesCount());
      for (int64_t s = first; s < last; ++s) work(static_cast<size_t>(s), worker_index);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (std::thread& t : pool) t.join();
}

void SetUniverseCounters(benchmark::State& state, int threads) {
  double bars = static_cast<double>(SeriesCount() * SeriesBars());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * bars));
  state.counters["bars_per_s"] =
      benchmark::Counter(bars, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ns_per_bar"] = PerItem(bars);
  state.counters["threads"] = threads;
}

// One worker's output buffers, reused for every series it handles.
struct Scratch {
  std::vector<double> a, b, c;
  explicit Scratch(size_t n) : a(n), b(n), c(n) {}
};

void BM_KairosUniverse(benchmark::State& state, int threads) {
  const IndicatorInfo* rsi = indicators::FindIndicator("rsi");
  const IndicatorInfo* sma = indicators::FindIndicator("sma");
  const IndicatorInfo* atr = indicators::FindIndicator("atr");
  if (rsi == nullptr || sma == nullptr || atr == nullptr) {
    state.SkipWithError("rsi, sma or atr is not registered yet");
    return;
  }
  // Registry defaults for anything past the period (none expected for these three).
  auto params = [](const IndicatorInfo* info, double period) {
    std::vector<double> p;
    for (const indicators::ParamSpec& spec : info->params) p.push_back(spec.default_value);
    if (!p.empty()) p[0] = period;
    return p;
  };
  const std::vector<double> rsi_params = params(rsi, 14), sma_params = params(sma, 20),
                            atr_params = params(atr, 14);
  const std::vector<Series>& universe = Universe();
  std::vector<Scratch> scratch(threads, Scratch(SeriesBars()));
  std::atomic<bool> failed{false};
  for (auto _ : state) {
    ForEachSeries(threads, [&](size_t s, int w) {
      const Series& series = universe[s];
      Scratch& out = scratch[w];
      const std::span<const double> close_cols[] = {series.close};
      const std::span<const double> hlc_cols[] = {series.high, series.low, series.close};
      const std::span<double> a_cols[] = {out.a};
      const std::span<double> b_cols[] = {out.b};
      const std::span<double> c_cols[] = {out.c};
      std::span<const std::span<const double>> close_in(close_cols), hlc_in(hlc_cols);
      std::span<const std::span<double>> out_a(a_cols), out_b(b_cols), out_c(c_cols);
      bool ok = rsi->batch(close_in, rsi_params, out_a).ok() &&
                sma->batch(close_in, sma_params, out_b).ok() &&
                atr->batch(hlc_in, atr_params, out_c).ok();
      if (!ok) failed.store(true, std::memory_order_relaxed);
    });
    benchmark::ClobberMemory();
  }
  if (failed.load()) state.SkipWithError("a kernel returned an error");
  SetUniverseCounters(state, threads);
}

void BM_TaLibUniverse(benchmark::State& state, int threads) {
#if KAIROS_HAVE_TALIB
  TaLibInit();
  const std::vector<Series>& universe = Universe();
  std::vector<Scratch> scratch(threads, Scratch(SeriesBars()));
  const int n = static_cast<int>(SeriesBars());
  std::atomic<bool> failed{false};
  for (auto _ : state) {
    ForEachSeries(threads, [&](size_t s, int w) {
      const Series& series = universe[s];
      Scratch& out = scratch[w];
      int begin = 0, count = 0;
      bool ok =
          TA_RSI(0, n - 1, series.close.data(), 14, &begin, &count, out.a.data()) == TA_SUCCESS &&
          TA_SMA(0, n - 1, series.close.data(), 20, &begin, &count, out.b.data()) == TA_SUCCESS &&
          TA_ATR(0, n - 1, series.high.data(), series.low.data(), series.close.data(), 14, &begin,
                 &count, out.c.data()) == TA_SUCCESS;
      if (!ok) failed.store(true, std::memory_order_relaxed);
    });
    benchmark::ClobberMemory();
  }
  if (failed.load()) state.SkipWithError("TA-Lib returned an error");
  SetUniverseCounters(state, threads);
#else
  (void)threads;
  state.SkipWithError("TA-Lib peer not built");
#endif
}

std::string Name(const char* who, int threads) {
  return std::string(who) + "/threads:" + std::to_string(threads);
}

void PrintSummary(const CollectingReporter& reporter, const std::vector<int>& thread_counts) {
  std::printf("\nSUMMARY universe (%lld series x %lld bars; RSI14 + SMA20 + ATR14 per series)\n",
              static_cast<long long>(SeriesCount()), static_cast<long long>(SeriesBars()));
  std::printf("%-10s %16s %16s %14s %14s\n", "threads", "kairos_Mbars/s", "talib_Mbars/s",
              "speedup_x", "kairos_scan_s");
  for (int threads : thread_counts) {
    double ours = reporter.Get(Name("kairos_universe", threads), "bars_per_s");
    double theirs = reporter.Get(Name("talib_universe", threads), "bars_per_s");
    double seconds = reporter.Get(Name("kairos_universe", threads), "real_time_ns") * 1e-9;
    char ours_text[32] = "skipped", theirs_text[32] = "-", ratio_text[32] = "-",
         seconds_text[32] = "-";
    if (ours > 0) std::snprintf(ours_text, sizeof ours_text, "%.1f", ours / 1e6);
    if (ours > 0) std::snprintf(seconds_text, sizeof seconds_text, "%.3f", seconds);
    if (theirs > 0) std::snprintf(theirs_text, sizeof theirs_text, "%.1f", theirs / 1e6);
    // A throughput ratio: above 1 means kairos processes more bars per second.
    if (ours > 0 && theirs > 0) std::snprintf(ratio_text, sizeof ratio_text, "%.2f", ours / theirs);
    std::printf("%-10d %16s %16s %14s %14s\n", threads, ours_text, theirs_text, ratio_text,
                seconds_text);
  }
}

}  // namespace
}  // namespace kairos::bench

int main(int argc, char** argv) {
  using namespace kairos::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::vector<int> thread_counts = {1};
  if (AllCores() > 1) thread_counts.push_back(AllCores());
  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("kairos_universe", threads).c_str(), BM_KairosUniverse,
                                 threads)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    if (TaLibAvailable()) {
      benchmark::RegisterBenchmark(Name("talib_universe", threads).c_str(), BM_TaLibUniverse,
                                   threads)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter, thread_counts);
  benchmark::Shutdown();
  return 0;
}
