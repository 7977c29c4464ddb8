#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "core/status.h"
#include "ports/clock.h"
#include "ports/job_runs.h"
#include "scheduler/job_spec.h"
#include "scheduler/schedule.h"

namespace kairos::scheduler {

// What a job body is told about the run it is doing.
struct JobContext {
  std::string_view job;  // "scan.daily"
  Timestamp scheduled;   // the instant the run is for (the claim key), not the time it started
  int attempt = 1;       // 1 for the first start, 2 for the first retry, ...
  const calendar::ExchangeCalendar* calendar = nullptr;  // the schedule's, or nullptr (cron)
};

// A job's work. It returns kTransient only for failures a later attempt may fix; it is run
// again as a whole, so it must be idempotent (the engine's phases are).
using JobBody = std::function<JobOutcome(const JobContext&)>;

// Instants of one job that passed before the scheduler could start them (downtime, or the
// job, or another one, still running). `caught_up`: the latest of them runs now (run_once).
struct MissedRuns {
  std::string_view job;
  Misfire policy = Misfire::kRunOnce;
  int count = 0;  // missed instants, the caught-up one included
  Timestamp first;
  Timestamp last;
  bool caught_up = false;
};

// What a person may want to hear about, for the daemon's alerts. Called on the thread that runs
// the scheduler, after the change is stored. Every method has an empty default.
class SchedulerEvents {
 public:
  virtual ~SchedulerEvents() = default;
  virtual void OnStarted(const ports::JobRun& run) { (void)run; }  // attempt run.attempts
  virtual void OnSucceeded(const ports::JobRun& run) { (void)run; }
  // Succeeded after the job's previous finished run failed (after OnSucceeded).
  virtual void OnRecovered(const ports::JobRun& run) { (void)run; }
  // A transient failure (or a run interrupted by a dead process) to try again at retry_at_ns.
  virtual void OnRetry(const ports::JobRun& run) { (void)run; }
  // A permanent failure, transient failures until max_attempts, or an interrupted run that is
  // not retried.
  virtual void OnFailed(const ports::JobRun& run) { (void)run; }
  virtual void OnMisfire(const MissedRuns& missed) { (void)missed; }
};

struct SchedulerOptions {
  // A run that starts at most this late is on time; an instant later than this was missed and
  // follows the job's misfire policy (so `skip` jobs never start long after their moment).
  int64_t misfire_grace_ns = 60LL * 1'000'000'000;
  // Missed instants recorded as skipped per gap (the latest ones); older ones are counted in
  // the message of the oldest recorded row, so a long downtime of a frequent job adds few rows.
  int max_skipped_rows = 20;
};

// Backoff before attempt `attempt + 1` after `attempt` failed transiently: backoff_ns doubled
// per earlier attempt, capped at kMaxBackoffNs.
inline constexpr int64_t kMaxBackoffNs = 30LL * 60 * 1'000'000'000;
int64_t RetryDelayNs(const JobSpec& spec, int attempt);

// The run loop: starts each job at its schedule's instants, through a claim in the
// JobRunRepository, which is the only way a run starts, so a (job, instant) runs at most once
// across processes and restarts.
//
// Semantics:
// - Bodies run one at a time on the calling thread, in instant order; jobs due at the same
//   instant run in the order they were added (the catalogue's). Trading jobs must not run
//   concurrently anyway, and one thread keeps simulation deterministic.
// - No overlap: a job has at most one run in progress, a run waiting to retry included. Its
//   instants that come due meanwhile wait; when the run ends, the latest of them runs if it is
//   within misfire_grace_ns, and the others are misses (below).
// - Misses (after downtime, or while runs took long): `run_once` runs the latest missed instant
//   once, now, and records the older ones skipped; `skip` records them all skipped. Either way
//   OnMisfire. Skipped rows: see SchedulerOptions::max_skipped_rows.
// - Retries: a kTransient outcome is retried at RetryDelayNs (run status kRetrying) until
//   max_attempts starts; kPermanent fails at once. A body that throws fails permanently.
// - Start-up (Start): a run found kRunning belonged to a process that died mid-run. If its job
//   is run_once and has attempts left it is retried now as the next attempt (message
//   "interrupted"; jobs are idempotent); otherwise it is marked failed with message
//   "interrupted". A run found kRetrying keeps its retry time. Each job resumes after the
//   latest instant stored for it (Last); a job never run starts from now (no backfill).
// - Disabled jobs start nothing, and record nothing; enabling one starts from the current time,
//   so the instants while it was disabled are not misses.
// - The clock: Run() waits on the wall clock; RunUntil() jumps a ManualClock from one due
//   instant to the next. Bodies may advance the ManualClock to simulate their duration.
//
// Not thread-safe, except Post() and Wake(), which other threads use to reach the loop.
class Scheduler {
 public:
  // The clock, the repository and the events (may be null) outlive the scheduler.
  Scheduler(const ports::Clock& clock, ports::JobRunRepository& runs,
            SchedulerEvents* events = nullptr, SchedulerOptions options = {});

