// `kairos serve`, `serve --simulate`, `jobs` and `alerts` driven as a user would.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "adapters/telegram/testing/bot_api_standin.h"
#include "cli_testing.h"

namespace {

using kairos::testing::Lines;
using kairos::testing::Outcome;
using kairos::testing::Quote;
using kairos::testing::ReadFile;
namespace fs = std::filesystem;

class ServeCliTest : public kairos::testing::KairosCliTest {
 protected:
  // A demo-like home: synthetic bars and the two example strategies.
  void MakeHome(const fs::path& home) {
    fs::path saved = home_;
    home_ = home;
    Outcome synth =
        Kairos({"data", "synth", "--symbols", "30", "--sessions", "300", "--seed", "42"});
    ASSERT_EQ(synth.code, 0) << synth.err;
    for (std::string name : {"sma_cross", "rsi_dip"}) {
      Outcome st =
          Kairos({"strategy", "import",
                  std::string(KAIROS_SOURCE_DIR) + "/examples/strategies/" + name + ".toml"});
      ASSERT_EQ(st.code, 0) << st.err;
    }
    home_ = saved;
  }

  // The last `n` NYSE sessions with bars in `home`, first and last.
  std::pair<std::string, std::string> LastSessions(int n) {
    Outcome list = Kairos({"data", "list", "--format", "csv"});
    std::string last = Lines(list.out)[1].substr(Lines(list.out)[1].find(",2") + 1);
    last = last.substr(last.find(',') + 1, 10);
    Outcome s = Kairos(
        {"calendar", "sessions", "--exchange", "NYSE", "--from", "2025-01-01", "--to", last});
    auto lines = Lines(s.out);
    std::string first = lines[lines.size() - n].substr(0, 10);
    return {first, last};
  }

  std::string State(const fs::path& home) {
    fs::path saved = home_;
    home_ = home;
    std::string s;
    for (auto args : std::vector<std::vector<std::string>>{{"fills", "list", "--format", "csv"},
                                                           {"pnl", "daily", "--format", "csv"},
                                                           {"orders", "list", "--format", "csv"}}) {
      Outcome r = Kairos(args);
      EXPECT_EQ(r.code, 0) << r.err;
      s += r.out;
    }
    home_ = saved;
    return s;
  }

  // Starts `kairos serve` in the background; its exit status lands in dir_/rc. Its API listens on
  // an ephemeral port unless kairos.toml says otherwise (tests run side by side).
  void StartDaemon(const std::string& env = "") {
    // A previous daemon's files must not be read as this one's (its log line, its pid).
    for (const char* f : {"daemon.log", "pid", "rc"}) fs::remove(dir_ / f);
    std::string config = ReadFile(home_ / "kairos.toml");
    if (config.find("[server]") == std::string::npos) {
      kairos::testing::WriteFile(home_ / "kairos.toml",
                                 config + "\n[server]\nlisten = \"127.0.0.1:0\"\n");
    }
    std::string cmd = "(" + env + " " + Quote(KAIROS_BIN) + " --home " + Quote(home_.string()) +
                      " serve 2>" + Quote((dir_ / "daemon.log").string()) + " & echo $! >" +
                      Quote((dir_ / "pid").string()) + "; wait $!; echo $? >" +
                      Quote((dir_ / "rc").string()) + ") &";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    ASSERT_TRUE(WaitFor([&] {
      return ReadFile(dir_ / "daemon.log").find("kairos serve on") != std::string::npos;
    })) << ReadFile(dir_ / "daemon.log");
    ASSERT_TRUE(WaitFor([&] { return ReadFile(dir_ / "pid").find('\n') != std::string::npos; }));
    pid_ = std::stoi(ReadFile(dir_ / "pid"));
  }

