#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace kairos::scheduler {

// When a job runs, as written in kairos.toml: a cron expression in a time zone, or an instant
// relative to each session of an exchange calendar (docs/CONFIG.md).
struct ScheduleSpec {
  std::string cron;            // "30 18 * * 1-5" (5 fields, or 6 with leading seconds); or empty
  std::string at;              // "close+20m", "open-15m"; or empty
  std::string time_zone;       // IANA zone of a cron schedule ("" = the daemon's)
  std::string calendar;        // exchange of an `at` schedule, or of `sessions_only`
  bool sessions_only = false;  // cron: only when the local date is a session
  bool last_session_of_week = false;  // at: only on the week's last session
};

// What the scheduler does with a run whose instant passed while the daemon was down.
enum class Misfire {
  kRunOnce,  // run it once now (catch-up work: P&L, reports)
  kSkip,     // record it skipped (work whose moment has passed: placing orders)
};

inline constexpr std::string_view MisfireName(Misfire m) {
  return m == Misfire::kRunOnce ? "run_once" : "skip";
}

// One job's settings: the built-in defaults (jobs/catalogue.h) overridden by kairos.toml.
struct JobSpec {
  std::string name;  // "scan.daily"
  ScheduleSpec schedule;
  bool enabled = true;  // `kairos jobs enable|disable` overrides this in the store
  Misfire misfire = Misfire::kRunOnce;
  int max_attempts = 3;                       // kairos.toml `retries` = max_attempts - 1
  int64_t backoff_ns = 30LL * 1'000'000'000;  // first retry delay; doubles, capped at 30 min
};

// What a job body reports. A transient failure is retried with backoff; a permanent one is not.
struct JobOutcome {
  enum class Kind { kOk, kTransient, kPermanent };
  Kind kind = Kind::kOk;
  std::string message;  // one line for the history and the alert

  static JobOutcome Ok(std::string m = {}) { return {Kind::kOk, std::move(m)}; }
  static JobOutcome Transient(std::string m) { return {Kind::kTransient, std::move(m)}; }
  static JobOutcome Permanent(std::string m) { return {Kind::kPermanent, std::move(m)}; }
};

}  // namespace kairos::scheduler
