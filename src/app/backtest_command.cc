// `kairos backtest`: wires the backtest driver (src/backtest) to a private in-process store,
// the paper broker over a manual clock, and the live bar store read-only.
#include <algorithm>
#include <filesystem>
#include <limits>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "adapters/memory/memory_store.h"
#include "adapters/sim_broker/paper_broker.h"
#include "app/backtest_run.h"
#include "app/cli.h"
#include "app/paper_wiring.h"
#include "app/walk_forward_command.h"
#include "backtest/backtest.h"
#include "backtest/report.h"
#include "backtest/sweep.h"
#include "calendar/calendar.h"
#include "core/input_file.h"
#include "core/parallel_for.h"
#include "core/ranking.h"
#include "domain/universe.h"
#include "engine/strategy_file.h"
#include "marketdata/bar_store.h"

namespace kairos::app {
namespace {

struct BacktestArgs {
  std::string strategy;  // a .toml file or the name of an imported strategy
  std::string from, to, out;
  std::string review = "auto";
  std::vector<std::string> sweeps;
  std::string rank_by = "sharpe";
  std::string walk_forward;  // TRAIN:TEST[:STEP] (walk_forward_command.h)
};

// The last date any of the strategy's symbols has a bar (every stored symbol for a universe).
Result<Date> LastBarDate(const marketdata::BarStore& bars, const StrategySpec& spec) {
  std::optional<Date> last;
  if (spec.symbols.empty()) {
    for (const auto& info : bars.List()) last = last ? std::max(*last, info.last) : info.last;
  } else {
    for (const std::string& s : spec.symbols) {
      auto info = bars.Info(s);
      if (info.ok()) last = last ? std::max(*last, info->last) : info->last;
    }
  }
  if (!last) return Status::NotFound("no bars for the strategy's symbols in the bar store");
  return *last;
}

// The run's sessions: --from (default a year before --to) to --to (default, and at most, the
// last bar of the strategy's symbols). A --to after the last bar is passed to `note`.
Result<backtest::BacktestOptions> ResolveRange(
    std::string_view from_text, std::string_view to_text, const marketdata::BarStore& bars,
    const StrategySpec& spec, const calendar::ExchangeCalendar& cal,
    const std::function<void(const std::string&)>& note) {
  backtest::BacktestOptions options;
  KAIROS_ASSIGN_OR_RETURN(Date last, LastBarDate(bars, spec));
  options.to = last;
  if (!to_text.empty()) {
    auto to = Date::Parse(to_text);
    if (!to.ok()) return to.status().WithContext("--to");
    // Sessions after the last bar would only repeat the last marks and dilute every ratio.
    if (*to > last) {
      note(fmt::format("--to {} is after the last bar ({}); the run ends there", to->ToString(),
                       last.ToString()));
    } else {
      options.to = *to;
    }
  }
  if (from_text.empty()) {
    options.from = options.to.AddDays(-365);
  } else {
    auto from = Date::Parse(from_text);
    if (!from.ok()) return from.status().WithContext("--from");
    options.from = *from;
  }
  KAIROS_RETURN_IF_ERROR(cal.CheckCovers(options.from, options.to));
  return options;
}

// A universe named by the strategy comes from the live store (read only); none without a store.
Result<std::optional<Universe>> LiveUniverse(const std::filesystem::path& home,
                                             const StrategySpec& spec) {
  std::error_code ec;
  if (spec.universe.empty() || !std::filesystem::exists(home / "kairos.db", ec)) {
    return std::optional<Universe>();
  }
  KAIROS_ASSIGN_OR_RETURN(auto live, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(auto u, live->universes().Get(spec.universe));
  return std::optional<Universe>(u);
}

// The ranked sweep: one row per combination, its parameters and metrics.
Table SweepTable(const std::vector<backtest::SweepAxis>& axes,
                 const std::vector<backtest::Params>& combos,
                 const std::vector<Result<backtest::BacktestResult>>& runs,
                 const std::vector<size_t>& order) {
  auto ratio = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.4f}", *v) : std::string("");
  };
  Table table;
  table.columns = {"rank"};
  for (const auto& axis : axes) table.columns.push_back(axis.name);
  for (const char* c : {"trades", "total_return_percent", "cagr_percent", "max_drawdown_percent",
                        "sharpe", "sortino", "profit_factor", "win_rate_percent"}) {
    table.columns.push_back(c);
  }
  for (size_t r = 0; r < order.size(); ++r) {
    const auto& m = runs[order[r]]->metrics;
    std::vector<std::string> row = {std::to_string(r + 1)};
    for (const auto& axis : axes) row.push_back(combos[order[r]].at(axis.name));
    row.push_back(std::to_string(m.trades));
    row.push_back(ratio(m.total_return_percent));
    row.push_back(ratio(m.cagr_percent));
    row.push_back(ratio(m.max_drawdown.percent));
    row.push_back(ratio(m.sharpe));
    row.push_back(ratio(m.sortino));
    row.push_back(ratio(m.profit_factor));
    row.push_back(ratio(m.win_rate_percent));
    table.rows.push_back(std::move(row));
  }
  return table;
}

// Every combination of the --sweep values, run in parallel, one row each ranked by --rank-by
// (best first; combinations where the metric is undefined last); the best one's report written.
void RunSweep(const BacktestArgs& args, const LoadedStrategy& loaded, const RunContext& rc,
              const std::filesystem::path& out, CliContext& ctx) {
  const auto& metrics = backtest::RankMetrics();
  if (std::find(metrics.begin(), metrics.end(), args.rank_by) == metrics.end()) {
    return ctx.Fail(
        fmt::format("--rank-by {}: expected one of {}", args.rank_by, fmt::join(metrics, ", ")));
  }
  std::vector<backtest::SweepAxis> axes;
  for (const std::string& arg : args.sweeps) {
    auto axis = backtest::ParseSweep(arg);
    if (!axis.ok()) return ctx.Fail(axis.status());
    axes.push_back(std::move(*axis));
  }
  std::vector<backtest::Params> combos = backtest::Combinations(axes);
  std::vector<std::string> texts;
  std::vector<StrategySpec> specs;
  for (const backtest::Params& p : combos) {
    auto text = backtest::ExpandPlaceholders(loaded.source, p);
    if (!text.ok()) return ctx.Fail(text.status());
    auto spec = engine::ParseStrategy(*text, loaded.file_name);
    if (!spec.ok()) return ctx.Fail(spec.status());
    texts.push_back(std::move(*text));
    specs.push_back(std::move(*spec));
  }
  using Run = Result<backtest::BacktestResult>;
  std::vector<Run> runs =
      ParallelMap<Run>(combos.size(), 0, [&](size_t i) { return RunOne(rc, specs[i], texts[i]); });
  std::vector<size_t> order;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!runs[i].ok()) {
      return ctx.Fail(runs[i].status().WithContext(fmt::format("combination {}", i + 1)));
    }
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    // An undefined metric ranks last, as NaN does.
    constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();
    double ka = backtest::RankKey(runs[a]->metrics, args.rank_by).value_or(kUndefined);
    double kb = backtest::RankKey(runs[b]->metrics, args.rank_by).value_or(kUndefined);
    return CompareRanks(ka, kb, RankOrder::kHighestFirst) < 0;
  });
  SweepTable(axes, combos, runs, order).Print(ctx.format);
  Status written = backtest::WriteReport(runs[order.front()]->report, out);
  if (!written.ok()) return ctx.Fail(written);
  std::FILE* note = ctx.format == OutputFormat::kTable ? stdout : stderr;
  fmt::print(note, "{} combinations; the best by {} written to {}\n", combos.size(), args.rank_by,
             out.string());
}

