#include "app/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

namespace kairos::app {
namespace {

namespace fs = std::filesystem;

// Every field of a config as text, so that a difference shows as a readable diff.
std::string Dump(const DaemonConfig& c) {
  std::string out = fmt::format("daemon {} {} {} {}\n", c.daemon.time_zone, c.daemon.calendar,
                                LogLevelName(c.daemon.log_level), c.daemon.poll_interval_ns);
  for (const auto& j : c.jobs) {
    out +=
        fmt::format("job {} cron='{}' at='{}' tz='{}' cal='{}' so={} lsw={} en={} {} {} {}\n",
                    j.name, j.schedule.cron, j.schedule.at, j.schedule.time_zone,
                    j.schedule.calendar, j.schedule.sessions_only, j.schedule.last_session_of_week,
                    j.enabled, scheduler::MisfireName(j.misfire), j.max_attempts, j.backoff_ns);
  }
  for (const auto& [k, v] : c.alerts) out += fmt::format("alert {} {}\n", k, AlertLevelName(v));
  out += fmt::format("telegram {} '{}' {} [{}]\n", c.telegram.api_base, c.telegram.token,
                     c.telegram.chat_id, fmt::join(c.telegram.allowed_users, ","));
  const ServerSettings& v = c.server;
  out += fmt::format("server {} {} '{}' '{}' [{}] {} {} {} {} {} {} {}\n", v.enabled, v.listen,
                     v.cert_file, v.key_file, fmt::join(v.cors_origins, ","), v.max_body_bytes,
                     v.max_connections, v.read_timeout_ns, v.idle_timeout_ns, v.session_idle_ns,
                     v.session_absolute_ns, v.threads);
  out += fmt::format("backup {} maintenance {}\n", c.backup_keep, c.keep_history_days);
  out += fmt::format("broker {} '{}' '{}' '{}' '{}' '{}' '{}'\n", c.broker.kind, c.broker.base_url,
                     c.broker.data_url, c.broker.key_id_file, c.broker.secret_key_file,
                     c.broker.api_key_file, c.broker.api_secret_file);
  return out;
}

const scheduler::JobSpec& Job(const DaemonConfig& c, std::string_view name) {
  for (const auto& j : c.jobs) {
    if (j.name == name) return j;
  }
  ADD_FAILURE() << "no job " << name;
  return c.jobs.front();
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            fmt::format("kairos_config_test_{}_{}", ::getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
    fs::create_directories(home_);
  }
  void TearDown() override { fs::remove_all(home_); }

  Result<DaemonConfig> Parse(const std::string& text) {
    return ParseConfig(text, "kairos.toml", home_);
  }
  DaemonConfig Ok(const std::string& text) {
    auto c = Parse(text);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? *c : DefaultConfig();
  }
  std::string Error(const std::string& text) {
    auto c = Parse(text);
    EXPECT_FALSE(c.ok());
    return c.ok() ? "" : c.status().message();
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(home_ / name, std::ios::binary) << text;
  }

  fs::path home_;
};

TEST_F(ConfigTest, AbsentFileGivesTheDefaults) {
  auto c = LoadConfig(home_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Dump(*c), Dump(DefaultConfig()));
}

TEST_F(ConfigTest, DefaultsComeFromTheCatalogue) {
  DaemonConfig c = DefaultConfig();
  EXPECT_EQ(c.daemon.time_zone, "UTC");
  EXPECT_EQ(c.daemon.calendar, "NYSE");
  EXPECT_EQ(c.daemon.log_level, LogLevel::kInfo);
  EXPECT_EQ(c.daemon.poll_interval_ns, 1'000'000'000);
  ASSERT_EQ(c.jobs.size(), jobs::BuiltinJobs().size());
  EXPECT_EQ(Job(c, "heartbeat").schedule.cron, "0 8 * * *");
  EXPECT_EQ(Job(c, "heartbeat").schedule.time_zone, "UTC");  // the daemon's zone, resolved
  EXPECT_EQ(Job(c, "scan.daily").schedule.at, "close+20m");
  EXPECT_EQ(Job(c, "scan.daily").schedule.calendar, "");  // per exchange
  EXPECT_EQ(Job(c, "scan.daily").max_attempts, 3);
  EXPECT_EQ(Job(c, "scan.daily").backoff_ns, 30'000'000'000);
  EXPECT_EQ(c.alerts.size(), jobs::AlertKinds().size());
  EXPECT_EQ(c.alerts.at("daemon.heartbeat"), jobs::AlertLevel::kSilent);
  EXPECT_EQ(c.telegram.api_base, "https://api.telegram.org");
  EXPECT_EQ(c.telegram.token, "");
  EXPECT_EQ(c.telegram.chat_id, 0);
  EXPECT_EQ(c.backup_keep, 7);
  EXPECT_EQ(c.keep_history_days, 90);
}

TEST_F(ConfigTest, EmptyFileGivesTheDefaults) {
  Write("kairos.toml", "# nothing set\n");
  auto c = LoadConfig(home_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Dump(*c), Dump(DefaultConfig()));
}

TEST_F(ConfigTest, DaemonKeysOverrideTheDefaults) {
  DaemonConfig c =
      Ok("[daemon]\ntime_zone = \"Asia/Kolkata\"\ncalendar = \"nse\"\nlog_level = \"debug\"\n"
         "poll_interval = \"1m30s\"\n");
  EXPECT_EQ(c.daemon.time_zone, "Asia/Kolkata");
  EXPECT_EQ(c.daemon.calendar, "NSE");  // canonical
  EXPECT_EQ(c.daemon.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.daemon.poll_interval_ns, 90'000'000'000);
  // Cron jobs naming no zone run in the daemon's.
  EXPECT_EQ(Job(c, "backup").schedule.time_zone, "Asia/Kolkata");
}

TEST_F(ConfigTest, JobKeysOverrideTheCatalogue) {
  DaemonConfig c =
      Ok("[jobs.\"scan.daily\"]\nenabled = false\nat = \"close+1h\"\ncalendar = \"NSE\"\n"
         "last_session_of_week = true\nmisfire = \"skip\"\nretries = 0\nretry_backoff = \"5m\"\n"
         "[jobs.heartbeat]\ncron = \"0 7 * * 1-5\"\ntime_zone = \"America/New_York\"\n"
         "sessions_only = true\n");
  const auto& scan = Job(c, "scan.daily");
  EXPECT_FALSE(scan.enabled);
  EXPECT_EQ(scan.schedule.at, "close+1h");
  EXPECT_EQ(scan.schedule.calendar, "NSE");
  EXPECT_TRUE(scan.schedule.last_session_of_week);
  EXPECT_EQ(scan.misfire, scheduler::Misfire::kSkip);
  EXPECT_EQ(scan.max_attempts, 1);
  EXPECT_EQ(scan.backoff_ns, 300'000'000'000);
  const auto& heartbeat = Job(c, "heartbeat");
  EXPECT_EQ(heartbeat.schedule.cron, "0 7 * * 1-5");
  EXPECT_EQ(heartbeat.schedule.time_zone, "America/New_York");
  EXPECT_TRUE(heartbeat.schedule.sessions_only);
  EXPECT_EQ(heartbeat.schedule.calendar, "NYSE");  // [daemon] calendar
  // Untouched jobs keep their defaults.
  EXPECT_EQ(Job(c, "pnl.eod").schedule.at, "close+40m");
}

TEST_F(ConfigTest, CronReplacesADefaultAtScheduleWhole) {
  DaemonConfig c = Ok("[jobs.\"universe.refresh\"]\ncron = \"0 18 * * 5\"\n");
  const auto& job = Job(c, "universe.refresh");
  EXPECT_EQ(job.schedule.cron, "0 18 * * 5");
  EXPECT_EQ(job.schedule.at, "");
  EXPECT_FALSE(job.schedule.last_session_of_week);
  EXPECT_EQ(job.schedule.time_zone, "UTC");
}

TEST_F(ConfigTest, AlertLevelsOverrideTheDefaults) {
  DaemonConfig c = Ok("[alerts]\n\"job.failed\" = \"silent\"\n\"order.sent\" = \"off\"\n");
  EXPECT_EQ(c.alerts.at("job.failed"), jobs::AlertLevel::kSilent);
  EXPECT_EQ(c.alerts.at("order.sent"), jobs::AlertLevel::kOff);
  EXPECT_EQ(c.alerts.at("signal.pending"), jobs::AlertLevel::kOn);
}

TEST_F(ConfigTest, TelegramSettingsAreRead) {
  DaemonConfig c =
      Ok("[telegram]\napi_base = \"http://127.0.0.1:8081/\"\ntoken = \"123:abc\"\n"
         "chat_id = -1001234\nallowed_users = [42, 43]\n");
  EXPECT_EQ(c.telegram.api_base, "http://127.0.0.1:8081");
  EXPECT_EQ(c.telegram.token, "123:abc");
  EXPECT_EQ(c.telegram.chat_id, -1001234);
  EXPECT_EQ(c.telegram.allowed_users, (std::vector<int64_t>{42, 43}));
}

TEST_F(ConfigTest, TokenFileIsReadRelativeToTheHomeAndTrimmed) {
  Write("bot.token", "  123:secret\n");
  DaemonConfig c = Ok("[telegram]\ntoken_file = \"bot.token\"\nchat_id = 5\n");
  EXPECT_EQ(c.telegram.token, "123:secret");
}

TEST_F(ConfigTest, BackupAndMaintenanceKeysOverride) {
  DaemonConfig c = Ok("[backup]\nkeep = 30\n[maintenance]\nkeep_history_days = 365\n");
  EXPECT_EQ(c.backup_keep, 30);
  EXPECT_EQ(c.keep_history_days, 365);
}

TEST_F(ConfigTest, ServerSettingsAreRead) {
  DaemonConfig c =
      Ok("[server]\nenabled = false\nlisten = \"0.0.0.0:9000\"\ncert_file = \"tls/cert.pem\"\n"
         "key_file = \"/etc/kairos/key.pem\"\ncors_origins = [\"https://app.example\"]\n"
         "max_body_bytes = 4096\nmax_connections = 10\nread_timeout = \"5s\"\n"
         "idle_timeout = \"2m\"\nsession_idle = \"1h\"\nsession_absolute = \"48h\"\nthreads = 4\n");
  const ServerSettings& s = c.server;
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.listen, "0.0.0.0:9000");
  EXPECT_EQ(s.cert_file, (home_ / "tls/cert.pem").string());
  EXPECT_EQ(s.key_file, "/etc/kairos/key.pem");
  EXPECT_EQ(s.cors_origins, std::vector<std::string>{"https://app.example"});
  EXPECT_EQ(s.max_body_bytes, 4096);
  EXPECT_EQ(s.max_connections, 10);
  EXPECT_EQ(s.read_timeout_ns, 5'000'000'000);
  EXPECT_EQ(s.idle_timeout_ns, 120'000'000'000);
  EXPECT_EQ(s.session_idle_ns, 3600'000'000'000);
  EXPECT_EQ(s.session_absolute_ns, 48 * 3600'000'000'000);
  EXPECT_EQ(s.threads, 4);
}

TEST_F(ConfigTest, ListenAddressesAreSplit) {
  EXPECT_EQ(ParseListen("127.0.0.1:8720")->host, "127.0.0.1");
  EXPECT_EQ(ParseListen("127.0.0.1:8720")->port, 8720);
  EXPECT_EQ(ParseListen("[::1]:0")->host, "::1");
  for (std::string_view bad : {"localhost:80", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
                               "127.0.0.1:-1", "::1:80", "1.2.3:80", ":80"}) {
    EXPECT_FALSE(ParseListen(bad).has_value()) << bad;
  }
}

TEST_F(ConfigTest, ServerErrorsNameTheirPlace) {
  EXPECT_EQ(Error("[server]\nlisten = \"localhost\"\n"),
            "kairos.toml:2:10: server.listen: expected \"host:port\" with an IP address, like "
            "\"127.0.0.1:8720\", got \"localhost\"");
  EXPECT_EQ(Error("[server]\nread_timeout = \"2h\"\n"),
            "kairos.toml:2:16: server.read_timeout: expected a duration from 1s to 1h like "
            "\"30s\", \"5m\" or \"1h30m\", got \"2h\"");
  EXPECT_EQ(
      Error("[server]\ncors_origins = \"https://a\"\n"),
      "kairos.toml:2:16: server.cors_origins: expected an array of origins, got \"https://a\"");
  EXPECT_EQ(Error("[server]\ncors_origins = [\"https://a/\"]\n"),
            "kairos.toml:2:17: server.cors_origins[0]: expected an origin like "
            "\"https://app.example.com\", got \"https://a/\"");
  EXPECT_EQ(Error("[server]\nthreads = 0\n"),
            "kairos.toml:2:11: server.threads: expected an integer from 1 to 64, got 0");
  EXPECT_EQ(Error("[server]\ncert_file = \"c.pem\"\n"),
            "kairos.toml:1:1: server.key_file: TLS needs both cert_file and key_file");
  EXPECT_EQ(Error("[server]\nport = 80\n").substr(0, 27), "kairos.toml:2:1: server.por");
}

TEST_F(ConfigTest, LoadConfigReadsTheHomesFile) {
  Write("kairos.toml", "[backup]\nkeep = 3\n");
  auto c = LoadConfig(home_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->backup_keep, 3);
}

TEST_F(ConfigTest, LoadConfigRefusesADirectory) {
  fs::create_directories(home_ / "kairos.toml");
  auto c = LoadConfig(home_);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("is a directory"), std::string::npos) << c.status().message();
}

TEST_F(ConfigTest, UnknownKeysAreErrorsWithTheirPlace) {
  EXPECT_EQ(Error("[daemon]\ntime_zon = \"UTC\"\n"),
            "kairos.toml:2:1: daemon.time_zon: unknown key — did you mean 'time_zone'?");
  EXPECT_EQ(Error("[deamon]\n"),
            "kairos.toml:1:2: deamon: unknown section — did you mean 'daemon'?");
  EXPECT_EQ(Error("[jobs.\"scan.daily\"]\nretires = 1\n"),
            "kairos.toml:2:1: jobs.\"scan.daily\".retires: unknown key — did you mean 'retries'?");
}

TEST_F(ConfigTest, UnknownJobNamesAreErrors) {
  EXPECT_EQ(Error("[jobs.\"scan.daly\"]\nenabled = false\n"),
            "kairos.toml:1:7: jobs.\"scan.daly\": unknown job — did you mean 'scan.daily'?");
}

TEST_F(ConfigTest, UnknownAlertKindsAreErrors) {
  EXPECT_EQ(Error("[alerts]\n\"job.faild\" = \"on\"\n"),
            "kairos.toml:2:1: alerts.\"job.faild\": unknown alert kind — did you mean "
            "'job.failed'?");
}

TEST_F(ConfigTest, WrongTypesAreErrors) {
  EXPECT_EQ(Error("[backup]\nkeep = \"7\"\n"),
            "kairos.toml:2:8: backup.keep: expected an integer from 1 to 1000, got \"7\"");
  EXPECT_EQ(Error("[jobs.backup]\nenabled = 1\n"),
            "kairos.toml:2:11: jobs.backup.enabled: expected true or false, got 1");
  EXPECT_EQ(Error("daemon = 5\n"), "kairos.toml:1:10: daemon: expected a table, got 5");
  EXPECT_EQ(Error("[telegram]\nallowed_users = 42\n"),
            "kairos.toml:2:17: telegram.allowed_users: expected an array of user ids, got 42");
  EXPECT_EQ(Error("[telegram]\nallowed_users = [42, \"x\"]\n"),
            "kairos.toml:2:22: telegram.allowed_users[1]: expected an integer >= 1, got "
            "\"x\"");
}

TEST_F(ConfigTest, OutOfRangeNumbersAreErrors) {
  EXPECT_EQ(Error("[jobs.\"pnl.eod\"]\nretries = 11\n"),
            "kairos.toml:2:11: jobs.\"pnl.eod\".retries: expected an integer from 0 to 10, got 11");
  EXPECT_EQ(Error("[maintenance]\nkeep_history_days = 0\n"),
            "kairos.toml:2:21: maintenance.keep_history_days: expected an integer from 1 to "
            "36500, got 0");
}

TEST_F(ConfigTest, BadDurationsAreErrors) {
  const std::string expected =
      "expected a duration from 1s to 30m like \"30s\", \"5m\" or \"1h30m\", got ";
  EXPECT_EQ(Error("[jobs.backup]\nretry_backoff = \"30\"\n"),
            "kairos.toml:2:17: jobs.backup.retry_backoff: " + expected + "\"30\"");
  EXPECT_EQ(Error("[jobs.backup]\nretry_backoff = \"1h\"\n"),
            "kairos.toml:2:17: jobs.backup.retry_backoff: " + expected + "\"1h\"");
  EXPECT_EQ(Error("[daemon]\npoll_interval = \"5x\"\n"),
            "kairos.toml:2:17: daemon.poll_interval: expected a duration from 1s to 1h like "
            "\"30s\", \"5m\" or \"1h30m\", got \"5x\"");
}

TEST_F(ConfigTest, BadEnumValuesAreErrors) {
  EXPECT_EQ(Error("[daemon]\nlog_level = \"loud\"\n"),
            "kairos.toml:2:13: daemon.log_level: expected \"debug\", \"info\", \"warn\" or "
            "\"error\", got \"loud\"");
  EXPECT_EQ(Error("[jobs.\"orders.open\"]\nmisfire = \"later\"\n"),
            "kairos.toml:2:11: jobs.\"orders.open\".misfire: expected \"run_once\" or \"skip\", "
            "got \"later\"");
  EXPECT_EQ(Error("[alerts]\n\"halt\" = \"loud\"\n"),
            "kairos.toml:2:10: alerts.halt: expected \"on\", \"silent\" or \"off\", got \"loud\"");
}

TEST_F(ConfigTest, UnknownTimeZonesAndCalendarsAreErrors) {
  EXPECT_EQ(Error("[daemon]\ntime_zone = \"Mars/Olympus\"\n"),
            "kairos.toml:2:13: daemon.time_zone: expected an IANA time zone like "
            "\"America/New_York\" or \"Asia/Kolkata\", got \"Mars/Olympus\"");
  EXPECT_EQ(Error("[jobs.\"scan.daily\"]\ncalendar = \"LSE\"\n"),
            "kairos.toml:2:12: jobs.\"scan.daily\".calendar: expected a calendar (NSE, NYSE, "
            "WEEKDAYS), got \"LSE\"");
}

TEST_F(ConfigTest, ScheduleShapeErrors) {
  EXPECT_EQ(Error("[jobs.backup]\ncron = \"0 3 * * *\"\nat = \"close\"\n"),
            "kairos.toml:3:6: jobs.backup.at: a job has either cron or at, not both");
  EXPECT_EQ(Error("[jobs.\"scan.daily\"]\ntime_zone = \"UTC\"\n"),
            "kairos.toml:2:13: jobs.\"scan.daily\".time_zone: applies to a cron schedule; an at "
            "schedule runs in its calendar's time zone");
  EXPECT_EQ(Error("[jobs.\"scan.daily\"]\nsessions_only = true\n"),
            "kairos.toml:2:17: jobs.\"scan.daily\".sessions_only: applies to a cron schedule "
            "only");
  EXPECT_EQ(Error("[jobs.backup]\nlast_session_of_week = true\n"),
            "kairos.toml:2:24: jobs.backup.last_session_of_week: applies to an at schedule only");
  EXPECT_EQ(Error("[jobs.backup]\ncron = \"\"\n"),
            "kairos.toml:2:8: jobs.backup.cron: expected a schedule, got \"\"");
}

TEST_F(ConfigTest, TelegramTokenErrors) {
  Write("bot.token", "123:secret\n");
  EXPECT_EQ(Error("[telegram]\ntoken = \"1:a\"\ntoken_file = \"bot.token\"\nchat_id = 5\n"),
            "kairos.toml:3:14: telegram.token_file: give either token or token_file, not both");
  EXPECT_EQ(Error("[telegram]\ntoken = \"1:a\"\n"),
            "kairos.toml:1:1: telegram.chat_id: required when a token is given");
  Write("empty.token", " \n");
  EXPECT_EQ(Error("[telegram]\ntoken_file = \"empty.token\"\nchat_id = 5\n"),
            fmt::format("kairos.toml:2:14: telegram.token_file: {} is empty",
                        (home_ / "empty.token").string()));
  std::string missing = Error("[telegram]\ntoken_file = \"none.token\"\nchat_id = 5\n");
  EXPECT_TRUE(missing.starts_with("kairos.toml:2:14: telegram.token_file: ")) << missing;
  EXPECT_EQ(Error("[telegram]\napi_base = \"ftp://x\"\n"),
            "kairos.toml:2:12: telegram.api_base: expected an http:// or https:// URL, got "
            "\"ftp://x\"");
}

TEST_F(ConfigTest, SyntaxErrorsNameTheirPlace) {
  std::string message = Error("[daemon]\ntime_zone = UTC\n");
  EXPECT_TRUE(message.starts_with("kairos.toml:2:13: TOML syntax error: ")) << message;
}

TEST_F(ConfigTest, EveryProblemIsReportedInFileOrder) {
  EXPECT_EQ(Error("[backup]\nkeep = 0\n[daemon]\nlog_level = \"x\"\nfoo = 1\n"),
            "kairos.toml:2:8: backup.keep: expected an integer from 1 to 1000, got 0\n"
            "kairos.toml:4:13: daemon.log_level: expected \"debug\", \"info\", \"warn\" or "
            "\"error\", got \"x\"\n"
            "kairos.toml:5:1: daemon.foo: unknown key");
}

TEST_F(ConfigTest, TemplateLoadsToTheDefaults) {
  Write("kairos.toml", ConfigTemplate());
  auto c = LoadConfig(home_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Dump(*c), Dump(DefaultConfig()));
}

// Uncommenting every key of the template changes nothing: the commented values are the defaults.
TEST_F(ConfigTest, TemplateWithEveryKeyUncommentedLoadsToTheDefaults) {
  const std::regex key_line(R"(# ("?[a-z_.]+"? = .*))");
  std::string text;
  std::istringstream lines(ConfigTemplate());
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    text += (std::regex_match(line, m, key_line) ? m[1].str() : line) + "\n";
  }
  ASSERT_EQ(text.find("\n# time_zone = "), std::string::npos) << text;
  auto c = Parse(text);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Dump(*c), Dump(DefaultConfig()));
}

TEST_F(ConfigTest, TemplateShowsEveryJobAndAlertKind) {
  std::string text = ConfigTemplate();
  for (const auto& j : jobs::BuiltinJobs()) {
    EXPECT_NE(text.find(fmt::format("[jobs.\"{}\"]", j.spec.name)), std::string::npos)
        << j.spec.name;
  }
  for (const auto& k : jobs::AlertKinds()) {
    EXPECT_NE(text.find(fmt::format("# \"{}\" = ", k.name)), std::string::npos) << k.name;
  }
  EXPECT_NE(text.find("# retry_backoff = \"30s\""), std::string::npos);
}

TEST(DurationTest, ParsesHoursMinutesSecondsInOrder) {
  constexpr int64_t s = 1'000'000'000;
  EXPECT_EQ(ParseDuration("30s"), 30 * s);
  EXPECT_EQ(ParseDuration("5m"), 300 * s);
  EXPECT_EQ(ParseDuration("1h30m"), 5400 * s);
  EXPECT_EQ(ParseDuration("1h0m5s"), 3605 * s);
  for (const char* bad : {"", "30", "m", "5m1h", "1h1h", "1.5h", "-5m", "5 m", "1d", "1001h"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(FormatDuration(5400 * s), "1h30m");
  EXPECT_EQ(FormatDuration(30 * s), "30s");
  EXPECT_EQ(FormatDuration(3605 * s), "1h5s");
}

}  // namespace
}  // namespace kairos::app

namespace kairos::app {
namespace {

std::string ReadDoc() {
  std::ifstream in(fs::path(KAIROS_SOURCE_DIR) / "docs" / "CONFIG.md", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The ```toml examples of docs/CONFIG.md are valid files.
TEST_F(ConfigTest, BrokerSettingsAreReadWithKeyFilesAgainstTheHome) {
  DaemonConfig c =
      Ok("[broker]\nkind = \"alpaca\"\nbase_url = \"http://127.0.0.1:9000/\"\n"
         "data_url = \"https://data.alpaca.markets\"\nkey_id_file = \"keys/alpaca.id\"\n"
         "secret_key_file = \"/etc/kairos/alpaca.secret\"\n");
  EXPECT_EQ(c.broker.kind, "alpaca");
  EXPECT_EQ(c.broker.base_url, "http://127.0.0.1:9000");
  EXPECT_EQ(c.broker.data_url, "https://data.alpaca.markets");
  EXPECT_EQ(c.broker.key_id_file, (home_ / "keys/alpaca.id").string());
  EXPECT_EQ(c.broker.secret_key_file, "/etc/kairos/alpaca.secret");
  DaemonConfig kite =
      Ok("[broker]\nkind = \"kite\"\napi_key_file = \"k\"\napi_secret_file = \"s\"\n");
  EXPECT_EQ(kite.broker.api_key_file, (home_ / "k").string());
  EXPECT_EQ(kite.broker.api_secret_file, (home_ / "s").string());
  EXPECT_EQ(DefaultConfig().broker.kind, "paper");
}

TEST_F(ConfigTest, BrokerErrorsNameTheKey) {
  EXPECT_EQ(Error("[broker]\nkind = \"ib\"\n"),
            "kairos.toml:2:8: broker.kind: expected \"paper\", \"alpaca\" or \"kite\", got \"ib\"");
  EXPECT_EQ(Error("[broker]\nbase_url = \"ftp://x\"\n"),
            "kairos.toml:2:12: broker.base_url: expected an http:// or https:// URL, got "
            "\"ftp://x\"");
  std::string unknown = Error("[broker]\nkey_id = \"PK123\"\n");
  EXPECT_TRUE(unknown.starts_with("kairos.toml:2:1: broker.key_id: ")) << unknown;
  EXPECT_EQ(unknown.find("PK123"), std::string::npos) << unknown;
}

TEST_F(ConfigTest, TheDocumentedExamplesLoad) {
  std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty());
  Write("telegram.token", "123:secret\n");
  int examples = 0;
  for (size_t pos = doc.find("```toml\n"); pos != std::string::npos;
       pos = doc.find("```toml\n", pos)) {
    pos += 8;
    size_t end = doc.find("```", pos);
    ASSERT_NE(end, std::string::npos);
    auto c = Parse(doc.substr(pos, end - pos));
    EXPECT_TRUE(c.ok()) << c.status().message();
    ++examples;
  }
  EXPECT_EQ(examples, 3);
}

// docs/CONFIG.md lists every job and alert kind with its default.
TEST_F(ConfigTest, TheDocumentationListsEveryJobAndAlertKind) {
  std::string doc = ReadDoc();
  for (const auto& j : jobs::BuiltinJobs()) {
    const auto& s = j.spec.schedule;
    std::string row = fmt::format("| `{}` | {} `{}`", j.spec.name, s.cron.empty() ? "at" : "cron",
                                  s.cron.empty() ? s.at : s.cron);
    EXPECT_NE(doc.find(row), std::string::npos) << row;
  }
  for (const auto& k : jobs::AlertKinds()) {
    std::string row = fmt::format("| `{}` | {} |", k.name, jobs::AlertLevelName(k.level));
    EXPECT_NE(doc.find(row), std::string::npos) << row;
  }
}

}  // namespace
}  // namespace kairos::app
