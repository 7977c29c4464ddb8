#include "jobs/catalogue.h"

#include <algorithm>
#include <string>

namespace kairos::jobs {
namespace {

using scheduler::JobSpec;
using scheduler::Misfire;
using scheduler::ScheduleSpec;

// Every job retries a transient failure twice, 30 s then 60 s later (JobSpec's defaults).
JobDefault Cron(std::string_view name, std::string_view cron, Misfire misfire,
                std::string_view description) {
  JobSpec spec;
  spec.name = std::string(name);
  spec.schedule.cron = std::string(cron);
  spec.misfire = misfire;
  return {std::move(spec), description};
}

JobDefault At(std::string_view name, std::string_view at, Misfire misfire,
              std::string_view description, bool last_session_of_week = false) {
  JobSpec spec;
  spec.name = std::string(name);
  spec.schedule.at = std::string(at);
  spec.schedule.last_session_of_week = last_session_of_week;
  spec.misfire = misfire;
  return {std::move(spec), description};
}

std::vector<JobDefault> MakeBuiltinJobs() {
  constexpr Misfire kRunOnce = Misfire::kRunOnce;
  constexpr Misfire kSkip = Misfire::kSkip;
  return {
      Cron("heartbeat", "0 8 * * *", kRunOnce, "a daily \"alive\" message, so silence is noticed"),
      Cron("calendar.check", "0 9 * * 1", kRunOnce,
           "warns when a calendar has no data for next year"),
      At("broker.session", "open-60m", kRunOnce, "verifies the broker session (paper: no-op)"),
      Cron("instruments.refresh", "0 6 * * 6", kRunOnce,
           "refreshes the instrument master (paper: no-op)"),
      At("reconcile", "open-30m", kRunOnce, "compares the broker with the ledger (also at start)"),
      At("signals.remind", "open-90m", kSkip, "reminds of signals awaiting review"),
      At("signals.expire", "open-2m", kRunOnce, "expires signals past the review cut-off"),
      At("orders.open", "open-1m", kSkip, "places next-open orders"),
      At("orders.sync", "open+1m", kRunOnce, "order status and fills from the broker"),
      At("orders.close", "close-1m", kSkip, "places same-close orders"),
      At("data.ingest", "close+10m", kRunOnce,
         "imports files in HOME/inbox/ into done/ or rejected/"),
      At("data.stale_check", "close+15m", kRunOnce,
         "alerts on strategy symbols with no bar for the session"),
      At("scan.daily", "close+20m", kRunOnce, "signals for daily strategies"),
      At("scan.weekly", "close+25m", kRunOnce, "signals for weekly strategies",
         /*last_session_of_week=*/true),
      At("exits.check", "close+30m", kRunOnce, "exit signals for open positions"),
      At("pnl.eod", "close+40m", kRunOnce, "marks and the day's P&L"),
      At("report.eod", "close+45m", kRunOnce, "the day in one message"),
      At("universe.refresh", "close+50m", kRunOnce, "rebuilds rule universes",
         /*last_session_of_week=*/true),
      At("report.weekly", "close+55m", kRunOnce, "the week in one message",
         /*last_session_of_week=*/true),
      Cron("backup", "0 2 * * *", kRunOnce,
           "online SQLite backup and bar manifest, keeping the last [backup] keep"),
      Cron("maintenance", "30 2 * * 0", kRunOnce, "WAL checkpoint and pruning of old history"),
  };
}

const std::vector<AlertKind> kAlertKinds = {
    {"job.failed", AlertLevel::kOn, "a job failed (after its retries, or permanently)"},
    {"job.recovered", AlertLevel::kOn, "a job succeeded after failing"},
    {"job.misfire", AlertLevel::kOn, "a run was missed while the daemon was down"},
    {"signal.pending", AlertLevel::kOn, "a signal awaits review"},
    {"order.sent", AlertLevel::kSilent, "an order went to the broker"},
    {"order.filled", AlertLevel::kOn, "an order filled"},
    {"order.rejected", AlertLevel::kOn, "the broker rejected an order"},
    {"exit.stop_hit", AlertLevel::kOn, "a position's stop was hit"},
    {"halt", AlertLevel::kOn, "trading was halted"},
    {"resume", AlertLevel::kOn, "trading resumed"},
    {"eod.summary", AlertLevel::kOn, "the day's summary (report.eod)"},
    {"weekly.summary", AlertLevel::kOn, "the week's summary (report.weekly)"},
    {"reconcile.difference", AlertLevel::kOn, "the broker and the ledger disagree"},
    {"data.stale", AlertLevel::kOn, "symbols have no bar for the last session"},
    {"data.ingested", AlertLevel::kSilent, "a file from the inbox was imported"},
    {"data.rejected", AlertLevel::kOn, "a file from the inbox was rejected"},
    {"daemon.started", AlertLevel::kSilent, "the daemon started"},
    {"daemon.stopped", AlertLevel::kSilent, "the daemon stopped"},
    {"daemon.heartbeat", AlertLevel::kSilent, "the daily alive message"},
    {"calendar.coverage", AlertLevel::kOn, "a calendar has no data for next year"},
    {"telegram.unauthorized", AlertLevel::kOn, "someone not allowed wrote to the bot"},
};

const std::vector<std::string_view> kAlertLevelNames = {"on", "silent", "off"};

}  // namespace

const std::vector<JobDefault>& BuiltinJobs() {
  static const std::vector<JobDefault> jobs = MakeBuiltinJobs();
  return jobs;
}

const JobDefault* FindJob(std::string_view name) {
  const auto& jobs = BuiltinJobs();
  auto it = std::find_if(jobs.begin(), jobs.end(),
                         [&](const JobDefault& j) { return j.spec.name == name; });
  return it == jobs.end() ? nullptr : &*it;
}

std::string_view AlertLevelName(AlertLevel level) {
  return kAlertLevelNames[static_cast<size_t>(level)];
}

std::optional<AlertLevel> ParseAlertLevel(std::string_view name) {
  for (size_t i = 0; i < kAlertLevelNames.size(); ++i) {
    if (kAlertLevelNames[i] == name) return static_cast<AlertLevel>(i);
  }
  return std::nullopt;
}

const std::vector<std::string_view>& AlertLevelNames() { return kAlertLevelNames; }

const std::vector<AlertKind>& AlertKinds() { return kAlertKinds; }

const AlertKind* FindAlertKind(std::string_view name) {
  auto it = std::find_if(kAlertKinds.begin(), kAlertKinds.end(),
                         [&](const AlertKind& k) { return k.name == name; });
  return it == kAlertKinds.end() ? nullptr : &*it;
}

}  // namespace kairos::jobs
