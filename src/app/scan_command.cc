// `kairos scan` and `kairos universe`: the market scanner and named universes.
#include "app/scan_command.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/paper_wiring.h"
#include "core/ranking.h"
#include "engine/scanner.h"
#include "engine/universe_manager.h"
#include "marketdata/bar_store.h"
#include "rules/evaluator.h"

namespace kairos::app {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "a, b ,c" -> {"A", "B", "C"} (empty items dropped).
std::vector<std::string> SplitSymbols(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(Upper(item));
    start = comma + 1;
  }
  return out;
}

Result<std::optional<Date>> ParseDateFlag(const std::string& flag, const std::string& text) {
  if (text.empty()) return std::optional<Date>();
  Result<Date> d = Date::Parse(text);
  if (!d.ok()) return d.status().WithContext(flag);
  return std::optional<Date>(*d);
}

// Up to 6 decimals, trailing zeros dropped: 27.312345678 -> "27.312346", 200 -> "200"; none
// (NaN) is empty.
std::string Short(double v) {
  if (std::isnan(v)) return "";
  std::string s = fmt::format("{:.6f}", v);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

Result<std::unique_ptr<marketdata::BarStore>> OpenBars(const CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  auto store = marketdata::BarStore::Open(home);
  if (!store.ok()) return store.status().WithContext(fmt::format("opening {}", home.string()));
  return store;
}

Result<std::unique_ptr<ports::Store>> OpenDb(const CliContext& ctx, Access access) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  return OpenTradingStore(home, access);
}

// --- scan ------------------------------------------------------------------------------------

