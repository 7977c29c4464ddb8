#include "app/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include <date/tz.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "calendar/calendar.h"
#include "core/input_file.h"
#include "engine/toml_checker.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;
using engine::Quoted;
using jobs::AlertLevel;
using scheduler::JobSpec;
using scheduler::Misfire;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int kMaxRetries = 10;
// The largest token_file read: a bot token is under 100 bytes.
constexpr size_t kMaxTokenFileBytes = 4096;

const std::vector<std::string_view> kSections = {"daemon", "jobs",   "alerts", "telegram",
                                                 "server", "broker", "backup", "maintenance"};
const std::vector<std::string_view> kDaemonKeys = {"time_zone", "calendar", "log_level",
                                                   "poll_interval"};
const std::vector<std::string_view> kJobKeys = {"enabled",
                                                "cron",
                                                "at",
                                                "time_zone",
                                                "calendar",
                                                "sessions_only",
                                                "last_session_of_week",
                                                "misfire",
                                                "retries",
                                                "retry_backoff"};
const std::vector<std::string_view> kTelegramKeys = {"api_base", "token", "token_file", "chat_id",
                                                     "allowed_users"};
const std::vector<std::string_view> kBrokerKeys = {
    "kind",         "base_url",       "data_url", "key_id_file", "secret_key_file",
    "api_key_file", "api_secret_file"};
const std::vector<std::string_view> kBrokerKinds = {"paper", "alpaca", "kite"};
const std::vector<std::string_view> kServerKeys = {
    "enabled",      "listen",         "cert_file",        "key_file",
    "cors_origins", "max_body_bytes", "max_connections",  "read_timeout",
    "idle_timeout", "session_idle",   "session_absolute", "threads"};
const std::vector<std::string_view> kBackupKeys = {"keep"};
const std::vector<std::string_view> kMaintenanceKeys = {"keep_history_days"};
const std::vector<std::string_view> kLogLevels = {"debug", "info", "warn", "error"};
const std::vector<std::string_view> kMisfires = {"run_once", "skip"};

std::vector<std::string_view> JobNames() {
  std::vector<std::string_view> names;
  for (const auto& j : jobs::BuiltinJobs()) names.push_back(j.spec.name);
  return names;
}

std::vector<std::string_view> AlertKindNames() {
  std::vector<std::string_view> names;
  for (const auto& k : jobs::AlertKinds()) names.push_back(k.name);
  return names;
}

// kairos.toml's own checks on top of the shared ones (engine/toml_checker.h): durations.
class Checker : public engine::TomlChecker {
 public:
  using TomlChecker::TomlChecker;

  // A duration in [lo, hi] ns.
  std::optional<int64_t> Duration(const toml::node& n, std::string_view key, int64_t lo,
                                  int64_t hi) {
    std::optional<int64_t> v;
    if (const auto* s = n.as_string()) v = ParseDuration(s->get());
    if (v && *v >= lo && *v <= hi) return v;
    Expected(n, key,
             fmt::format("a duration from {} to {} like \"30s\", \"5m\" or \"1h30m\"",
                         FormatDuration(lo), FormatDuration(hi)));
    return std::nullopt;
  }
};

// A known calendar's canonical name ("nse" -> "NSE"), or a problem.
std::optional<std::string> CalendarName(Checker& c, const toml::node& n, std::string_view key) {
  auto name = c.String(n, key);
  if (!name) return std::nullopt;
  if (name->empty()) return name;
  auto cal = calendar::ExchangeCalendar::ForExchange(*name);
  if (cal.ok()) return std::string((*cal)->name());
  std::string known;
  for (const auto& k : calendar::ExchangeCalendar::Names())
    known += (known.empty() ? "" : ", ") + k;
  c.Expected(n, key, fmt::format("a calendar ({})", known));
  return std::nullopt;
}

std::optional<std::string> TimeZone(Checker& c, const toml::node& n, std::string_view key,
                                    bool allow_empty) {
  auto zone = c.String(n, key);
  if (!zone) return std::nullopt;
  if (zone->empty() && allow_empty) return zone;
  try {
    if (!zone->empty() && date::locate_zone(*zone) != nullptr) return zone;
  } catch (const std::exception&) {
  }
  c.Expected(n, key, "an IANA time zone like \"America/New_York\" or \"Asia/Kolkata\"");
  return std::nullopt;
}