// The summary table of a single run, and where its report went.
void PrintSummary(const backtest::BacktestResult& result, const std::filesystem::path& out,
                  CliContext& ctx) {
  const backtest::Summary& s = result.report.summary;
  auto ratio = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.4f}", *v) : std::string("");
  };
  auto money = [&](int64_t minor) { return Money(minor, s.currency).ToString(); };
  Table table;
  table.columns = {"metric", "value"};
  table.rows = {
      {"strategy", s.strategy},
      {"from", s.from.ToString()},
      {"to", s.to.ToString()},
      {"sessions", std::to_string(s.sessions)},
      {"trades", std::to_string(s.trades)},
      {"open_trades", std::to_string(s.open_trades)},
      {"win_rate_percent", ratio(s.win_rate)},
      {"total_return_percent", ratio(s.total_return)},
      {"cagr_percent", ratio(s.cagr)},
      {"max_drawdown_percent", ratio(s.max_drawdown)},
      {"sharpe", ratio(s.sharpe)},
      {"sortino", ratio(s.sortino)},
      {"profit_factor", ratio(s.profit_factor)},
      {"realized_pnl", money(s.realized_pnl)},
      {"unrealized_pnl", money(s.unrealized_pnl)},
      {"fees", money(s.fees)},
      {"final_equity", money(s.final_equity)},
  };
  table.Print(ctx.format);
  std::FILE* note = ctx.format == OutputFormat::kTable ? stdout : stderr;
  if (result.auto_approved > 0) {
    fmt::print(note, "{} signals needing review were approved by the backtest\n",
               result.auto_approved);
  }
  fmt::print(note, "wrote {}/{{summary.json,trades.csv,equity.csv,report.html}}\n", out.string());
}