  template <typename F>
  bool WaitFor(F f) {
    for (int i = 0; i < 300; ++i) {
      if (f()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::string WaitExit() {
    EXPECT_TRUE(WaitFor([&] { return fs::exists(dir_ / "rc") && !ReadFile(dir_ / "rc").empty(); }));
    std::string rc = ReadFile(dir_ / "rc");
    return rc.substr(0, rc.find('\n'));
  }

  int pid_ = 0;
};

TEST_F(ServeCliTest, SimulateGivesTheFillsAndPnlOfRunDay) {
  MakeHome(home_);
  fs::path other = dir_ / "other";
  MakeHome(other);
  auto [from, to] = LastSessions(12);
  Outcome rd = Kairos({"run-day", "--from", from, "--to", to, "--format", "csv"});
  ASSERT_EQ(rd.code, 0) << rd.err;
  fs::path saved = home_;
  home_ = other;
  Outcome sim = Kairos({"serve", "--simulate", "--from", from, "--to", to});
  home_ = saved;
  ASSERT_EQ(sim.code, 0) << sim.err;
  std::string a = State(home_), b = State(other);
  EXPECT_GT(Lines(a).size(), 6u) << a;  // there is something to compare
  EXPECT_EQ(a, b);
}

TEST_F(ServeCliTest, SimulateRecordsEveryJobAndItsAlerts) {
  MakeHome(home_);
  auto [from, to] = LastSessions(5);
  Outcome sim = Kairos({"serve", "--simulate", "--from", from, "--to", to});
  ASSERT_EQ(sim.code, 0) << sim.err;
  Outcome h = Kairos({"jobs", "history", "pnl.eod", "--format", "csv"});
  ASSERT_EQ(h.code, 0) << h.err;
  ASSERT_EQ(Lines(h.out).size(), 6u) << h.out;
  EXPECT_EQ(Lines(h.out)[0], "job,scheduled_at,started_at,finished_at,status,attempts,message");
  EXPECT_NE(Lines(h.out)[1].find(",succeeded,1,\"NYSE " + to), std::string::npos) << h.out;
  Outcome al = Kairos({"alerts", "list", "--limit", "50", "--format", "csv"});
  EXPECT_NE(al.out.find("eod.summary"), std::string::npos) << al.out;
}

TEST_F(ServeCliTest, SimulateRefusesBadDates) {
  MakeHome(home_);
  Outcome r = Kairos({"serve", "--simulate", "--from", "2026-13-01", "--to", "2026-01-01"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad --from '2026-13-01'"), std::string::npos) << r.err;
  Outcome missing = Kairos({"serve", "--simulate", "--from", "2026-01-01"});
  EXPECT_EQ(missing.code, 2);
  Outcome stray = Kairos({"serve", "--from", "2026-01-01"});
  EXPECT_EQ(stray.code, 2);
  EXPECT_NE(stray.err.find("--from and --to are for --simulate"), std::string::npos) << stray.err;
}

TEST_F(ServeCliTest, BadConfigExitsTwoNamingTheLine) {
  MakeHome(home_);
  kairos::testing::WriteFile(home_ / "kairos.toml", "[daemon]\nlog_level = \"loud\"\n");
  Outcome r = Kairos({"serve"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("kairos.toml:2:"), std::string::npos) << r.err;
}

TEST_F(ServeCliTest, DaemonRefusesASecondOneTakesCliWritesAndStopsOnSigterm) {
  MakeHome(home_);
  const std::string sent = (dir_ / "sent.tsv").string();
  StartDaemon("KAIROS_TEST_NOTIFIER_FILE=" + Quote(sent));
  Outcome second = Kairos({"serve"});
  EXPECT_EQ(second.code, 1);
  EXPECT_NE(second.err.find("daemon lock"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("pid " + std::to_string(pid_)), std::string::npos) << second.err;
  // CLI writes succeed while it runs.
  Outcome halt = Kairos({"halt", "--reason", "drill"});
  EXPECT_EQ(halt.code, 0) << halt.err;
  Outcome resume = Kairos({"resume"});
  EXPECT_EQ(resume.code, 0) << resume.err;
  Outcome imp = Kairos({"strategy", "import",
                        std::string(KAIROS_SOURCE_DIR) + "/examples/strategies/sma_cross.toml"});
  EXPECT_EQ(imp.code, 0) << imp.err;
  Outcome dis = Kairos({"jobs", "disable", "heartbeat"});
  EXPECT_EQ(dis.code, 0) << dis.err;
  // The halt's alert reaches the notifier.
  EXPECT_TRUE(WaitFor([&] { return ReadFile(sent).find("\thalt\t") != std::string::npos; }))
      << ReadFile(sent);
  EXPECT_TRUE(WaitFor([&] {
    return ReadFile(dir_ / "daemon.log").find("job heartbeat disabled") != std::string::npos;
  })) << ReadFile(dir_ / "daemon.log");
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(WaitExit(), "0") << ReadFile(dir_ / "daemon.log");
  EXPECT_NE(ReadFile(dir_ / "daemon.log").find("SIGTERM"), std::string::npos);
}

// The port of "serving the API on http://127.0.0.1:PORT" in the daemon's log, or 0.
int ServedPort(const std::string& log) {
  const std::string marker = "serving the API on http://127.0.0.1:";
  size_t at = log.find(marker);
  return at == std::string::npos ? 0 : std::atoi(log.c_str() + at + marker.size());
}

TEST_F(ServeCliTest, ServesTheApiAndStopsItOnSigterm) {
  MakeHome(home_);
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return ServedPort(ReadFile(dir_ / "daemon.log")) > 0; }))
      << ReadFile(dir_ / "daemon.log");
  int port = ServedPort(ReadFile(dir_ / "daemon.log"));
  Outcome health = kairos::testing::RunCaptured(
      fmt::format("curl -s --max-time 5 http://127.0.0.1:{}/healthz", port), dir_);
  EXPECT_EQ(health.out, R"({"status":"ok","version":"0.1.0"})") << health.err;
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(WaitExit(), "0") << ReadFile(dir_ / "daemon.log");
  Outcome after = kairos::testing::RunCaptured(
      fmt::format("curl -s --max-time 5 http://127.0.0.1:{}/healthz", port), dir_);
  EXPECT_NE(after.code, 0);
}

TEST_F(ServeCliTest, AListenAddressInUseExitsTwoSayingSo) {
  MakeHome(home_);
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return ServedPort(ReadFile(dir_ / "daemon.log")) > 0; }));
  int port = ServedPort(ReadFile(dir_ / "daemon.log"));
  fs::path other = dir_ / "other_home";
  fs::create_directories(other);
  kairos::testing::WriteFile(other / "kairos.toml",
                             fmt::format("[server]\nlisten = \"127.0.0.1:{}\"\n", port));
  Outcome second = kairos::testing::RunCaptured(
      Quote(KAIROS_BIN) + " --home " + Quote(other.string()) + " serve", dir_);
  EXPECT_EQ(second.code, 2) << second.err;
  EXPECT_NE(second.err.find("already in use"), std::string::npos) << second.err;
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(WaitExit(), "0");
}

TEST_F(ServeCliTest, SimulateDoesNotServe) {
  MakeHome(home_);
  auto [first, last] = LastSessions(2);
  Outcome r = Kairos({"serve", "--simulate", "--from", first, "--to", last});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("serving the API"), std::string::npos);
}

TEST_F(ServeCliTest, OutboxSurvivesAKilledDaemonAndIsSentOnce) {
  MakeHome(home_);
  StartDaemon();  // no notifier: messages stay in the outbox
  Outcome halt = Kairos({"halt", "--reason", "drill"});
  ASSERT_EQ(halt.code, 0) << halt.err;
  ASSERT_EQ(::kill(pid_, SIGKILL), 0);
  WaitExit();
  Outcome unsent = Kairos({"alerts", "list", "--unsent", "--format", "csv"});
  EXPECT_NE(unsent.out.find(",halt,"), std::string::npos) << unsent.out;
  const std::string sent = (dir_ / "sent.tsv").string();
  StartDaemon("KAIROS_TEST_NOTIFIER_FILE=" + Quote(sent));
  EXPECT_TRUE(WaitFor([&] { return ReadFile(sent).find("daemon.started") != std::string::npos; }));
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  WaitExit();
  std::string lines = ReadFile(sent);
  size_t first = lines.find("\thalt\t");
  ASSERT_NE(first, std::string::npos) << lines;
  EXPECT_EQ(lines.find("\thalt\t", first + 1), std::string::npos) << lines;
  Outcome after = Kairos({"alerts", "list", "--unsent", "--format", "csv"});
  EXPECT_EQ(after.out.find(",halt,"), std::string::npos) << after.out;
}

TEST_F(ServeCliTest, JobsCommandsRefuseUnknownJobsAndBadDates) {
  MakeHome(home_);
  Outcome unknown = Kairos({"jobs", "run", "nope"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("unknown job 'nope'"), std::string::npos) << unknown.err;
  Outcome bad = Kairos({"jobs", "run", "heartbeat", "--date", "2026-02-30"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bad --date '2026-02-30'"), std::string::npos) << bad.err;
  Outcome dis = Kairos({"jobs", "disable", "nope"});
  EXPECT_EQ(dis.code, 1);
  Outcome hist = Kairos({"jobs", "history", "nope"});
  EXPECT_EQ(hist.code, 1);
}

TEST_F(ServeCliTest, JobsListShowsEveryJobAndItsEnabledState) {
  MakeHome(home_);
  Outcome dis = Kairos({"jobs", "disable", "backup"});
  ASSERT_EQ(dis.code, 0) << dis.err;
  Outcome list = Kairos({"jobs", "list", "--format", "csv"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(Lines(list.out)[0], "name,schedule,enabled,next_run,last_run,last_status");
  EXPECT_NE(list.out.find("orders.open@NYSE,at open-1m NYSE,yes,"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("backup,cron 0 2 * * * UTC,no,,,"), std::string::npos) << list.out;
  Outcome json = Kairos({"jobs", "list", "--format", "json"});
  EXPECT_EQ(json.code, 0);
  EXPECT_EQ(json.out.front(), '[');
}

TEST_F(ServeCliTest, JobsRunRunsOnceThroughTheClaim) {
  MakeHome(home_);
  Outcome run = Kairos({"jobs", "run", "heartbeat", "--date", "2026-03-02"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "heartbeat 2026-03-02T08:00:00Z: succeeded after 1 attempt(s): alive\n");
  Outcome again = Kairos({"jobs", "run", "heartbeat", "--date", "2026-03-02"});
  EXPECT_EQ(again.code, 1);
  Outcome al = Kairos({"alerts", "list", "--format", "csv"});
  EXPECT_NE(al.out.find("daemon.heartbeat"), std::string::npos) << al.out;
}

TEST_F(ServeCliTest, IngestMovesInboxFilesToDoneOrRejectedWithTheirReports) {
  MakeHome(home_);
  kairos::testing::WriteFile(home_ / "inbox" / "zzz.csv",
                             "date,open,high,low,close,volume\n2026-11-30,1,2,0.5,1.5,100\n");
  kairos::testing::WriteFile(home_ / "inbox" / "bad.csv", "junk\n");
  Outcome run = Kairos({"jobs", "run", "data.ingest"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("1 file(s) imported, 1 rejected"), std::string::npos) << run.out;
  EXPECT_TRUE(fs::exists(home_ / "inbox" / "done" / "zzz.csv"));
  EXPECT_TRUE(fs::exists(home_ / "inbox" / "done" / "zzz.csv.report.txt"));
  EXPECT_TRUE(fs::exists(home_ / "inbox" / "rejected" / "bad.csv"));
  EXPECT_FALSE(fs::exists(home_ / "inbox" / "bad.csv"));
  Outcome show = Kairos({"data", "show", "ZZZ", "--format", "csv"});
  EXPECT_NE(show.out.find("2026-11-30"), std::string::npos) << show.out << show.err;
  Outcome al = Kairos({"alerts", "list", "--format", "csv"});
  EXPECT_NE(al.out.find("data.ingested"), std::string::npos) << al.out;
  EXPECT_NE(al.out.find("data.rejected"), std::string::npos) << al.out;
  // Nothing left: a second run imports nothing.
  Outcome again = Kairos({"jobs", "run", "data.ingest"});
  EXPECT_NE(again.out.find("inbox empty"), std::string::npos) << again.out;
}

TEST_F(ServeCliTest, BackupKeepsTheLastNCopies) {
  MakeHome(home_);
  kairos::testing::WriteFile(home_ / "kairos.toml", "[backup]\nkeep = 2\n");
  for (const char* day : {"2026-03-02", "2026-03-03", "2026-03-04"}) {
    Outcome run = Kairos({"jobs", "run", "backup", "--date", day});
    ASSERT_EQ(run.code, 0) << run.err;
  }
  std::vector<std::string> kept;
  for (const auto& e : fs::directory_iterator(home_ / "backups")) {
    kept.push_back(e.path().filename().string());
    EXPECT_TRUE(fs::exists(e.path() / "kairos.db"));
    EXPECT_TRUE(fs::exists(e.path() / "manifest.tsv"));
  }
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, (std::vector<std::string>{"2026-03-03T02-00-00Z", "2026-03-04T02-00-00Z"}));
  Outcome m = Kairos({"jobs", "run", "maintenance"});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_NE(m.out.find("pruned 0 job run(s)"), std::string::npos) << m.out;
}

TEST_F(ServeCliTest, DaemonDeliversToTelegramAndObeysTheBot) {
  MakeHome(home_);
  kairos::telegram::testing::BotApiStandin standin;
  ASSERT_TRUE(standin.ok()) << standin.error();
  kairos::testing::WriteFile(home_ / "kairos.toml",
                             "[telegram]\napi_base = \"" + standin.api_base() + "\"\ntoken = \"" +
                                 std::string(kairos::telegram::testing::BotApiStandin::kToken) +
                                 "\"\nchat_id = 42\nallowed_users = [42]\n");
  StartDaemon();
  auto sent = [&] { return standin.Control("sent").dump(); };
  EXPECT_TRUE(WaitFor([&] { return sent().find("kairos serve started") != std::string::npos; }))
      << sent() << ReadFile(dir_ / "daemon.log");
  standin.Control(
      "inject_update",
      {{"message", {{"text", "/run heartbeat"}, {"from", {{"id", 42}}}, {"chat", {{"id", 42}}}}}});
  EXPECT_TRUE(WaitFor([&] {
    return Kairos({"jobs", "history", "heartbeat", "--format", "csv"}).out.find(",succeeded,") !=
           std::string::npos;
  })) << ReadFile(dir_ / "daemon.log");
  EXPECT_TRUE(WaitFor([&] { return sent().find("kairos is running") != std::string::npos; }))
      << sent();
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(WaitExit(), "0") << ReadFile(dir_ / "daemon.log");
}

}  // namespace
