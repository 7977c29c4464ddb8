#include "app/config.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include <date/tz.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "calendar/calendar.h"
#include "core/input_file.h"
#include "rules/diagnostic.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;
using jobs::AlertLevel;
using scheduler::JobSpec;
using scheduler::Misfire;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int kMaxRetries = 10;
// The largest token_file read: a bot token is under 100 bytes.
constexpr size_t kMaxTokenFileBytes = 4096;

const std::vector<std::string_view> kSections = {"daemon",   "jobs",   "alerts",
                                                 "telegram", "backup", "maintenance"};
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
const std::vector<std::string_view> kBackupKeys = {"keep"};
const std::vector<std::string_view> kMaintenanceKeys = {"keep_history_days"};
const std::vector<std::string_view> kLogLevels = {"debug", "info", "warn", "error"};
const std::vector<std::string_view> kMisfires = {"run_once", "skip"};

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  size_t n = 0;
  for (char c : s) {
    if (++n > 60) {
      out += "...";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Alternatives(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += Quoted(names[i]);
  }
  return out;
}

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

// Problems of one file, reported together in file order as "<file>:<line>:<col>: <key>: <text>"
// (the format of strategy files, engine/strategy_file.h).
class Checker {
 public:
  explicit Checker(std::string_view file) : file_(file) {}

  void Add(const toml::source_region& r, std::string_view key, std::string message) {
    problems_.push_back({std::max<int>(1, static_cast<int>(r.begin.line)),
                         std::max<int>(1, static_cast<int>(r.begin.column)),
                         fmt::format("{}: {}", key, message)});
  }

  void Expected(const toml::node& n, std::string_view key, std::string_view what) {
    Add(n.source(), key, fmt::format("expected {}, got {}", what, Got(n)));
  }

  std::optional<std::string> String(const toml::node& n, std::string_view key) {
    if (const auto* s = n.as_string()) return s->get();
    Expected(n, key, "a string");
    return std::nullopt;
  }

  std::optional<bool> Bool(const toml::node& n, std::string_view key) {
    if (const auto* b = n.as_boolean()) return b->get();
    Expected(n, key, "true or false");
    return std::nullopt;
  }

  std::optional<int64_t> Integer(const toml::node& n, std::string_view key, int64_t lo,
                                 int64_t hi) {
    const auto* i = n.as_integer();
    if (i != nullptr && i->get() >= lo && i->get() <= hi) return i->get();
    std::string what = fmt::format("an integer from {} to {}", lo, hi);
    if (hi == std::numeric_limits<int64_t>::max()) {
      what = lo == std::numeric_limits<int64_t>::min() ? "an integer"
                                                       : fmt::format("an integer >= {}", lo);
    }
    Expected(n, key, what);
    return std::nullopt;
  }

  std::optional<size_t> Enum(const toml::node& n, std::string_view key,
                             const std::vector<std::string_view>& names) {
    if (const auto* s = n.as_string()) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (s->get() == names[i]) return i;
      }
    }
    Expected(n, key, Alternatives(names));
    return std::nullopt;
  }

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

  const toml::table* Table(const toml::node& n, std::string_view key) {
    if (const auto* t = n.as_table()) return t;
    Expected(n, key, "a table");
    return nullptr;
  }

  // Keys of `table` not in `known`: "unknown <what>" with a suggestion.
  void UnknownKeys(const toml::table& table, std::string_view prefix,
                   const std::vector<std::string_view>& known, std::string_view what = "key") {
    for (auto&& [k, v] : table) {
      std::string_view name = k.str();
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      Add(k.source(), Key(prefix, name),
          fmt::format("unknown {}{}", what,
                      rules::DidYouMean(name, std::span<const std::string_view>(known))));
    }
  }

  Status Finish() {
    if (problems_.empty()) return Status::Ok();
    std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    std::string out;
    for (const auto& p : problems_) {
      if (!out.empty()) out += '\n';
      out += fmt::format("{}:{}:{}: {}", file_, p.line, p.column, p.text);
    }
    return Status::InvalidArgument(std::move(out));
  }

  // "daemon.time_zone"; a name that is not a bare TOML key is quoted: jobs."scan.daily".
  static std::string Key(std::string_view prefix, std::string_view name) {
    bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-';
    });
    std::string n = bare ? std::string(name) : Quoted(name);
    return prefix.empty() ? n : fmt::format("{}.{}", prefix, n);
  }

 private:
  struct Problem {
    int line;
    int column;
    std::string text;
  };

  static std::string Got(const toml::node& n) {
    if (const auto* s = n.as_string()) return Quoted(s->get());
    if (n.is_table()) return "a table";
    if (n.is_array()) return "an array";
    if (const auto* i = n.as_integer()) return std::to_string(i->get());
    if (const auto* f = n.as_floating_point()) return fmt::format("{}", f->get());
    if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
    return "a date or time";
  }

  std::string_view file_;
  std::vector<Problem> problems_;
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

Result<DaemonConfig> ParseConfig(std::string_view text, std::string_view file_name,
                                 const fs::path& home) {
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: TOML syntax error: {}", file_name,
                                               e.source().begin.line, e.source().begin.column,
                                               e.description()));
  }
  Checker c(file_name);
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

std::string FormatDuration(int64_t ns) {
  int64_t s = ns / kSecond;
  std::string out;
  if (s >= 3600) out += fmt::format("{}h", s / 3600);
  if (s % 3600 >= 60) out += fmt::format("{}m", s % 3600 / 60);
  if (s % 60 != 0 || out.empty()) out += fmt::format("{}s", s % 60);
  return out;
}

}  // namespace kairos::app
