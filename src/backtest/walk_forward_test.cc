#include "backtest/walk_forward.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <tuple>

#include "engine/analytics.h"

namespace kairos::backtest {
namespace {

std::vector<Date> Sessions(int n) {
  std::vector<Date> out;
  for (int i = 0; i < n; ++i) out.push_back(Date::FromYmd(2024, 1, 1).AddDays(i));
  return out;
}

Date S(int i) { return Date::FromYmd(2024, 1, 1).AddDays(i); }

// ---- The window arithmetic. ----

TEST(ParseWalkForwardTest, TrainTestAndOptionalStep) {
  auto a = ParseWalkForward("504:126");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(std::tie(a->train, a->test, a->step), std::make_tuple(504, 126, 126));
  auto b = ParseWalkForward("504:126:252");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(std::tie(b->train, b->test, b->step), std::make_tuple(504, 126, 252));
}

TEST(ParseWalkForwardTest, MalformedIsRefusedWithTheArgumentQuoted) {
  for (const char* arg : {"504", "", "a:b", "5:0", "0:5", "-5:3", "5:3:", "5:3:0", "5:3:3:3",
                          "5.5:3", "5:3x", " 5:3"}) {
    SCOPED_TRACE(arg);
    EXPECT_EQ(ParseWalkForward(arg).status(),
              Status::InvalidArgument(fmt::format(
                  "--walk-forward '{}': expected TRAIN:TEST[:STEP], positive session counts "
                  "(e.g. 504:126, or 504:126:252)",
                  arg)));
  }
  EXPECT_EQ(ParseWalkForward("10:5:2").status(),
            Status::InvalidArgument("--walk-forward '10:5:2': STEP 2 is shorter than TEST 5: the "
                                    "test windows would overlap and the out-of-sample run would "
                                    "count sessions twice"));
}

TEST(PlanFoldsTest, FoldsTileTheRangeExactly) {
  std::vector<Date> s = Sessions(20);
  auto plan = PlanFolds(s, {5, 5, 5}, "5:5");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->folds.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    const Fold& f = plan->folds[k];
    EXPECT_EQ(f.number, k + 1);
    EXPECT_EQ(f.train.from, S(5 * k));
    EXPECT_EQ(f.train.to, S(5 * k + 4));
    EXPECT_EQ(f.test.from, S(5 * k + 5));
    EXPECT_EQ(f.test.to, S(5 * k + 9));
    EXPECT_EQ(f.train.sessions, 5);
    EXPECT_EQ(f.test.sessions, 5);
  }
  EXPECT_EQ(plan->untested_sessions, 0);
}

TEST(PlanFoldsTest, ALastPartialTestWindowIsDroppedAndCounted) {
  std::vector<Date> s = Sessions(23);  // a fourth fold would test on 3 sessions only
  auto plan = PlanFolds(s, {5, 5, 5}, "5:5");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->folds.size(), 3u);
  EXPECT_EQ(plan->folds.back().test.to, S(19));
  EXPECT_EQ(plan->untested_sessions, 3);
}

TEST(PlanFoldsTest, StepLongerThanTestLeavesGapsBetweenTestWindows) {
  std::vector<Date> s = Sessions(30);
  auto plan = PlanFolds(s, {10, 5, 7}, "10:5:7");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->folds.size(), 3u);
  const int starts[] = {0, 7, 14};
  for (int k = 0; k < 3; ++k) {
    const Fold& f = plan->folds[k];
    EXPECT_EQ(f.train.from, S(starts[k]));
    EXPECT_EQ(f.train.to, S(starts[k] + 9));
    EXPECT_EQ(f.test.from, S(starts[k] + 10));
    EXPECT_EQ(f.test.to, S(starts[k] + 14));
  }
  EXPECT_EQ(plan->untested_sessions, 1);  // session 29: a fold at 21 would need 36
}

TEST(PlanFoldsTest, OneFoldExactlyFitsAndOneSessionLessIsRefused) {
  std::vector<Date> s = Sessions(15);
  auto plan = PlanFolds(s, {10, 5, 5}, "10:5");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->folds.size(), 1u);
  s.pop_back();
  EXPECT_EQ(PlanFolds(s, {10, 5, 5}, "10:5").status(),
            Status::InvalidArgument("--walk-forward 10:5: one fold needs 15 sessions (10 to train, "
                                    "5 to test); 2024-01-01 .. 2024-01-14 has 14"));
}

// ---- The driver, with a fake backtest whose answers are known. ----

