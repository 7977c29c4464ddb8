// The commented kairos.toml that `kairos init` writes, generated from DefaultConfig() and the
// job catalogue so that it always shows the defaults the daemon really uses.
#include <fmt/format.h>

#include "app/config.h"

namespace kairos::app {
namespace {

// "# key = value" padded so that the trailing comments line up.
void Line(std::string& out, std::string_view key, std::string_view value,
          std::string_view comment = {}) {
  std::string assignment = fmt::format("# {} = {}", key, value);
  if (comment.empty()) {
    out += assignment + "\n";
  } else {
    out += fmt::format("{:<40}# {}\n", assignment, comment);
  }
}

std::string Str(std::string_view s) { return fmt::format("\"{}\"", s); }
std::string Bool(bool b) { return b ? "true" : "false"; }

void JobSection(std::string& out, const jobs::JobDefault& job) {
  const scheduler::JobSpec& spec = job.spec;
  out += fmt::format("\n[jobs.\"{}\"]  # {}\n", spec.name, job.description);
  Line(out, "enabled", Bool(spec.enabled));
  if (!spec.schedule.cron.empty()) {
    Line(out, "cron", Str(spec.schedule.cron), "or at = \"close+20m\"");
    Line(out, "time_zone", Str(spec.schedule.time_zone), "empty: [daemon] time_zone");
    Line(out, "calendar", Str(spec.schedule.calendar), "sessions_only: empty = [daemon] calendar");
    Line(out, "sessions_only", Bool(spec.schedule.sessions_only),
         "only when the local date is a session");
  } else {
    Line(out, "at", Str(spec.schedule.at), "or cron = \"30 18 * * 1-5\"");
    Line(out, "calendar", Str(spec.schedule.calendar),
         "empty: each exchange the strategies trade on");
    Line(out, "last_session_of_week", Bool(spec.schedule.last_session_of_week));
  }
  Line(out, "misfire", Str(scheduler::MisfireName(spec.misfire)), "\"run_once\" or \"skip\"");
  Line(out, "retries", std::to_string(spec.max_attempts - 1), "after a transient failure");
  Line(out, "retry_backoff", Str(FormatDuration(spec.backoff_ns)), "doubling, at most 30m");
}

}  // namespace

std::string ConfigTemplate() {
  const DaemonConfig d = DefaultConfig();
  std::string out =
      "# kairos.toml: the settings of `kairos serve` (docs/CONFIG.md describes every key).\n"
      "# Every key is optional. Each line below shows a key with its default value, commented\n"
      "# out: remove the leading \"# \" of a line to change it.\n"
      "\n[daemon]\n";
  Line(out, "time_zone", Str(d.daemon.time_zone), "IANA zone of cron schedules");
  Line(out, "calendar", Str(d.daemon.calendar), "calendar of sessions_only cron jobs");
  Line(out, "log_level", Str(LogLevelName(d.daemon.log_level)), "debug, info, warn or error");
  Line(out, "poll_interval", Str(FormatDuration(d.daemon.poll_interval_ns)),
       "how often to look for outside changes");
  out +=
      "\n# The built-in jobs. A schedule is either cron (in time_zone) or at = \"open\" or "
      "\"close\"\n"
      "# plus or minus a duration, relative to each session of the calendar.\n";
  for (const auto& job : jobs::BuiltinJobs()) JobSection(out, job);
  out += "\n[alerts]  # per event kind: \"on\", \"silent\" (no sound) or \"off\" (outbox only)\n";
  for (const auto& kind : jobs::AlertKinds()) {
    Line(out, Str(kind.name), Str(jobs::AlertLevelName(d.alerts.at(std::string(kind.name)))),
         kind.description);
  }
  out += "\n[telegram]  # without a token alerts stay in the outbox (`kairos alerts list`)\n";
  Line(out, "api_base", Str(d.telegram.api_base));
  Line(out, "token", Str(d.telegram.token), "the bot's token, or:");
  Line(out, "token_file", "\"\"", "a file holding it (relative: to the home)");
  Line(out, "chat_id", std::to_string(d.telegram.chat_id), "where alerts go (needed with a token)");
  Line(out, "allowed_users", "[]", "user ids whose commands are obeyed");
  out += "\n[broker]  # where orders go (README.md \"Brokers\")\n";
  Line(out, "kind", Str(d.broker.kind), "\"paper\", \"alpaca\" or \"kite\"");
  Line(out, "base_url", "\"\"", "empty: the vendor's (Alpaca: paper-api.alpaca.markets)");
  Line(out, "data_url", "\"\"", "empty: the vendor's market-data host");
  Line(out, "key_id_file", "\"\"", "Alpaca key id file; empty: $APCA_API_KEY_ID");
  Line(out, "secret_key_file", "\"\"", "Alpaca secret file; empty: $APCA_API_SECRET_KEY");
  Line(out, "api_key_file", "\"\"", "Kite api key file; empty: $KITE_API_KEY");
  Line(out, "api_secret_file", "\"\"", "Kite api secret file; empty: $KITE_API_SECRET");
  out += "\n[server]  # the HTTP API of `kairos serve` (docs/CONFIG.md: TLS, a reverse proxy)\n";
  const ServerSettings& s = d.server;
  Line(out, "enabled", Bool(s.enabled));
  Line(out, "listen", Str(s.listen), "host:port; loopback unless you mean otherwise");
  Line(out, "cert_file", "\"\"", "with key_file: TLS (PEM; relative: to the home)");
  Line(out, "key_file", "\"\"");
  Line(out, "cors_origins", "[]", "origins allowed cross-origin, e.g. [\"https://app.example\"]");
  Line(out, "max_body_bytes", std::to_string(s.max_body_bytes), "larger request bodies: 413");
  Line(out, "max_connections", std::to_string(s.max_connections), "more are refused (503)");
  Line(out, "read_timeout", Str(FormatDuration(s.read_timeout_ns)),
       "a request must arrive whole within it");
  Line(out, "idle_timeout", Str(FormatDuration(s.idle_timeout_ns)),
       "an idle kept-alive connection is closed");
  Line(out, "session_idle", Str(FormatDuration(s.session_idle_ns)),
       "a session unused this long ends");
  Line(out, "session_absolute", Str(FormatDuration(s.session_absolute_ns)),
       "and any session after this");
  Line(out, "threads", std::to_string(s.threads), "threads serving requests");
  out += "\n[backup]\n";
  Line(out, "keep", std::to_string(d.backup_keep), "backups kept under HOME/backups/");
  out += "\n[maintenance]\n";
  Line(out, "keep_history_days", std::to_string(d.keep_history_days),
       "job runs and sent alerts older than this are pruned");
  return out;
}

}  // namespace kairos::app
