// `kairos backtest ... --walk-forward` end to end: the real binary over a tiny bar store where the
// right choice on every training window is known, and every refusal with its exact text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "calendar/calendar.h"
#include "cli_testing.h"
#include "domain/bar.h"
#include "marketdata/bar_store.h"

namespace {

using kairos::Date;
using kairos::testing::Lines;
using kairos::testing::Outcome;
using kairos::testing::Quote;
using kairos::testing::ReadFile;
using kairos::testing::RunCaptured;
using kairos::testing::WriteFile;

namespace fs = std::filesystem;

// Buy and hold one symbol, chosen by the sweep: 10 shares, no fees, next-open fills.
const char* kStrategy = R"(name = "hold"
exchange = "NYSE"
universe = ["${sym=AAA}"]
entry = "close > 0"
exit = "close < 0"
approval = "auto"
execution = "next_open"
allocation = 10000
sizing = { method = "fixed_qty", qty = 10 }
max_positions = 1
max_new_per_day = 1
fees = "none"
)";

// 24 NYSE sessions from 2024-01-02. AAA rises 1.00 a session on sessions 1-4, falls on 5-9,
// rises on 10-14, falls on 15-19 and after; BBB does the opposite; both close 100 on session 0
// and open at the previous close. With 5:5 folds over sessions 0-19, each training window
// favours the symbol that the following test window punishes: AAA, then BBB, then AAA, each
// losing 4.00 a share out of sample (bought at the open after the test window's first session,
// marked at its last close).
class WalkForwardCliTest : public kairos::testing::KairosCliTest {
 protected:
  void SetUp() override {
    KairosCliTest::SetUp();
    fs::create_directories(home_);
    auto cal = kairos::calendar::ExchangeCalendar::ForExchange("NYSE");
    ASSERT_TRUE(cal.ok());
    sessions_ = (*cal)->Sessions(Date::FromYmd(2024, 1, 2), Date::FromYmd(2024, 3, 1));
    sessions_.resize(24);
    auto bars = kairos::marketdata::BarStore::Open(home_);
    ASSERT_TRUE(bars.ok()) << bars.status().ToString();
    for (int sign : {1, -1}) {
      kairos::BarSeries s;
      s.instrument = {sign > 0 ? "AAA" : "BBB", "NYSE"};
      double close = 100;
      for (int i = 0; i < 24; ++i) {
        double open = close;
        if (i > 0) close += sign * ((i / 5) % 2 == 0 ? 1 : -1);
        s.Append({sessions_[i], open, std::max(open, close) + 0.5, std::min(open, close) - 0.5,
                  close, 1e6});
      }
      ASSERT_TRUE((*bars)->Upsert(s).ok());
    }
    WriteFile(dir_ / "hold.toml", kStrategy);
  }

  std::string S(int i) const { return sessions_[i].ToString(); }

  // Runs `kairos --home <home> backtest hold.toml args...`.
  Outcome Kairos(std::vector<std::string> args) {
    args.insert(args.begin(), {"backtest", (dir_ / "hold.toml").string()});
    return KairosCliTest::Kairos(args);
  }

  // The 20 sessions 0-19 as the range.
  std::vector<std::string> Range() { return {"--from", S(0), "--to", S(19)}; }

  std::string ExpectedFolds() const {
    return fmt::format(
        "fold,train_from,train_to,test_from,test_to,sym,train_total_return,test_total_return,"
        "test_return_percent,test_trades\n"
        "1,{},{},{},{},AAA,0.4000,-0.4000,-0.4000,1\n"
        "2,{},{},{},{},BBB,0.4000,-0.4016,-0.4016,1\n"
        "3,{},{},{},{},AAA,0.4000,-0.4032,-0.4032,0\n",
        S(0), S(4), S(5), S(9), S(5), S(9), S(10), S(14), S(10), S(14), S(15), S(19));
  }

  std::vector<Date> sessions_;
};

TEST_F(WalkForwardCliTest, ChoosesTheBestInSampleSymbolAndTestsItOnTheNextWindow) {
  std::vector<std::string> args = Range();
  for (const char* a : {"--sweep", "sym=AAA,BBB", "--walk-forward", "5:5", "--rank-by",
                        "total_return", "--format", "csv", "--out"}) {
    args.push_back(a);
  }
  args.push_back((dir_ / "wf").string());
  Outcome r = Kairos(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, ExpectedFolds());
  EXPECT_EQ(ReadFile(dir_ / "wf" / "walk_forward.csv"), ExpectedFolds());
  EXPECT_NE(r.err.find("in_sample_total_return_mean      0.4000"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("out_of_sample_total_return       -1.2000"), std::string::npos) << r.err;

  // Only the chosen symbol trades in each test window, and its first fill comes after the
  // training window (at the open after the test window's first session). The positions still
  // open at the end of folds 1 and 2 leave the out-of-sample run at that close.
  EXPECT_EQ(ReadFile(dir_ / "wf" / "trades.csv"),
            fmt::format("symbol,entry_date,entry_price,exit_date,exit_price,qty,pnl,fees,"
                        "exit_reason\n"
                        "AAA,{},103.00,{},99.00,10,-40.00,0.00,walk_forward_fold_end\n"
                        "BBB,{},100.00,{},96.00,10,-40.00,0.00,walk_forward_fold_end\n"
                        "AAA,{},103.00,,,10,-40.00,0.00,\n",
                        S(6), S(9), S(11), S(14), S(16)));
  std::vector<std::string> equity = Lines(ReadFile(dir_ / "wf" / "equity.csv"));
  ASSERT_EQ(equity.size(), 16u);  // header + the 15 test sessions
  EXPECT_TRUE(equity[1].starts_with(S(5) + ",10000.00,")) << equity[1];
  EXPECT_TRUE(equity[15].starts_with(S(19) + ",9880.00,")) << equity[15];
  std::string summary = ReadFile(dir_ / "wf" / "summary.json");
  EXPECT_NE(summary.find("\"from\": \"" + S(5) + "\""), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"final_equity\": 9880.00"), std::string::npos) << summary;
  EXPECT_TRUE(fs::exists(dir_ / "wf" / "report.html"));
}

