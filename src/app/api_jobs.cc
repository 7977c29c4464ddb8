// The operational resources of the HTTP API: the daemon's jobs, the outbox's alerts, the audit
// log and the live events. Lists are the Tables `kairos jobs` and `kairos alerts` print.
#include <limits>
#include <string>

#include <fmt/format.h>

#include "app/api_ops.h"
#include "app/api_support.h"
#include "app/daemon.h"

namespace kairos::app {
namespace {

using server::Method;
using server::Request;
using server::Response;
using server::Role;

// The audit log (no CLI twin): id, time, actor, action, subject, detail; by id (newest last).
Result<Table> AuditTable(ports::Store& store, std::string_view subject_prefix,
                         const DateRange& range) {
  KAIROS_ASSIGN_OR_RETURN(auto entries, store.audit().List(subject_prefix));
  Table t{{"id", "time", "actor", "action", "subject", "detail"}, {}};
  for (const AuditEntry& e : entries) {
    std::string time = IsoTime(e.time_ns);
    auto day = Date::Parse(std::string_view(time).substr(0, 10));  // the UTC day
    if (!day.ok() || !range.Contains(*day)) continue;
    t.rows.push_back({std::to_string(e.id), time, e.actor, e.action, e.subject, e.detail});
  }
  return t;
}

Response ListJobs(ApiEnv& env, const Request& request) {
  auto table = JobsTable(env.home, env.store());
  if (!table.ok()) return server::ErrorFrom(table.status());
  return TablePage(request, *table, [](const auto& item) { return CellText(item, "name"); });
}

// Runs newest first, of every job or of ?job=, scheduled within ?from=&to=.
Response JobHistory(ApiEnv& env, const Request& request) {
  auto range = ReadDateRange(request);
  if (auto* error = std::get_if<Response>(&range)) return std::move(*error);
  const DateRange& dates = std::get<DateRange>(range);
  auto table = JobHistoryTable(env.home, env.store(), request.Query("job").value_or(""), 0);
  if (!table.ok()) return server::ErrorFrom(table.status());
  Table kept{table->columns, {}};
  for (auto& row : table->rows) {
    auto day = Date::Parse(std::string_view(row[1]).substr(0, 10));  // scheduled_at
    if (day.ok() && dates.Contains(*day)) kept.rows.push_back(std::move(row));
  }
  return TablePage(request, kept, [](const auto& item) {
    return CellText(item, "scheduled_at") + " " + CellText(item, "job");
  });
}

Response RunJob(ApiEnv& env, const Request& request) {
  if (!env.run_job_now) {
    return server::Error(503, "unavailable", "jobs run only while `kairos serve` runs");
  }
  ports::Store& store = env.store();
  auto spec = FindConfiguredJob(env.home, store, request.params.at("name"));
  if (!spec.ok()) return server::ErrorFrom(spec.status());
  auto started = env.run_job_now(spec->name);
  if (!started.ok()) return server::ErrorFrom(started.status());
  Status audited = AuditMutation(store, *env.clock, request, "job.run", "job:" + spec->name,
                                 nlohmann::json{{"message", *started}});
  if (!audited.ok()) return server::ErrorFrom(audited);
  nlohmann::ordered_json body;
  body["job"] = spec->name;
  body["message"] = *started;
  return server::Json(202, body);
}

// The state key `kairos jobs enable|disable` writes, and its audit row, in one transaction.
Response SetEnabled(ApiEnv& env, const Request& request, bool enabled) {
  const std::string& name = request.params.at("name");
  ports::Store& store = env.store();
  Status st = store.InTransaction([&]() -> Status {
    KAIROS_ASSIGN_OR_RETURN(auto before, SetJobEnabled(env.home, store, name, enabled));
    nlohmann::json detail{{"before", before ? nlohmann::json(*before) : nlohmann::json(nullptr)},
                          {"after", enabled ? "true" : "false"}};
    return AuditMutation(store, *env.clock, request, enabled ? "job.enable" : "job.disable",
                         "job:" + name, detail);
  });
  if (!st.ok()) return server::ErrorFrom(st);
  nlohmann::ordered_json body;
  body["job"] = name;
  body["enabled"] = enabled;
  return server::Json(body);
}

// Newest first, as `kairos alerts list`; ?unsent=true for those not delivered yet.
Response ListAlerts(ApiEnv& env, const Request& request) {
  auto unsent = request.Query("unsent");
  if (unsent && *unsent != "true" && *unsent != "false") {
    return server::Error(422, "invalid", "unsent: expected true or false",
                         nlohmann::json{{"field", "unsent"}});
  }
  auto table = AlertsTable(env.store(), unsent == "true", std::numeric_limits<int>::max());
  if (!table.ok()) return server::ErrorFrom(table.status());
  return TablePage(request, *table, server::IdKey);
}

Response ListAudit(ApiEnv& env, const Request& request) {
  auto range = ReadDateRange(request);
  if (auto* error = std::get_if<Response>(&range)) return std::move(*error);
  auto table =
      AuditTable(env.store(), request.Query("subject").value_or(""), std::get<DateRange>(range));
  if (!table.ok()) return server::ErrorFrom(table.status());
  return TablePage(request, *table, server::IdKey);
}

Response Events(ApiEnv& env) {
  if (env.events == nullptr) {
    return server::Error(503, "unavailable", "live events are served by `kairos serve` only");
  }
  Response r;
  r.content_type = "text/event-stream";
  r.event_stream = true;
  return r;
}

}  // namespace

void AddJobsRoutes(server::Router& router, ApiEnv& env) {
  const server::Access viewer = server::Access::AtLeast(Role::kViewer);
  router.Add({Method::kGet, "/api/v1/jobs", viewer, "jobs",
              "Every job with its schedule and last run (as `kairos jobs list`)",
              server::PageParams(), nullptr, [&env](Request& r) { return ListJobs(env, r); }});
  router.Add({Method::kGet, "/api/v1/jobs/history", viewer, "jobs",
              "Runs of the jobs, newest first (as `kairos jobs history`)",
              server::PageParams({{"job", "Only this job (an instance or a base name)"},
                                  {"from", "Scheduled on or after this date, YYYY-MM-DD"},
                                  {"to", "Scheduled on or before this date, YYYY-MM-DD"}}),
              nullptr, [&env](Request& r) { return JobHistory(env, r); }});
  router.Add({Method::kPost,
              "/api/v1/jobs/{name}/run",
              server::Access::AtLeast(Role::kTrader),
              "jobs",
              "Run a job now through the daemon's scheduler",
              {},
              nullptr,
              [&env](Request& r) { return RunJob(env, r); }});
  for (bool enable : {true, false}) {
    router.Add({Method::kPost,
                enable ? "/api/v1/jobs/{name}/enable" : "/api/v1/jobs/{name}/disable",
                server::Access::AtLeast(Role::kAdmin),
                "jobs",
                enable ? "Enable a job (as `kairos jobs enable`)"
                       : "Disable a job (as `kairos jobs disable`)",
                {},
                nullptr,
                [&env, enable](Request& r) { return SetEnabled(env, r, enable); }});
  }
  router.Add({Method::kGet, "/api/v1/alerts", viewer, "alerts",
              "Alerts of the outbox, newest first (as `kairos alerts list`)",
              server::PageParams({{"unsent", "true: only those not delivered yet", "boolean"}}),
              nullptr, [&env](Request& r) { return ListAlerts(env, r); }});
  router.Add({Method::kGet, "/api/v1/audit", viewer, "audit", "The audit log, newest last",
              server::PageParams({{"subject", "Only subjects starting with this (signal:12, job:)"},
                                  {"from", "On or after this date, YYYY-MM-DD"},
                                  {"to", "On or before this date, YYYY-MM-DD"}}),
              nullptr, [&env](Request& r) { return ListAudit(env, r); }});
  router.Add({Method::kGet,
              "/api/v1/events",
              viewer,
              "events",
              "Live updates as Server-Sent Events (signal, order, fill, job_run, alert, halt)",
              {},
              nullptr,
              [&env](Request&) { return Events(env); }});
}

}  // namespace kairos::app
