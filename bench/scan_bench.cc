// The market scan on `kairos data synth --symbols 5000 --sessions 5000` (25M bars, the
// same generator, seed and NYSE sessions; override the size with KAIROS_BENCH_SCAN_SYMBOLS /
// KAIROS_BENCH_SCAN_SESSIONS), warm page cache, rule
//   close > sma(close,200) and rsi(close,14) < 30 and volume > 1.5 * sma(volume,20)
//
//   scan/range/threads:T     engine::Scan over every session of the range, read from the store
//                            (targets: <= 0.5 s on 2 threads; >= 20x pandas; faster than TA-Lib)
//   scan/as_of/threads:T     engine::Scan as of the last session (target: <= 20 ms), which reads
//                            the store's tail file (bars/tails.bin, BarStore::Tails)
//   scan/as_of_files/threads:T  the same without the tail file: ReadTail of every bar file
//   talib/range/threads:T    the peer: per symbol, ReadColumns(close, volume) from the same store,
//                            TA_SMA(close,200), TA_RSI(close,14), TA_SMA(volume,20) and the
//                            comparisons in a plain loop, same worker pool
//   store/read/threads:T     only the reads the range scan makes (dates, close, volume, verified)
//   store/read_tail/threads:T  only the reads the as-of scan makes without the tail file
//                            (ReadTail of window() rows of every bar file)
//   store/tails/threads:T    only the reads the as-of scan makes: Tails() + Tail(window() rows)
//   store/tails_cold         the same from a tail file opened afresh (mmap, page faults, entry
//                            table checked), as a new process would; page cache warm
//   store/list               BarStore::List(), which every scan starts with
//
// The store is generated once under build/bench-data/scan-<S>x<B> and reused; so is an export of
// the close and volume columns (raw float64, symbol-major) that bench/scan_pandas.py reads.
// After the runs, the SUMMARY and a key=value file (<export>/kairos_figures.txt) with the times
// that bench/scan_pandas.py compares itself against.

#include <benchmark/benchmark.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.h"
#include "calendar/calendar.h"
#include "engine/scanner.h"
#include "marketdata/bar_store.h"
#include "marketdata/synth.h"
#include "marketdata/tail_file.h"
#include "rules/evaluator.h"

#if KAIROS_HAVE_TALIB
#include <ta_libc.h>
#endif

