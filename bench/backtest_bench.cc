// A backtest on `kairos data synth --symbols 5000 --sessions 5000` (the same store
// scan_bench uses, generated once under build/bench-data/scan-<S>x<B> and reused): one strategy
// replayed end to end through backtest::RunBacktest, i.e. the engine that `run-day` runs, with the
// in-process store (adapters/memory), the paper broker over a manual clock and the bar store read
// only, as `kairos backtest` wires it. Target: the whole run under 5 s on 2 cores.
//
//   backtest/rsi_dip   entry rsi(close,14) < 30, exit rsi(close,14) > 50, 10 shares, next_open,
//                      market orders, no fees or slippage, no cap that binds: every symbol trades
//                      on its own, so bench/backtest_pandas.py can vectorise the same rules.
//
// Sizes: KAIROS_BENCH_SCAN_SYMBOLS / KAIROS_BENCH_SCAN_SESSIONS (the store, as scan_bench) and
// KAIROS_BENCH_BACKTEST_SESSIONS (sessions replayed, the last ones of the store; default all but
// the first: indicators need history). Counters: sessions/s, bars/s (symbols x sessions
// replayed per second), peak RSS (getrusage ru_maxrss, the whole process), trades and P&L.
// Writes <store>/backtest-export/{open,close}.f64 (raw float64, symbol-major) and meta.txt for
// the pandas peer, and kairos_backtest.txt (key=value) with this run's figures.

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/memory/memory_store.h"
#include "adapters/sim_broker/paper_broker.h"
#include "backtest/backtest.h"
#include "bench/bench_common.h"
#include "calendar/calendar.h"
#include "engine/strategy_file.h"
#include "marketdata/bar_store.h"
#include "marketdata/synth.h"

