#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli.h"
#include "app/config.h"
#include "app/paper_wiring.h"
#include "core/file_lock.h"
#include "core/result.h"
#include "engine/alerts.h"
#include "jobs/job_bodies.h"
#include "marketdata/bar_store.h"
#include "ports/clock.h"
#include "ports/notifier.h"
#include "ports/store.h"
#include "scheduler/scheduler.h"

namespace kairos::app {

// The wiring of `kairos serve` (and of `kairos jobs run`): the configured jobs, their bodies over
// paper trading, the scheduler and its alerts. Only app/ knows this.

// HOME/locks/daemon.lock: one daemon per home.
std::filesystem::path DaemonLockPath(const std::filesystem::path& home);

// The state key that overrides a job's `enabled` ("true"/"false"), written by
// `kairos jobs enable|disable NAME` (an instance "orders.open@NYSE" or a base name).
std::string JobEnabledKey(std::string_view name);

// The canonical exchanges of the enabled strategies of `store` ({fallback} when there is none).
Result<std::vector<std::string>> StrategyExchanges(ports::Store& store, std::string_view fallback);

// The configured jobs as the scheduler runs them: a session-relative job with no calendar is
// one instance per exchange ("orders.open@NYSE"), with that calendar.
std::vector<scheduler::JobSpec> JobInstances(const DaemonConfig& config,
                                             const std::vector<std::string>& exchanges);

// Whether `instance` is enabled: the state key of the instance, else of its base name, else the
// configuration's value.
Result<bool> JobEnabled(ports::Store& store, const scheduler::JobSpec& spec);

// One line per event on stderr ("2026-12-07T20:15:00Z info job orders.open@NYSE ...").
void Log(LogLevel level, std::string_view message);
void SetLogLevel(LogLevel level);

// Job failures, recoveries and misfires in the outbox (job.failed, job.recovered, job.misfire),
// and every event in the log.
class AlertingEvents : public scheduler::SchedulerEvents {
 public:
  AlertingEvents(engine::Alerts& alerts, const ports::Clock& clock)
      : alerts_(alerts), clock_(clock) {}
  void OnStarted(const ports::JobRun& run) override;
  void OnSucceeded(const ports::JobRun& run) override;
  void OnRecovered(const ports::JobRun& run) override;
  void OnRetry(const ports::JobRun& run) override;
  void OnFailed(const ports::JobRun& run) override;
  void OnMisfire(const scheduler::MissedRuns& missed) override;

 private:
  void Alert(std::string_view kind, std::string key, std::string text);
  engine::Alerts& alerts_;
  const ports::Clock& clock_;
};

// Paper trading for the jobs (JobEnv::with_trading). Simulated: one PaperSession for the whole
// run, on the scheduler's ManualClock. On the wall clock: each step takes the trading lock, opens
// the session afresh (so a CLI approval, halt or import since the last step is seen), moves the
// paper clock to now, runs, saves the paper state and lets go.
class PaperTrading {
 public:
  // Simulated: `session` is open and its broker started; its clock is the scheduler's.
  explicit PaperTrading(std::unique_ptr<PaperSession> session);
  // Wall clock.
  PaperTrading(std::filesystem::path home, const ports::Clock& wall);

  Status Run(std::string_view exchange, const jobs::JobEnv::TradingStep& step);
  // `work` on the paper session (opened as Run opens it), then its state saved.
  Status WithSession(const std::function<Status(PaperSession&)>& work);

 private:
  std::unique_ptr<PaperSession> session_;  // simulated only
  std::filesystem::path home_;
  const ports::Clock* wall_ = nullptr;
};

// Everything a running daemon holds. Members are destroyed in reverse order.
struct Daemon {
  std::filesystem::path home;
  DaemonConfig config;
  std::unique_ptr<ports::Store> store;   // the scheduler thread's connection
  const ports::Clock* clock = nullptr;   // the scheduler's
  ports::ManualClock* manual = nullptr;  // simulated: the same clock, to move
  std::unique_ptr<ports::Clock> wall;
  std::unique_ptr<PaperTrading> trading;
  std::unique_ptr<marketdata::BarStore> sim_bars;  // simulated: the bar store, opened once
  std::unique_ptr<engine::Alerts> alerts;  // every alert of the daemon, with the [alerts] levels
  jobs::JobEnv env;
  std::unique_ptr<AlertingEvents> events;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::vector<scheduler::JobSpec> instances;
  std::atomic<bool> stopping{false};  // set once the scheduler's loop has returned
};

struct DaemonOptions {
  bool simulate = false;
  int64_t sim_start_ns = 0;  // simulated: where the clock starts
};

// Builds the daemon on `home` with `config`: the store, the job instances with their bodies and
// enabled state, the scheduler (not started).
Result<std::unique_ptr<Daemon>> BuildDaemon(const std::filesystem::path& home,
                                            const DaemonConfig& config,
                                            const DaemonOptions& options);

// The hooks of JobEnv over the home (data.ingest, backup, maintenance, reconcile, ...).
void WireHomeHooks(Daemon& d);

// Delivers pending outbox messages in id order through `notifier` (the [alerts] levels were
// applied when each was stored: engine::Alerts). Stops at the first message the channel asks to
// retry later, returning that wait in ns (0 if none).
Result<int64_t> DeliverPending(ports::Store& store, ports::Notifier& notifier,
                               const ports::Clock& clock, int* delivered = nullptr);

// The jobs of `home` as `kairos jobs list` shows them (name, schedule, enabled, next_run,
// last_run, last_status).
Result<Table> JobsTable(const std::filesystem::path& home, ports::Store& store);

// ISO 8601 with the offset (UTC) as `kairos jobs` and `kairos alerts` print times:
// "2026-12-07T20:15:00Z"; "" for 0 (not yet).
std::string IsoTime(int64_t ns);

// The configured instance `name` names (FindJobInstance over the home's job instances).
Result<scheduler::JobSpec> FindConfiguredJob(const std::filesystem::path& home, ports::Store& store,
                                             std::string_view name);

// The runs of `kairos jobs history [NAME] --limit N` (job, scheduled_at, started_at,
// finished_at, status, attempts, message), newest first: every job's, an instance's, or every
// instance's of a base name; `limit` 0 for all. NotFound for a job that is not configured.
Result<Table> JobHistoryTable(const std::filesystem::path& home, ports::Store& store,
                              std::string_view name, int limit);

// `kairos jobs enable|disable NAME`: writes JobEnabledKey(name) ("true"/"false"). Returns the
// key's value before (nullopt: unset). NotFound for a job that is not configured.
Result<std::optional<std::string>> SetJobEnabled(const std::filesystem::path& home,
                                                 ports::Store& store, std::string_view name,
                                                 bool enabled);

// The outbox as `kairos alerts list` shows it (id, created_at, kind, sent_at, attempts,
// external_id, text), newest first, at most `limit` (> 0).
Result<Table> AlertsTable(ports::Store& store, bool unsent_only, int limit);

// `name` among `instances`: an instance name, or the base name of a job with one instance.
// NotFound naming the jobs; InvalidArgument naming the instances of a per-exchange job.
Result<scheduler::JobSpec> FindJobInstance(const std::vector<scheduler::JobSpec>& instances,
                                           std::string_view name);

// A notifier for tests: appends "id<TAB>kind<TAB>silent<TAB>key" lines to a file. Selected by the
// environment variable KAIROS_TEST_NOTIFIER_FILE (tests only; undocumented for users).
std::unique_ptr<ports::Notifier> NotifierFromEnvironment();

}  // namespace kairos::app