namespace kairos::bench {
namespace {

namespace fs = std::filesystem;
using marketdata::BarStore;
using marketdata::Column;

constexpr const char* kRule =
    "close > sma(close,200) and rsi(close,14) < 30 and volume > 1.5 * sma(volume,20)";

int64_t Symbols() {
  static const int64_t n = EnvInt("KAIROS_BENCH_SCAN_SYMBOLS", 5'000);
  return n;
}
int64_t Sessions() {
  static const int64_t n = EnvInt("KAIROS_BENCH_SCAN_SESSIONS", 5'000);
  return n;
}
fs::path Home() {
  return fs::path("build/bench-data") /
         ("scan-" + std::to_string(Symbols()) + "x" + std::to_string(Sessions()));
}
fs::path ExportDir() { return Home() / "export"; }
int AllCores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

const calendar::ExchangeCalendar& Nyse() {
  return **calendar::ExchangeCalendar::ForExchange("NYSE");
}

// What `kairos data synth --symbols S --sessions B` stores (same spec, NYSE, seed 1), without
// fsync (a scratch store).
Status EnsureStore() {
  fs::path marker = Home() / ".bench-data";
  if (fs::exists(marker)) return Status::Ok();
  std::fprintf(stderr, "generating %lld x %lld bars in %s ...\n", static_cast<long long>(Symbols()),
               static_cast<long long>(Sessions()), Home().c_str());
  std::error_code ec;
  fs::remove_all(Home(), ec);
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<BarStore> store,
                          BarStore::Open(Home(), marketdata::BarStoreOptions{.sync = false}));
  marketdata::SynthUniverseSpec spec;
  spec.symbols = static_cast<int>(Symbols());
  spec.sessions = static_cast<int>(Sessions());
  std::mutex mu;
  store->BeginBatch();
  KAIROS_RETURN_IF_ERROR(
      marketdata::ForEachSynthSeries(Nyse(), spec, [&](int, const BarSeries& series) {
        std::lock_guard lock(mu);
        return store->Replace(series);
      }));
  KAIROS_RETURN_IF_ERROR(store->EndBatch());
  std::ofstream(marker) << Symbols() << "x" << Sessions() << "\n";
  return Status::Ok();
}

// close.f64 and volume.f64: float64 little-endian, symbol after symbol, `sessions` values each
// (every synthetic series has the same sessions); meta.txt: "symbols sessions".
Status EnsureExport(const BarStore& store) {
  fs::path marker = ExportDir() / "meta.txt";
  if (fs::exists(marker)) return Status::Ok();
  fs::create_directories(ExportDir());
  std::ofstream close(ExportDir() / "close.f64", std::ios::binary);
  std::ofstream volume(ExportDir() / "volume.f64", std::ios::binary);
  for (const marketdata::SeriesInfo& info : store.List()) {
    KAIROS_ASSIGN_OR_RETURN(
        auto view, store.ReadColumns(info.instrument.symbol, {Column::kClose, Column::kVolume}));
    if (static_cast<int64_t>(view->close().size()) != Sessions()) {
      return Status::Internal("series of unequal length");
    }
    close.write(reinterpret_cast<const char*>(view->close().data()),
                static_cast<std::streamsize>(view->close().size_bytes()));
    volume.write(reinterpret_cast<const char*>(view->volume().data()),
                 static_cast<std::streamsize>(view->volume().size_bytes()));
  }
  if (!close || !volume) return Status::IOError("writing the export");
  std::ofstream(marker) << Symbols() << " " << Sessions() << "\n";
  return Status::Ok();
}

std::unique_ptr<BarStore>& Store() {
  static std::unique_ptr<BarStore> store;
  return store;
}
std::shared_ptr<const rules::Program>& Program() {
  static std::shared_ptr<const rules::Program> program;
  return program;
}
double TotalBars() { return static_cast<double>(Symbols() * Sessions()); }

// The store as it was before the tail file: every read goes to the bar files.
class WithoutTails final : public BarStore {
 public:
  explicit WithoutTails(const BarStore& inner) : inner_(inner) {}
  Status Upsert(const BarSeries&) override { return Status::Internal("read-only"); }
  Status Replace(const BarSeries&) override { return Status::Internal("read-only"); }
  Status Remove(std::string_view) override { return Status::Internal("read-only"); }
  Result<std::unique_ptr<marketdata::SeriesView>> Read(std::string_view symbol) const override {
    return inner_.Read(symbol);
  }
  Result<std::unique_ptr<marketdata::SeriesView>> ReadColumns(
      std::string_view symbol, marketdata::ColumnSet columns) const override {
    return inner_.ReadColumns(symbol, columns);
  }
  Result<std::unique_ptr<marketdata::SeriesView>> ReadTail(std::string_view symbol,
                                                           marketdata::ColumnSet columns,
                                                           size_t rows) const override {
    return inner_.ReadTail(symbol, columns, rows);
  }
  std::vector<marketdata::SeriesInfo> List() const override { return inner_.List(); }
  Result<marketdata::SeriesInfo> Info(std::string_view symbol) const override {
    return inner_.Info(symbol);
  }
  void BeginBatch() override {}
  Status EndBatch() override { return Status::Ok(); }

 private:
  const BarStore& inner_;
};

void BM_Scan(benchmark::State& state, int threads, bool range, bool tails) {
  WithoutTails files(*Store());
  const BarStore& store = tails ? *Store() : static_cast<const BarStore&>(files);
  engine::ScanRequest request;
  request.program = Program();
  request.columns = engine::ColumnsRead(kRule).value();
  request.threads = threads;
  if (range) request.from = Date::FromDays(-1'000'000);
  size_t matches = 0;
  int64_t bars = 0;
  for (auto _ : state) {
    Result<engine::ScanResult> r = engine::Scan(store, Nyse(), request);
    if (!r.ok() || !r->skipped.empty()) {
      state.SkipWithError(r.ok() ? r->skipped[0].c_str() : r.status().ToString().c_str());
      return;
    }
    matches = r->matches.size();
    bars = r->bars_read;
    benchmark::DoNotOptimize(r->matches.data());
  }
  state.counters["matches"] = static_cast<double>(matches);
  state.counters["bars_read"] = static_cast<double>(bars);
  state.counters["bars_per_s"] =
      benchmark::Counter(static_cast<double>(bars), benchmark::Counter::kIsIterationInvariantRate);
}

// Runs `per_symbol(index, symbol, worker)` over every stored symbol on `threads` threads; returns
// the sum of what it returns, or -1 after an error (in `error`).
template <typename Fn>
int64_t OverSymbols(const std::vector<marketdata::SeriesInfo>& list, int threads, Fn per_symbol,
                    std::string& error) {
  std::atomic<size_t> cursor{0};
  std::vector<int64_t> counts(static_cast<size_t>(threads), 0);
  std::vector<std::string> errors(static_cast<size_t>(threads));
  auto worker = [&](int w) {
    for (size_t i = cursor++; i < list.size(); i = cursor++) {
      int64_t n = per_symbol(list[i].instrument.symbol, w);
      if (n < 0) {
        errors[w] = list[i].instrument.symbol;
        return;
      }
      counts[w] += n;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (std::thread& t : pool) t.join();
  int64_t total = 0;
  for (int w = 0; w < threads; ++w) {
    if (!errors[w].empty()) error = errors[w];
    total += counts[w];
  }
  return error.empty() ? total : -1;
}

void BM_ReadOnly(benchmark::State& state, int threads) {
  std::vector<marketdata::SeriesInfo> list = Store()->List();
  for (auto _ : state) {
    std::string error;
    int64_t n = OverSymbols(
        list, threads,
        [](const std::string& symbol, int) -> int64_t {
          auto view = Store()->ReadColumns(symbol, {Column::kClose, Column::kVolume});
          return view.ok() ? static_cast<int64_t>((*view)->close().size()) : -1;
        },
        error);
    if (n < 0) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.counters["bars_per_s"] =
      benchmark::Counter(TotalBars(), benchmark::Counter::kIsIterationInvariantRate);
}

// Only the reads the as-of scan makes: the last window() rows of dates, close and volume.
void BM_ReadTail(benchmark::State& state, int threads) {
  std::vector<marketdata::SeriesInfo> list = Store()->List();
  const size_t rows = static_cast<size_t>(Program()->window());
  for (auto _ : state) {
    std::string error;
    int64_t n = OverSymbols(
        list, threads,
        [rows](const std::string& symbol, int) -> int64_t {
          auto view = Store()->ReadTail(symbol, {Column::kClose, Column::kVolume}, rows);
          return view.ok() ? static_cast<int64_t>((*view)->close().size()) : -1;
        },
        error);
    if (n < 0) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.counters["rows"] = static_cast<double>(rows);
}

// Only the reads the as-of scan makes from the tail file: the last window() rows of dates,
// close and volume, every piece's checksum verified.
void BM_Tails(benchmark::State& state, int threads) {
  std::vector<marketdata::SeriesInfo> list = Store()->List();
  const size_t rows = static_cast<size_t>(Program()->window());
  for (auto _ : state) {
    std::shared_ptr<const marketdata::SeriesTails> tails = Store()->Tails();
    if (tails == nullptr) {
      state.SkipWithError("no tail file");
      return;
    }
    std::string error;
    int64_t n = OverSymbols(
        list, threads,
        [&](const std::string& symbol, int) -> int64_t {
          auto view = tails->Tail(symbol, {Column::kClose, Column::kVolume}, rows);
          return view.ok() ? static_cast<int64_t>((*view)->close().size()) : -1;
        },
        error);
    if (n < 0) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.counters["rows"] = static_cast<double>(rows);
}

// The same from the tail file opened afresh each time (what a new `kairos scan` process pays).
void BM_TailsCold(benchmark::State& state) {
  const fs::path path = Home() / "bars" / marketdata::internal::kTailFileName;
  for (auto _ : state) {
    auto file = marketdata::internal::TailFile::Open(path);
    if (!file.ok()) {
      state.SkipWithError(file.status().ToString().c_str());
      return;
    }
    for (size_t i = 0; i < (*file)->size(); ++i) {
      if (!(*file)->Dates(i).ok() || !(*file)->Values(i, Column::kClose).ok() ||
          !(*file)->Values(i, Column::kVolume).ok()) {
        state.SkipWithError("damaged tail file");
        return;
      }
    }
  }
}

void BM_List(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Store()->List().size());
}

#if KAIROS_HAVE_TALIB
// The peer: what a person would write with TA-Lib, per symbol, buffers reused per thread.
void BM_TaLib(benchmark::State& state, int threads) {
  TA_Initialize();
  std::vector<marketdata::SeriesInfo> list = Store()->List();
  struct Buffers {
    std::vector<double> sma200, rsi, vsma20;
  };
  std::vector<Buffers> buffers(static_cast<size_t>(threads));
  int64_t matches = 0;
  for (auto _ : state) {
    std::string error;
    matches = OverSymbols(
        list, threads,
        [&](const std::string& symbol, int w) -> int64_t {
          auto view = Store()->ReadColumns(symbol, {Column::kClose, Column::kVolume});
          if (!view.ok()) return -1;
          std::span<const double> close = (*view)->close(), volume = (*view)->volume();
          const int n = static_cast<int>(close.size());
          Buffers& b = buffers[static_cast<size_t>(w)];
          b.sma200.resize(close.size());
          b.rsi.resize(close.size());
          b.vsma20.resize(close.size());
          int sma_begin = 0, sma_count = 0, rsi_begin = 0, rsi_count = 0, v_begin = 0, v_count = 0;
          if (TA_SMA(0, n - 1, close.data(), 200, &sma_begin, &sma_count, b.sma200.data()) !=
                  TA_SUCCESS ||
              TA_RSI(0, n - 1, close.data(), 14, &rsi_begin, &rsi_count, b.rsi.data()) !=
                  TA_SUCCESS ||
              TA_SMA(0, n - 1, volume.data(), 20, &v_begin, &v_count, b.vsma20.data()) !=
                  TA_SUCCESS) {
            return -1;
          }
          int64_t found = 0;
          const int first = std::max({sma_begin, rsi_begin, v_begin});
          for (int i = first; i < n; ++i) {
            found += close[i] > b.sma200[i - sma_begin] && b.rsi[i - rsi_begin] < 30 &&
                     volume[i] > 1.5 * b.vsma20[i - v_begin];
          }
          return found;
        },
        error);
    if (matches < 0) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.counters["matches"] = static_cast<double>(matches);
  state.counters["bars_per_s"] =
      benchmark::Counter(TotalBars(), benchmark::Counter::kIsIterationInvariantRate);
}
#endif

std::string Name(const char* what, int threads) {
  return std::string(what) + "/threads:" + std::to_string(threads);
}

}  // namespace
}  // namespace kairos::bench

int main(int argc, char** argv) {
  using namespace kairos::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  auto fail = [](const kairos::Status& s) {
    std::fprintf(stderr, "scan_bench: %s\n", s.ToString().c_str());
    return 1;
  };
  if (kairos::Status s = EnsureStore(); !s.ok()) return fail(s);
  auto store = BarStore::Open(Home());
  if (!store.ok()) return fail(store.status());
  Store() = std::move(*store);
  // Stores generated before the tail file existed get one here (nothing is written when it is
  // current); `kairos data synth` and every import write it themselves.
  if (kairos::Status s = Store()->RebuildTails(); !s.ok()) return fail(s);
  if (kairos::Status s = EnsureExport(*Store()); !s.ok()) return fail(s);
  auto program = kairos::rules::Program::Compile(kRule);
  if (!program.ok()) return fail(program.status());
  Program() = *program;
  {  // Warm the page cache: every benchmark reads a warm store.
    std::string error;
    OverSymbols(
        Store()->List(), 1,
        [](const std::string& symbol, int) -> int64_t { return Store()->Read(symbol).ok(); },
        error);
  }

  std::vector<int> thread_counts = {1};
  if (AllCores() > 1) thread_counts.push_back(AllCores());
  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("scan/range", threads).c_str(), BM_Scan, threads, true, true)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("scan/as_of", threads).c_str(), BM_Scan, threads, false, true)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("scan/as_of_files", threads).c_str(), BM_Scan, threads, false,
                                 false)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
#if KAIROS_HAVE_TALIB
  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("talib/range", threads).c_str(), BM_TaLib, threads)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
#endif
  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("store/read", threads).c_str(), BM_ReadOnly, threads)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }

  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("store/read_tail", threads).c_str(), BM_ReadTail, threads)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("store/tails", threads).c_str(), BM_Tails, threads)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("store/tails_cold", BM_TailsCold)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("store/list", BM_List)->Unit(benchmark::kMillisecond);

  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::printf("\nSUMMARY scan (%lld symbols x %lld sessions, warm cache; rule: %s)\n",
              static_cast<long long>(Symbols()), static_cast<long long>(Sessions()), kRule);
  std::ofstream figures(ExportDir() / "kairos_figures.txt");
  for (int threads : thread_counts) {
    double s = reporter.Get(Name("scan/range", threads), "real_time_ns") / 1e9;
    double talib = reporter.Get(Name("talib/range", threads), "real_time_ns") / 1e9;
    double read = reporter.Get(Name("store/read", threads), "real_time_ns") / 1e9;
    if (s < 0) continue;
    std::printf(
        "range   threads=%d  %8.3f s  (%.0f matches)%s", threads, s,
        reporter.Get(Name("scan/range", threads), "matches"),
        threads == 2 ? (s <= 0.5 ? "  meets the 0.5 s target" : "  MISSES the 0.5 s target") : "");
    if (talib > 0) {
      std::printf("  | TA-Lib loop %.3f s (%.0f matches), speedup_x %.2f", talib,
                  reporter.Get(Name("talib/range", threads), "matches"), talib / s);
    }
    if (read > 0) std::printf("  | reads alone %.3f s", read);
    std::printf("\n");
    figures << "range_threads_" << threads << "_s=" << s << "\n";
  }
  for (int threads : thread_counts) {
    double ms = reporter.Get(Name("scan/as_of", threads), "real_time_ns") / 1e6;
    if (ms < 0) continue;
    std::printf("as_of   threads=%d  %8.2f ms (%.0f matches, %.0f bars read)  %s\n", threads, ms,
                reporter.Get(Name("scan/as_of", threads), "matches"),
                reporter.Get(Name("scan/as_of", threads), "bars_read"),
                ms <= 20 ? "meets the 20 ms target" : "MISSES the 20 ms target");
    figures << "as_of_threads_" << threads << "_ms=" << ms << "\n";
    double files = reporter.Get(Name("scan/as_of_files", threads), "real_time_ns") / 1e6;
    if (files > 0) {
      std::printf("as_of   threads=%d  %8.2f ms without the tail file (ReadTail per bar file)\n",
                  threads, files);
    }
  }
  benchmark::Shutdown();
  return 0;
}