void ReadDaemon(Checker& c, const toml::table& t, DaemonSettings& d) {
  c.UnknownKeys(t, "daemon", kDaemonKeys);
  if (const auto* n = t.get("time_zone")) {
    if (auto v = TimeZone(c, *n, "daemon.time_zone", false)) d.time_zone = *v;
  }
  if (const auto* n = t.get("calendar")) {
    auto v = CalendarName(c, *n, "daemon.calendar");
    if (v && v->empty()) c.Expected(*n, "daemon.calendar", "a calendar name");
    if (v && !v->empty()) d.calendar = *v;
  }
  if (const auto* n = t.get("log_level")) {
    if (auto v = c.Enum(*n, "daemon.log_level", kLogLevels)) d.log_level = LogLevel(*v);
  }
  if (const auto* n = t.get("poll_interval")) {
    if (auto v = c.Duration(*n, "daemon.poll_interval", kSecond, 3600 * kSecond)) {
      d.poll_interval_ns = *v;
    }
  }
}

// One [jobs."name"] table over the job's defaults. Setting `cron` or `at` replaces the default
// schedule as a whole, so a cron override of a session-relative job keeps none of its `at` keys.
void ReadJob(Checker& c, const toml::table& t, std::string_view prefix, JobSpec& job) {
  c.UnknownKeys(t, prefix, kJobKeys);
  auto key = [&](std::string_view k) { return fmt::format("{}.{}", prefix, k); };
  const toml::node* cron = t.get("cron");
  const toml::node* at = t.get("at");
  if (cron != nullptr && at != nullptr) {
    c.Add(at->source(), key("at"), "a job has either cron or at, not both");
    return;
  }
  if (cron != nullptr || at != nullptr) job.schedule = {};
  auto schedule_text = [&](const toml::node* n, std::string_view k, std::string& out) {
    if (n == nullptr) return;
    auto v = c.String(*n, key(k));
    if (v && v->empty()) c.Expected(*n, key(k), "a schedule");
    if (v && !v->empty()) out = *v;
  };
  schedule_text(cron, "cron", job.schedule.cron);
  schedule_text(at, "at", job.schedule.at);
  const bool is_cron = !job.schedule.cron.empty() || cron != nullptr;
  if (const auto* n = t.get("time_zone")) {
    if (!is_cron) {
      c.Add(n->source(), key("time_zone"),
            "applies to a cron schedule; an at schedule runs in its calendar's time zone");
    } else if (auto v = TimeZone(c, *n, key("time_zone"), true)) {
      job.schedule.time_zone = *v;
    }
  }
  if (const auto* n = t.get("calendar")) {
    if (auto v = CalendarName(c, *n, key("calendar"))) job.schedule.calendar = *v;
  }
  if (const auto* n = t.get("sessions_only")) {
    auto v = c.Bool(*n, key("sessions_only"));
    if (v && *v && !is_cron) {
      c.Add(n->source(), key("sessions_only"), "applies to a cron schedule only");
    } else if (v) {
      job.schedule.sessions_only = *v;
    }
  }
  if (const auto* n = t.get("last_session_of_week")) {
    auto v = c.Bool(*n, key("last_session_of_week"));
    if (v && *v && is_cron) {
      c.Add(n->source(), key("last_session_of_week"), "applies to an at schedule only");
    } else if (v) {
      job.schedule.last_session_of_week = *v;
    }
  }
  if (const auto* n = t.get("enabled")) {
    if (auto v = c.Bool(*n, key("enabled"))) job.enabled = *v;
  }
  if (const auto* n = t.get("misfire")) {
    if (auto v = c.Enum(*n, key("misfire"), kMisfires)) job.misfire = Misfire(*v);
  }
  if (const auto* n = t.get("retries")) {
    if (auto v = c.Integer(*n, key("retries"), 0, kMaxRetries)) job.max_attempts = int(*v) + 1;
  }
  if (const auto* n = t.get("retry_backoff")) {
    if (auto v = c.Duration(*n, key("retry_backoff"), kSecond, 1800 * kSecond)) {
      job.backoff_ns = *v;
    }
  }
}

void ReadJobs(Checker& c, const toml::table& t, std::vector<JobSpec>& jobs) {
  c.UnknownKeys(t, "jobs", JobNames(), "job");
  for (JobSpec& job : jobs) {
    const toml::node* n = t.get(job.name);
    if (n == nullptr) continue;
    std::string prefix = Checker::Key("jobs", job.name);
    if (const auto* table = c.Table(*n, prefix)) ReadJob(c, *table, prefix, job);
  }
}

