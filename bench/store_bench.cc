// The bar store's building blocks (the full-market read is in store_read_bench.cc):
//
//   store/checksum64                 KH64 over a 40 KB column (bytes/s)
//   store/read_close/<mode>          ReadColumns(symbol, {close}) of 500 series x 5,000 bars, warm
//                                    cache, pread vs mmap (the choice of
//                                    BarStoreOptions::read_mode)
//   store/replace/<sync>             Replace of one 5,000-bar OHLCV series, with and without fsync
//   store/upsert_append              Upsert of one new bar onto 5,000 stored (a daily ingest)
//   synth/series                     SynthSeries, 5,000 bars
//   synth/universe                   ForEachSynthSeries 5,000 x 5,000 on all cores (target: a
//                                    couple of seconds on 2 cores)
//   resample/weekly                  ResampleWeekly of 5,000 daily bars (NYSE calendar)
//
// Scratch data lives under build/bench-data/store-bench (KAIROS_BENCH_DIR overrides).

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "calendar/calendar.h"
#include "marketdata/bar_store.h"
#include "marketdata/resample.h"
#include "marketdata/synth.h"

namespace kairos::marketdata {
namespace {

namespace fs = std::filesystem;

constexpr int kSeries = 500;
constexpr int kBars = 5'000;

fs::path ScratchDir() {
  const char* dir = std::getenv("KAIROS_BENCH_DIR");
  return dir != nullptr && *dir != '\0' ? fs::path(dir) : fs::path("build/bench-data/store-bench");
}

const calendar::ExchangeCalendar& Weekdays() {
  static const calendar::ExchangeCalendar* cal =
      calendar::ExchangeCalendar::ForExchange("WEEKDAYS").value();
  return *cal;
}

const std::vector<Date>& Sessions() {
  static const std::vector<Date> sessions =
      LastSessions(Weekdays(), SynthUniverseSpec{}.end, kBars).value();
  return sessions;
}

BarSeries Series(int index) {
  return SynthSeries(SynthSymbol(index, kSeries), "NYSE", Sessions(), SynthSymbolSeed(1, index));
}

void Fail(benchmark::State& state, const Status& s) { state.SkipWithError(s.ToString().c_str()); }

void BM_Checksum64(benchmark::State& state) {
  std::vector<std::byte> column(40'000);
  for (size_t i = 0; i < column.size(); ++i) column[i] = std::byte(i * 131 + 7);
  for (auto _ : state) benchmark::DoNotOptimize(Checksum64(column));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * column.size()));
}
BENCHMARK(BM_Checksum64)->Name("store/checksum64");

// A store of kSeries x kBars, written once (no fsync) and reused.
Result<std::unique_ptr<BarStore>> ReadStore(BarStoreOptions::ReadMode mode) {
  fs::path home = ScratchDir() / "read";
  fs::path marker = home / ".complete";
  if (!fs::exists(marker)) {
    fs::remove_all(home);
    KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<BarStore> writer,
                            BarStore::Open(home, {.sync = false}));
    writer->BeginBatch();
    for (int i = 1; i <= kSeries; ++i) KAIROS_RETURN_IF_ERROR(writer->Replace(Series(i)));
    KAIROS_RETURN_IF_ERROR(writer->EndBatch());
    std::FILE* f = std::fopen(marker.c_str(), "w");
    if (f != nullptr) std::fclose(f);
  }
  return BarStore::Open(home, {.read_mode = mode});
}

void BM_ReadClose(benchmark::State& state, BarStoreOptions::ReadMode mode) {
  Result<std::unique_ptr<BarStore>> store = ReadStore(mode);
  if (!store.ok()) return Fail(state, store.status());
  std::vector<std::string> symbols;
  for (const SeriesInfo& info : (*store)->List()) symbols.push_back(info.instrument.symbol);
  for (auto _ : state) {
    double sum = 0;
    for (const std::string& symbol : symbols) {
      Result<std::unique_ptr<SeriesView>> view = (*store)->ReadColumns(symbol, {Column::kClose});
      if (!view.ok()) return Fail(state, view.status());
      for (double c : (*view)->close()) sum += c;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * symbols.size()));  // series
}
BENCHMARK_CAPTURE(BM_ReadClose, pread, BarStoreOptions::ReadMode::kPread)
    ->Name("store/read_close/pread")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ReadClose, mmap, BarStoreOptions::ReadMode::kMmap)
    ->Name("store/read_close/mmap")
    ->Unit(benchmark::kMillisecond);

