// Missed sessions end to end: the real kairos binary against a home whose last run-day left a
// position with a stop open, sessions then not run while the stop was hit. run-day runs the
// missed sessions first (a bare run-day up to the last bar), so the stop closes the position,
// and says which sessions it caught up on stderr, in its table and in the audit log.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "adapters/sqlite/sqlite_store.h"
#include "cli_testing.h"

namespace kairos {
namespace {

using testing::Lines;
using testing::Outcome;
using testing::Quote;
using testing::RunCaptured;
using testing::WriteFile;

namespace fs = std::filesystem;

// AAA on every NYSE session 2024-02-20 .. 2024-03-11 (no holiday in between): 100 flat, then a
// close of 160 on Fri 2024-03-01 (the entry `close > 159` matches), Monday 2024-03-04 opening at
// 161 (the buy; stop 5% below: 152.95), Tuesday closing at 150 (the stop is hit), and from
// Wednesday on 158: back above the stop, below the entry level.
std::string AaaCsv() {
  std::string csv = "Date,Open,High,Low,Close,Volume\n";
  for (const char* d : {"2024-02-20", "2024-02-21", "2024-02-22", "2024-02-23", "2024-02-26",
                        "2024-02-27", "2024-02-28", "2024-02-29"}) {
    csv += std::string(d) + ",100,101,99,100,100000\n";
  }
  csv += "2024-03-01,100,161,99,160,100000\n";
  csv += "2024-03-04,161,163,160,162,100000\n";
  csv += "2024-03-05,155,156,149,150,100000\n";
  for (const char* d : {"2024-03-06", "2024-03-07", "2024-03-08", "2024-03-11"}) {
    csv += std::string(d) + ",158,159,157,158,100000\n";
  }
  return csv;
}

constexpr const char* kStrategy =
    "name = \"guard\"\n"
    "universe = [\"AAA\"]\n"
    "entry = \"close > 159\"\n"
    "stop_loss = \"5%\"\n"
    "approval = \"auto\"\n"
    "allocation = 10000\n"
    "sizing = { method = \"fixed_qty\", qty = 10 }\n"
    "max_positions = 1\n"
    "max_new_per_day = 1\n";

class MissedSessionsCliTest : public kairos::testing::KairosCliTest {
 protected:
  // Runs up to Monday 2024-03-04: 10 AAA bought at 161, stop 152.95. Tuesday (the stop is hit
  // at its close) and later sessions are not run.
  void HoldWithAStop() {
    WriteFile(dir_ / "aaa.csv", AaaCsv());
    WriteFile(dir_ / "guard.toml", kStrategy);
    Outcome imp = Kairos({"data", "import", (dir_ / "aaa.csv").string()});
    ASSERT_EQ(imp.code, 0) << imp.err;
    Outcome st = Kairos({"strategy", "import", (dir_ / "guard.toml").string()});
    ASSERT_EQ(st.code, 0) << st.err;
    Outcome run =
        Kairos({"run-day", "--from", "2024-02-26", "--to", "2024-03-04", "--format", "csv"});
    ASSERT_EQ(run.code, 0) << run.err;
    Outcome pos = Kairos({"positions", "--format", "csv"});
    ASSERT_EQ(Lines(pos.out).size(), 2u) << pos.out;
    ASSERT_EQ(Lines(pos.out)[1].rfind("guard,AAA,10,161.00,2024-03-04,0,152.95,", 0), 0u)
        << pos.out;
  }

  // The audit rows with `action`, as "subject: detail".
  std::vector<std::string> Audited(const std::string& action) {
    auto store = adapters::sqlite::OpenStore(home_ / "kairos.db");
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    std::vector<std::string> out;
    if (!store.ok()) return out;
    auto all = (*store)->audit().List("");
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    if (!all.ok()) return out;
    for (const AuditEntry& e : *all) {
      if (e.action == action) out.push_back(e.subject + ": " + e.detail);
    }
    return out;
  }

