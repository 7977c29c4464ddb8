// `kairos jobs list|history|run|enable|disable` and `kairos alerts list`: the daemon's jobs and
// outbox, as the store has them.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/cli.h"
#include "app/config.h"
#include "app/daemon.h"
#include "jobs/catalogue.h"
#include "ports/clock.h"
#include "scheduler/schedule.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDayNs = 86'400'000'000'000;

// The configured job instances of the home (with their enabled state).
Result<std::vector<scheduler::JobSpec>> Instances(const fs::path& home, ports::Store& store,
                                                  DaemonConfig& config) {
  KAIROS_ASSIGN_OR_RETURN(config, LoadConfig(home));
  KAIROS_ASSIGN_OR_RETURN(auto exchanges, StrategyExchanges(store, config.daemon.calendar));
  std::vector<scheduler::JobSpec> out = JobInstances(config, exchanges);
  for (auto& spec : out) {
    KAIROS_ASSIGN_OR_RETURN(spec.enabled, JobEnabled(store, spec));
  }
  return out;
}

// `name` as a configured instance: itself, or the only instance of a per-exchange job.
Result<scheduler::JobSpec> FindInstance(const std::vector<scheduler::JobSpec>& instances,
                                        std::string_view name) {
  std::vector<const scheduler::JobSpec*> matches;
  for (const auto& spec : instances) {
    if (spec.name == name) return spec;
    if (jobs::BaseJobName(spec.name) == name) matches.push_back(&spec);
  }
  if (matches.size() == 1) return *matches.front();
  if (matches.size() > 1) {
    std::string names;
    for (auto* m : matches) {
      if (!names.empty()) names += ", ";
      names += m->name;
    }
    return Status::InvalidArgument(
        fmt::format("job '{}' runs per exchange: name one of {}", name, names));
  }
  std::string known;
  for (const auto& j : jobs::BuiltinJobs()) {
    if (!known.empty()) known += ", ";
    known += j.spec.name;
  }
  return Status::NotFound(fmt::format("unknown job '{}' (jobs: {})", name, known));
}

Status ListJobs(CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(Table t, JobsTable(home, *store));
  t.Print(ctx.format);
  return Status::Ok();
}

struct HistoryArgs {
  std::string name;
  int limit = 20;
};

Status JobHistory(const HistoryArgs& args, CliContext& ctx) {
  if (args.limit < 1) return Status::InvalidArgument("--limit must be at least 1");
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(Table t, JobHistoryTable(home, *store, args.name, args.limit));
  t.Print(ctx.format);
  return Status::Ok();
}

struct RunArgs {
  std::string name, date;
};

Status RunJob(const RunArgs& args, CliContext& ctx) {
  std::optional<Date> day;
  if (!args.date.empty()) {
    auto d = Date::Parse(args.date);
    if (!d.ok()) {
      return Status::InvalidArgument(
          fmt::format("bad --date '{}': expected a date YYYY-MM-DD", args.date));
    }
    day = *d;
  }
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(DaemonConfig config, LoadConfig(home));
  // The daemon resolves its own unfinished runs at start; a second scheduler on the home would
  // take the daemon's run in progress for one a dead process left.
  KAIROS_ASSIGN_OR_RETURN(
      FileLock lock,
      FileLock::Acquire(DaemonLockPath(home), fmt::format("the daemon lock on {}", home.string()),
                        std::chrono::milliseconds(0)));
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<Daemon> d, BuildDaemon(home, config, {}));
  KAIROS_ASSIGN_OR_RETURN(scheduler::JobSpec spec, FindInstance(d->instances, args.name));
  Timestamp instant = Timestamp::FromNanos(d->clock->NowNs());
  if (day) {
    KAIROS_ASSIGN_OR_RETURN(auto schedule, scheduler::Schedule::Parse(spec.schedule));
    const int64_t midnight = static_cast<int64_t>(day->days()) * kDayNs;
    auto next = schedule.NextAfter(Timestamp::FromNanos(midnight - 1));
    if (!next || next->nanos() >= midnight + kDayNs) {
      return Status::InvalidArgument(
          fmt::format("job {} has no run on {} ({})", spec.name, *day, schedule.Describe()));
    }
    instant = *next;
  }
  KAIROS_ASSIGN_OR_RETURN(ports::JobRun run, d->scheduler->RunNow(spec.name, instant));
  fmt::print("{} {}: {} after {} attempt(s): {}\n", run.job, IsoTime(run.scheduled_ns),
             ports::JobRunStatusName(run.status), run.attempts, run.message);
  if (run.status == ports::JobRunStatus::kFailed) {
    return Status::FailedPrecondition(fmt::format("job {} failed", run.job));
  }
  return Status::Ok();
}

