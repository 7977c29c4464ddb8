#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "app/cli.h"
#include "app/paper_wiring.h"
#include "core/date.h"
#include "core/result.h"
#include "domain/trading.h"
#include "engine/kill_switch.h"
#include "marketdata/bar_store.h"
#include "ports/clock.h"
#include "ports/store.h"

// What `kairos signals`, `halt` and `resume` do, as functions, so the CLI and the HTTP API run
// the same code with their own actor ("cli", "alice (session) from 127.0.0.1").
namespace kairos::app {

// "bad --date 'x': expected a date YYYY-MM-DD" with `name` the option or parameter.
Result<Date> ParseDateParam(std::string_view name, std::string_view text);

// The filter of `kairos signals list --status S --date D --strategy N` (each "" = any);
// InvalidArgument for an unknown status (naming the known ones) or a bad date.
Result<ports::SignalFilter> SignalFilterOf(std::string_view status, std::string_view date,
                                           std::string_view strategy,
                                           std::string_view date_name = "--date");

// What `kairos signals list` and GET /api/v1/signals ask for; each "" = any.
struct SignalQuery {
  std::string status, date, strategy;
  std::string from, to;  // the sessions that produced them, inclusive
};
// The signals of `query` as SignalsTable lists them. Errors name the options with
// `option_prefix` before their names ("--" for the CLI's "--date", "" for the API's "date").
Result<Table> SignalsOf(ports::Store& store, const SignalQuery& query,
                        std::string_view option_prefix);

// Approves or rejects signal `id` as `actor` through engine::SignalBook (audit row by the store's
// transition). NotFound "no signal 99"; FailedPrecondition "signal 12 is approved, not
// pending_review". Returns the signal as decided.
Result<Signal> DecideSignal(ports::Store& store, const ports::Clock& clock, int64_t id,
                            bool approve, std::string_view actor, std::string_view note);

// The last date with bars in `bars`; FailedPrecondition naming `home` when there is none.
Result<Date> LastBarDate(const marketdata::BarStore& bars, const std::filesystem::path& home);

struct HaltOutcome {
  engine::HaltReport report;
  std::optional<Date> session;  // the session square-off orders are for
};
// engine::Halt on `paper` (its broker started) as `actor`: square-off orders are for the session
// after the last one run, or with no run yet the session after the last bar.
Result<HaltOutcome> HaltPaper(PaperSession& paper, bool squareoff, std::string_view actor,
                              std::string_view reason);
// halted, already_halted, cancelled_orders, squareoff_orders, squareoff_submitted, session.
Table HaltTable(const HaltOutcome& halt);

}  // namespace kairos::app