// Loads the strategy and the market it trades, resolves the range, then runs a walk-forward, a
// sweep or one backtest.
void RunBacktestCommand(const BacktestArgs& args, CliContext& ctx) {
  backtest::KeepFreedMemoryForReplays();
  if (args.review != "auto") {
    return ctx.Fail(fmt::format(
        "--review {}: only 'auto' is implemented (every signal approved before its cut-off)",
        args.review));
  }
  auto home_or = ctx.Home();
  if (!home_or.ok()) return ctx.Fail(home_or.status());
  const std::filesystem::path home = *home_or;
  auto loaded = LoadStrategy(args.strategy, home);
  if (!loaded.ok()) return ctx.Fail(loaded.status());
  const StrategySpec& spec = loaded->spec;
  auto market = OpenBacktestMarket(home, spec, args.from, args.to, [](const std::string& text) {
    fmt::print(stderr, "note: {}\n", text);
  });
  if (!market.ok()) return ctx.Fail(market.status());
  const std::vector<Date>& sessions = market->sessions;
  RunContext run_ctx = market->context();

  std::filesystem::path out =
      args.out.empty() ? home / "backtests" / spec.name : std::filesystem::path(args.out);
  if (!args.walk_forward.empty()) {
    auto run = [&run_ctx](const StrategySpec& s, std::string_view text,
                          const backtest::BacktestOptions& o) {
      RunContext rc = run_ctx;
      rc.options = o;
      return RunOne(rc, s, text);
    };
    return RunWalkForwardCommand({args.walk_forward, args.sweeps, args.rank_by, loaded->source,
                                  loaded->file_name, sessions, args.out, *market->bars, run},
                                 ctx);
  }
  if (!args.sweeps.empty()) return RunSweep(args, *loaded, run_ctx, out, ctx);

  auto result = RunOne(run_ctx, spec, loaded->expanded);
  if (!result.ok()) return ctx.Fail(result.status());
  Status written = backtest::WriteReport(result->report, out);
  if (!written.ok()) return ctx.Fail(written);
  PrintSummary(*result, out, ctx);
}

}  // namespace

Result<LoadedStrategy> LoadStrategy(const std::string& arg, const std::filesystem::path& home) {
  std::error_code ec;
  bool directory = std::filesystem::is_directory(arg, ec);
  if (arg.ends_with(".toml") || (std::filesystem::exists(arg, ec) && !directory)) {
    KAIROS_ASSIGN_OR_RETURN(std::string text,
                            ReadInputFile(arg, "strategy file", kMaxStrategyFileBytes));
    return StrategyFromText(std::move(text), std::filesystem::path(arg).filename().string());
  }
  std::string not_a_file = directory
                               ? fmt::format("{} is a directory, not a strategy file, and", arg)
                               : fmt::format("no strategy file '{}' and", arg);
  std::filesystem::path db = home / "kairos.db";
  if (!std::filesystem::exists(db, ec)) {
    return Status::NotFound(fmt::format(
        "{} no store at {} (import it with `kairos strategy import`)", not_a_file, db.string()));
  }
  KAIROS_ASSIGN_OR_RETURN(auto live, OpenTradingStore(home, Access::kRead));
  auto loaded = ImportedStrategy(*live, arg);
  if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound && directory) {
    return Status::NotFound(fmt::format("{} no strategy is named so", not_a_file));
  }
  return loaded;
}

Result<LoadedStrategy> ImportedStrategy(ports::Store& store, const std::string& name) {
  KAIROS_ASSIGN_OR_RETURN(auto record, store.strategies().Get(name));
  if (!record) return Status::NotFound(fmt::format("no strategy named '{}'", name));
  return LoadedStrategy{record->spec, record->source, record->source, name};
}

Result<LoadedStrategy> StrategyFromText(std::string text, std::string file_name) {
  // Placeholders take their defaults here; a sweep expands the raw text again per combination.
  KAIROS_ASSIGN_OR_RETURN(std::string expanded, backtest::ExpandPlaceholders(text, {}));
  KAIROS_ASSIGN_OR_RETURN(StrategySpec spec, engine::ParseStrategy(expanded, file_name));
  return LoadedStrategy{std::move(spec), std::move(text), std::move(expanded),
                        std::move(file_name)};
}