void BM_Replace(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  fs::path home = ScratchDir() / "write";
  fs::remove_all(home);
  Result<std::unique_ptr<BarStore>> store = BarStore::Open(home, {.sync = sync});
  if (!store.ok()) return Fail(state, store.status());
  BarSeries bars = Series(1);
  for (auto _ : state) {
    if (Status s = (*store)->Replace(bars); !s.ok()) return Fail(state, s);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * bars.size()));
}
BENCHMARK(BM_Replace)
    ->Name("store/replace")
    ->ArgName("sync")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond);

void BM_UpsertAppend(benchmark::State& state) {
  fs::path home = ScratchDir() / "upsert";
  fs::remove_all(home);
  Result<std::unique_ptr<BarStore>> store = BarStore::Open(home, {.sync = false});
  if (!store.ok()) return Fail(state, store.status());
  BarSeries bars = Series(1);
  BarSeries last;
  last.instrument = bars.instrument;
  last.Append(bars.bar(bars.size() - 1));
  bars.dates.pop_back();
  for (auto* col : {&bars.open, &bars.high, &bars.low, &bars.close, &bars.volume}) col->pop_back();
  if (Status s = (*store)->Replace(bars); !s.ok()) return Fail(state, s);
  for (auto _ : state) {
    if (Status s = (*store)->Upsert(last); !s.ok()) return Fail(state, s);
  }
}
BENCHMARK(BM_UpsertAppend)->Name("store/upsert_append")->Unit(benchmark::kMicrosecond);

void BM_SynthSeries(benchmark::State& state) {
  uint64_t seed = 1;
  for (auto _ : state) {
    BarSeries s = SynthSeries("SYN0001", "NYSE", Sessions(), seed++);
    benchmark::DoNotOptimize(s.close.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBars));
}
BENCHMARK(BM_SynthSeries)->Name("synth/series")->Unit(benchmark::kMicrosecond);

void BM_SynthUniverse(benchmark::State& state) {
  for (auto _ : state) {
    std::atomic<int64_t> bars{0};
    Status s = ForEachSynthSeries(Weekdays(), {.symbols = 5'000, .sessions = kBars},
                                  [&](int, const BarSeries& series) {
                                    bars += static_cast<int64_t>(series.size());
                                    return Status::Ok();
                                  });
    if (!s.ok()) return Fail(state, s);
    benchmark::DoNotOptimize(bars.load());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 5'000 * kBars));
}
BENCHMARK(BM_SynthUniverse)
    ->Name("synth/universe")
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_ResampleWeekly(benchmark::State& state) {
  Result<const calendar::ExchangeCalendar*> nyse = calendar::ExchangeCalendar::ForExchange("NYSE");
  if (!nyse.ok()) return Fail(state, nyse.status());
  Result<std::vector<Date>> sessions = LastSessions(**nyse, SynthUniverseSpec{}.end, kBars);
  if (!sessions.ok()) return Fail(state, sessions.status());
  BarSeries daily = SynthSeries("SYN0001", "NYSE", *sessions, 1);
  for (auto _ : state) {
    Result<WeeklyBars> weekly = ResampleWeekly(daily, **nyse);
    if (!weekly.ok()) return Fail(state, weekly.status());
    benchmark::DoNotOptimize(weekly->bars.close.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBars));
}
BENCHMARK(BM_ResampleWeekly)->Name("resample/weekly")->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace kairos::marketdata

BENCHMARK_MAIN();
