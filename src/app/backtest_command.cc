// `kairos backtest`: wires the backtest driver (src/backtest) to a private in-memory SQLite store,
// the paper broker over a manual clock, and the live bar store read-only.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/core.h>

#include "adapters/sim_broker/paper_broker.h"
#include "adapters/sqlite/sqlite_store.h"
#include "app/cli.h"
#include "backtest/backtest.h"
#include "backtest/report.h"
#include "backtest/store_bar_source.h"
#include "calendar/calendar.h"
#include "engine/strategy_file.h"
#include "marketdata/bar_store.h"

namespace kairos::app {
namespace {

struct BacktestArgs {
  std::string strategy;  // a .toml file or the name of an imported strategy
  std::string from, to, out;
  std::string review = "auto";
};

struct LoadedStrategy {
  StrategySpec spec;
  std::string source;
};

Result<LoadedStrategy> LoadStrategy(const std::string& arg, const std::filesystem::path& home) {
  std::error_code ec;
  if (arg.ends_with(".toml") || std::filesystem::is_regular_file(arg, ec)) {
    std::ifstream f(arg, std::ios::binary);
    if (!f) return Status::NotFound(fmt::format("{}: cannot open the strategy file", arg));
    std::stringstream text;
    text << f.rdbuf();
    KAIROS_ASSIGN_OR_RETURN(
        StrategySpec spec,
        engine::ParseStrategy(text.str(), std::filesystem::path(arg).filename().string()));
    return LoadedStrategy{std::move(spec), text.str()};
  }
  std::filesystem::path db = home / "kairos.db";
  if (!std::filesystem::exists(db, ec)) {
    return Status::NotFound(fmt::format(
        "no strategy file '{}' and no store at {} (import it with `kairos strategy import`)", arg,
        db.string()));
  }
  KAIROS_ASSIGN_OR_RETURN(auto live, adapters::sqlite::OpenStore(db));
  KAIROS_ASSIGN_OR_RETURN(auto record, live->strategies().Get(arg));
  if (!record) return Status::NotFound(fmt::format("no strategy named '{}'", arg));
  return LoadedStrategy{record->spec, record->source};
}

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

void RunBacktestCommand(const BacktestArgs& args, CliContext& ctx) {
  if (args.review != "auto") {
    return ctx.Fail(fmt::format(
        "--review {}: only 'auto' is implemented (every signal approved before its cut-off)",
        args.review));
  }
  const std::filesystem::path home = ctx.Home();
  auto loaded = LoadStrategy(args.strategy, home);
  if (!loaded.ok()) return ctx.Fail(loaded.status());
  const StrategySpec& spec = loaded->spec;
  auto bars = marketdata::BarStore::Open(home);
  if (!bars.ok()) return ctx.Fail(bars.status());
  auto cal = calendar::ExchangeCalendar::ForExchange(spec.exchange);
  if (!cal.ok()) return ctx.Fail(cal.status());

  backtest::BacktestOptions options;
  auto last = LastBarDate(**bars, spec);
  if (!last.ok()) return ctx.Fail(last.status());
  options.to = *last;
  if (!args.to.empty()) {
    auto to = Date::Parse(args.to);
    if (!to.ok()) return ctx.Fail(to.status().WithContext("--to"));
    // Sessions after the last bar would only repeat the last marks and dilute every ratio.
    if (*to > *last) {
      fmt::print(stderr, "note: --to {} is after the last bar ({}); the run ends there\n",
                 to->ToString(), last->ToString());
    } else {
      options.to = *to;
    }
  }
  if (args.from.empty()) {
    options.from = options.to.AddDays(-365);
  } else {
    auto from = Date::Parse(args.from);
    if (!from.ok()) return ctx.Fail(from.status().WithContext("--from"));
    options.from = *from;
  }
  std::vector<Date> sessions = (*cal)->Sessions(options.from, options.to);
  if (sessions.empty()) {
    return ctx.Fail(fmt::format("no {} session from {} to {}", (*cal)->name(),
                                options.from.ToString(), options.to.ToString()));
  }

  auto store = adapters::sqlite::OpenStore(":memory:");
  if (!store.ok()) return ctx.Fail(store.status());
  // A universe named by the strategy comes from the live store (read only).
  std::error_code ec;
  if (!spec.universe.empty() && std::filesystem::exists(home / "kairos.db", ec)) {
    auto live = adapters::sqlite::OpenStore(home / "kairos.db");
    if (!live.ok()) return ctx.Fail(live.status());
    auto universe = (*live)->universes().Get(spec.universe);
    if (!universe.ok()) return ctx.Fail(universe.status());
    if (*universe) {
      Status put = (*store)->universes().Put(**universe);
      if (!put.ok()) return ctx.Fail(put);
    }
  }
  auto first = (*cal)->SessionOf(sessions.front());
  if (!first.ok()) return ctx.Fail(first.status());
  // Before the first session's pre-open, so the broker replays nothing earlier.
  ports::ManualClock clock(first->open.nanos() - int64_t{3600} * 1'000'000'000);
  backtest::StoreBarSource bar_source(**bars);
  sim_broker::PaperBroker::Options broker_options;
  broker_options.currency = spec.currency;
  broker_options.starting_cash = spec.allocation;
  broker_options.costs = [fees = spec.fees, bps = spec.slippage_bps](const OrderRequest&) {
    return sim_broker::PaperBroker::CostModel{fees, bps};
  };
  sim_broker::PaperBroker broker(clock, bar_source, **cal, broker_options);

  backtest::BacktestWiring wiring{**store, broker, clock, **bars, **cal};
  auto result = backtest::RunBacktest(wiring, spec, loaded->source, options);
  if (!result.ok()) return ctx.Fail(result.status());

  std::filesystem::path out =
      args.out.empty() ? home / "backtests" / spec.name : std::filesystem::path(args.out);
  Status written = backtest::WriteReport(result->report, out);
  if (!written.ok()) return ctx.Fail(written);

  const backtest::Summary& s = result->report.summary;
  auto ratio = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.4f}", *v) : std::string("");
  };
  auto money = [&](int64_t minor) {
    auto c = Currency::FromCode(s.currency);
    return Money(minor, c.ok() ? *c : Currency::Usd()).ToString();
  };
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
  if (result->auto_approved > 0) {
    fmt::print(note, "{} signals needing review were approved by the backtest\n",
               result->auto_approved);
  }
  fmt::print(note, "wrote {}/{{summary.json,trades.csv,equity.csv,report.html}}\n", out.string());
}

}  // namespace

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
  AddFormatOption(cmd, ctx);
  cmd->callback([args, &ctx] { RunBacktestCommand(*args, ctx); });
}

}  // namespace kairos::app
