// End-to-end tests of the trading commands: the real kairos binary against a fresh home with a
// small imported bar series and a strategy file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_testing.h"
#include "trading_testing.h"

namespace {

using kairos::testing::AaaCsv;
using kairos::testing::JumpStrategy;
using kairos::testing::Lines;
using kairos::testing::Outcome;
using kairos::testing::Quote;
using kairos::testing::ReadFile;
using kairos::testing::RunCaptured;
using kairos::testing::WriteFile;

namespace fs = std::filesystem;

class TradingCliTest : public kairos::testing::KairosCliTest {
 protected:
  // Imports AAA and the strategy, runs the week up to Friday 2024-03-01 (one signal).
  void Prepare(const std::string& approval) {
    WriteFile(dir_ / "aaa.csv", AaaCsv());
    WriteFile(dir_ / "jump.toml", JumpStrategy(approval));
    Outcome imp = Kairos({"data", "import", (dir_ / "aaa.csv").string()});
    ASSERT_EQ(imp.code, 0) << imp.err;
    Outcome st = Kairos({"strategy", "import", (dir_ / "jump.toml").string()});
    ASSERT_EQ(st.code, 0) << st.err;
    Outcome run =
        Kairos({"run-day", "--from", "2024-02-26", "--to", "2024-03-01", "--format", "csv"});
    ASSERT_EQ(run.code, 0) << run.err;
    ASSERT_EQ(Lines(run.out).size(), 6u) << run.out;
    EXPECT_EQ(Lines(run.out)[5].rfind("2024-03-01,jump,1,", 0), 0u) << run.out;
  }