  // The stop hit on Tuesday closed the position at Wednesday's open (158).
  void ExpectStoppedOutOnWednesday() {
    Outcome pos = Kairos({"positions", "--format", "csv"});
    EXPECT_EQ(Lines(pos.out).size(), 1u) << pos.out;
    Outcome fills = Kairos({"fills", "list", "--format", "csv"});
    EXPECT_NE(fills.out.find("2024-03-06,guard,AAA,sell,10,158.00,"), std::string::npos)
        << fills.out;
    Outcome signals = Kairos({"signals", "list", "--format", "csv"});
    EXPECT_NE(signals.out.find(",2024-03-05,guard,AAA,sell,exit,filled,stop_loss,"),
              std::string::npos)
        << signals.out;
  }
};

TEST_F(MissedSessionsCliTest, RunDayWithADateAfterMissedSessionsRunsThemFirstAndTheStopCloses) {
  HoldWithAStop();
  Outcome run = Kairos({"run-day", "--date", "2024-03-08", "--format", "csv"});
  ASSERT_EQ(run.code, 0) << run.err;
  ExpectStoppedOutOnWednesday();
  std::vector<std::string> rows = Lines(run.out);
  ASSERT_EQ(rows.size(), 5u) << run.out;
  EXPECT_EQ(rows[1].rfind("2024-03-05,guard,0,0,0,0,0,0,1,", 0), 0u) << run.out;
  EXPECT_EQ(rows[2].rfind("2024-03-06,guard,0,0,0,0,1,1,0,", 0), 0u) << run.out;
  EXPECT_EQ(rows[3].rfind("2024-03-07,guard,", 0), 0u) << run.out;
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(rows[i].substr(rows[i].rfind(',') + 1), "caught up") << run.out;
  }
  EXPECT_EQ(rows[4].rfind("2024-03-08,guard,", 0), 0u) << run.out;
  EXPECT_EQ(rows[4].substr(rows[4].rfind(',') + 1), "ran") << run.out;
  EXPECT_NE(run.err.find("note: catching up 3 sessions not run since the last one (2024-03-04), "
                         "run before 2024-03-08: 2024-03-05 .. 2024-03-07\n"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(Audited("run_day.catch_up"),
            std::vector<std::string>{
                "session:2024-03-08: 3 sessions not run since the last one (2024-03-04), run "
                "before 2024-03-08: 2024-03-05 .. 2024-03-07"});
  EXPECT_TRUE(Audited("session.skipped").empty());
}

TEST_F(MissedSessionsCliTest, BareRunDayCatchesUpEverySessionToTheLastBar) {
  HoldWithAStop();
  Outcome run = Kairos({"run-day", "--format", "csv"});
  ASSERT_EQ(run.code, 0) << run.err;
  ExpectStoppedOutOnWednesday();
  std::vector<std::string> rows = Lines(run.out);
  ASSERT_EQ(rows.size(), 6u) << run.out;
  const char* days[] = {"2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08", "2024-03-11"};
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(rows[i].rfind(std::string(days[i - 1]) + ",guard,", 0), 0u) << run.out;
    EXPECT_EQ(rows[i].substr(rows[i].rfind(',') + 1), i < 5 ? "caught up" : "ran") << run.out;
  }
  EXPECT_NE(run.err.find("note: catching up 4 sessions not run since the last one (2024-03-04), "
                         "run before 2024-03-11: 2024-03-05 .. 2024-03-08\n"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(Audited("run_day.catch_up").size(), 1u);

  // Up to date: the last bar's session again, nothing to catch up.
  Outcome again = Kairos({"run-day", "--format", "csv"});
  ASSERT_EQ(again.code, 0) << again.err;
  ASSERT_EQ(Lines(again.out).size(), 2u) << again.out;
  EXPECT_EQ(Lines(again.out)[1].substr(Lines(again.out)[1].rfind(',') + 1), "already done");
  EXPECT_EQ(again.err.find("catching up"), std::string::npos) << again.err;
  EXPECT_EQ(Audited("run_day.catch_up").size(), 1u);
}

TEST_F(MissedSessionsCliTest, ARangeAfterMissedSessionsRunsThemFirst) {
  HoldWithAStop();
  Outcome run =
      Kairos({"run-day", "--from", "2024-03-07", "--to", "2024-03-08", "--format", "csv"});
  ASSERT_EQ(run.code, 0) << run.err;
  ExpectStoppedOutOnWednesday();
  std::vector<std::string> rows = Lines(run.out);
  ASSERT_EQ(rows.size(), 5u) << run.out;
  EXPECT_EQ(rows[1].rfind("2024-03-05,guard,", 0), 0u) << run.out;
  EXPECT_EQ(rows[4].rfind("2024-03-08,guard,", 0), 0u) << run.out;
}

TEST_F(MissedSessionsCliTest, ADateThatIsNoSessionRunsNoMissedSession) {
  HoldWithAStop();
  Outcome weekend = Kairos({"run-day", "--date", "2024-03-09"});
  EXPECT_EQ(weekend.code, 1);
  EXPECT_EQ(weekend.err, "kairos: error: 2024-03-09 is not a NYSE session (weekend)\n");
  Outcome pos = Kairos({"positions", "--format", "csv"});
  EXPECT_EQ(Lines(pos.out).size(), 2u) << pos.out;
  Outcome orders = Kairos({"orders", "list", "--format", "csv"});
  EXPECT_EQ(Lines(orders.out).size(), 2u) << orders.out;  // the buy only
  EXPECT_TRUE(Audited("run_day.catch_up").empty());
}

}  // namespace
}  // namespace kairos
