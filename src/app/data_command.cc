#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>

#include <fmt/core.h>

#include "app/cli.h"
#include "app/home_locks.h"
#include "app/market_data.h"
#include "calendar/calendar.h"
#include "marketdata/bar_store.h"
#include "marketdata/export.h"
#include "marketdata/import.h"
#include "marketdata/synth.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;
using marketdata::BarStore;

Result<std::unique_ptr<BarStore>> OpenStore(const CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  marketdata::BarStoreOptions options;
  KAIROS_ASSIGN_OR_RETURN(options.writer_wait, LockWait());
  auto store = BarStore::Open(home, options);
  if (!store.ok()) return store.status().WithContext(fmt::format("opening {}", home.string()));
  return store;
}

std::string Kind(bool close_only) { return close_only ? "close-only" : "ohlcv"; }

// --- import -------------------------------------------------------------------------------

struct ImportArgs {
  std::vector<std::string> paths;
  std::string symbol;
  std::string exchange;
  bool skip_bad = false;
};

void RunImport(const ImportArgs& args, CliContext& ctx) {
  std::vector<fs::path> paths(args.paths.begin(), args.paths.end());
  // Paths that name nothing importable are refused before a home is created for them.
  if (auto files = marketdata::ListImportFiles(paths); !files.ok()) return ctx.Fail(files.status());
  auto store = OpenStore(ctx);
  if (!store.ok()) return ctx.Fail(store.status());
  marketdata::ImportOptions options;
  if (!args.symbol.empty()) options.symbol = args.symbol;
  if (!args.exchange.empty()) options.exchange = args.exchange;
  options.skip_bad = args.skip_bad;
  auto report = marketdata::ImportPaths(**store, paths, options);
  if (!report.ok()) return ctx.Fail(report.status());
  for (const auto& w : report->warnings) {
    fmt::print(stderr, "warning: {}\n", TerminalSafe(w.ToString()));
  }
  for (const auto& e : report->errors) {
    fmt::print(stderr, "error: {}\n", TerminalSafe(e.ToString()));
  }
  Table t{{"symbol", "exchange", "kind", "first", "last", "bars"}, {}};
  for (const auto& [symbol, s] : report->symbols) {
    t.rows.push_back({symbol, s.exchange, Kind(s.close_only), s.first.ToString(), s.last.ToString(),
                      std::to_string(s.bars)});
  }
  // A bulk import lists its symbols only on request (--format csv|json): the summary says enough.
  constexpr size_t kMaxListed = 20;
  if (!t.rows.empty() && (t.rows.size() <= kMaxListed || ctx.format != OutputFormat::kTable)) {
    t.Print(ctx.format);
  }
  fmt::print(stderr, "{}\n", report->Summary());
  if (!report->stopped.ok()) return ctx.Fail(report->stopped);
  if (!report->ok()) {
    // --skip-bad asked for the bad rows to be skipped: storing the good ones is success, unless
    // a file stored nothing at all.
    if (!args.skip_bad || report->files_rejected > 0) ctx.exit_code = 1;
    if (!args.skip_bad && report->files_rejected > 0) {
      fmt::print(stderr,
                 "{} file(s) had bad rows and stored nothing; fix them or use --skip-bad to store "
                 "the good rows\n",
                 report->files_rejected);
    }
  }
}

// --- list / show / export ------------------------------------------------------------------

void RunList(CliContext& ctx) {
  auto store = OpenStore(ctx);
  if (!store.ok()) return ctx.Fail(store.status());
  SymbolsTable(**store).Print(ctx.format);
}

std::string Num(double v) { return fmt::format("{}", v); }

struct ShowArgs {
  std::string symbol;
  int last = 10;
};