void ReadAlerts(Checker& c, const toml::table& t,
                std::map<std::string, AlertLevel, std::less<>>& alerts) {
  c.UnknownKeys(t, "alerts", AlertKindNames(), "alert kind");
  for (auto& [kind, level] : alerts) {
    if (const auto* n = t.get(kind)) {
      auto v = c.Enum(*n, Checker::Key("alerts", kind), jobs::AlertLevelNames());
      if (v) level = AlertLevel(*v);
    }
  }
}

std::string Trimmed(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(ws) - b + 1));
}

void ReadTelegram(Checker& c, const toml::table& t, const fs::path& home, TelegramSettings& tg) {
  c.UnknownKeys(t, "telegram", kTelegramKeys);
  if (const auto* n = t.get("api_base")) {
    auto v = c.String(*n, "telegram.api_base");
    if (v && (v->starts_with("https://") || v->starts_with("http://")) && v->size() > 8) {
      tg.api_base = *v;
      while (tg.api_base.ends_with('/')) tg.api_base.pop_back();
    } else if (v) {
      c.Expected(*n, "telegram.api_base", "an http:// or https:// URL");
    }
  }
  const toml::node* token = t.get("token");
  const toml::node* token_file = t.get("token_file");
  std::optional<std::string> token_text = token ? c.String(*token, "telegram.token") : std::nullopt;
  std::optional<std::string> file =
      token_file ? c.String(*token_file, "telegram.token_file") : std::nullopt;
  if (token_text && !token_text->empty() && file && !file->empty()) {
    c.Add(token_file->source(), "telegram.token_file", "give either token or token_file, not both");
  } else if (token_text && !token_text->empty()) {
    tg.token = Trimmed(*token_text);
  } else if (file && !file->empty()) {
    fs::path path = fs::path(*file).is_absolute() ? fs::path(*file) : home / *file;
    auto content = ReadInputFile(path, "token file", kMaxTokenFileBytes);
    if (!content.ok()) {
      c.Add(token_file->source(), "telegram.token_file", content.status().message());
    } else if (Trimmed(*content).empty()) {
      c.Add(token_file->source(), "telegram.token_file", fmt::format("{} is empty", path.string()));
    } else {
      tg.token = Trimmed(*content);
    }
  }
  if (const auto* n = t.get("chat_id")) {
    if (auto v = c.Integer(*n, "telegram.chat_id", std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max())) {
      tg.chat_id = *v;
    }
  }
  if (const auto* n = t.get("allowed_users")) {
    if (const auto* a = n->as_array()) {
      for (size_t i = 0; i < a->size(); ++i) {
        auto v = c.Integer(*a->get(i), fmt::format("telegram.allowed_users[{}]", i), 1,
                           std::numeric_limits<int64_t>::max());
        if (v) tg.allowed_users.push_back(*v);
      }
    } else {
      c.Expected(*n, "telegram.allowed_users", "an array of user ids");
    }
  }
  if (!tg.token.empty() && tg.chat_id == 0) {
    c.Add(t.source(), "telegram.chat_id", "required when a token is given");
  }
}

// A file named in kairos.toml: relative paths are relative to the home.
std::string HomePath(const fs::path& home, const std::string& file) {
  return fs::path(file).is_absolute() ? file : (home / file).string();
}

void ReadBroker(Checker& c, const toml::table& t, const fs::path& home, BrokerSettings& b) {
  c.UnknownKeys(t, "broker", kBrokerKeys);
  if (const auto* n = t.get("kind")) {
    auto v = c.String(*n, "broker.kind");
    if (v && std::find(kBrokerKinds.begin(), kBrokerKinds.end(), *v) != kBrokerKinds.end()) {
      b.kind = *v;
    } else if (v) {
      c.Expected(*n, "broker.kind", "\"paper\", \"alpaca\" or \"kite\"");
    }
  }
  for (auto [key, out] : {std::pair{"base_url", &b.base_url}, std::pair{"data_url", &b.data_url}}) {
    const auto* n = t.get(key);
    if (n == nullptr) continue;
    std::string name = fmt::format("broker.{}", key);
    auto v = c.String(*n, name);
    if (!v) continue;
    if (v->empty() ||
        ((v->starts_with("https://") || v->starts_with("http://")) && v->size() > 8)) {
      *out = *v;
      while (out->ends_with('/')) out->pop_back();
    } else {
      c.Expected(*n, name, "an http:// or https:// URL");
    }
  }
  for (auto [key, out] :
       {std::pair{"key_id_file", &b.key_id_file}, std::pair{"secret_key_file", &b.secret_key_file},
        std::pair{"api_key_file", &b.api_key_file},
        std::pair{"api_secret_file", &b.api_secret_file}}) {
    const auto* n = t.get(key);
    if (n == nullptr) continue;
    auto v = c.String(*n, fmt::format("broker.{}", key));
    if (v && !v->empty()) *out = HomePath(home, *v);
  }
}