Result<BacktestMarket> OpenBacktestMarket(const std::filesystem::path& home,
                                          const StrategySpec& spec, std::string_view from,
                                          std::string_view to,
                                          const std::function<void(const std::string&)>& note) {
  BacktestMarket m;
  KAIROS_ASSIGN_OR_RETURN(m.bars, marketdata::BarStore::Open(home));
  KAIROS_ASSIGN_OR_RETURN(m.cal, calendar::ExchangeCalendar::ForExchange(spec.exchange));
  KAIROS_ASSIGN_OR_RETURN(m.options, ResolveRange(from, to, *m.bars, spec, *m.cal, note));
  m.sessions = m.cal->Sessions(m.options.from, m.options.to);
  if (m.sessions.empty()) {
    return Status::InvalidArgument(fmt::format("no {} session from {} to {}", m.cal->name(),
                                               m.options.from.ToString(), m.options.to.ToString()));
  }
  KAIROS_ASSIGN_OR_RETURN(m.universe, LiveUniverse(home, spec));
  return m;
}

Result<backtest::BacktestResult> RunOne(const RunContext& rc, const StrategySpec& spec,
                                        std::string_view source) {
  std::unique_ptr<ports::Store> store = adapters::memory::OpenStore();
  if (rc.universe) KAIROS_RETURN_IF_ERROR(store->universes().Put(*rc.universe));
  std::vector<Date> sessions = rc.cal.Sessions(rc.options.from, rc.options.to);
  if (sessions.empty()) {
    return Status::InvalidArgument(fmt::format("no {} session from {} to {}", rc.cal.name(),
                                               rc.options.from.ToString(),
                                               rc.options.to.ToString()));
  }
  KAIROS_ASSIGN_OR_RETURN(calendar::Session first, rc.cal.SessionOf(sessions.front()));
  ports::ManualClock clock(first.open.nanos() - int64_t{3600} * 1'000'000'000);
  backtest::ReplayBars bar_source(rc.bars, rc.options.from, rc.options.to);
  sim_broker::PaperBroker::Options broker_options;
  broker_options.currency = spec.currency.code();
  broker_options.starting_cash = spec.allocation;
  broker_options.costs = [fees = spec.fees, bps = spec.slippage_bps](const OrderRequest&) {
    return sim_broker::PaperBroker::CostModel{fees, bps};
  };
  sim_broker::PaperBroker broker(clock, bar_source, rc.cal, broker_options);
  backtest::BacktestWiring wiring{*store, broker, clock, rc.bars, rc.cal, &bar_source};
  return backtest::RunBacktest(wiring, spec, source, rc.options);
}

void AddBacktestCommands(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<BacktestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "backtest",
      "Replay a strategy over past sessions through the trading engine and the paper broker "
      "(docs/BACKTESTING.md)");
  cmd->add_option("strategy", args->strategy, "STRATEGY.toml, or the name of an imported strategy")
      ->required();
  cmd->add_option("--from", args->from,
                  "First session, YYYY-MM-DD (default: a year before --to); indicators see "
                  "every earlier bar");
  cmd->add_option("--to", args->to,
                  "Last session, YYYY-MM-DD (default: the last bar of the strategy's symbols)");
  cmd->add_option("--out", args->out, "Report directory (default: HOME/backtests/NAME)");
  cmd->add_option("--review", args->review,
                  "How signals needing review are decided: auto (approve all; the only mode)")
      ->capture_default_str();
  cmd->add_option("--sweep", args->sweeps,
                  "name=from..to[:step] or name=a,b,c: run every combination of the strategy "
                  "file's ${name=default} placeholders (repeatable)");
  cmd->add_option("--rank-by", args->rank_by,
                  "Sweep ranking: sharpe, sortino, total_return, cagr, profit_factor, win_rate, "
                  "max_drawdown")
      ->capture_default_str();
  cmd->add_option("--walk-forward", args->walk_forward,
                  "TRAIN:TEST[:STEP] sessions: with --sweep, choose the best combination on "
                  "each TRAIN-session window and test it on the next TEST sessions");
  AddFormatOption(cmd, ctx);
  cmd->callback([args, &ctx] { RunBacktestCommand(*args, ctx); });
}

}  // namespace kairos::app
