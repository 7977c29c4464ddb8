#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "core/status.h"
#include "engine/alerts.h"
#include "engine/trading_day.h"
#include "ports/clock.h"
#include "ports/store.h"
#include "scheduler/scheduler.h"

namespace kairos::jobs {

// What the built-in job bodies work with. The wiring (app/serve_command.cc) fills it; tests fill
// it with fakes. Every hook may be empty: a job whose hook is missing says so and succeeds.
struct JobEnv {
  std::filesystem::path home;
  ports::Store* store = nullptr;
  const ports::Clock* clock = nullptr;  // the scheduler's (wall or simulated)
  engine::Alerts* alerts = nullptr;     // the daemon's, with the [alerts] levels

  // Runs `step` on the trading day of `exchange` (its calendar's TradingDay over the broker and
  // order manager), holding whatever the wiring needs held meanwhile (the trading lock, state
  // re-read from the store). The trading jobs do all their work through it.
  using TradingStep = std::function<Status(engine::TradingDay& day)>;
  std::function<Status(std::string_view exchange, const TradingStep& step)> with_trading;

  // Non-trading work that needs the wiring (files of the home, the SQLite file): each returns
  // the one-line message of the run.
  std::function<Result<std::string>(Timestamp scheduled)> ingest_inbox;       // data.ingest
  std::function<Result<std::string>(Timestamp scheduled)> refresh_universes;  // universe.refresh
  std::function<Result<std::string>(Timestamp scheduled)> backup;             // backup
  std::function<Result<std::string>(Timestamp scheduled)> maintenance;        // maintenance
  std::function<Result<std::string>(Timestamp scheduled)> reconcile;          // reconcile
  std::function<Result<std::string>(Timestamp scheduled)> stale_check;        // data.stale_check
};

// The session an `at` instant belongs to: the session of `cal` whose open..close interval is
// nearest to `instant` (within 18 hours). NotFound when none is.
Result<Date> SessionOfInstant(const calendar::ExchangeCalendar& cal, Timestamp instant);

// The base name of a job instance: "orders.open@NSE" -> "orders.open"; and its exchange ("NSE",
// or "" for a job that is not per exchange).
std::string_view BaseJobName(std::string_view instance);
std::string_view InstanceExchange(std::string_view instance);

// The body of the built-in job `instance` ("orders.open@NYSE", "heartbeat"); nullptr for a name
// the catalogue does not know. `env` outlives the body.
scheduler::JobBody MakeJobBody(std::string_view instance, JobEnv& env);

}  // namespace kairos::jobs