void ReadServerDurations(Checker& c, const toml::table& t, ServerSettings& s) {
  const std::pair<std::string_view, int64_t*> durations[] = {
      {"read_timeout", &s.read_timeout_ns},
      {"idle_timeout", &s.idle_timeout_ns},
      {"session_idle", &s.session_idle_ns},
      {"session_absolute", &s.session_absolute_ns}};
  for (const auto& [name, field] : durations) {
    const toml::node* n = t.get(name);
    if (n == nullptr) continue;
    bool session = name.starts_with("session");
    int64_t lo = session ? 60 * kSecond : kSecond;
    int64_t hi = session ? 1000 * 3600 * kSecond : 3600 * kSecond;
    if (auto v = c.Duration(*n, fmt::format("server.{}", name), lo, hi)) *field = *v;
  }
}

void ReadServer(Checker& c, const toml::table& t, const fs::path& home, ServerSettings& s) {
  c.UnknownKeys(t, "server", kServerKeys);
  if (const auto* n = t.get("enabled")) {
    if (auto v = c.Bool(*n, "server.enabled")) s.enabled = *v;
  }
  if (const auto* n = t.get("listen")) {
    auto v = c.String(*n, "server.listen");
    if (v && ParseListen(*v)) {
      s.listen = *v;
    } else if (v) {
      c.Expected(*n, "server.listen", "\"host:port\" with an IP address, like \"127.0.0.1:8720\"");
    }
  }
  for (auto [name, field] : {std::pair{"cert_file", &s.cert_file}, {"key_file", &s.key_file}}) {
    if (const auto* n = t.get(name)) {
      auto v = c.String(*n, fmt::format("server.{}", name));
      if (v && !v->empty()) *field = HomePath(home, *v);
    }
  }
  if (s.cert_file.empty() != s.key_file.empty()) {
    c.Add(t.source(), s.cert_file.empty() ? "server.cert_file" : "server.key_file",
          "TLS needs both cert_file and key_file");
  }
  if (const auto* n = t.get("cors_origins")) {
    if (const auto* a = n->as_array()) {
      for (size_t i = 0; i < a->size(); ++i) {
        std::string key = fmt::format("server.cors_origins[{}]", i);
        auto v = c.String(*a->get(i), key);
        if (v && (v->starts_with("https://") || v->starts_with("http://")) && !v->ends_with('/')) {
          s.cors_origins.push_back(*v);
        } else if (v) {
          c.Expected(*a->get(i), key, "an origin like \"https://app.example.com\"");
        }
      }
    } else {
      c.Expected(*n, "server.cors_origins", "an array of origins");
    }
  }
  if (const auto* n = t.get("max_body_bytes")) {
    if (auto v = c.Integer(*n, "server.max_body_bytes", 1024, int64_t{1} << 30)) {
      s.max_body_bytes = *v;
    }
  }
  if (const auto* n = t.get("max_connections")) {
    if (auto v = c.Integer(*n, "server.max_connections", 1, 100000)) s.max_connections = int(*v);
  }
  if (const auto* n = t.get("threads")) {
    if (auto v = c.Integer(*n, "server.threads", 1, 64)) s.threads = int(*v);
  }
  ReadServerDurations(c, t, s);
}

// Fills what a job left to the daemon's settings (DaemonConfig::jobs).
void Resolve(DaemonConfig& config) {
  for (JobSpec& job : config.jobs) {
    if (job.schedule.cron.empty()) continue;
    if (job.schedule.time_zone.empty()) job.schedule.time_zone = config.daemon.time_zone;
    if (job.schedule.sessions_only && job.schedule.calendar.empty()) {
      job.schedule.calendar = config.daemon.calendar;
    }
  }
}

