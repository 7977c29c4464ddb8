#include "app/trading_actions.h"

#include <string>

#include <fmt/format.h>

#include "app/trading_tables.h"
#include "engine/signal_book.h"
#include "engine/trading_day.h"

namespace kairos::app {
namespace {

Result<SignalStatus> ParseSignalStatus(std::string_view text) {
  std::string names;
  for (int i = 0; i <= static_cast<int>(SignalStatus::kFailed); ++i) {
    auto s = static_cast<SignalStatus>(i);
    if (text == SignalStatusName(s)) return s;
    if (!names.empty()) names += ", ";
    names += SignalStatusName(s);
  }
  return Status::InvalidArgument(
      fmt::format("unknown signal status '{}' (expected one of: {})", text, names));
}

}  // namespace

Result<Date> ParseDateParam(std::string_view name, std::string_view text) {
  auto d = Date::Parse(text);
  if (!d.ok()) {
    return Status::InvalidArgument(
        fmt::format("bad {} '{}': expected a date YYYY-MM-DD", name, text));
  }
  return *d;
}

Result<ports::SignalFilter> SignalFilterOf(std::string_view status, std::string_view date,
                                           std::string_view strategy, std::string_view date_name) {
  ports::SignalFilter f;
  if (!status.empty()) {
    KAIROS_ASSIGN_OR_RETURN(f.status, ParseSignalStatus(status));
  }
  if (!date.empty()) {
    KAIROS_ASSIGN_OR_RETURN(f.session, ParseDateParam(date_name, date));
  }
  f.strategy = std::string(strategy);
  return f;
}

Result<Table> SignalsOf(ports::Store& store, const SignalQuery& query,
                        std::string_view option_prefix) {
  auto name = [&](std::string_view option) { return fmt::format("{}{}", option_prefix, option); };
  KAIROS_ASSIGN_OR_RETURN(ports::SignalFilter f,
                          SignalFilterOf(query.status, query.date, query.strategy, name("date")));
  std::optional<Date> from, to;
  if (!query.from.empty()) {
    KAIROS_ASSIGN_OR_RETURN(from, ParseDateParam(name("from"), query.from));
  }
  if (!query.to.empty()) {
    KAIROS_ASSIGN_OR_RETURN(to, ParseDateParam(name("to"), query.to));
  }
  if (from && to && *to < *from) {
    return Status::InvalidArgument(
        fmt::format("{} {} is before {} {}", name("to"), query.to, name("from"), query.from));
  }
  KAIROS_ASSIGN_OR_RETURN(Table t, SignalsTable(store, f));
  return RowsBetween(t, "date", from, to);
}

Result<Signal> DecideSignal(ports::Store& store, const ports::Clock& clock, int64_t id,
                            bool approve, std::string_view actor, std::string_view note) {
  engine::SignalBook book(store, clock);
  KAIROS_RETURN_IF_ERROR(approve ? book.Approve(id, actor, note) : book.Reject(id, actor, note));
  KAIROS_ASSIGN_OR_RETURN(std::optional<Signal> s, store.signals().Get(id));
  if (!s) return Status::NotFound(fmt::format("no signal {}", id));
  return std::move(*s);
}

Result<Date> LastBarDate(const marketdata::BarStore& bars, const std::filesystem::path& home) {
  std::optional<Date> last;
  for (const auto& info : bars.List()) {
    if (!last || info.last > *last) last = info.last;
  }
  if (!last) {
    return Status::FailedPrecondition(
        fmt::format("no bars under {}: import data first (kairos data import)", home.string()));
  }
  return *last;
}

Result<HaltOutcome> HaltPaper(PaperSession& paper, bool squareoff, std::string_view actor,
                              std::string_view reason) {
  HaltOutcome out;
  // Square-off orders are for the session after the last one run (the paper broker fills them
  // at its open when run-day runs it); with no run yet, the session after the last bar.
  if (auto last = engine::LastSessionRun(*paper.store, paper.markers); last.ok() && *last) {
    out.session = paper.calendar->NextSession(**last);
  }
  if (!out.session) {
    if (auto d = LastBarDate(*paper.bars, paper.home); d.ok()) {
      out.session = paper.calendar->NextSession(*d);
    }
  }
  KAIROS_ASSIGN_OR_RETURN(out.report, engine::Halt(*paper.store, *paper.orders, *paper.broker,
                                                   squareoff, actor, reason, out.session));
  return out;
}

Table HaltTable(const HaltOutcome& halt) {
  const engine::HaltReport& r = halt.report;
  Table t;
  t.columns = {"halted",           "already_halted",      "cancelled_orders",
               "squareoff_orders", "squareoff_submitted", "session"};
  t.rows.push_back({"yes", r.already_halted ? "yes" : "no", std::to_string(r.cancelled),
                    std::to_string(r.squareoff_ids.size()), std::to_string(r.squareoff_submitted),
                    halt.session ? halt.session->ToString() : ""});
  return t;
}

}  // namespace kairos::app
