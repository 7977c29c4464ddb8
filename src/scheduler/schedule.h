#pragma once

#include <memory>
#include <optional>
#include <string>

#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "scheduler/job_spec.h"

namespace kairos::scheduler {

// When a job runs: a parsed ScheduleSpec that names its instants. Immutable, cheap to copy
// (shared state) and thread-safe.
//
// A cron schedule is "M H DOM MON DOW" or "S M H DOM MON DOW": each field `*`, a number, a range
// `a-b`, a step `*/n`, `a-b/n` or `a/n` (a to the field's maximum), or a comma list of these;
// MON and DOW take names (JAN-DEC, SUN-SAT, any case); DOW 0 and 7 are both Sunday. When both
// DOM and DOW are restricted (neither field starts with `*`) a day matches if EITHER does, as
// in Vixie cron; otherwise both must. Times are local to `time_zone` (IANA; empty = the
// calendar's zone when a calendar is given, else UTC; the config layer fills in the daemon's
// default). A local time skipped by a DST change runs at the first instant after the gap
// (02:30 on a spring-forward night in New York runs at 03:00 EDT); one that occurs twice runs
// once, at its first occurrence. With `sessions_only` an instant counts only when its local
// date in the calendar's time zone is a session of `calendar`.
//
// An `at` schedule is "open" or "close" with an optional offset ("+20m", "-15m", "-1h30m",
// "+90s"; at most 12h) relative to each session of `calendar` (calendar::Session open and close
// instants: early closes and special sessions follow by themselves; holidays never run). With
// `last_session_of_week` only the last session of each Monday-Sunday week counts.
//
// Parse errors name the part that is wrong: "cron: field 2 (hour): 25 is out of 0-23",
// "at: expected open or close, then an optional offset such as +20m or -1h30m; got \"noon\"".
class Schedule {
 public:
  static Result<Schedule> Parse(const ScheduleSpec& spec);

  // The first instant strictly after t; nullopt when there is none, in particular when it
  // would fall outside the years the calendar covers (an `at` or `sessions_only` schedule),
  // and for any t from 2200 on.
  std::optional<Timestamp> NextAfter(Timestamp t) const;

  // "cron 30 18 * * 1-5 America/New_York", "cron 0 18 * * * UTC sessions_only NYSE",
  // "at close+20m NYSE", "at close+55m NYSE last_session_of_week".
  std::string Describe() const;

  // The calendar of an `at` or `sessions_only` schedule; nullptr otherwise.
  const calendar::ExchangeCalendar* calendar() const;

 private:
  struct Impl;
  explicit Schedule(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace kairos::scheduler