void ReadRoot(Checker& c, const toml::table& root, const fs::path& home, DaemonConfig& config) {
  c.UnknownKeys(root, "", kSections, "section");
  auto section = [&](std::string_view name) -> const toml::table* {
    const toml::node* n = root.get(name);
    return n == nullptr ? nullptr : c.Table(*n, name);
  };
  if (const auto* t = section("daemon")) ReadDaemon(c, *t, config.daemon);
  if (const auto* t = section("jobs")) ReadJobs(c, *t, config.jobs);
  if (const auto* t = section("alerts")) ReadAlerts(c, *t, config.alerts);
  if (const auto* t = section("telegram")) ReadTelegram(c, *t, home, config.telegram);
  if (const auto* t = section("broker")) ReadBroker(c, *t, home, config.broker);
  if (const auto* t = section("server")) ReadServer(c, *t, home, config.server);
  if (const auto* t = section("backup")) {
    c.UnknownKeys(*t, "backup", kBackupKeys);
    if (const auto* n = t->get("keep")) {
      if (auto v = c.Integer(*n, "backup.keep", 1, 1000)) config.backup_keep = int(*v);
    }
  }
  if (const auto* t = section("maintenance")) {
    c.UnknownKeys(*t, "maintenance", kMaintenanceKeys);
    if (const auto* n = t->get("keep_history_days")) {
      if (auto v = c.Integer(*n, "maintenance.keep_history_days", 1, 36500)) {
        config.keep_history_days = int(*v);
      }
    }
  }
}

}  // namespace

std::string_view LogLevelName(LogLevel level) { return kLogLevels[static_cast<size_t>(level)]; }

DaemonConfig DefaultConfig() {
  DaemonConfig config;
  for (const auto& j : jobs::BuiltinJobs()) config.jobs.push_back(j.spec);
  for (const auto& k : jobs::AlertKinds()) config.alerts.emplace(std::string(k.name), k.level);
  Resolve(config);
  return config;
}

engine::Alerts::Options AlertOptions(const DaemonConfig& config) {
  engine::Alerts::Options options;
  for (const auto& [kind, level] : config.alerts) {
    if (level == AlertLevel::kOff) options.off.insert(kind);
    if (level == AlertLevel::kSilent) options.silent.insert(kind);
  }
  return options;
}

Result<DaemonConfig> ParseConfig(std::string_view text, std::string_view file_name,
                                 const fs::path& home) {
  KAIROS_ASSIGN_OR_RETURN(toml::table root, engine::ParseTomlText(text, file_name));
  Checker c(text, file_name);
  DaemonConfig config = DefaultConfig();
  for (auto& job : config.jobs) job = jobs::FindJob(job.name)->spec;  // unresolved defaults
  ReadRoot(c, root, home, config);
  KAIROS_RETURN_IF_ERROR(c.Finish());
  Resolve(config);
  return config;
}

Result<DaemonConfig> LoadConfig(const fs::path& home) {
  fs::path path = home / kConfigFileName;
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return DefaultConfig();
  KAIROS_ASSIGN_OR_RETURN(std::string text,
                          ReadInputFile(path, "settings file", kMaxConfigFileBytes));
  return ParseConfig(text, kConfigFileName, home);
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  constexpr std::pair<char, int64_t> kUnits[] = {{'h', 3600}, {'m', 60}, {'s', 1}};
  int64_t seconds = 0;
  size_t unit = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t digits = 0;
    int64_t n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 7) {
      n = n * 10 + (text[pos++] - '0');
      ++digits;
    }
    if (digits == 0 || pos == text.size()) return std::nullopt;
    while (unit < std::size(kUnits) && kUnits[unit].first != text[pos]) ++unit;
    if (unit == std::size(kUnits)) return std::nullopt;
    seconds += n * kUnits[unit++].second;
    ++pos;
  }
  if (pos == 0 || seconds > 1000 * 3600) return std::nullopt;
  return seconds * kSecond;
}

std::optional<ListenAddress> ParseListen(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string host(text.substr(0, colon));
  std::string_view port = text.substr(colon + 1);
  int value = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 0 ||
      value > 65535) {
    return std::nullopt;
  }
  bool v6 = host.size() > 2 && host.front() == '[' && host.back() == ']';
  if (v6) host = host.substr(1, host.size() - 2);
  unsigned char address[16];
  if (inet_pton(v6 ? AF_INET6 : AF_INET, host.c_str(), address) != 1) return std::nullopt;
  return ListenAddress{host, static_cast<uint16_t>(value)};
}

std::string FormatDuration(int64_t ns) {
  int64_t s = ns / kSecond;
  std::string out;
  if (s >= 3600) out += fmt::format("{}h", s / 3600);
  if (s % 3600 >= 60) out += fmt::format("{}m", s % 3600 / 60);
  if (s % 60 != 0 || out.empty()) out += fmt::format("{}s", s % 60);
  return out;
}

}  // namespace kairos::app