namespace kairos::bench {
namespace {

namespace fs = std::filesystem;
using marketdata::BarStore;
using marketdata::Column;

constexpr const char* kStrategy = R"(name = "rsi_dip_bench"
exchange = "NYSE"
universe = "all"
timeframe = "daily"
side = "long"
entry = "rsi(close,14) < 30"
exit = "rsi(close,14) > 50"
approval = "auto"
execution = "next_open"
order_type = "market"
allocation = 1000000000
sizing = { method = "fixed_qty", qty = 10 }
max_positions = 100000
max_new_per_day = 100000
enabled = true
)";

int64_t Symbols() { return EnvInt("KAIROS_BENCH_SCAN_SYMBOLS", 5'000); }
int64_t Sessions() { return EnvInt("KAIROS_BENCH_SCAN_SESSIONS", 5'000); }
int64_t Replayed() { return EnvInt("KAIROS_BENCH_BACKTEST_SESSIONS", Sessions() - 1); }
fs::path Home() {
  return fs::path("build/bench-data") /
         ("scan-" + std::to_string(Symbols()) + "x" + std::to_string(Sessions()));
}
fs::path ExportDir() { return Home() / "backtest-export"; }

const calendar::ExchangeCalendar& Nyse() {
  return **calendar::ExchangeCalendar::ForExchange("NYSE");
}

// What `kairos data synth --symbols S --sessions B` stores (as scan_bench makes it).
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

// open.f64 / close.f64 (float64, symbol after symbol, every series has the same sessions),
// days.i32 (the sessions as days since 1970-01-01), symbols.txt, meta.txt "symbols sessions".
Status EnsureExport(const BarStore& store) {
  if (fs::exists(ExportDir() / "meta.txt")) return Status::Ok();
  fs::create_directories(ExportDir());
  std::ofstream open(ExportDir() / "open.f64", std::ios::binary);
  std::ofstream close(ExportDir() / "close.f64", std::ios::binary);
  std::ofstream names(ExportDir() / "symbols.txt");
  bool days_written = false;
  for (const marketdata::SeriesInfo& info : store.List()) {
    KAIROS_ASSIGN_OR_RETURN(
        auto view, store.ReadColumns(info.instrument.symbol, {Column::kOpen, Column::kClose}));
    if (static_cast<int64_t>(view->close().size()) != Sessions()) {
      return Status::Internal("series of unequal length");
    }
    if (!days_written) {
      std::ofstream days(ExportDir() / "days.i32", std::ios::binary);
      for (Date d : view->dates()) {
        int32_t n = d.days();
        days.write(reinterpret_cast<const char*>(&n), sizeof n);
      }
      days_written = true;
    }
    open.write(reinterpret_cast<const char*>(view->open().data()),
               static_cast<std::streamsize>(view->open().size_bytes()));
    close.write(reinterpret_cast<const char*>(view->close().data()),
                static_cast<std::streamsize>(view->close().size_bytes()));
    names << info.instrument.symbol << "\n";
  }
  if (!open || !close) return Status::IOError("writing the export");
  std::ofstream(ExportDir() / "meta.txt") << Symbols() << " " << Sessions() << "\n";
  return Status::Ok();
}

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// One run as `kairos backtest` wires it; the universe "all" is every stored symbol.
Result<backtest::BacktestResult> RunOnce(const BarStore& bars, const StrategySpec& spec,
                                         const backtest::BacktestOptions& options) {
  std::unique_ptr<ports::Store> store = adapters::memory::OpenStore();
  Universe all;
  all.name = "all";
  all.definition.kind = UniverseDefinition::Kind::kExchange;
  all.definition.exchange = "NYSE";
  all.as_of = options.to;
  for (const marketdata::SeriesInfo& info : bars.List()) {
    all.members.push_back(info.instrument.symbol);
  }
  KAIROS_RETURN_IF_ERROR(store->universes().Put(all));
  KAIROS_ASSIGN_OR_RETURN(calendar::Session first, Nyse().SessionOf(options.from));
  ports::ManualClock clock(first.open.nanos() - int64_t{3600} * 1'000'000'000);
  backtest::ReplayBars bar_source(bars, options.from, options.to);
  sim_broker::PaperBroker::Options broker_options;
  broker_options.currency = spec.currency.code();
  broker_options.starting_cash = spec.allocation;
  sim_broker::PaperBroker broker(clock, bar_source, Nyse(), broker_options);
  backtest::BacktestWiring wiring{*store, broker, clock, bars, Nyse(), &bar_source};
  return backtest::RunBacktest(wiring, spec, kStrategy, options);
}

void BM_Backtest(benchmark::State& state) {
  backtest::KeepFreedMemoryForReplays();  // as `kairos backtest` does
  Status ready = EnsureStore();
  if (!ready.ok()) return state.SkipWithError(ready.ToString().c_str());
  auto bars = BarStore::Open(Home());
  if (!bars.ok()) return state.SkipWithError(bars.status().ToString().c_str());
  Status exported = EnsureExport(**bars);
  if (!exported.ok()) return state.SkipWithError(exported.ToString().c_str());
  auto spec = engine::ParseStrategy(kStrategy, "rsi_dip_bench.toml");
  if (!spec.ok()) return state.SkipWithError(spec.status().ToString().c_str());

  std::vector<marketdata::SeriesInfo> list = (*bars)->List();
  const Date last = list.front().last;
  std::vector<Date> all = Nyse().Sessions(list.front().first, last);
  const size_t replayed = std::min<size_t>(static_cast<size_t>(Replayed()), all.size());
  backtest::BacktestOptions options;
  options.from = all[all.size() - replayed];
  options.to = last;

  backtest::BacktestResult result;
  double cpu = 0, wall = 0;
  for (auto _ : state) {
    const double cpu0 = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = RunOnce(**bars, *spec, options);
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu = CpuSeconds() - cpu0;
    if (!r.ok()) return state.SkipWithError(r.status().ToString().c_str());
    result = std::move(*r);
  }
  const double bars_replayed = static_cast<double>(list.size()) * result.sessions;
  const int open_trades =
      static_cast<int>(std::count_if(result.trades.begin(), result.trades.end(),
                                     [](const engine::Trade& t) { return !t.closed(); }));
  state.counters["sessions"] = result.sessions;
  state.counters["sessions_per_s"] =
      benchmark::Counter(result.sessions, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bars_per_s"] =
      benchmark::Counter(bars_replayed, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["trades"] = static_cast<double>(result.trades.size());
  state.counters["peak_rss_mb"] = PeakRssMb();
  state.counters["cpu_s"] = cpu;

  int64_t realized = 0;
  for (const DailyPnl& d : result.daily) realized += d.realized;
  const int64_t unrealized = result.daily.empty() ? 0 : result.daily.back().unrealized;
  std::printf(
      "SUMMARY backtest (%zu symbols x %d sessions replayed of %lld; rsi(close,14) < 30 -> "
      "rsi(close,14) > 50, 10 shares, next_open)\n"
      "kairos backtest  %8.3f s wall  %8.3f s cpu  %8.0f sessions/s  %10.0f bars/s  "
      "peak RSS %.0f MB\n"
      "kairos trades    %zu (%d open)  realized %lld.%02lld  unrealized %lld.%02lld (USD)\n",
      list.size(), result.sessions, static_cast<long long>(all.size()), wall, cpu,
      result.sessions / wall, bars_replayed / wall, PeakRssMb(), result.trades.size(), open_trades,
      static_cast<long long>(realized / 100),
      static_cast<long long>((realized < 0 ? -realized : realized) % 100),
      static_cast<long long>(unrealized / 100),
      static_cast<long long>((unrealized < 0 ? -unrealized : unrealized) % 100));
  std::ofstream figures(ExportDir() / "kairos_backtest.txt");
  figures << "wall_s=" << wall << "\ncpu_s=" << cpu << "\nsessions=" << result.sessions
          << "\nfrom=" << options.from.ToString() << "\nto=" << options.to.ToString()
          << "\ntrades=" << result.trades.size() << "\nopen_trades=" << open_trades
          << "\nrealized_minor=" << realized << "\nunrealized_minor=" << unrealized << "\n";
  std::ofstream trades(ExportDir() / "kairos_trades.csv");
  trades << "symbol,entry_date,entry_price,exit_date,exit_price\n";
  for (const engine::Trade& t : result.trades) {
    trades << t.symbol << "," << t.entry_date.ToString() << "," << t.entry_price.ToString() << ","
           << (t.closed() ? t.exit_date->ToString() : "") << ","
           << (t.closed() ? t.exit_price.ToString() : "") << "\n";
  }
}

BENCHMARK(BM_Backtest)
    ->Name("backtest/rsi_dip")
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace kairos::bench

BENCHMARK_MAIN();
