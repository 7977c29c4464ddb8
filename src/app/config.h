#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/alerts.h"
#include "jobs/catalogue.h"
#include "scheduler/job_spec.h"

namespace kairos::app {

// The settings of `kairos serve`, read from HOME/kairos.toml (docs/CONFIG.md documents every
// key). Every key has a default; DefaultConfig() is what an absent or empty file gives.

enum class LogLevel { kDebug, kInfo, kWarn, kError };
std::string_view LogLevelName(LogLevel level);  // "debug", "info", "warn", "error"

struct DaemonSettings {
  std::string time_zone = "UTC";  // IANA zone of cron schedules that name none
  std::string calendar = "NYSE";  // canonical calendar of sessions_only cron jobs naming none
  LogLevel log_level = LogLevel::kInfo;
  int64_t poll_interval_ns = 1'000'000'000;  // how often the daemon looks for outside changes
};

struct TelegramSettings {
  std::string api_base = "https://api.telegram.org";
  std::string token;    // from `token` or the trimmed content of `token_file`; "" = no Telegram
  int64_t chat_id = 0;  // where alerts go; 0 = not set
  std::vector<int64_t> allowed_users;  // user ids whose commands are obeyed
};

// [server]: the HTTP API of `kairos serve` (docs/CONFIG.md).
struct ServerSettings {
  bool enabled = true;
  std::string listen = "127.0.0.1:8720";  // host:port; loopback unless configured
  std::string cert_file,
      key_file;  // both set: TLS (PEM files; relative in kairos.toml: to the home)
  std::vector<std::string> cors_origins;     // exact origins allowed cross-origin; empty: none
  int64_t max_body_bytes = 1 << 20;          // larger bodies: 413
  int max_connections = 256;                 // more are refused at accept
  int64_t read_timeout_ns = 10'000'000'000;  // a request must arrive whole within this
  int64_t idle_timeout_ns = 60'000'000'000;  // a kept-alive connection idle this long is closed
  int64_t session_idle_ns = 8LL * 3600 * 1'000'000'000;       // a session unused this long ends
  int64_t session_absolute_ns = 7LL * 86400 * 1'000'000'000;  // and any session after this
  int threads = 2;                                            // threads serving requests
};

// [broker]: where orders go (docs/CONFIG.md). Credentials are named by file here (paths made
// absolute against the home); their content is read only when the broker is built
// (adapters/alpaca/credentials.h), with the vendors' environment variables as the fallback.
struct BrokerSettings {
  std::string kind = "paper";  // "paper", "alpaca" or "kite"
  std::string base_url;        // empty: the vendor's (Alpaca's paper host, Kite's API host)
  std::string data_url;        // empty: the vendor's market-data host
  std::string key_id_file, secret_key_file;   // Alpaca; empty: APCA_API_KEY_ID / _SECRET_KEY
  std::string api_key_file, api_secret_file;  // Kite; empty: KITE_API_KEY / KITE_API_SECRET
};
// [server] listen split: "127.0.0.1:8720" -> {"127.0.0.1", 8720}; "[::1]:8720" -> {"::1", 8720}.
// nullopt unless the host is an IPv4 or bracketed IPv6 address and the port 0 to 65535.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
std::optional<ListenAddress> ParseListen(std::string_view text);

struct DaemonConfig {
  DaemonSettings daemon;
  // Every built-in job in catalogue order (jobs::BuiltinJobs), its defaults overridden by
  // [jobs."name"]. Schedules are checked for shape only: the daemon runs scheduler::Schedule::Parse
  // on each at start. Resolved: a cron job naming no time_zone has [daemon] time_zone, a
  // sessions_only job naming no calendar has [daemon] calendar; calendars are canonical ("NYSE").
  std::vector<scheduler::JobSpec> jobs;
  // Every alert kind (jobs::AlertKinds) with its level.
  std::map<std::string, jobs::AlertLevel, std::less<>> alerts;
  TelegramSettings telegram;
  ServerSettings server;
  BrokerSettings broker;
  int backup_keep = 7;         // [backup] keep: backups kept under HOME/backups/
  int keep_history_days = 90;  // [maintenance] keep_history_days
};

// The file name under the home.
inline constexpr std::string_view kConfigFileName = "kairos.toml";
// The largest kairos.toml read: a fully written file is a few KiB.
inline constexpr size_t kMaxConfigFileBytes = size_t{1} << 20;  // 1 MiB

DaemonConfig DefaultConfig();

// The [alerts] levels as engine::Alerts applies them (silent and off kinds).
engine::Alerts::Options AlertOptions(const DaemonConfig& config);

// HOME/kairos.toml read and checked; DefaultConfig() when the file does not exist. Every problem
// of the file is reported at once, one per line in file order, as
//   kairos.toml:<line>:<col>: <key>: <what was expected>, got <what was there>
// e.g. `kairos.toml:3:11: jobs."scan.daily".retries: expected an integer from 0 to 10, got -1`.
Result<DaemonConfig> LoadConfig(const std::filesystem::path& home);

// The text of a kairos.toml checked as LoadConfig does. `file_name` names it in messages; a
// relative telegram token_file is read relative to `home`. Never throws.
Result<DaemonConfig> ParseConfig(std::string_view text, std::string_view file_name,
                                 const std::filesystem::path& home);

// The commented kairos.toml `kairos init` writes: every key with its default value, commented
// out, built from DefaultConfig() and the catalogue. ParseConfig of it gives DefaultConfig(), and
// so does the text with every such key uncommented.
std::string ConfigTemplate();

// "30s", "5m", "1h30m": hours, minutes and seconds, each at most once and in that order, at least
// one; nullopt for anything else or more than 1,000 hours. FormatDuration is its inverse.
std::optional<int64_t> ParseDuration(std::string_view text);
std::string FormatDuration(int64_t ns);

}  // namespace kairos::app
