#include "app/strategy_actions.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "core/fixed_point.h"
#include "engine/analytics.h"
#include "engine/strategy_file.h"

namespace kairos::app {
namespace {

std::string Amount(int64_t minor, Currency c) { return Money(minor, c).ToString(); }

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

Status Audit(ports::Store& store, std::string_view actor, std::string_view action,
             std::string_view name, const nlohmann::json& before, const nlohmann::json& after,
             int64_t time_ns) {
  AuditEntry a;
  a.time_ns = time_ns;
  a.actor = std::string(actor);
  a.action = std::string(action);
  a.subject = fmt::format("strategy:{}", name);
  a.detail = nlohmann::json{{"before", before}, {"after", after}}.dump();
  return store.audit().Append(a);
}

}  // namespace

Result<Table> StrategiesTable(ports::Store& store, bool abbreviate) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> list, store.strategies().List());
  Table t{
      {"name", "version", "enabled", "approval", "execution", "universe", "allocation", "currency"},
      {}};
  for (const StrategyRecord& r : list) {
    t.rows.push_back({r.spec.name, std::to_string(r.version), r.enabled ? "yes" : "no",
                      std::string(engine::ApprovalName(r.spec.approval)),
                      std::string(engine::ExecutionName(r.spec.execution)),
                      UniverseText(r.spec, abbreviate), Amount(r.allocation, r.spec.currency),
                      std::string(r.spec.currency.code())});
  }
  return t;
}

Result<StrategyRecord> GetStrategy(ports::Store& store, std::string_view name) {
  KAIROS_ASSIGN_OR_RETURN(auto record, store.strategies().Get(name));
  if (!record) return Status::NotFound(fmt::format("no strategy named '{}'", name));
  return std::move(*record);
}

std::vector<std::pair<std::string, std::string>> StrategyFields(const StrategyRecord& record) {
  const StrategySpec& s = record.spec;
  const Currency& c = s.currency;
  auto level = [](const LevelSpec& l) {
    std::string d = engine::DescribeLevel(l);
    return d.empty() ? std::string("none") : d;
  };
  return {
      {"name", s.name},
      {"version", std::to_string(record.version)},
      {"enabled", record.enabled ? "yes" : "no"},
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
      {"allocation", Amount(record.allocation, c)},
      {"file_allocation", Amount(s.allocation, c)},
      {"sizing", SizingText(s.sizing, c)},
      {"max_positions", std::to_string(s.max_positions)},
      {"max_new_per_day", std::to_string(s.max_new_per_day)},
      {"rank", s.rank.empty() ? "none" : s.rank},
      {"fees", FeesText(s.fees, c)},
      {"slippage_bps", fmt::format("{}", s.slippage_bps)},
  };
}

nlohmann::ordered_json StrategyJson(const StrategyRecord& record) {
  nlohmann::ordered_json obj = nlohmann::ordered_json::object();
  for (const auto& [k, v] : StrategyFields(record)) obj[k] = v;
  obj["source"] = record.source;
  return obj;
}

Status CheckUniverseExists(ports::Store& store, const StrategySpec& spec,
                           std::string_view file_name) {
  if (spec.universe.empty()) return Status::Ok();
  KAIROS_ASSIGN_OR_RETURN(auto universe, store.universes().Get(spec.universe));
  if (universe) return Status::Ok();
  return Status::FailedPrecondition(
      fmt::format("{}: universe '{}' does not exist (nothing stored; define it first with `kairos "
                  "universe define {} ...`)",
                  file_name, spec.universe, spec.universe));
}

Result<StoredStrategy> StoreStrategy(ports::Store& store, const StrategySpec& spec,
                                     std::string_view source, std::string_view actor,
                                     int64_t time_ns) {
  StoredStrategy out;
  KAIROS_ASSIGN_OR_RETURN(auto before, store.strategies().Get(spec.name));
  if (before) out.before_version = before->version;
  KAIROS_ASSIGN_OR_RETURN(auto imported, store.strategies().Import(spec, source));
  out.record = std::move(imported.first);
  out.created = imported.second;
  if (out.created) {
    nlohmann::json was = out.before_version ? nlohmann::json(*out.before_version) : nullptr;
    KAIROS_RETURN_IF_ERROR(
        Audit(store, actor, "strategy.import", spec.name, was, out.record.version, time_ns));
  }
  return out;
}

Result<bool> SetStrategyEnabled(ports::Store& store, std::string_view name, bool enabled,
                                std::string_view actor, int64_t time_ns) {
  KAIROS_ASSIGN_OR_RETURN(StrategyRecord record, GetStrategy(store, name));
  KAIROS_RETURN_IF_ERROR(store.strategies().SetEnabled(name, enabled));
  KAIROS_RETURN_IF_ERROR(Audit(store, actor, enabled ? "strategy.enable" : "strategy.disable", name,
                               record.enabled, enabled, time_ns));
  return record.enabled;
}