// A strategy whose one placeholder `level` (1, 2 or 3) is read back from the entry rule.
const char* kSource = R"(name = "fake"
exchange = "NYSE"
universe = ["X"]
entry = "close > ${level=1}"
approval = "auto"
allocation = 10000
sizing = { method = "fixed_qty", qty = 1 }
max_positions = 1
)";

// The level that earns on session i: 1 on sessions 0-4, 2 on 5-9, 3 on 10-14, 1 on 15-19. A run
// earns 1 % of its allocation on each session where its level is the good one (0.2 % more for
// level 1, to make the curve not flat) and loses 0.5 % on the others; every run ends with an
// open position in X (marked at +5.00, entry fees 0).
int GoodLevel(int i) { return i < 5 ? 1 : i < 10 ? 2 : i < 15 ? 3 : 1; }

struct Call {
  int level;
  Date from, to;
  int64_t allocation;
};

class FakeRuns {
 public:
  explicit FakeRuns(std::vector<Date> sessions, bool flat = false)
      : sessions_(std::move(sessions)), flat_(flat) {}

  BacktestRunner Runner() {
    return [this](const StrategySpec& spec, std::string_view, const BacktestOptions& o) {
      return Run(spec, o);
    };
  }
  std::vector<Call> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  Result<BacktestResult> Run(const StrategySpec& spec, const BacktestOptions& o) {
    const int level = spec.entry.back() - '0';
    {
      std::lock_guard lock(mu_);
      calls_.push_back({level, o.from, o.to, spec.allocation});
    }
    BacktestResult r;
    int64_t equity = spec.allocation, realized = 0;
    for (size_t i = 0; i < sessions_.size(); ++i) {
      if (sessions_[i] < o.from || sessions_[i] > o.to) continue;
      int64_t pnl = 0;
      if (!flat_) {
        pnl = GoodLevel(static_cast<int>(i)) == level ? equity / 100 : -equity / 200;
        if (level == 1) pnl += equity / 500;
      }
      equity += pnl;
      realized += pnl;
      DailyPnl row;
      row.session = sessions_[i];
      row.strategy = "fake";
      row.realized = pnl;
      row.equity = equity;
      r.daily.push_back(row);
    }
    // The open position (not in flat runs): 500 minor units of mark, counted in the last row.
    const int64_t mark = flat_ ? 0 : 500;
    r.daily.back().unrealized = mark;
    r.daily.back().equity += mark;
    engine::Trade open;
    open.strategy = "fake";
    open.symbol = "X";
    open.entry_date = o.from;
    open.entry_price = *Price::Parse("10");
    open.qty = Quantity::FromUnits(1);
    if (!flat_) r.trades.push_back(open);
    r.metrics = engine::ComputeMetrics(r.daily, r.trades);
    Summary& s = r.report.summary;
    s.strategy = "fake";
    s.from = o.from;
    s.to = o.to;
    s.starting_equity = spec.allocation;
    s.sessions = static_cast<int>(r.daily.size());
    s.trades = r.metrics.trades;
    s.open_trades = static_cast<int>(r.trades.size());
    s.total_return = r.metrics.total_return_percent;
    s.realized_pnl = realized;
    s.unrealized_pnl = mark;
    s.final_equity = r.metrics.ending_equity;
    if (!flat_) {
      TradeRow row;
      row.symbol = "X";
      row.entry_date = o.from;
      row.entry_price = open.entry_price;
      row.qty = open.qty;
      row.pnl = mark;
      r.report.trades.push_back(row);
    }
    return r;
  }

  std::vector<Date> sessions_;
  bool flat_;
  std::mutex mu_;
  std::vector<Call> calls_;
};

WalkForwardInput Input(const std::string& levels, const std::string& rank_by, int threads) {
  WalkForwardInput in;
  in.source = kSource;
  in.file_name = "fake.toml";
  in.axes = {*ParseSweep("level=" + levels)};
  in.rank_by = rank_by;
  in.spec = {5, 5, 5};
  in.spec_arg = "5:5";
  in.sessions = Sessions(20);
  in.threads = threads;
  return in;
}

CloseLookup Close() {
  return [](std::string_view symbol, Date) -> Result<std::optional<Price>> {
    EXPECT_EQ(symbol, "X");
    return std::optional<Price>(*Price::Parse("15"));
  };
}

