// `kairos strategy ...` (import, list, show, enable, disable, set-allocation) and `kairos pnl ...`
// (daily, monthly, summary): strategies and their P&L, stored in HOME/kairos.db.
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
#include "app/trading_tables.h"
#include "core/fixed_point.h"
#include "core/input_file.h"
#include "engine/analytics.h"
#include "engine/strategy_file.h"

namespace kairos::app {
namespace {

Result<std::unique_ptr<ports::Store>> OpenDb(const CliContext& ctx, Access access) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  return OpenTradingStore(home, access);
}

std::string Amount(int64_t minor, Currency c) { return Money(minor, c).ToString(); }

Status NoStrategy(std::string_view name) {
  return Status::NotFound(fmt::format("no strategy named '{}'", name));
}

Result<StrategyRecord> GetStrategy(ports::Store& db, std::string_view name) {
  KAIROS_ASSIGN_OR_RETURN(auto record, db.strategies().Get(name));
  if (!record) return NoStrategy(name);
  return std::move(*record);
}

// A one-line result in table format; a one-row table in csv and json.
void PrintResult(const CliContext& ctx, const std::string& sentence, const Table& table) {
  if (ctx.format == OutputFormat::kTable) {
    fmt::print("{}\n", TerminalSafe(sentence));
  } else {
    table.Print(ctx.format);
  }
}

std::string UniverseText(const StrategySpec& spec, bool abbreviate) {
  if (!spec.universe.empty()) return spec.universe;
  constexpr size_t kShown = 5;
  std::string out;
  for (size_t i = 0; i < spec.symbols.size(); ++i) {
    if (abbreviate && i == kShown) {
      out += fmt::format(" (+{})", spec.symbols.size() - kShown);
      break;
    }
    if (i > 0) out += ' ';
    out += spec.symbols[i];
  }
  return out;
}

std::string Number(double v) { return FormatNumber(v); }

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
  if (!spec->universe.empty()) {
    // Checked before anything is written: a missing universe leaves the home as it was.
    auto reader = OpenDb(ctx, Access::kRead);
    if (!reader.ok()) return ctx.Fail(reader.status());
    auto universe = (*reader)->universes().Get(spec->universe);
    if (!universe.ok()) return ctx.Fail(universe.status());
    if (!*universe) {
      return ctx.Fail(fmt::format(
          "{}: universe '{}' does not exist (nothing stored; define it first with `kairos "
          "universe define {} ...`)",
          path, spec->universe, spec->universe));
    }
  }
  auto db = OpenDb(ctx, Access::kWrite);
  if (!db.ok()) return ctx.Fail(db.status());
  auto imported = (*db)->strategies().Import(*spec, source);
  if (!imported.ok()) return ctx.Fail(imported.status());
  const auto& [record, created] = *imported;
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
  auto list = (*db)->strategies().List();
  if (!list.ok()) return ctx.Fail(list.status());
  Table t{
      {"name", "version", "enabled", "approval", "execution", "universe", "allocation", "currency"},
      {}};
  for (const StrategyRecord& r : *list) {
    t.rows.push_back({r.spec.name, std::to_string(r.version), r.enabled ? "yes" : "no",
                      std::string(engine::ApprovalName(r.spec.approval)),
                      std::string(engine::ExecutionName(r.spec.execution)),
                      UniverseText(r.spec, ctx.format == OutputFormat::kTable),
                      Amount(r.allocation, r.spec.currency), std::string(r.spec.currency.code())});
  }
  t.Print(ctx.format);
}

std::string SizingText(const SizingSpec& s, Currency c) {
  switch (s.method) {
    case SizingSpec::Method::kFixedQty:
      return fmt::format("fixed_qty: {} shares", s.qty);
    case SizingSpec::Method::kFixedAmount:
      return fmt::format("fixed_amount: {} {}", Amount(s.amount, c), c.code());
    case SizingSpec::Method::kPercent:
      return fmt::format("percent: {}% of the allocation", s.percent);
    case SizingSpec::Method::kRisk:
      return fmt::format("risk: {}% of the allocation at the stop", s.percent);
  }
  return "";
}

std::string FeesText(const FeeSpec& f, Currency c) {
  if (f.kind != FeeSpec::Kind::kCustom) return std::string(engine::FeeKindName(f.kind));
  return fmt::format("custom: {} {} per order + {}% of the notional", Amount(f.per_order, c),
                     c.code(), f.percent);
}