  // Adds a job, before Start. InvalidArgument for a bad schedule ("scan.daily: cron: field 2
  // (hour): 25 is out of 0-23") or max_attempts < 1; AlreadyExists for a name added twice.
  Status Add(JobSpec spec, JobBody body);

  // Resolves runs left unfinished by a dead process and finds each job's next instant. Run,
  // RunUntil, RunDue and RunNow call it first; later calls do nothing.
  Status Start();

  // Runs everything due at the clock's current time (scheduled instants, retries, misses).
  Status RunDue();
  // For simulation: runs every instant up to and including `end`, moving `clock` (which must
  // be the scheduler's clock) from one due instant to the next; returns with the clock at
  // `end` (or later, if a body moved it there).
  Status RunUntil(ports::ManualClock& clock, Timestamp end);
  // For the daemon, on a ports::WallClock: runs until `stop` is requested, sleeping until
  // the next due instant (a condition variable; at most a minute at a time, so a changed wall clock
  // is noticed), a Post() or a Wake(). Returns OK when stopped; a repository error stops it with
  // that error. A body in progress is never interrupted: the stop takes effect when it returns.
  Status Run(std::stop_token stop);

  // `kairos jobs run`: claims (name, instant) and runs it now through the same path (retries
  // included: a transient failure leaves the run kRetrying for the loop to pick up), even if
  // the job is disabled. NotFound for an unknown job; AlreadyExists when that instant was
  // claimed before; FailedPrecondition while the job has a run waiting to retry.
  Result<ports::JobRun> RunNow(std::string_view name, Timestamp instant);

  // `kairos jobs enable|disable` while running. NotFound for an unknown job.
  Status SetEnabled(std::string_view name, bool enabled);

  // Thread-safe: runs `task` on the loop's thread before its next look at due work, waking it.
  void Post(std::function<void()> task);
  // Thread-safe: wakes Run() to look at due work again.
  void Wake();

  // The earliest instant any enabled job is due (a scheduled instant or a retry); nullopt when
  // none is left (e.g. past the calendars' coverage).
  std::optional<Timestamp> NextDue() const;
  // The next instant `name` will run (its retry or its next scheduled instant); nullopt if none
  // or the job is unknown or disabled. Valid after Start.
  std::optional<Timestamp> NextRun(std::string_view name) const;

 private:
  struct Entry {
    JobSpec spec;
    JobBody body;
    Schedule schedule;
    std::optional<Timestamp> next;       // the next instant not yet handled
    std::optional<ports::JobRun> retry;  // the run waiting for its next attempt
    bool failing = false;                // the job's last finished run failed
  };

  Entry* Find(std::string_view name);
  std::optional<Timestamp> DueAt(const Entry& e) const;
  Status ResolveUnfinished(int64_t now);
  Status HandleScheduled(Entry& e, int64_t now);
  Status RecordSkipped(Entry& e, const std::vector<Timestamp>& instants, int64_t omitted,
                       std::string_view why, int64_t now);
  Result<ports::JobRun> RunAttempt(Entry& e, ports::JobRun run);
  Status Finish(Entry& e, ports::JobRun& run, const JobOutcome& outcome);
  void DrainPosted();

  const ports::Clock& clock_;
  ports::JobRunRepository& runs_;
  SchedulerEvents* events_;
  SchedulerEvents no_events_;
  SchedulerOptions options_;
  std::vector<Entry> jobs_;  // in the order added
  bool started_ = false;

  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;                         // guarded by mu_
  std::vector<std::function<void()>> posted_;  // guarded by mu_
};

}  // namespace kairos::scheduler
