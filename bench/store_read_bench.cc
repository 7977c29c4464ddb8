// Bar store reads for a full-market scan: the close column of 5,000 series x 5,000 bars (override
// with KAIROS_BENCH_STORE_SERIES / KAIROS_BENCH_STORE_BARS), warm page cache. Target: <= 0.2 s for
// all 25M closes. The store is generated once under build/bench-data/store-<S>x<B>
// (marketdata::SynthSeries, written without fsync) and reused by later runs.
//
//   store/open                      BarStore::Open of the populated store (manifest check)
//   store/read_close/threads:T      ReadColumns(symbol, {close}) of every listed symbol (header
//                                   and checksum verification, mmap) and a sum over every close,
//                                   so each value is actually touched
//   store/read_all/threads:1        Read() of every column, for comparison

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.h"
#include "calendar/calendar.h"
#include "marketdata/bar_store.h"
#include "marketdata/synth.h"

namespace kairos::bench {
namespace {

namespace fs = std::filesystem;
using marketdata::BarStore;
using marketdata::Column;
using marketdata::SeriesView;

int64_t SeriesCount() {
  static const int64_t n = EnvInt("KAIROS_BENCH_STORE_SERIES", 5'000);
  return n;
}
int64_t SeriesBars() {
  static const int64_t n = EnvInt("KAIROS_BENCH_STORE_BARS", 5'000);
  return n;
}
fs::path Home() {
  return fs::path("build/bench-data") /
         ("store-" + std::to_string(SeriesCount()) + "x" + std::to_string(SeriesBars()));
}
int AllCores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// Writes the synthetic universe into the store unless its marker says it is already there.
Status EnsureStore() {
  fs::path marker = Home() / ".bench-data";
  if (fs::exists(marker)) return Status::Ok();
  std::fprintf(stderr, "generating a %lld x %lld store in %s ...\n",
               static_cast<long long>(SeriesCount()), static_cast<long long>(SeriesBars()),
               Home().c_str());
  std::error_code ec;
  fs::remove_all(Home(), ec);
  marketdata::BarStoreOptions options;
  options.sync = false;  // a scratch store: atomic renames, no fsync
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<BarStore> store, BarStore::Open(Home(), options));
  // WEEKDAYS: any number of sessions, whatever the NYSE calendar's coverage.
  KAIROS_ASSIGN_OR_RETURN(const calendar::ExchangeCalendar* cal,
                          calendar::ExchangeCalendar::ForExchange("WEEKDAYS"));
  marketdata::SynthUniverseSpec spec;
  KAIROS_ASSIGN_OR_RETURN(std::vector<Date> sessions,
                          marketdata::LastSessions(*cal, spec.end, static_cast<int>(SeriesBars())));
  store->BeginBatch();
  int count = static_cast<int>(SeriesCount());
  for (int index = 1; index <= count; ++index) {
    BarSeries bars =
        marketdata::SynthSeries(marketdata::SynthSymbol(index, count), "NYSE", sessions,
                                marketdata::SynthSymbolSeed(spec.seed, index));
    KAIROS_RETURN_IF_ERROR(store->Replace(bars));
  }
  KAIROS_RETURN_IF_ERROR(store->EndBatch());
  std::ofstream(marker) << SeriesCount() << "x" << SeriesBars() << "\n";
  return Status::Ok();
}

std::unique_ptr<BarStore>& Store() {
  static std::unique_ptr<BarStore> store;
  return store;
}

void SetBarCounters(benchmark::State& state, double bars) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * bars));
  state.counters["bars_per_s"] =
      benchmark::Counter(bars, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Open(benchmark::State& state) {
  for (auto _ : state) {
    Result<std::unique_ptr<BarStore>> store = BarStore::Open(Home());
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(store->get());
  }
}

// Reads every listed symbol (close only, or everything) on `threads` threads; returns the sum of
// the closes, or NaN after a failed read.
double ReadUniverse(const std::vector<marketdata::SeriesInfo>& list, int threads, bool close_only,
                    std::string& error) {
  std::atomic<size_t> cursor{0};
  std::vector<double> sums(threads, 0.0);
  std::vector<std::string> errors(threads);
  auto worker = [&](int w) {
    for (size_t i = cursor++; i < list.size(); i = cursor++) {
      const std::string& symbol = list[i].instrument.symbol;
      Result<std::unique_ptr<SeriesView>> view =
          close_only ? Store()->ReadColumns(symbol, {Column::kClose}) : Store()->Read(symbol);
      if (!view.ok()) {
        errors[w] = view.status().ToString();
        return;
      }
      double sum = 0;
      for (double c : (*view)->close()) sum += c;
      sums[w] += sum;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (std::thread& t : pool) t.join();
  double total = 0;
  for (int w = 0; w < threads; ++w) {
    if (!errors[w].empty()) error = errors[w];
    total += sums[w];
  }
  return total;
}

void BM_Read(benchmark::State& state, int threads, bool close_only) {
  std::vector<marketdata::SeriesInfo> list = Store()->List();
  double bars = 0;
  for (const marketdata::SeriesInfo& info : list) bars += static_cast<double>(info.bars);
  for (auto _ : state) {
    std::string error;
    double sum = ReadUniverse(list, threads, close_only, error);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    benchmark::DoNotOptimize(sum);
  }
  SetBarCounters(state, bars);
  state.counters["series"] = static_cast<double>(list.size());
}

std::string Name(const char* what, int threads) {
  return std::string("store/") + what + "/threads:" + std::to_string(threads);
}

}  // namespace
}  // namespace kairos::bench

int main(int argc, char** argv) {
  using namespace kairos::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (kairos::Status s = EnsureStore(); !s.ok()) {
    std::fprintf(stderr, "store_read_bench: %s\n", s.ToString().c_str());
    return 1;
  }
  auto store = kairos::marketdata::BarStore::Open(Home());
  if (!store.ok()) {
    std::fprintf(stderr, "store_read_bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  Store() = std::move(*store);
  {  // Warm the page cache: every benchmark reads a warm store.
    std::string error;
    ReadUniverse(Store()->List(), 1, false, error);
    if (!error.empty()) {
      std::fprintf(stderr, "store_read_bench: %s\n", error.c_str());
      return 1;
    }
  }

  benchmark::RegisterBenchmark("store/open", BM_Open)->Unit(benchmark::kMillisecond)->UseRealTime();
  std::vector<int> thread_counts = {1};
  if (AllCores() > 1) thread_counts.push_back(AllCores());
  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("read_close", threads).c_str(), BM_Read, threads, true)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark(Name("read_all", 1).c_str(), BM_Read, 1, false)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf(
      "\nSUMMARY store (%lld series x %lld bars, warm cache; target: all closes <= 0.2 s)\n",
      static_cast<long long>(SeriesCount()), static_cast<long long>(SeriesBars()));
  double open_ms = reporter.Get("store/open", "real_time_ns") / 1e6;
  if (open_ms >= 0) std::printf("open                      %8.1f ms\n", open_ms);
  for (int threads : thread_counts) {
    double s = reporter.Get(Name("read_close", threads), "real_time_ns") / 1e9;
    if (s < 0) continue;
    std::printf("read_close threads=%d      %8.3f s   %s\n", threads, s,
                s <= 0.2 ? "meets the 0.2 s target" : "MISSES the 0.2 s target");
  }
  double all_s = reporter.Get(Name("read_all", 1), "real_time_ns") / 1e9;
  if (all_s >= 0) std::printf("read_all threads=1        %8.3f s\n", all_s);
  benchmark::Shutdown();
  return 0;
}