// One row per match: its date, symbol, the rule's terms and, when `ranked`, its rank.
void PrintMatches(const engine::ScanResult& result, bool ranked, OutputFormat format) {
  const auto& terms = result.terms;
  if (format == OutputFormat::kJson) {
    fmt::print("{}\n", MatchesJson(result, ranked)
                           .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    return;
  }
  Table table;
  table.columns = {"date", "symbol"};
  for (const auto& t : terms) table.columns.push_back(t.name);
  if (ranked) table.columns.push_back("rank");
  for (const auto& m : result.matches) {
    std::vector<std::string> row = {m.date.ToString(), m.symbol};
    for (double v : m.terms) row.push_back(Short(v));
    if (ranked) row.push_back(Short(m.extras[0]));
    table.rows.push_back(std::move(row));
  }
  table.Print(format);
}

// What was scanned, on stderr so that stdout stays a clean table/CSV/JSON.
void PrintScanned(const engine::ScanResult& result, const engine::ScanRequest& request,
                  const ScanArgs& args) {
  constexpr size_t kMaxSkipped = 10;
  for (size_t i = 0; i < result.skipped.size() && i < kMaxSkipped; ++i) {
    fmt::print(stderr, "skipped {}\n", TerminalSafe(result.skipped[i]));
  }
  if (result.skipped.size() > kMaxSkipped) {
    fmt::print(stderr, "skipped {} more\n", result.skipped.size() - kMaxSkipped);
  }
  std::string when = request.from || request.to
                         ? fmt::format("from {} to {}", request.from ? args.from : "the start",
                                       request.to ? args.to : "the end")
                         : fmt::format("as of {}", result.as_of);
  const size_t matches = result.matches.size();
  fmt::print(stderr, "{} match{} {} ({} bars read, {} skipped)\n", matches,
             matches == 1 ? "" : "es", when, result.bars_read, result.skipped.size());
}

void RunScan(const ScanArgs& args, CliContext& ctx) {
  auto home = ctx.Home();
  if (!home.ok()) return ctx.Fail(home.status());
  auto request = BuildScanRequest(args, *home);
  if (!request.ok()) return ctx.Fail(request.status());
  auto bars = OpenBars(ctx);
  if (!bars.ok()) return ctx.Fail(bars.status());
  auto result = engine::Scan(**bars, *request);
  if (!result.ok()) return ctx.Fail(result.status());
  RankAndLimit(args, result->matches);
  PrintMatches(*result, !args.rank.empty(), ctx.format);
  PrintScanned(*result, *request, args);
}

// --- universe --------------------------------------------------------------------------------

std::string_view KindName(UniverseDefinition::Kind k) {
  switch (k) {
    case UniverseDefinition::Kind::kStatic:
      return "static";
    case UniverseDefinition::Kind::kExchange:
      return "exchange";
    case UniverseDefinition::Kind::kRule:
      return "rule";
  }
  return "?";
}

std::string Describe(const UniverseDefinition& d) {
  switch (d.kind) {
    case UniverseDefinition::Kind::kStatic: {
      std::string s;
      for (size_t i = 0; i < d.symbols.size() && i < 5; ++i) s += (i ? "," : "") + d.symbols[i];
      if (d.symbols.size() > 5) s += fmt::format(",... ({})", d.symbols.size());
      return s;
    }
    case UniverseDefinition::Kind::kExchange:
      return d.exchange;
    case UniverseDefinition::Kind::kRule: {
      std::string s = d.rule;
      if (!d.exchange.empty()) s += " on " + d.exchange;
      if (!d.rank.empty()) {
        s += d.top > 0 ? fmt::format(" top {} by {}", d.top, d.rank) : " ranked by " + d.rank;
      }
      if (!d.base.empty()) s += " in " + d.base;
      return s;
    }
  }
  return "";
}

std::string Computed(int64_t ns) { return Timestamp::FromNanos(ns).ToString(); }

// The one-line summary a command prints per universe, or a table (csv/json).
void PrintUniverses(const std::vector<Universe>& list, const CliContext& ctx, bool sentence) {
  if (sentence && ctx.format == OutputFormat::kTable) {
    for (const Universe& u : list) {
      fmt::print("universe {}: {} symbol{} as of {}\n", u.name, u.members.size(),
                 u.members.size() == 1 ? "" : "s", u.as_of);
    }
    return;
  }
  Table t{{"name", "kind", "definition", "symbols", "as_of", "computed"}, {}};
  for (const Universe& u : list) {
    t.rows.push_back({u.name, std::string(KindName(u.definition.kind)), Describe(u.definition),
                      std::to_string(u.members.size()), u.as_of.ToString(),
                      Computed(u.computed_ns)});
  }
  t.Print(ctx.format);
}

struct UniverseArgs {
  std::string name;
  std::string symbols, file, exchange, rule, rank, base, date;
  int top = 0;
  bool top_given = false;
  bool all = false;
};

// Opens the bar store and the database and runs `body` with a UniverseManager.
template <typename Body>
void WithManager(CliContext& ctx, Access access, Body body) {
  auto bars = OpenBars(ctx);
  if (!bars.ok()) return ctx.Fail(bars.status());
  auto db = OpenDb(ctx, access);
  if (!db.ok()) return ctx.Fail(db.status());
  ports::WallClock clock;
  engine::UniverseManager manager((*db)->universes(), **bars, clock);
  body(manager);
}

void RunDefine(const UniverseArgs& a, CliContext& ctx) {
  UniverseDefinition d;
  int sources = (!a.symbols.empty()) + (!a.file.empty()) + (!a.rule.empty()) +
                (!a.exchange.empty() && a.rule.empty());
  if (sources != 1) {
    return ctx.Fail("universe define needs exactly one of --symbols, --file, --exchange or --rule");
  }
  if (a.rule.empty() && (!a.rank.empty() || a.top_given || !a.base.empty())) {
    return ctx.Fail("--rank, --top and --base go with --rule");
  }
  if (!a.symbols.empty()) {
    d.kind = UniverseDefinition::Kind::kStatic;
    d.symbols = SplitSymbols(a.symbols);
  } else if (!a.file.empty()) {
    d.kind = UniverseDefinition::Kind::kStatic;
    auto symbols = engine::ReadSymbolFile(a.file);
    if (!symbols.ok()) return ctx.Fail(symbols.status());
    d.symbols = std::move(*symbols);
  } else if (!a.rule.empty()) {
    d.kind = UniverseDefinition::Kind::kRule;
    d.rule = a.rule;
    d.rank = a.rank;
    d.top = a.top;
    d.base = a.base;
    d.exchange = a.exchange;
  } else {
    d.kind = UniverseDefinition::Kind::kExchange;
    d.exchange = a.exchange;
  }
  auto date = ParseDateFlag("--date", a.date);
  if (!date.ok()) return ctx.Fail(date.status());
  WithManager(ctx, Access::kWrite, [&](engine::UniverseManager& m) {
    auto u = m.Define(a.name, d, *date);
    if (!u.ok()) return ctx.Fail(u.status());
    PrintUniverses({*u}, ctx, true);
  });
}

void RunList(CliContext& ctx) {
  WithManager(ctx, Access::kRead, [&](engine::UniverseManager& m) {
    auto list = m.List();
    if (!list.ok()) return ctx.Fail(list.status());
    PrintUniverses(*list, ctx, false);
  });
}

void RunShow(const UniverseArgs& a, CliContext& ctx) {
  WithManager(ctx, Access::kRead, [&](engine::UniverseManager& m) {
    auto u = m.Get(a.name);
    if (!u.ok()) return ctx.Fail(u.status());
    if (ctx.format == OutputFormat::kJson) {
      nlohmann::ordered_json j;
      j["name"] = u->name;
      j["kind"] = KindName(u->definition.kind);
      j["definition"] = Describe(u->definition);
      j["as_of"] = u->as_of.ToString();
      j["computed"] = Computed(u->computed_ns);
      j["members"] = u->members;
      fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
      return;
    }
    Table t{{"symbol"}, {}};
    for (const auto& s : u->members) t.rows.push_back({s});
    if (ctx.format == OutputFormat::kTable) {
      fmt::print(
          "universe    {}\nkind        {}\ndefinition  {}\nas of       {}\ncomputed    {}\n"
          "symbols     {}\n\n",
          u->name, KindName(u->definition.kind), Describe(u->definition), u->as_of,
          Computed(u->computed_ns), u->members.size());
    }
    t.Print(ctx.format);
  });
}

void RunRefresh(const UniverseArgs& a, CliContext& ctx) {
  if (a.all == !a.name.empty()) return ctx.Fail("universe refresh needs a NAME or --all");
  auto date = ParseDateFlag("--date", a.date);
  if (!date.ok()) return ctx.Fail(date.status());
  WithManager(ctx, Access::kWrite, [&](engine::UniverseManager& m) {
    if (a.all) {
      auto all = m.RefreshAll(*date);
      if (!all.ok()) return ctx.Fail(all.status());
      PrintUniverses(*all, ctx, true);
      return;
    }
    auto u = m.Refresh(a.name, *date);
    if (!u.ok()) return ctx.Fail(u.status());
    PrintUniverses({*u}, ctx, true);
  });
}

}  // namespace