TEST(RunWalkForwardTest, EachFoldTakesTheBestInSampleCombinationAndTestsOnlyIt) {
  FakeRuns fake(Sessions(20));
  auto r = RunWalkForward(Input("1,2,3", "total_return", 2), fake.Runner(), Close());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->folds.size(), 3u);
  // Training on sessions 0-4 favours 1, on 5-9 favours 2, on 10-14 favours 3.
  const char* chosen[] = {"1", "2", "3"};
  for (int k = 0; k < 3; ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(r->folds[k].params, (Params{{"level", chosen[k]}}));
    EXPECT_EQ(r->folds[k].chosen, static_cast<size_t>(k));
    // The chosen level is the good one for its whole training window: 5 x +1 %, then the mark.
    ASSERT_TRUE(r->folds[k].train_metric);
    EXPECT_GT(*r->folds[k].train_metric, 5.0);
    // ... and wrong for the whole test window (the regime moved on): in-sample flatters.
    ASSERT_TRUE(r->folds[k].test_metric);
    EXPECT_LT(*r->folds[k].test_metric, 0.0);
  }
  ASSERT_TRUE(r->mean_train_metric && r->mean_test_metric && r->out_of_sample_metric);
  EXPECT_GT(*r->mean_train_metric, 5.0);
  EXPECT_LT(*r->out_of_sample_metric, 0.0);

  // Exactly these runs: every level on every training window with the strategy's capital,
  // then one run per fold with the chosen level only, on the sessions after its training
  // window, with the capital the previous test window ended with.
  std::vector<std::tuple<int, Date, Date, int64_t>> expected, got;
  for (const FoldResult& f : r->folds) {
    for (int level = 1; level <= 3; ++level) {
      expected.emplace_back(level, f.fold.train.from, f.fold.train.to, 1'000'000);  // 10000.00
    }
    EXPECT_GT(f.fold.test.from, f.fold.train.to);
    expected.emplace_back(std::stoi(f.params.at("level")), f.fold.test.from, f.fold.test.to,
                          f.test_starting_equity);
  }
  for (const Call& c : fake.calls()) got.emplace_back(c.level, c.from, c.to, c.allocation);
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);
}

TEST(RunWalkForwardTest, TestFoldsChainTheirCapitalAndTheStitchedReturnCompounds) {
  FakeRuns fake(Sessions(20));
  auto r = RunWalkForward(Input("1,2,3", "sharpe", 1), fake.Runner(), Close());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->folds.size(), 3u);
  EXPECT_EQ(r->folds[0].test_starting_equity, 1'000'000);
  double growth = 1;
  for (size_t k = 0; k < 3; ++k) {
    if (k > 0) {
      EXPECT_EQ(r->folds[k].test_starting_equity, r->folds[k - 1].test_final_equity);
    }
    growth *= 1 + r->folds[k].test_return_percent / 100;
  }
  const Summary& s = r->out_of_sample.summary;
  EXPECT_EQ(s.starting_equity, 1'000'000);
  EXPECT_EQ(s.final_equity, r->folds[2].test_final_equity);
  EXPECT_NEAR(s.total_return, 100 * (growth - 1), 1e-9);
  EXPECT_EQ(s.from, S(5));
  EXPECT_EQ(s.to, S(19));
  EXPECT_EQ(s.sessions, 15);
  ASSERT_EQ(r->out_of_sample.equity.size(), 15u);
  EXPECT_EQ(r->out_of_sample.equity.back().equity, s.final_equity);
  // Money adds up: start + realised + unrealised - fees = final.
  EXPECT_EQ(s.starting_equity + s.realized_pnl + s.unrealized_pnl - s.fees, s.final_equity);

  // The positions open at the end of folds 1 and 2 leave the run at that close; the last
  // fold's stays open, as in a single backtest.
  ASSERT_EQ(r->out_of_sample.trades.size(), 3u);
  for (int k = 0; k < 2; ++k) {
    const TradeRow& t = r->out_of_sample.trades[k];
    ASSERT_TRUE(t.exit_date);
    EXPECT_EQ(*t.exit_date, r->folds[k].fold.test.to);
    EXPECT_EQ(t.exit_price, *Price::Parse("15"));
    EXPECT_EQ(t.exit_reason, "walk_forward_fold_end");
    EXPECT_EQ(t.pnl, 500);
  }
  EXPECT_FALSE(r->out_of_sample.trades[2].exit_date);
  EXPECT_EQ(s.trades, 2);
  EXPECT_EQ(r->folds[0].test_trades + r->folds[1].test_trades + r->folds[2].test_trades, 2);
  EXPECT_EQ(r->folds[2].test_trades, 0);
  EXPECT_EQ(s.open_trades, 1);
  EXPECT_EQ(s.unrealized_pnl, 500);
}