Result<AllocationChange> SetStrategyAllocation(ports::Store& store, std::string_view name,
                                               std::string_view amount, std::string_view actor,
                                               int64_t time_ns) {
  KAIROS_ASSIGN_OR_RETURN(StrategyRecord record, GetStrategy(store, name));
  const Currency& c = record.spec.currency;
  auto money = Money::Parse(amount, c);
  if (!money.ok() || money->minor() <= 0) {
    return Status::InvalidArgument(fmt::format(
        "AMOUNT: expected an amount above 0 in {} with at most {} decimals like 150000 or "
        "2500.50, got '{}'",
        c.code(), c.minor_digits(), amount));
  }
  if (money->minor() > engine::MaxAmountMinor(c)) {
    return Status::InvalidArgument(
        fmt::format("AMOUNT: at most {} {} (the limit of money inputs), got '{}'",
                    engine::kMaxAmountUnits, c.code(), amount));
  }
  KAIROS_RETURN_IF_ERROR(store.strategies().SetAllocation(name, money->minor()));
  AllocationChange change{std::string(name), c, record.allocation, money->minor()};
  KAIROS_RETURN_IF_ERROR(Audit(store, actor, "strategy.allocation", name, Amount(change.before, c),
                               Amount(change.after, c), time_ns));
  return change;
}

Result<PnlRows> LoadPnlBetween(ports::Store& store, std::string_view strategy,
                               std::string_view from_text, std::string_view to_text,
                               std::string_view from_name, std::string_view to_name) {
  std::optional<Date> from, to;
  if (!from_text.empty()) {
    auto d = Date::Parse(from_text);
    if (!d.ok()) return d.status().WithContext(from_name);
    from = *d;
  }
  if (!to_text.empty()) {
    auto d = Date::Parse(to_text);
    if (!d.ok()) return d.status().WithContext(to_name);
    to = *d;
  }
  if (from && to && *to < *from) {
    return Status::InvalidArgument(
        fmt::format("{} {} is before {} {}", to_name, to_text, from_name, from_text));
  }
  return LoadPnl(store, strategy, from, to);
}

Result<Table> PnlSummaryTable(ports::Store& store, const PnlRows& pnl, std::string_view none_text) {
  const std::string none(none_text);
  Table t{
      {"strategy",      "sessions",        "start_equity",      "end_equity",   "net_pnl",
       "fees",          "return_pct",      "cagr_pct",          "max_drawdown", "max_drawdown_pct",
       "drawdown_peak", "drawdown_trough", "drawdown_recovery", "sharpe",       "sortino",
       "trades",        "win_rate_pct",    "profit_factor",     "average_win",  "average_loss",
       "exposure_pct"},
      {}};
  for (const auto& [name, rows] : pnl.rows) {
    Currency c = pnl.CurrencyFor(name);
    ports::FillFilter filter;
    filter.strategy = name;
    KAIROS_ASSIGN_OR_RETURN(auto fills, store.ledger().ListFills(filter));
    std::vector<engine::Trade> trades;
    // Trades that overlap the window: closed in it, or open at some point of it.
    for (engine::Trade& tr : engine::RoundTrips(fills, {}, c)) {
      if (tr.strategy != name) continue;
      if (pnl.to && tr.entry_date > *pnl.to) continue;
      if (pnl.from && tr.exit_date && *tr.exit_date < *pnl.from) continue;
      if (pnl.to && tr.exit_date && *tr.exit_date > *pnl.to) tr.exit_date.reset();
      trades.push_back(std::move(tr));
    }
    engine::Metrics m = engine::ComputeMetrics(rows, trades);
    auto opt_num = [&](const std::optional<double>& v) { return v ? FormatNumber(*v) : none; };
    auto opt_amount = [&](const std::optional<int64_t>& v) { return v ? Amount(*v, c) : none; };
    bool dd = m.max_drawdown.value > 0;
    t.rows.push_back(
        {name,
         std::to_string(m.sessions),
         Amount(m.starting_equity, c),
         Amount(m.ending_equity, c),
         Amount(m.net_pnl, c),
         Amount(m.total_fees, c),
         FormatNumber(m.total_return_percent),
         opt_num(m.cagr_percent),
         Amount(m.max_drawdown.value, c),
         FormatNumber(m.max_drawdown.percent),
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
         FormatNumber(m.exposure_percent)});
  }
  return t;
}

}  // namespace kairos::app