void RunShow(const ShowArgs& args, CliContext& ctx) {
  auto store = OpenStore(ctx);
  if (!store.ok()) return ctx.Fail(store.status());
  auto view = (*store)->Read(args.symbol);
  if (!view.ok()) return ctx.Fail(view.status());
  const auto& info = (*view)->info();
  fmt::print(
      "symbol    {}\nexchange  {}\nkind      {}\nfirst     {}\nlast      {}\nbars      {}\n\n",
      info.instrument.symbol, info.instrument.exchange, Kind(info.close_only),
      info.first.ToString(), info.last.ToString(), info.bars);
  auto dates = (*view)->dates();
  size_t n = dates.size();
  size_t start = n > static_cast<size_t>(std::max(args.last, 0)) ? n - args.last : 0;
  Table t;
  t.columns = info.close_only
                  ? std::vector<std::string>{"date", "close"}
                  : std::vector<std::string>{"date", "open", "high", "low", "close", "volume"};
  for (size_t i = start; i < n; ++i) {
    if (info.close_only) {
      t.rows.push_back({dates[i].ToString(), Num((*view)->close()[i])});
    } else {
      t.rows.push_back({dates[i].ToString(), Num((*view)->open()[i]), Num((*view)->high()[i]),
                        Num((*view)->low()[i]), Num((*view)->close()[i]),
                        Num((*view)->volume()[i])});
    }
  }
  t.Print(ctx.format);
}

struct ExportArgs {
  std::string symbol;
  std::string from;
  std::string to;
  std::string timeframe = "daily";
};

void RunExport(const ExportArgs& args, CliContext& ctx) {
  std::optional<Date> from, to;
  if (!args.from.empty()) {
    auto d = Date::Parse(args.from);
    if (!d.ok()) return ctx.Fail(d.status().WithContext("--from"));
    from = *d;
  }
  if (!args.to.empty()) {
    auto d = Date::Parse(args.to);
    if (!d.ok()) return ctx.Fail(d.status().WithContext("--to"));
    to = *d;
  }
  if (from && to && *to < *from) {
    return ctx.Fail(fmt::format("--to {} is before --from {}", args.to, args.from));
  }
  auto store = OpenStore(ctx);
  if (!store.ok()) return ctx.Fail(store.status());
  auto bars = ReadBars(**store, args.symbol, from, to,
                       args.timeframe == "weekly" ? Timeframe::kWeekly : Timeframe::kDaily);
  if (!bars.ok()) return ctx.Fail(bars.status());
  Status s = marketdata::ExportCsv(*bars, stdout);
  if (!s.ok()) return ctx.Fail(s);
}

// --- synth -----------------------------------------------------------------------------------

struct SynthArgs {
  int symbols = 100;
  int sessions = 250;
  uint64_t seed = 1;
  std::string exchange = "NYSE";
  std::string csv_dir;
};

void RunSynth(const SynthArgs& args, CliContext& ctx) {
  auto cal = calendar::ExchangeCalendar::ForExchange(args.exchange);
  if (!cal.ok()) return ctx.Fail(cal.status());
  marketdata::SynthUniverseSpec spec;
  spec.symbols = args.symbols;
  spec.sessions = args.sessions;
  spec.seed = args.seed;
  // Series are generated in parallel and streamed to their destination one at a time, so a
  // 5,000 x 5,000 universe never sits in memory whole.
  std::mutex mu;
  if (!args.csv_dir.empty()) {
    std::error_code ec;
    fs::create_directories(args.csv_dir, ec);
    if (ec) return ctx.Fail(fmt::format("cannot create {}: {}", args.csv_dir, ec.message()));
    Status s = marketdata::ForEachSynthSeries(**cal, spec, [&](int, const BarSeries& series) {
      fs::path file = fs::path(args.csv_dir) / (series.instrument.symbol + ".csv");
      std::FILE* f = std::fopen(file.c_str(), "wb");
      if (f == nullptr) return Status::IOError(fmt::format("cannot write {}", file.string()));
      Status st = marketdata::ExportCsv(series, f);
      if (std::fclose(f) != 0 && st.ok()) st = Status::IOError("closing " + file.string());
      return st;
    });
    if (!s.ok()) return ctx.Fail(s);
    fmt::print("wrote {} CSV files of {} sessions to {}\n", args.symbols, args.sessions,
               args.csv_dir);
    return;
  }
  auto home = ctx.Home();
  if (!home.ok()) return ctx.Fail(home.status());
  auto store = OpenStore(ctx);
  if (!store.ok()) return ctx.Fail(store.status());
  (*store)->BeginBatch();
  Status s = marketdata::ForEachSynthSeries(**cal, spec, [&](int, const BarSeries& series) {
    std::lock_guard<std::mutex> lock(mu);  // one writer at a time (BarStore's contract)
    return (*store)->Replace(series);
  });
  Status end = (*store)->EndBatch();
  if (!s.ok()) return ctx.Fail(s);
  if (!end.ok()) return ctx.Fail(end);
  fmt::print("stored {} synthetic symbols ({}..{}) x {} sessions on {} in {}\n", args.symbols,
             marketdata::SynthSymbol(1, args.symbols),
             marketdata::SynthSymbol(args.symbols, args.symbols), args.sessions, (*cal)->name(),
             home->string());
}

}  // namespace

void AddDataCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* data = app.add_subcommand("data", "Market data: import, list, show, export, synth");
  data->require_subcommand(1);

  auto imp = std::make_shared<ImportArgs>();
  CLI::App* import_cmd = data->add_subcommand(
      "import", "Import CSV files or directories of per-symbol CSV files into the bar store");
  import_cmd->add_option("paths", imp->paths, "Files or directories")->required();
  import_cmd->add_option("--symbol", imp->symbol,
                         "Symbol for files without a symbol column; else import only this one");
  import_cmd->add_option("--exchange", imp->exchange,
                         "Exchange (calendar) of the symbols: NYSE (default), NSE, WEEKDAYS");
  import_cmd->add_flag("--skip-bad", imp->skip_bad,
                       "Store the good rows of files with bad rows (the bad ones are listed)");
  AddFormatOption(import_cmd, ctx);
  import_cmd->callback([imp, &ctx] { RunImport(*imp, ctx); });

  CLI::App* list = data->add_subcommand("list", "List stored symbols");
  AddFormatOption(list, ctx);
  list->callback([&ctx] { RunList(ctx); });

  auto show = std::make_shared<ShowArgs>();
  CLI::App* show_cmd = data->add_subcommand("show", "Show a stored symbol and its last bars");
  show_cmd->add_option("symbol", show->symbol, "Symbol")->required();
  show_cmd->add_option("--last", show->last, "How many of the last bars to show")
      ->capture_default_str();
  AddFormatOption(show_cmd, ctx);
  show_cmd->callback([show, &ctx] { RunShow(*show, ctx); });

  auto exp = std::make_shared<ExportArgs>();
  CLI::App* export_cmd = data->add_subcommand(
      "export", "Write a symbol's bars as CSV (date,open,high,low,close,volume) to stdout");
  export_cmd->add_option("symbol", exp->symbol, "Symbol")->required();
  export_cmd->add_option("--from", exp->from, "First date, YYYY-MM-DD");
  export_cmd->add_option("--to", exp->to, "Last date, YYYY-MM-DD");
  export_cmd->add_option("--timeframe", exp->timeframe, "daily or weekly")
      ->check(CLI::IsMember({"daily", "weekly"}))
      ->capture_default_str();
  export_cmd->callback([exp, &ctx] { RunExport(*exp, ctx); });

  auto syn = std::make_shared<SynthArgs>();
  CLI::App* synth = data->add_subcommand(
      "synth", "Generate a deterministic synthetic universe into the store (or CSV files)");
  synth->add_option("--symbols", syn->symbols, "Number of symbols")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  synth->add_option("--sessions", syn->sessions, "Sessions per symbol (ending 2026-11-27)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  synth->add_option("--seed", syn->seed, "Random seed")->capture_default_str();
  synth->add_option("--exchange", syn->exchange, "Exchange calendar")->capture_default_str();
  synth->add_option("--csv", syn->csv_dir, "Write per-symbol CSV files to DIR instead");
  synth->callback([syn, &ctx] { RunSynth(*syn, ctx); });
}

}  // namespace kairos::app