  // Everything a person can list, to compare before and after a refused command.
  std::string State() {
    std::string s;
    for (auto args : std::vector<std::vector<std::string>>{{"signals", "list", "--format", "csv"},
                                                           {"orders", "list", "--format", "csv"},
                                                           {"fills", "list", "--format", "csv"},
                                                           {"positions", "--format", "csv"}}) {
      Outcome r = Kairos(args);
      EXPECT_EQ(r.code, 0) << r.err;
      s += r.out;
    }
    return s;
  }
};

TEST_F(TradingCliTest, ApprovedSignalIsFilledAtTheNextOpen) {
  Prepare("manual");
  Outcome pending = Kairos({"signals", "list", "--status", "pending_review", "--format", "csv"});
  ASSERT_EQ(pending.code, 0) << pending.err;
  ASSERT_EQ(Lines(pending.out).size(), 2u) << pending.out;
  EXPECT_EQ(Lines(pending.out)[1],
            "1,2024-03-01,jump,AAA,buy,entry,pending_review,entry_rule,close=160,,2024-03-04,,");
  Outcome ok = Kairos({"signals", "approve", "1", "--note", "looks fine"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out, "approved signal 1: jump buy AAA (2024-03-01), execute on 2024-03-04\n");
  Outcome run = Kairos({"run-day", "--date", "2024-03-04", "--format", "csv"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Lines(run.out)[1], "2024-03-04,jump,0,0,0,0,1,1,0,0.00,10.00,0.00,10010.00,ran");
  Outcome fills = Kairos({"fills", "list", "--format", "csv"});
  EXPECT_EQ(fills.out,
            "date,strategy,symbol,side,qty,price,fees,execution_id\n"
            "2024-03-04,jump,AAA,buy,10,161.00,0.00,jump-AAA-20240304-b-1-1\n");
  Outcome pos = Kairos({"positions", "--format", "csv"});
  ASSERT_EQ(Lines(pos.out).size(), 2u) << pos.out;
  // Marked at the last stored close (2024-03-08: 100), whichever session was run last.
  EXPECT_EQ(Lines(pos.out)[1],
            "jump,AAA,10,161.00,2024-03-04,0,,,162.00,1,100.00,2024-03-08,-610.00");
  // The same session again: reported as done, nothing changes.
  std::string before = State();
  Outcome again = Kairos({"run-day", "--date", "2024-03-04", "--format", "csv"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(Lines(again.out)[1],
            "2024-03-04,jump,0,0,0,0,1,1,0,0.00,10.00,0.00,10010.00,already done");
  EXPECT_EQ(State(), before);
}

TEST_F(TradingCliTest, BadSignalIdsAreRefusedWithoutChange) {
  Prepare("manual");
  std::string before = State();
  Outcome unknown = Kairos({"signals", "approve", "99"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.err, "kairos: error: no signal 99\n");
  Outcome reject_unknown = Kairos({"signals", "reject", "99", "--note", "x"});
  EXPECT_EQ(reject_unknown.code, 1);
  EXPECT_EQ(reject_unknown.err, "kairos: error: no signal 99\n");
  EXPECT_EQ(State(), before);
  // Monday's pre-open passes the 09:00 cut-off: the signal expires and cannot be approved.
  ASSERT_EQ(Kairos({"run-day", "--date", "2024-03-04"}).code, 0);
  Outcome expired = Kairos({"signals", "list", "--format", "csv"});
  EXPECT_NE(expired.out.find(",expired,"), std::string::npos) << expired.out;
  before = State();
  Outcome late = Kairos({"signals", "approve", "1"});
  EXPECT_EQ(late.code, 1);
  EXPECT_EQ(late.err, "kairos: error: signal 1 is expired, not pending_review\n");
  EXPECT_EQ(State(), before);
  Outcome orders = Kairos({"orders", "list", "--format", "csv"});
  EXPECT_EQ(Lines(orders.out).size(), 1u) << orders.out;  // header only
}

TEST_F(TradingCliTest, RejectedSignalCannotBeApproved) {
  Prepare("manual");
  Outcome rej = Kairos({"signals", "reject", "1", "--note", "no"});
  ASSERT_EQ(rej.code, 0) << rej.err;
  EXPECT_EQ(rej.out, "rejected signal 1: jump buy AAA (2024-03-01), execute on 2024-03-04\n");
  std::string before = State();
  Outcome late = Kairos({"signals", "approve", "1"});
  EXPECT_EQ(late.code, 1);
  EXPECT_EQ(late.err, "kairos: error: signal 1 is rejected, not pending_review\n");
  EXPECT_EQ(State(), before);
}

TEST_F(TradingCliTest, BadDatesAreRefusedWithoutChange) {
  Prepare("manual");
  std::string before = State();
  Outcome bad = Kairos({"run-day", "--date", "2024-02-30"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err, "kairos: error: bad --date '2024-02-30': expected a date YYYY-MM-DD\n");
  Outcome weekend = Kairos({"run-day", "--date", "2024-03-02"});
  EXPECT_EQ(weekend.code, 1);
  EXPECT_EQ(weekend.err, "kairos: error: 2024-03-02 is not a NYSE session (weekend)\n");
  Outcome both = Kairos({"run-day", "--date", "2024-03-04", "--from", "2024-03-01"});
  EXPECT_EQ(both.code, 1);
  EXPECT_EQ(both.err, "kairos: error: give --date or --from/--to, not both\n");
  Outcome order = Kairos({"run-day", "--from", "2024-03-05", "--to", "2024-03-04"});
  EXPECT_EQ(order.code, 1);
  EXPECT_EQ(order.err, "kairos: error: --from 2024-03-05 is after --to 2024-03-04\n");
  Outcome back = Kairos({"run-day", "--date", "2024-02-23"});
  EXPECT_EQ(back.code, 1);
  EXPECT_EQ(back.err,
            "kairos: error: 2024-02-23 is before the last session run (2024-03-01); sessions "
            "run in order\n");
  Outcome status = Kairos({"signals", "list", "--status", "waiting"});
  EXPECT_EQ(status.code, 1);
  EXPECT_NE(status.err.find("unknown signal status 'waiting' (expected one of: pending_review,"),
            std::string::npos)
      << status.err;
  Outcome list_date = Kairos({"signals", "list", "--date", "yesterday"});
  EXPECT_EQ(list_date.code, 1);
  EXPECT_EQ(list_date.err, "kairos: error: bad --date 'yesterday': expected a date YYYY-MM-DD\n");
  EXPECT_EQ(State(), before);
}

TEST_F(TradingCliTest, RunDayOutsideTheCalendarIsRefusedWithoutChange) {
  Prepare("manual");
  std::string before = State();
  const std::string how =
      " is outside the years the NYSE calendar covers (1990-2028); to add years, extend "
      "data/calendars/nyse.toml as src/calendar/README.md (\"Adding a year\") describes and "
      "rebuild\n";
  Outcome date = Kairos({"run-day", "--date", "2029-01-02"});
  EXPECT_EQ(date.code, 1);
  EXPECT_EQ(date.err, "kairos: error: 2029-01-02" + how);
  Outcome range = Kairos({"run-day", "--from", "1900-01-02", "--to", "2024-03-04"});
  EXPECT_EQ(range.code, 1);
  EXPECT_EQ(range.err, "kairos: error: 1900-01-02" + how);
  EXPECT_EQ(State(), before);
}

TEST_F(TradingCliTest, HaltSquaresOffAndResumeLiftsIt) {
  Prepare("auto");
  ASSERT_EQ(Kairos({"run-day", "--date", "2024-03-04"}).code, 0);  // bought 10 AAA at 161
  Outcome halt = Kairos({"halt", "--squareoff", "--format", "csv"});
  ASSERT_EQ(halt.code, 0) << halt.err;
  EXPECT_EQ(halt.out,
            "halted,already_halted,cancelled_orders,squareoff_orders,squareoff_submitted,session\n"
            "yes,no,0,1,1,2024-03-05\n");
  EXPECT_NE(halt.err.find("square-off order jump-AAA-20240305-s-sq"), std::string::npos)
      << halt.err;
  Outcome run = Kairos({"run-day", "--date", "2024-03-05", "--format", "csv"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find(",ran (halted)"), std::string::npos) << run.out;
  // Sold at Tuesday's open (100): realised (100 - 161) × 10 = -610.00.
  Outcome pos = Kairos({"positions", "--format", "csv"});
  EXPECT_EQ(Lines(pos.out).size(), 1u) << pos.out;
  Outcome fills = Kairos({"fills", "list", "--format", "csv"});
  EXPECT_NE(fills.out.find("2024-03-05,jump,AAA,sell,10,100.00,"), std::string::npos) << fills.out;
  Outcome resume = Kairos({"resume"});
  ASSERT_EQ(resume.code, 0) << resume.err;
  EXPECT_EQ(resume.out, "resumed: new orders may reach the broker again\n");
  Outcome again = Kairos({"resume"});
  EXPECT_EQ(again.out, "not halted: nothing to resume\n");
}

TEST_F(TradingCliTest, HaltedRunDaySubmitsNoEntry) {
  Prepare("auto");
  Outcome halt = Kairos({"halt", "--format", "csv"});
  ASSERT_EQ(halt.code, 0) << halt.err;
  EXPECT_EQ(Lines(halt.out)[1], "yes,no,0,0,0,2024-03-04");
  ASSERT_EQ(Kairos({"run-day", "--date", "2024-03-04"}).code, 0);
  Outcome orders = Kairos({"orders", "list", "--format", "csv"});
  EXPECT_EQ(Lines(orders.out).size(), 1u) << orders.out;
  Outcome sig = Kairos({"signals", "list", "--format", "csv"});
  EXPECT_NE(sig.out.find(",failed,entry_rule,close=160,,2024-03-04,engine,not ordered: kill "
                         "switch on"),
            std::string::npos)
      << sig.out;
}

}  // namespace
