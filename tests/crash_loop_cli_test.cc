// The crash loop: `kairos run-day` killed (SIGKILL) at random points, again and again, then run
// again until it completes; every session ends as if it had never been interrupted (listings
// equal to an uninterrupted run's) and the ledger invariants hold throughout.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "concurrency_testing.h"

namespace {

using kairos::testing::DailyTraderStrategy;
using kairos::testing::KairosRunner;
using kairos::testing::Outcome;
using kairos::testing::ScratchRoot;
using kairos::testing::SessionsOf;
using kairos::testing::WriteFile;
using Clock = std::chrono::steady_clock;

namespace fs = std::filesystem;

constexpr int kKills = 200;           // run-days killed before they ended
constexpr int kMaxAttempts = 3000;    // a bound on the loop, whatever happens
constexpr int kMaxKillsInARow = 8;    // then the session runs to its end
constexpr int kSessions = 6;          // sessions per cycle (a cycle starts from a fresh home)
constexpr uint32_t kSeed = 20261207;  // the loop is reproducible

// Starts `kairos --home home run-day --date date` with its output discarded.
pid_t StartRunDay(const fs::path& home, const std::string& date) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(KAIROS_BIN, KAIROS_BIN, "--home", home.c_str(), "run-day", "--date", date.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

class CrashLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchRoot() / ("kairos_crash_loop_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CrashLoopTest, KilledAnywhereInRunDayEndsAsIfUninterrupted) {
  KairosRunner k(dir_);
  fs::path tmpl = dir_ / "template";
  Outcome syn =
      k.Run(tmpl, {"data", "synth", "--symbols", "20", "--sessions", "40", "--seed", "5"});
  ASSERT_EQ(syn.code, 0) << syn.err;
  WriteFile(dir_ / "daily.toml", DailyTraderStrategy());
  Outcome st = k.Run(tmpl, {"strategy", "import", (dir_ / "daily.toml").string()});
  ASSERT_EQ(st.code, 0) << st.err;

  // The uninterrupted run, one session at a time, timing each.
  fs::path reference = dir_ / "reference";
  fs::copy(tmpl, reference, fs::copy_options::recursive);
  fs::path probe = dir_ / "probe";
  fs::copy(tmpl, probe, fs::copy_options::recursive);
  Outcome all =
      k.Run(probe, {"run-day", "--from", "2026-11-17", "--to", "2026-11-27", "--format", "csv"});
  ASSERT_EQ(all.code, 0) << all.err;
  std::vector<std::string> sessions = SessionsOf(all.out);
  ASSERT_GE(sessions.size(), static_cast<size_t>(kSessions));
  sessions.resize(kSessions);
  std::vector<double> took_ms;
  for (const auto& d : sessions) {
    auto start = Clock::now();
    Outcome r = k.Run(reference, {"run-day", "--date", d});
    took_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const std::string expected = k.Listings(reference);

  std::mt19937 rng(kSeed);
  int kills = 0, attempts = 0, cycles = 0;
  while (kills < kKills && attempts < kMaxAttempts) {
    fs::path home = dir_ / "home";
    fs::remove_all(home);
    fs::copy(tmpl, home, fs::copy_options::recursive);
    int killed_in_a_row = 0;
    for (size_t i = 0; i < sessions.size() && attempts < kMaxAttempts;) {
      ++attempts;
      std::uniform_real_distribution<double> delay(0, 1.1 * took_ms[i]);
      pid_t pid = StartRunDay(home, sessions[i]);
      // A machine slower than when the runs were timed could kill every attempt: after a few
      // kills in a row the session runs to its end.
      if (killed_in_a_row < kMaxKillsInARow) {
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(delay(rng)));
        ::kill(pid, SIGKILL);
      }
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (WIFSIGNALED(status)) {
        ++kills;
        ++killed_in_a_row;
        if (kills % 25 == 0) {
          k.ExpectLedgerInvariants(home, "after kill " + std::to_string(kills));
          if (::testing::Test::HasFailure()) return;
        }
        continue;  // run the same session again
      }
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "run-day " << sessions[i] << " failed after " << kills << " kills";
      killed_in_a_row = 0;
      ++i;
    }
    ++cycles;
    k.ExpectLedgerInvariants(home, "cycle " + std::to_string(cycles));
    ASSERT_EQ(k.Listings(home), expected) << "cycle " << cycles << " after " << kills << " kills";
  }
  EXPECT_GE(kills, kKills) << "in " << attempts << " attempts";
  EXPECT_GE(cycles, 1) << "no cycle ran to its end";
  RecordProperty("kills", kills);
  RecordProperty("cycles", cycles);
}

}  // namespace