Status SetEnabled(const std::string& name, bool enabled, CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kWrite));
  KAIROS_RETURN_IF_ERROR(SetJobEnabled(home, *store, name, enabled).status());
  fmt::print("job {} {}\n", name, enabled ? "enabled" : "disabled");
  return Status::Ok();
}

struct AlertsArgs {
  int limit = 20;
  bool unsent = false;
};

Status ListAlerts(const AlertsArgs& args, CliContext& ctx) {
  if (args.limit < 1) return Status::InvalidArgument("--limit must be at least 1");
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(Table t, AlertsTable(*store, args.unsent, args.limit));
  t.Print(ctx.format);
  return Status::Ok();
}

template <typename F>
void Do(CliContext& ctx, F f) {
  Status st = f();
  if (!st.ok()) ctx.Fail(st);
}

}  // namespace

Result<Table> JobsTable(const fs::path& home, ports::Store& store) {
  DaemonConfig config;
  KAIROS_ASSIGN_OR_RETURN(auto instances, Instances(home, store, config));
  const int64_t now = ports::WallClock().NowNs();
  Table t;
  t.columns = {"name", "schedule", "enabled", "next_run", "last_run", "last_status"};
  for (const auto& spec : instances) {
    std::string describe, next;
    auto schedule = scheduler::Schedule::Parse(spec.schedule);
    if (schedule.ok()) {
      describe = schedule->Describe();
      if (spec.enabled) {
        if (auto n = schedule->NextAfter(Timestamp::FromNanos(now))) next = IsoTime(n->nanos());
      }
    } else {
      describe = schedule.status().message();
    }
    KAIROS_ASSIGN_OR_RETURN(auto last, store.job_runs().Last(spec.name));
    t.rows.push_back({spec.name, describe, spec.enabled ? "yes" : "no", next,
                      last ? IsoTime(last->scheduled_ns) : "",
                      last ? std::string(ports::JobRunStatusName(last->status)) : ""});
  }
  return t;
}

Result<Table> JobHistoryTable(const fs::path& home, ports::Store& store, std::string_view name,
                              int limit) {
  if (!name.empty() && name.find('@') == std::string_view::npos && jobs::FindJob(name) == nullptr) {
    DaemonConfig config;
    KAIROS_ASSIGN_OR_RETURN(auto instances, Instances(home, store, config));
    KAIROS_RETURN_IF_ERROR(FindInstance(instances, name).status());
  }
  std::vector<ports::JobRun> runs;
  if (!name.empty() && name.find('@') == std::string_view::npos) {
    // A per-exchange job's history is that of all its instances.
    KAIROS_ASSIGN_OR_RETURN(auto all, store.job_runs().History("", 0));
    for (auto& r : all) {
      if (jobs::BaseJobName(r.job) == name &&
          (limit == 0 || static_cast<int>(runs.size()) < limit)) {
        runs.push_back(std::move(r));
      }
    }
  } else {
    KAIROS_ASSIGN_OR_RETURN(runs, store.job_runs().History(name, limit));
  }
  Table t;
  t.columns = {"job", "scheduled_at", "started_at", "finished_at", "status", "attempts", "message"};
  for (const auto& r : runs) {
    t.rows.push_back({r.job, IsoTime(r.scheduled_ns), IsoTime(r.started_ns), IsoTime(r.finished_ns),
                      std::string(ports::JobRunStatusName(r.status)), std::to_string(r.attempts),
                      r.message});
  }
  return t;
}

