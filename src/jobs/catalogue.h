#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "scheduler/job_spec.h"

namespace kairos::jobs {

// One built-in job as it runs when kairos.toml says nothing about it (docs/CONFIG.md "Jobs").
// A session-relative job (schedule.at) with an empty calendar runs once per exchange the enabled
// strategies trade on; a cron job with an empty time_zone runs in [daemon] time_zone.
struct JobDefault {
  scheduler::JobSpec spec;
  std::string_view description;  // one line, for `kairos init` and `kairos jobs list`
};

// Every built-in job, in the order of a trading day's story (docs/CONFIG.md lists the same).
const std::vector<JobDefault>& BuiltinJobs();
// The built-in job called `name`, or nullptr.
const JobDefault* FindJob(std::string_view name);

// How an alert reaches the owner. Stored in kairos.toml as its name; the names must not change.
enum class AlertLevel {
  kOn,      // a notification with sound
  kSilent,  // a notification without sound
  kOff,     // kept in the outbox and `kairos alerts list`, never sent
};
std::string_view AlertLevelName(AlertLevel level);  // "on", "silent", "off"
std::optional<AlertLevel> ParseAlertLevel(std::string_view name);
// The level names in order, for messages.
const std::vector<std::string_view>& AlertLevelNames();

// One kind of event a person should hear about ("job.failed"), with its default level.
struct AlertKind {
  std::string_view name;
  AlertLevel level;
  std::string_view description;
};

// Every alert kind, in documentation order.
const std::vector<AlertKind>& AlertKinds();
// The alert kind called `name`, or nullptr.
const AlertKind* FindAlertKind(std::string_view name);

}  // namespace kairos::jobs
