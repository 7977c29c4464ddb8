// CSV import throughput, the kairos side of bench/run_import_bench.sh (pandas is the peer:
// bench/pandas_read.py reads the same files). 2,000 symbols x 5,000 sessions of per-symbol
// "date,open,high,low,close,volume" files (~0.5 GB), generated once into --dir by the same code
// as `kairos data synth --csv` (marketdata::SynthSeries per symbol, then FormatCsv).
//
//   import_bench [--dir=DIR] [--symbols=N] [--sessions=N] [benchmark flags]
//
// Benchmarks, all on a warm page cache, in MB/s of CSV text (1 MB = 1e6 bytes):
//   import/parse/threads:T  marketdata::ParsePaths: read, parse and validate every row against
//                           the NYSE calendar (what `kairos data import` does before storing)
//   import/store/threads:T  marketdata::ImportPaths into an empty BarStore (parse + validate +
//                           write, fsync and rename of each symbol's file)

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.h"
#include "calendar/calendar.h"
#include "marketdata/bar_store.h"
#include "marketdata/export.h"
#include "marketdata/import.h"
#include "marketdata/synth.h"

namespace kairos::bench {
namespace {

namespace fs = std::filesystem;

struct Config {
  fs::path dir = "build/bench-data/csv-2000x5000";
  int symbols = 2000;
  int sessions = 5000;
};

Config& Settings() {
  static Config config;
  return config;
}

int AllCores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// Generates the CSV files unless `dir` already holds this exact data set (its marker file).
Status EnsureData(const Config& config) {
  fs::path marker = config.dir / ".bench-data";
  std::string want = std::to_string(config.symbols) + "x" + std::to_string(config.sessions);
  {
    std::ifstream in(marker);
    std::string have;
    if (in && std::getline(in, have) && have == want) return Status::Ok();
  }
  std::fprintf(stderr, "generating %s CSV files into %s ...\n", want.c_str(), config.dir.c_str());
  std::error_code ec;
  fs::remove_all(config.dir, ec);
  fs::create_directories(config.dir, ec);
  if (ec) return Status::IOError("cannot create " + config.dir.string() + ": " + ec.message());
  KAIROS_ASSIGN_OR_RETURN(const calendar::ExchangeCalendar* cal,
                          calendar::ExchangeCalendar::ForExchange("NYSE"));
  marketdata::SynthUniverseSpec spec;  // its fixed end date and seed, as `kairos data synth`
  KAIROS_ASSIGN_OR_RETURN(std::vector<Date> sessions,
                          marketdata::LastSessions(*cal, spec.end, config.sessions));
  // One symbol at a time (memory stays small), on every core; seeds depend on the index only.
  std::atomic<int> next{1};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (int index = next++; index <= config.symbols && !failed; index = next++) {
      BarSeries bars =
          marketdata::SynthSeries(marketdata::SynthSymbol(index, config.symbols), "NYSE", sessions,
                                  marketdata::SynthSymbolSeed(spec.seed, index));
      std::string text = marketdata::FormatCsv(bars);
      fs::path file = config.dir / (bars.instrument.symbol + ".csv");
      std::FILE* f = std::fopen(file.c_str(), "wb");
      bool ok = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
      if (f != nullptr) ok = std::fclose(f) == 0 && ok;
      if (!ok) failed = true;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < AllCores(); ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  if (failed) return Status::IOError("cannot write the CSV files into " + config.dir.string());
  std::ofstream(marker) << want << "\n";
  return Status::Ok();
}

// Total bytes of the CSV files, after reading each once (so every benchmark sees a warm cache).
int64_t WarmUp(const std::vector<fs::path>& files) {
  int64_t bytes = 0;
  std::vector<char> buffer(1 << 20);
  for (const fs::path& file : files) {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (f == nullptr) continue;
    size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) bytes += n;
    std::fclose(f);
  }
  return bytes;
}

int64_t& DataBytes() {
  static int64_t bytes = 0;
  return bytes;
}

void SetImportCounters(benchmark::State& state, int64_t rows) {
  state.SetBytesProcessed(state.iterations() * DataBytes());
  state.counters["MB_per_s"] = benchmark::Counter(static_cast<double>(DataBytes()) / 1e6,
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Parse(benchmark::State& state, int threads) {
  std::vector<fs::path> paths = {Settings().dir};
  marketdata::ImportOptions options;
  options.threads = threads;
  int64_t rows = 0;
  for (auto _ : state) {
    Result<marketdata::ParsedImport> parsed = marketdata::ParsePaths(paths, options);
    if (!parsed.ok() || !parsed->report.ok()) {
      state.SkipWithError(parsed.ok() ? parsed->report.errors.front().ToString().c_str()
                                      : parsed.status().ToString().c_str());
      return;
    }
    rows = parsed->report.rows_read;
    benchmark::DoNotOptimize(parsed->series.data());
  }
  SetImportCounters(state, rows);
}

void BM_Store(benchmark::State& state, int threads) {
  std::vector<fs::path> paths = {Settings().dir};
  fs::path home = Settings().dir.parent_path() / "import-bench-store";
  marketdata::ImportOptions options;
  options.threads = threads;
  int64_t rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::error_code ec;
    fs::remove_all(home, ec);
    Result<std::unique_ptr<marketdata::BarStore>> store = marketdata::BarStore::Open(home);
    state.ResumeTiming();
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      return;
    }
    Result<marketdata::ImportReport> report = marketdata::ImportPaths(**store, paths, options);
    if (!report.ok() || !report->ok()) {
      state.SkipWithError(report.ok() ? report->errors.front().ToString().c_str()
                                      : report.status().ToString().c_str());
      return;
    }
    rows = report->rows_stored;
  }
  SetImportCounters(state, rows);
  std::error_code ec;
  fs::remove_all(home, ec);
}

std::string Name(const char* what, int threads) {
  return std::string("import/") + what + "/threads:" + std::to_string(threads);
}

bool TakeFlag(const char* arg, const char* name, std::string& value) {
  size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  value = arg + n + 1;
  return true;
}

}  // namespace
}  // namespace kairos::bench