Result<std::optional<std::string>> SetJobEnabled(const fs::path& home, ports::Store& store,
                                                 std::string_view name, bool enabled) {
  DaemonConfig config;
  KAIROS_ASSIGN_OR_RETURN(auto instances, Instances(home, store, config));
  bool known = jobs::FindJob(name) != nullptr;
  for (const auto& spec : instances) known = known || spec.name == name;
  if (!known) KAIROS_RETURN_IF_ERROR(FindInstance(instances, name).status());
  const std::string key = JobEnabledKey(name);
  KAIROS_ASSIGN_OR_RETURN(std::optional<std::string> before, store.state().Get(key));
  KAIROS_RETURN_IF_ERROR(store.state().Put(key, enabled ? "true" : "false"));
  return before;
}

std::string IsoTime(int64_t ns) {
  if (ns == 0) return "";
  std::string s = Timestamp::FromNanos(ns).ToString();
  if (s.empty() || s.back() != 'Z') s += 'Z';
  return s;
}

Result<scheduler::JobSpec> FindConfiguredJob(const fs::path& home, ports::Store& store,
                                             std::string_view name) {
  DaemonConfig config;
  KAIROS_ASSIGN_OR_RETURN(auto instances, Instances(home, store, config));
  return FindInstance(instances, name);
}

Result<Table> AlertsTable(ports::Store& store, bool unsent_only, int limit) {
  ports::OutboxFilter f;
  f.unsent_only = unsent_only;
  f.limit = limit;
  KAIROS_ASSIGN_OR_RETURN(auto messages, store.outbox().List(f));
  Table t;
  t.columns = {"id", "created_at", "kind", "sent_at", "attempts", "external_id", "text"};
  for (const auto& m : messages) {
    t.rows.push_back({std::to_string(m.id), IsoTime(m.created_ns), m.kind, IsoTime(m.sent_ns),
                      std::to_string(m.attempts), m.external_id, m.text});
  }
  return t;
}

Result<scheduler::JobSpec> FindJobInstance(const std::vector<scheduler::JobSpec>& instances,
                                           std::string_view name) {
  return FindInstance(instances, name);
}

void AddJobsCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* jobs_cmd = app.add_subcommand("jobs", "The daemon's jobs: list, history, run, enable");
  jobs_cmd->require_subcommand(1);
  CLI::App* list = jobs_cmd->add_subcommand("list", "Every job with its schedule and last run");
  AddFormatOption(list, ctx);
  list->callback([&ctx] { Do(ctx, [&] { return ListJobs(ctx); }); });

  auto hist = std::make_shared<HistoryArgs>();
  CLI::App* history = jobs_cmd->add_subcommand("history", "Runs of the jobs, newest first");
  history->add_option("name", hist->name, "Only this job");
  history->add_option("--limit", hist->limit, "At most this many runs (default 20)");
  AddFormatOption(history, ctx);
  history->callback([hist, &ctx] { Do(ctx, [&] { return JobHistory(*hist, ctx); }); });

  auto run_args = std::make_shared<RunArgs>();
  CLI::App* run = jobs_cmd->add_subcommand("run", "Run one job now (claimed like a scheduled run)");
  run->add_option("name", run_args->name, "The job")->required();
  run->add_option("--date", run_args->date, "Run it for its instant on this day (YYYY-MM-DD)");
  run->callback([run_args, &ctx] { Do(ctx, [&] { return RunJob(*run_args, ctx); }); });

  for (bool enable : {true, false}) {
    auto name = std::make_shared<std::string>();
    CLI::App* cmd = jobs_cmd->add_subcommand(enable ? "enable" : "disable",
                                             enable ? "Enable a job" : "Disable a job");
    cmd->add_option("name", *name, "The job (or one exchange's instance: orders.open@NYSE)")
        ->required();
    cmd->callback(
        [name, enable, &ctx] { Do(ctx, [&] { return SetEnabled(*name, enable, ctx); }); });
  }

  auto al = std::make_shared<AlertsArgs>();
  CLI::App* alerts = app.add_subcommand("alerts", "The outbox: alerts sent and waiting");
  alerts->require_subcommand(1);
  CLI::App* alist = alerts->add_subcommand("list", "Alerts, newest first");
  alist->add_option("--limit", al->limit, "At most this many (default 20)");
  alist->add_flag("--unsent", al->unsent, "Only those not delivered yet");
  AddFormatOption(alist, ctx);
  alist->callback([al, &ctx] { Do(ctx, [&] { return ListAlerts(*al, ctx); }); });
}

}  // namespace kairos::app