Result<engine::ScanRequest> BuildScanRequest(const ScanArgs& args,
                                             const std::filesystem::path& home) {
  std::vector<std::string> extras;
  if (!args.rank.empty()) extras.push_back(args.rank);
  engine::ScanRequest request;
  KAIROS_ASSIGN_OR_RETURN(request.program, rules::Program::Compile(args.rule, extras));
  request.threads = args.threads;
  KAIROS_ASSIGN_OR_RETURN(request.columns, engine::ColumnsRead(args.rule, extras));
  KAIROS_ASSIGN_OR_RETURN(request.as_of, ParseDateFlag("--date", args.date));
  KAIROS_ASSIGN_OR_RETURN(request.from, ParseDateFlag("--from", args.from));
  KAIROS_ASSIGN_OR_RETURN(request.to, ParseDateFlag("--to", args.to));
  if (request.from && request.to && *request.to < *request.from) {
    return Status::InvalidArgument(fmt::format("--to {} is before --from {}", args.to, args.from));
  }
  if (!args.universe.empty()) {
    KAIROS_ASSIGN_OR_RETURN(auto db, OpenTradingStore(home, Access::kRead));
    KAIROS_ASSIGN_OR_RETURN(auto u, db->universes().Get(args.universe));
    if (!u) {
      return Status::NotFound(
          fmt::format("no universe named '{}' (see kairos universe list)", args.universe));
    }
    request.symbols = u->members;
    if (request.symbols.empty()) {
      return Status::FailedPrecondition(fmt::format("universe {} has no members", args.universe));
    }
  } else if (!args.symbols.empty()) {
    request.symbols = SplitSymbols(args.symbols);
    if (request.symbols.empty()) return Status::InvalidArgument("--symbols: no symbol given");
  }
  return request;
}

void RankAndLimit(const ScanArgs& args, std::vector<engine::ScanMatch>& matches) {
  if (!args.rank.empty()) {
    std::stable_sort(matches.begin(), matches.end(),
                     [](const engine::ScanMatch& a, const engine::ScanMatch& b) {
                       if (a.date != b.date) return a.date < b.date;
                       auto c = CompareRanks(a.extras[0], b.extras[0], RankOrder::kHighestFirst);
                       return c != 0 ? c < 0 : a.symbol < b.symbol;
                     });
  }
  if (args.limit > 0) {
    std::vector<engine::ScanMatch> kept;
    int on_date = 0;
    for (size_t i = 0; i < matches.size(); ++i) {
      on_date = i > 0 && matches[i].date == matches[i - 1].date ? on_date + 1 : 0;
      if (on_date < args.limit) kept.push_back(std::move(matches[i]));
    }
    matches = std::move(kept);
  }
}