TEST(RunWalkForwardTest, TiesKeepTheEarlierCombination) {
  FakeRuns fake(Sessions(20));
  // The same level twice: identical runs, so the first of the two must win every fold.
  auto r = RunWalkForward(Input("3,3,1", "total_return", 2), fake.Runner(), Close());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->folds[0].chosen, 2u);  // sessions 0-4: level 1 is right
  EXPECT_EQ(r->folds[1].chosen, 2u);  // sessions 5-9: all wrong, level 1's bonus loses least
  EXPECT_EQ(r->folds[2].chosen, 0u);  // sessions 10-14: both 3s are right; the first wins
  EXPECT_TRUE(r->notes.empty());
}

TEST(RunWalkForwardTest, AnUndefinedMetricNeverWinsAndAllUndefinedIsSaid) {
  // Flat runs with no closed trade: profit_factor is undefined for every combination.
  FakeRuns fake(Sessions(20), /*flat=*/true);
  auto r = RunWalkForward(Input("2,3", "profit_factor", 2), fake.Runner(), Close());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const FoldResult& f : r->folds) {
    EXPECT_TRUE(f.train_metric_undefined_for_all);
    EXPECT_EQ(f.chosen, 0u);
    EXPECT_FALSE(f.train_metric);
  }
  ASSERT_EQ(r->notes.size(), 3u);
  EXPECT_EQ(r->notes[1],
            "fold 2: profit_factor is undefined for every combination on the training window; "
            "the first combination (level=2) was taken");
  EXPECT_FALSE(r->mean_train_metric);
  // The CSV leaves the undefined cells empty.
  std::string csv = WalkForwardCsv(*r, "profit_factor");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_NE(csv.find("\n2,2024-01-06,2024-01-10,2024-01-11,2024-01-15,2,,,0.0000,0\n"),
            std::string::npos)
      << csv;
}

TEST(RunWalkForwardTest, OutputIsTheSameOnOneThreadAndOnMany) {
  std::vector<std::string> outputs;
  for (int threads : {1, 2, 5}) {
    FakeRuns fake(Sessions(23));
    WalkForwardInput in = Input("3,1,2", "sharpe", threads);
    in.sessions = Sessions(23);
    auto r = RunWalkForward(in, fake.Runner(), Close());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    outputs.push_back(WalkForwardCsv(*r, "sharpe") + SummaryJson(r->out_of_sample) +
                      TradesCsv(r->out_of_sample) + EquityCsv(r->out_of_sample));
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(outputs[0], outputs[2]);
}

TEST(RunWalkForwardTest, TheFoldTableHasOneRowPerFold) {
  FakeRuns fake(Sessions(20));
  auto r = RunWalkForward(Input("1,2,3", "max_drawdown", 1), fake.Runner(), Close());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string csv = WalkForwardCsv(*r, "max_drawdown");
  EXPECT_TRUE(
      csv.starts_with("fold,train_from,train_to,test_from,test_to,level,"
                      "train_max_drawdown,test_max_drawdown,test_return_percent,"
                      "test_trades\n"))
      << csv;
  // Level 1 never loses on sessions 0-4: no drawdown in training, reported as 0, not -0.
  EXPECT_NE(csv.find("\n1,2024-01-01,2024-01-05,2024-01-06,2024-01-10,1,0.0000,"),
            std::string::npos)
      << csv;
}

TEST(RunWalkForwardTest, ErrorsCarryTheFoldAndCombination) {
  BacktestRunner failing = [](const StrategySpec& spec, std::string_view,
                              const BacktestOptions& o) -> Result<BacktestResult> {
    if (spec.entry.back() == '2') return Status::Internal("boom");
    BacktestResult r;
    DailyPnl row;
    row.session = o.from;
    row.strategy = "fake";
    row.equity = spec.allocation;
    r.daily.push_back(row);
    r.report.summary.final_equity = spec.allocation;
    return r;
  };
  auto r = RunWalkForward(Input("1,2", "sharpe", 2), failing, Close());
  EXPECT_EQ(r.status().message(),
            "walk-forward fold 1 training (2024-01-01 .. 2024-01-05), combination 2 (level=2): "
            "boom");
  WalkForwardInput short_range = Input("1,2", "sharpe", 2);
  short_range.sessions = Sessions(9);
  EXPECT_EQ(RunWalkForward(short_range, failing, Close()).status(),
            Status::InvalidArgument("--walk-forward 5:5: one fold needs 10 sessions (5 to train, "
                                    "5 to test); 2024-01-01 .. 2024-01-09 has 9"));
}

}  // namespace
}  // namespace kairos::backtest