int main(int argc, char** argv) {
  using namespace kairos::bench;
  benchmark::Initialize(&argc, argv);
  Config& config = Settings();
  for (int i = 1; i < argc; ++i) {
    std::string value;
    if (TakeFlag(argv[i], "--dir", value)) {
      config.dir = value;
    } else if (TakeFlag(argv[i], "--symbols", value)) {
      config.symbols = std::stoi(value);
    } else if (TakeFlag(argv[i], "--sessions", value)) {
      config.sessions = std::stoi(value);
    } else {
      std::fprintf(stderr,
                   "unknown argument %s\nusage: import_bench [--dir=DIR] [--symbols=N] "
                   "[--sessions=N] [--benchmark_...]\n",
                   argv[i]);
      return 2;
    }
  }
  if (kairos::Status s = EnsureData(config); !s.ok()) {
    std::fprintf(stderr, "import_bench: %s\n", s.ToString().c_str());
    return 1;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(config.dir)) {
    if (entry.path().extension() == ".csv") files.push_back(entry.path());
  }
  DataBytes() = WarmUp(files);
  std::printf("data: %zu files, %.1f MB in %s\n", files.size(), DataBytes() / 1e6,
              config.dir.c_str());

  std::vector<int> thread_counts = {1};
  if (AllCores() > 1) thread_counts.push_back(AllCores());
  for (int threads : thread_counts) {
    benchmark::RegisterBenchmark(Name("parse", threads).c_str(), BM_Parse, threads)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
  }
  benchmark::RegisterBenchmark(Name("store", AllCores()).c_str(), BM_Store, AllCores())
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(1);

  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nSUMMARY import (%zu files, %.1f MB, warm cache)\n", files.size(),
              DataBytes() / 1e6);
  for (int threads : thread_counts) {
    double mbps = reporter.Get(Name("parse", threads), "MB_per_s");
    if (mbps > 0) std::printf("kairos_parse_MBps threads=%d %.1f\n", threads, mbps);
  }
  double store_mbps = reporter.Get(Name("store", AllCores()), "MB_per_s");
  if (store_mbps > 0) std::printf("kairos_store_MBps threads=%d %.1f\n", AllCores(), store_mbps);
  benchmark::Shutdown();
  return 0;
}
