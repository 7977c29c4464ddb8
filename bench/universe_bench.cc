// Universe throughput: what a daily full-market scan costs. 5,000 series x 5,000 bars (override
// with KAIROS_BENCH_SERIES / KAIROS_BENCH_SERIES_BARS), each series its own random walk; per
// series, RSI(14) and SMA(20) of the close and ATR(14) of high/low/close, through the registry's
// batch kernels. Series are spread over a pool of std::threads (an atomic cursor hands out chunks
// of series), 1 thread and all cores. Reported in bars/s (a bar = all three indicators on it).
// A second layout, indicator-major (one pass per indicator, full output matrices), runs on all
// cores for comparison with the series-major loop.
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

// The three registry kernels and their parameters, resolved once.
struct Kernels {
  const IndicatorInfo* rsi = indicators::FindIndicator("rsi");
  const IndicatorInfo* sma = indicators::FindIndicator("sma");
  const IndicatorInfo* atr = indicators::FindIndicator("atr");
  std::vector<double> rsi_params, sma_params, atr_params;

  Kernels() {
    if (!ok()) return;
    rsi_params = Params(rsi, 14);
    sma_params = Params(sma, 20);
    atr_params = Params(atr, 14);
  }
  bool ok() const { return rsi != nullptr && sma != nullptr && atr != nullptr; }

  bool Rsi(const Series& s, std::span<double> out) const { return Close(rsi, rsi_params, s, out); }
  bool Sma(const Series& s, std::span<double> out) const { return Close(sma, sma_params, s, out); }
  bool Atr(const Series& s, std::span<double> out) const {
    const std::span<const double> in[] = {s.high, s.low, s.close};
    const std::span<double> outs[] = {out};
    return atr
        ->batch(std::span<const std::span<const double>>(in), atr_params,
                std::span<const std::span<double>>(outs))
        .ok();
  }

 private:
  // Registry defaults for anything past the period (none expected for these three).
  static std::vector<double> Params(const IndicatorInfo* info, double period) {
    std::vector<double> p;
    for (const indicators::ParamSpec& spec : info->params) p.push_back(spec.default_value);
    if (!p.empty()) p[0] = period;
    return p;
  }
  static bool Close(const IndicatorInfo* info, const std::vector<double>& params, const Series& s,
                    std::span<double> out) {
    const std::span<const double> in[] = {s.close};
    const std::span<double> outs[] = {out};
    return info
        ->batch(std::span<const std::span<const double>>(in), params,
                std::span<const std::span<double>>(outs))
        .ok();
  }
};

// Series-major: each worker runs all three indicators on one series while it is in cache, into
// per-worker scratch outputs (what a scan that consumes results immediately needs).
void BM_KairosUniverse(benchmark::State& state, int threads) {
  const Kernels k;
  if (!k.ok()) {
    state.SkipWithError("rsi, sma or atr is not registered yet");
    return;
  }
  const std::vector<Series>& universe = Universe();
  std::vector<Scratch> scratch(threads, Scratch(SeriesBars()));
  std::atomic<bool> failed{false};
  for (auto _ : state) {
    ForEachSeries(threads, [&](size_t s, int w) {
      Scratch& out = scratch[w];
      bool ok = k.Rsi(universe[s], out.a) && k.Sma(universe[s], out.b) && k.Atr(universe[s], out.c);
      if (!ok) failed.store(true, std::memory_order_relaxed);
    });
    benchmark::ClobberMemory();
  }
  if (failed.load()) state.SkipWithError("a kernel returned an error");
  SetUniverseCounters(state, threads);
}

// Indicator-major: one pass over the universe per indicator, keeping every series' output in a
// series x bars matrix per indicator (what an evaluator that computes one expression across the
// universe before the next one needs). Same kernels, more memory traffic.
void BM_KairosUniverseByIndicator(benchmark::State& state, int threads) {
  const Kernels k;
  if (!k.ok()) {
    state.SkipWithError("rsi, sma or atr is not registered yet");
    return;
  }
  const std::vector<Series>& universe = Universe();
  const size_t bars = static_cast<size_t>(SeriesBars());
  const size_t cells = static_cast<size_t>(SeriesCount()) * bars;
  std::vector<double> rsi_out(cells), sma_out(cells), atr_out(cells);
  auto row = [&](std::vector<double>& m, size_t s) {
    return std::span<double>(m).subspan(s * bars, bars);
  };
  std::atomic<bool> failed{false};
  for (auto _ : state) {
    ForEachSeries(threads, [&](size_t s, int) {
      if (!k.Rsi(universe[s], row(rsi_out, s))) failed = true;
    });
    ForEachSeries(threads, [&](size_t s, int) {
      if (!k.Sma(universe[s], row(sma_out, s))) failed = true;
    });
    ForEachSeries(threads, [&](size_t s, int) {
      if (!k.Atr(universe[s], row(atr_out, s))) failed = true;
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
  double by_indicator =
      reporter.Get(Name("kairos_universe_by_indicator", AllCores()), "bars_per_s");
  if (by_indicator > 0) {
    std::printf(
        "indicator-major layout (3 passes, full output matrices), %d threads: %.1f Mbars/s\n",
        AllCores(), by_indicator / 1e6);
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
  benchmark::RegisterBenchmark(Name("kairos_universe_by_indicator", AllCores()).c_str(),
                               BM_KairosUniverseByIndicator, AllCores())
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter, thread_counts);
  benchmark::Shutdown();
  return 0;
}