TEST_F(WalkForwardCliTest, TheSameInputsGiveTheSameOutputAndFiles) {
  std::vector<Outcome> runs;
  for (const char* out : {"a", "b"}) {
    std::vector<std::string> args = Range();
    for (const char* a : {"--sweep", "sym=BBB,AAA", "--walk-forward", "5:5", "--out"}) {
      args.push_back(a);
    }
    args.push_back((dir_ / out).string());
    runs.push_back(Kairos(args));
    ASSERT_EQ(runs.back().code, 0) << runs.back().err;
  }
  EXPECT_EQ(runs[0].out.substr(0, runs[0].out.find("wrote ")),
            runs[1].out.substr(0, runs[1].out.find("wrote ")));
  for (const char* name :
       {"walk_forward.csv", "summary.json", "trades.csv", "equity.csv", "report.html"}) {
    std::string a = ReadFile(dir_ / "a" / name);
    EXPECT_FALSE(a.empty()) << name;
    EXPECT_EQ(a, ReadFile(dir_ / "b" / name)) << name;
  }
}

TEST_F(WalkForwardCliTest, AStepAndAnUntestedTailAreShown) {
  // 23 sessions with 5:5:6: folds start at 0, 6 and 12 (tests on 5-9, 11-15 and 17-21); one at
  // 18 would need 28 sessions, so session 22 is in no test window.
  Outcome r = Kairos({"--from", S(0), "--to", S(22), "--sweep", "sym=AAA,BBB", "--walk-forward",
                      "5:5:6", "--rank-by", "total_return"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("folds                            3 (train 5, test 5, step 6 sessions)"),
            std::string::npos)
      << r.out;
  for (int k = 0; k < 3; ++k) {
    std::string row = fmt::format("{}     {}  {}  {}  {}", k + 1, S(6 * k), S(6 * k + 4),
                                  S(6 * k + 5), S(6 * k + 9));
    EXPECT_NE(r.out.find(row), std::string::npos) << row << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("out_of_sample_sessions           15"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("untested_sessions                1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("note: the last 1 sessions of the range are in no test window (a fold "
                       "needs 5)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("pass --out DIR to write walk_forward.csv and the out-of-sample report"),
            std::string::npos)
      << r.out;
}

TEST_F(WalkForwardCliTest, ABacktestOutsideTheCalendarIsAnErrorAndWritesNothing) {
  const fs::path out = dir_ / "out";
  Outcome r = Kairos({"--from", "1900-01-01", "--to", "1900-12-31", "--out", out.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "kairos: error: 1900-01-01 is outside the years the NYSE calendar covers (1990-2028); "
            "to add years, extend data/calendars/nyse.toml as src/calendar/README.md (\"Adding a "
            "year\") describes and rebuild\n");
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(home_ / "backtests"));
}

TEST_F(WalkForwardCliTest, RefusalsHaveExactMessagesAndWriteNothing) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const fs::path out = dir_ / "out";
  std::vector<Case> cases = {
      {{"--walk-forward", "5:5"},
       "kairos: error: --walk-forward needs --sweep: the parameters to choose on each training "
       "window (e.g. --sweep period=5..30:5)\n"},
      {{"--sweep", "sym=AAA,BBB", "--walk-forward", "5"},
       "kairos: error: --walk-forward '5': expected TRAIN:TEST[:STEP], positive session counts "
       "(e.g. 504:126, or 504:126:252)\n"},
      {{"--sweep", "sym=AAA,BBB", "--walk-forward", "5:x"},
       "kairos: error: --walk-forward '5:x': expected TRAIN:TEST[:STEP], positive session counts "
       "(e.g. 504:126, or 504:126:252)\n"},
      {{"--sweep", "sym=AAA,BBB", "--walk-forward", "5:5:4"},
       "kairos: error: --walk-forward '5:5:4': STEP 4 is shorter than TEST 5: the test windows "
       "would overlap and the out-of-sample run would count sessions twice\n"},
      {{"--sweep", "sym=AAA,BBB", "--walk-forward", "15:10"},
       fmt::format("kairos: error: --walk-forward 15:10: one fold needs 25 sessions (15 to "
                   "train, 10 to test); {} .. {} has 20\n",
                   S(0), S(19))},
      {{"--sweep", "sym=AAA,BBB", "--walk-forward", "5:5", "--rank-by", "luck"},
       "kairos: error: --rank-by luck: expected one of sharpe, sortino, total_return, cagr, "
       "profit_factor, win_rate, max_drawdown\n"},
      {{"--sweep", "size=1,2", "--walk-forward", "5:5"},
       "kairos: error: --sweep size: the strategy has no placeholder ${size=...}\n"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = Range();
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.push_back("--out");
    args.push_back(out.string());
    Outcome r = Kairos(args);
    SCOPED_TRACE(c.err);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, c.err);
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(home_ / "backtests"));
  }
}

}  // namespace