void RunShow(const std::string& name, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kRead);
  if (!db.ok()) return ctx.Fail(db.status());
  auto record = GetStrategy(**db, name);
  if (!record.ok()) return ctx.Fail(record.status());
  const StrategySpec& s = record->spec;
  const Currency& c = s.currency;
  auto level = [](const LevelSpec& l) {
    std::string d = engine::DescribeLevel(l);
    return d.empty() ? std::string("none") : d;
  };
  std::vector<std::pair<std::string, std::string>> fields = {
      {"name", s.name},
      {"version", std::to_string(record->version)},
      {"enabled", record->enabled ? "yes" : "no"},
      {"description", s.description},
      {"exchange", s.exchange},
      {"currency", std::string(c.code())},
      {"universe", UniverseText(s, false)},
      {"timeframe", std::string(engine::TimeframeName(s.timeframe))},
      {"side", std::string(engine::PositionSideName(s.side))},
      {"entry", s.entry},
      {"exit", s.exit.empty() ? "none" : s.exit},
      {"stop_loss", level(s.stop_loss)},
      {"take_profit", level(s.take_profit)},
      {"trailing_stop", level(s.trailing_stop)},
      {"max_hold", s.max_hold == 0 ? "none" : fmt::format("{} sessions", s.max_hold)},
      {"approval", std::string(engine::ApprovalName(s.approval))},
      {"review_cutoff", engine::FormatMinuteOfDay(s.review_cutoff_minute)},
      {"execution", std::string(engine::ExecutionName(s.execution))},
      {"order_type", std::string(engine::EntryOrderTypeName(s.order_type))},
      {"limit_offset", s.order_type == EntryOrderType::kLimit
                           ? fmt::format("{}%", s.limit_offset_percent)
                           : "none"},
      {"allocation", Amount(record->allocation, c)},
      {"file_allocation", Amount(s.allocation, c)},
      {"sizing", SizingText(s.sizing, c)},
      {"max_positions", std::to_string(s.max_positions)},
      {"max_new_per_day", std::to_string(s.max_new_per_day)},
      {"rank", s.rank.empty() ? "none" : s.rank},
      {"fees", FeesText(s.fees, c)},
      {"slippage_bps", fmt::format("{}", s.slippage_bps)},
  };
  switch (ctx.format) {
    case OutputFormat::kJson: {
      nlohmann::ordered_json obj = nlohmann::ordered_json::object();
      for (const auto& [k, v] : fields) obj[k] = v;
      obj["source"] = record->source;
      fmt::print("{}\n", obj.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
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
  auto record = GetStrategy(**db, name);
  if (!record.ok()) return ctx.Fail(record.status());
  bool was = record->enabled;
  Status s = (*db)->strategies().SetEnabled(name, enabled);
  if (!s.ok()) return ctx.Fail(s);
  std::string state = enabled ? "enabled" : "disabled";
  std::string sentence = was == enabled ? fmt::format("strategy {}: already {}", name, state)
                                        : fmt::format("strategy {}: {}", name, state);
  PrintResult(ctx, sentence, Table{{"strategy", "enabled"}, {{name, enabled ? "yes" : "no"}}});
}

void RunSetAllocation(const std::string& name, const std::string& amount, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kWrite);
  if (!db.ok()) return ctx.Fail(db.status());
  auto record = GetStrategy(**db, name);
  if (!record.ok()) return ctx.Fail(record.status());
  const Currency& c = record->spec.currency;
  auto money = Money::Parse(amount, c);
  if (!money.ok() || money->minor() <= 0) {
    return ctx.Fail(fmt::format(
        "AMOUNT: expected an amount above 0 in {} with at most {} decimals like 150000 or "
        "2500.50, got '{}'",
        c.code(), c.minor_digits(), amount));
  }
  if (money->minor() > engine::MaxAmountMinor(c)) {
    return ctx.Fail(fmt::format("AMOUNT: at most {} {} (the limit of money inputs), got '{}'",
                                engine::kMaxAmountUnits, c.code(), amount));
  }
  Status s = (*db)->strategies().SetAllocation(name, money->minor());
  if (!s.ok()) return ctx.Fail(s);
  std::string sentence =
      fmt::format("strategy {}: allocation {} (was {})", name, money->ToStringWithCode(),
                  Money(record->allocation, c).ToStringWithCode());
  PrintResult(
      ctx, sentence,
      Table{{"strategy", "allocation", "currency", "previous"},
            {{name, money->ToString(), std::string(c.code()), Amount(record->allocation, c)}}});
}

// --- pnl ---------------------------------------------------------------------------------------

struct PnlArgs {
  std::string strategy;
  std::string from, to;
};

Result<PnlRows> LoadPnl(ports::Store& db, const PnlArgs& args) {
  std::optional<Date> from, to;
  if (!args.from.empty()) {
    auto d = Date::Parse(args.from);
    if (!d.ok()) return d.status().WithContext("--from");
    from = *d;
  }
  if (!args.to.empty()) {
    auto d = Date::Parse(args.to);
    if (!d.ok()) return d.status().WithContext("--to");
    to = *d;
  }
  if (from && to && *to < *from) {
    return Status::InvalidArgument(fmt::format("--to {} is before --from {}", args.to, args.from));
  }
  return app::LoadPnl(db, args.strategy, from, to);
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

void RunPnlSummary(const PnlArgs& args, CliContext& ctx) {
  auto db = OpenDb(ctx, Access::kRead);
  if (!db.ok()) return ctx.Fail(db.status());
  auto data = LoadPnl(**db, args);
  if (!data.ok()) return ctx.Fail(data.status());
  bool table = ctx.format == OutputFormat::kTable;
  std::string none = table ? "-" : "";
  Table t{
      {"strategy",      "sessions",        "start_equity",      "end_equity",   "net_pnl",
       "fees",          "return_pct",      "cagr_pct",          "max_drawdown", "max_drawdown_pct",
       "drawdown_peak", "drawdown_trough", "drawdown_recovery", "sharpe",       "sortino",
       "trades",        "win_rate_pct",    "profit_factor",     "average_win",  "average_loss",
       "exposure_pct"},
      {}};
  for (const auto& [name, rows] : data->rows) {
    Currency c = data->CurrencyFor(name);
    ports::FillFilter filter;
    filter.strategy = name;
    auto fills = (*db)->ledger().ListFills(filter);
    if (!fills.ok()) return ctx.Fail(fills.status());
    std::vector<engine::Trade> trades;
    // Trades that overlap the window: closed in it, or open at some point of it.
    for (engine::Trade& tr : engine::RoundTrips(*fills, {}, c)) {
      if (tr.strategy != name) continue;
      if (data->to && tr.entry_date > *data->to) continue;
      if (data->from && tr.exit_date && *tr.exit_date < *data->from) continue;
      if (data->to && tr.exit_date && *tr.exit_date > *data->to) tr.exit_date.reset();
      trades.push_back(std::move(tr));
    }
    engine::Metrics m = engine::ComputeMetrics(rows, trades);
    auto opt_num = [&](const std::optional<double>& v) { return v ? Number(*v) : none; };
    auto opt_amount = [&](const std::optional<int64_t>& v) { return v ? Amount(*v, c) : none; };
    bool dd = m.max_drawdown.value > 0;
    t.rows.push_back(
        {name,
         std::to_string(m.sessions),
         Amount(m.starting_equity, c),
         Amount(m.ending_equity, c),
         Amount(m.net_pnl, c),
         Amount(m.total_fees, c),
         Number(m.total_return_percent),
         opt_num(m.cagr_percent),
         Amount(m.max_drawdown.value, c),
         Number(m.max_drawdown.percent),
         dd ? m.max_drawdown.peak_date.ToString() : none,
         dd ? m.max_drawdown.trough_date.ToString() : none,
         m.max_drawdown.recovery_date ? m.max_drawdown.recovery_date->ToString() : none,
         opt_num(m.sharpe),
         opt_num(m.sortino),
         std::to_string(m.trades),
         opt_num(m.win_rate_percent),
         opt_num(m.profit_factor),
         opt_amount(m.average_win),
         opt_amount(m.average_loss),
         Number(m.exposure_percent)});
  }
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

  CLI::App* pnl = app.add_subcommand("pnl", "Profit and loss: daily, monthly, summary metrics");
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

  auto summary_args = std::make_shared<PnlArgs>();
  CLI::App* summary = pnl->add_subcommand(
      "summary", "Metrics per strategy: return, CAGR, drawdown, Sharpe, Sortino, win rate, ...");
  AddPnlOptions(summary, *summary_args);
  AddFormatOption(summary, ctx);
  summary->callback([summary_args, &ctx] { RunPnlSummary(*summary_args, ctx); });
}

}  // namespace kairos::app
