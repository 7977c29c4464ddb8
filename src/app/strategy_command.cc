// `kairos strategy ...` (import, list, show, enable, disable, set-allocation) and `kairos pnl ...`
// (daily, monthly, cumulative, summary): strategies and their P&L, stored in HOME/kairos.db.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/paper_wiring.h"
#include "app/strategy_actions.h"
#include "app/trading_tables.h"
#include "core/fixed_point.h"
#include "core/input_file.h"
#include "engine/strategy_file.h"
#include "ports/clock.h"

namespace kairos::app {
namespace {

Result<std::unique_ptr<ports::Store>> OpenDb(const CliContext& ctx, Access access) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  return OpenTradingStore(home, access);
}

std::string Amount(int64_t minor, Currency c) { return Money(minor, c).ToString(); }

// A one-line result in table format; a one-row table in csv and json.
void PrintResult(const CliContext& ctx, const std::string& sentence, const Table& table) {
  if (ctx.format == OutputFormat::kTable) {
    fmt::print("{}\n", TerminalSafe(sentence));
  } else {
    table.Print(ctx.format);
  }
}

// --- strategy import ---------------------------------------------------------------------------

void RunImport(const std::string& path, CliContext& ctx) {
  auto text = ReadInputFile(path, "strategy file", kMaxStrategyFileBytes);
  if (!text.ok()) return ctx.Fail(text.status());
  std::string source = std::move(*text);
  auto spec = engine::ParseStrategy(source, path);
  if (!spec.ok()) {
    Status status = spec.status();
    const std::string& m = status.message();
    size_t problems = 0;
    for (size_t pos = 0; pos < m.size();) {
      // A problem line starts with the file name; context lines (rule carets) are indented.
      if (m.compare(pos, path.size(), path) == 0) ++problems;
      size_t nl = m.find('\n', pos);
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    return ctx.Fail(fmt::format("{} is not a valid strategy ({} problem{}; nothing stored):\n{}",
                                path, problems, problems == 1 ? "" : "s", m));
  }
  {
    // Checked before anything is written: a missing universe leaves the home as it was.
    auto reader = OpenDb(ctx, Access::kRead);
    if (!reader.ok()) return ctx.Fail(reader.status());
    Status universe = CheckUniverseExists(**reader, *spec, path);
    if (!universe.ok()) return ctx.Fail(universe);
  }
  auto db = OpenDb(ctx, Access::kWrite);
  if (!db.ok()) return ctx.Fail(db.status());
  auto imported = StoreStrategy(**db, *spec, source, "cli", ports::WallClock().NowNs());
  if (!imported.ok()) return ctx.Fail(imported.status());
  const StrategyRecord& record = imported->record;
  const bool created = imported->created;
  std::string sentence =
      created
          ? fmt::format("strategy {}: version {} stored", record.spec.name, record.version)
          : fmt::format("strategy {}: unchanged (version {})", record.spec.name, record.version);
  Table t{{"strategy", "version", "result"},
          {{record.spec.name, std::to_string(record.version), created ? "stored" : "unchanged"}}};
  PrintResult(ctx, sentence, t);
}

// --- strategy list / show ----------------------------------------------------------------------

void RunList(CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kRead);
  if (!db.ok()) return ctx.Fail(db.status());
  auto t = StrategiesTable(**db, ctx.format == OutputFormat::kTable);
  if (!t.ok()) return ctx.Fail(t.status());
  t->Print(ctx.format);
}

void RunShow(const std::string& name, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kRead);
  if (!db.ok()) return ctx.Fail(db.status());
  auto record = GetStrategy(**db, name);
  if (!record.ok()) return ctx.Fail(record.status());
  std::vector<std::pair<std::string, std::string>> fields = StrategyFields(*record);
  switch (ctx.format) {
    case OutputFormat::kJson: {
      fmt::print("{}\n", StrategyJson(*record).dump(
                             2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
      return;
    }
    case OutputFormat::kCsv: {
      Table t{{"field", "value"}, {}};
      for (const auto& [k, v] : fields) t.rows.push_back({k, v});
      t.rows.push_back({"source", record->source});
      t.Print(ctx.format);
      return;
    }
    case OutputFormat::kTable: {
      size_t width = 0;
      for (const auto& f : fields) width = std::max(width, f.first.size());
      for (const auto& [k, v] : fields) fmt::print("{:<{}}  {}\n", k, width, TerminalSafe(v));
      fmt::print("\n# source of version {}\n{}", record->version, TerminalSafe(record->source));
      if (!record->source.empty() && record->source.back() != '\n') fmt::print("\n");
      return;
    }
  }
}

// --- enable / disable / set-allocation ---------------------------------------------------------

void RunSetEnabled(const std::string& name, bool enabled, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kWrite);
  if (!db.ok()) return ctx.Fail(db.status());
  auto was = SetStrategyEnabled(**db, name, enabled, "cli", ports::WallClock().NowNs());
  if (!was.ok()) return ctx.Fail(was.status());
  std::string state = enabled ? "enabled" : "disabled";
  std::string sentence = *was == enabled ? fmt::format("strategy {}: already {}", name, state)
                                         : fmt::format("strategy {}: {}", name, state);
  PrintResult(ctx, sentence, Table{{"strategy", "enabled"}, {{name, enabled ? "yes" : "no"}}});
}

void RunSetAllocation(const std::string& name, const std::string& amount, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kWrite);
  if (!db.ok()) return ctx.Fail(db.status());
  auto change = SetStrategyAllocation(**db, name, amount, "cli", ports::WallClock().NowNs());
  if (!change.ok()) return ctx.Fail(change.status());
  const Currency& c = change->currency;
  std::string sentence = fmt::format("strategy {}: allocation {} (was {})", name,
                                     Money(change->after, c).ToStringWithCode(),
                                     Money(change->before, c).ToStringWithCode());
  PrintResult(
      ctx, sentence,
      Table{{"strategy", "allocation", "currency", "previous"},
            {{name, Amount(change->after, c), std::string(c.code()), Amount(change->before, c)}}});
}