nlohmann::ordered_json MatchesJson(const engine::ScanResult& result, bool ranked) {
  // Exact numbers (shortest round-trip form) and null for none.
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  auto number = [](double v) {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
  };
  for (const auto& m : result.matches) {
    nlohmann::ordered_json row = nlohmann::ordered_json::object();
    row["date"] = m.date.ToString();
    row["symbol"] = m.symbol;
    for (size_t t = 0; t < result.terms.size(); ++t) {
      row[result.terms[t].name] = number(m.terms[t]);
    }
    if (ranked) row["rank"] = number(m.extras[0]);
    arr.push_back(std::move(row));
  }
  return arr;
}

void AddScanCommands(CLI::App& app, CliContext& ctx) {
  auto scan = std::make_shared<ScanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "scan",
      "Scan the market with a rule: matches with the values of the rule's terms (default: every "
      "stored symbol, as of the last session in the store)");
  cmd->add_option("rule", scan->rule,
                  "The rule, e.g. \"close > sma(close,200) and rsi(close) < 30\"")
      ->required();
  auto* universe = cmd->add_option("--universe", scan->universe, "Scan a named universe");
  auto* symbols = cmd->add_option("--symbols", scan->symbols, "Scan these symbols: A,B,C");
  universe->excludes(symbols);
  auto* date = cmd->add_option("--date", scan->date, "As of this session, YYYY-MM-DD");
  auto* from = cmd->add_option("--from", scan->from, "Every session from this date");
  auto* to = cmd->add_option("--to", scan->to, "... to this date");
  date->excludes(from);
  date->excludes(to);
  cmd->add_option("--rank", scan->rank,
                  "A number expression shown as 'rank'; matches of a date sorted by it, highest "
                  "first");
  cmd->add_option("--limit", scan->limit, "Keep the first N matches of each date")
      ->check(CLI::Range(1, 1'000'000'000));
  cmd->add_option("--threads", scan->threads, "Worker threads (default: one per core)")
      ->check(CLI::Range(1, 256));
  AddFormatOption(cmd, ctx);
  cmd->callback([scan, &ctx] { RunScan(*scan, ctx); });

  CLI::App* uni =
      app.add_subcommand("universe", "Named sets of symbols: define, list, show, refresh");
  uni->require_subcommand(1);

  auto def = std::make_shared<UniverseArgs>();
  CLI::App* define =
      uni->add_subcommand("define", "Define (or redefine) a universe and compute its members");
  define->add_option("name", def->name, "Name: a-z, 0-9, _")->required();
  define->add_option("--symbols", def->symbols, "A static list: A,B,C");
  define->add_option("--file", def->file, "A static list from a file, one symbol per line");
  define->add_option("--exchange", def->exchange,
                     "Every stored symbol of this exchange (with --rule: only these)");
  define->add_option("--rule", def->rule, "Members: the symbols where this rule holds");
  define->add_option("--rank", def->rank, "With --rule: rank expression for --top");
  define->add_option("--top", def->top, "With --rule: keep the N highest by --rank")
      ->each([def](const std::string&) { def->top_given = true; });
  define->add_option("--base", def->base, "With --rule: filter this universe's members");
  define->add_option("--date", def->date, "As of this session (default: the last in the store)");
  AddFormatOption(define, ctx);
  define->callback([def, &ctx] { RunDefine(*def, ctx); });

  CLI::App* list = uni->add_subcommand("list", "List universes");
  AddFormatOption(list, ctx);
  list->callback([&ctx] { RunList(ctx); });

  auto show = std::make_shared<UniverseArgs>();
  CLI::App* show_cmd = uni->add_subcommand("show", "Show a universe and its members");
  show_cmd->add_option("name", show->name, "Name")->required();
  AddFormatOption(show_cmd, ctx);
  show_cmd->callback([show, &ctx] { RunShow(*show, ctx); });

  auto ref = std::make_shared<UniverseArgs>();
  CLI::App* refresh = uni->add_subcommand("refresh", "Recompute universes from their definitions");
  refresh->add_option("name", ref->name, "Name");
  refresh->add_flag("--all", ref->all, "Every universe (bases first)");
  refresh->add_option("--date", ref->date, "As of this session (default: the last in the store)");
  AddFormatOption(refresh, ctx);
  refresh->callback([ref, &ctx] { RunRefresh(*ref, ctx); });
}

}  // namespace kairos::app