// --- pnl ---------------------------------------------------------------------------------------

struct PnlArgs {
  std::string strategy;
  std::string from, to;
};

Result<PnlRows> LoadPnl(ports::Store& db, const PnlArgs& args) {
  return LoadPnlBetween(db, args.strategy, args.from, args.to);
}

void AddPnlOptions(CLI::App* cmd, PnlArgs& args) {
  cmd->add_option("--strategy", args.strategy, "Only this strategy");
  cmd->add_option("--from", args.from, "First session (YYYY-MM-DD)");
  cmd->add_option("--to", args.to, "Last session (YYYY-MM-DD)");
}

void RunPnlDaily(const PnlArgs& args, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kRead);
  if (!db.ok()) return ctx.Fail(db.status());
  auto data = LoadPnl(**db, args);
  if (!data.ok()) return ctx.Fail(data.status());
  DailyPnlTable(*data).Print(ctx.format);
}

void RunPnlMonthly(const PnlArgs& args, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kRead);
  if (!db.ok()) return ctx.Fail(db.status());
  auto data = LoadPnl(**db, args);
  if (!data.ok()) return ctx.Fail(data.status());
  MonthlyPnlTable(*data).Print(ctx.format);
}

void RunPnlCumulative(const PnlArgs& args, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kRead);
  if (!db.ok()) return ctx.Fail(db.status());
  auto data = LoadPnl(**db, args);
  if (!data.ok()) return ctx.Fail(data.status());
  CumulativePnlTable(*data).Print(ctx.format);
}

void RunPnlSummary(const PnlArgs& args, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kRead);
  if (!db.ok()) return ctx.Fail(db.status());
  auto data = LoadPnl(**db, args);
  if (!data.ok()) return ctx.Fail(data.status());
  bool table = ctx.format == OutputFormat::kTable;
  auto summary = PnlSummaryTable(**db, *data, table ? "-" : "");
  if (!summary.ok()) return ctx.Fail(summary.status());
  const Table& t = *summary;
  if (!table) return t.Print(ctx.format);
  if (t.rows.empty()) {
    fmt::print("no daily P&L stored yet (kairos run-day writes it)\n");
    return;
  }
  // A table reads better with one metric per line and one column per strategy.
  Table transposed{{"metric"}, {}};
  for (const auto& row : t.rows) transposed.columns.push_back(row[0]);
  for (size_t i = 1; i < t.columns.size(); ++i) {
    std::vector<std::string> line = {t.columns[i]};
    for (const auto& row : t.rows) line.push_back(row[i]);
    transposed.rows.push_back(std::move(line));
  }
  transposed.Print(ctx.format);
}

}  // namespace

void AddStrategyCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* strategy =
      app.add_subcommand("strategy", "Strategies: import a TOML file, list, show, enable, ...");
  strategy->require_subcommand(1);

  auto path = std::make_shared<std::string>();
  CLI::App* import_cmd = strategy->add_subcommand(
      "import", "Check a strategy file and store it (a changed file becomes a new version)");
  import_cmd->add_option("FILE", *path, "Strategy file (docs/STRATEGIES.md)")->required();
  AddFormatOption(import_cmd, ctx);
  import_cmd->callback([path, &ctx] { RunImport(*path, ctx); });

  CLI::App* list = strategy->add_subcommand("list", "List stored strategies (latest versions)");
  AddFormatOption(list, ctx);
  list->callback([&ctx] { RunList(ctx); });

  auto show_name = std::make_shared<std::string>();
  CLI::App* show = strategy->add_subcommand("show", "Every field of a strategy, and its file");
  show->add_option("NAME", *show_name, "Strategy name")->required();
  AddFormatOption(show, ctx);
  show->callback([show_name, &ctx] { RunShow(*show_name, ctx); });

  for (bool enable : {true, false}) {
    auto name = std::make_shared<std::string>();
    CLI::App* cmd = strategy->add_subcommand(
        enable ? "enable" : "disable",
        enable ? "Let a strategy scan and trade" : "Stop a strategy scanning (positions stay)");
    cmd->add_option("NAME", *name, "Strategy name")->required();
    AddFormatOption(cmd, ctx);
    cmd->callback([name, enable, &ctx] { RunSetEnabled(*name, enable, ctx); });
  }

  auto alloc_name = std::make_shared<std::string>();
  auto alloc_amount = std::make_shared<std::string>();
  CLI::App* alloc = strategy->add_subcommand(
      "set-allocation", "Change the funds given to a strategy (no new version)");
  alloc->add_option("NAME", *alloc_name, "Strategy name")->required();
  alloc->add_option("AMOUNT", *alloc_amount, "Amount in the strategy's currency, e.g. 150000.50")
      ->required();
  AddFormatOption(alloc, ctx);
  alloc->callback(
      [alloc_name, alloc_amount, &ctx] { RunSetAllocation(*alloc_name, *alloc_amount, ctx); });

  CLI::App* pnl =
      app.add_subcommand("pnl", "Profit and loss: daily, monthly, cumulative, summary metrics");
  pnl->require_subcommand(1);
  auto daily_args = std::make_shared<PnlArgs>();
  CLI::App* daily = pnl->add_subcommand(
      "daily", "One row per strategy and session: realized, unrealized, fees, equity");
  AddPnlOptions(daily, *daily_args);
  AddFormatOption(daily, ctx);
  daily->callback([daily_args, &ctx] { RunPnlDaily(*daily_args, ctx); });

  auto monthly_args = std::make_shared<PnlArgs>();
  CLI::App* monthly =
      pnl->add_subcommand("monthly", "Realized, fees, end equity and return by month");
  AddPnlOptions(monthly, *monthly_args);
  AddFormatOption(monthly, ctx);
  monthly->callback([monthly_args, &ctx] { RunPnlMonthly(*monthly_args, ctx); });

  auto cumulative_args = std::make_shared<PnlArgs>();
  CLI::App* cumulative = pnl->add_subcommand(
      "cumulative", "Realized and fees summed session by session, with the equity");
  AddPnlOptions(cumulative, *cumulative_args);
  AddFormatOption(cumulative, ctx);
  cumulative->callback([cumulative_args, &ctx] { RunPnlCumulative(*cumulative_args, ctx); });

  auto summary_args = std::make_shared<PnlArgs>();
  CLI::App* summary = pnl->add_subcommand(
      "summary", "Metrics per strategy: return, CAGR, drawdown, Sharpe, Sortino, win rate, ...");
  AddPnlOptions(summary, *summary_args);
  AddFormatOption(summary, ctx);
  summary->callback([summary_args, &ctx] { RunPnlSummary(*summary_args, ctx); });
}

}  // namespace kairos::app
