#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/backtest.h"
#include "backtest/report.h"
#include "backtest/sweep.h"
#include "core/date.h"
#include "core/fixed_point.h"
#include "core/result.h"
#include "core/status.h"
#include "domain/strategy.h"
#include "engine/analytics.h"

namespace kairos::backtest {

// Walk-forward analysis (docs/BACKTESTING.md "Walk-forward"): the sessions of a range are cut
// into folds; on each fold every sweep combination runs over the training window, the best by a
// metric is chosen, and only that combination runs over the test window that follows. The test
// windows, chained, are the out-of-sample run: what the optimisation would have earned had it
// been redone every TEST sessions without seeing the future.

// --walk-forward TRAIN:TEST[:STEP], session counts. STEP (default TEST) is how far the next fold
// starts after this one; it may not be shorter than TEST (overlapping test windows would count
// sessions twice in the out-of-sample run).
struct WalkForwardSpec {
  int train = 0, test = 0, step = 0;
};
// InvalidArgument quoting `arg` for anything but positive integers with STEP >= TEST.
Result<WalkForwardSpec> ParseWalkForward(std::string_view arg);

struct Window {
  Date from, to;  // sessions, inclusive
  int sessions = 0;
};

struct Fold {
  int number = 0;  // 1-based
  Window train, test;
};

struct FoldPlan {
  std::vector<Fold> folds;
  // Sessions at the end of the range that no test window covers: a last fold whose test window
  // would be shorter than TEST is dropped, not shortened (a metric over a few sessions is noise
  // and would weigh as much as a full fold in the averages).
  int untested_sessions = 0;
};

// Fold k (0-based) trains on sessions [k*STEP, k*STEP+TRAIN) and tests on the TEST sessions
// after them; folds continue while a whole test window fits. InvalidArgument when not even one
// fold fits, naming the sessions there are and the sessions needed. `sessions` are the range's
// sessions in order; `arg` is the option as given, for messages.
Result<FoldPlan> PlanFolds(std::span<const Date> sessions, const WalkForwardSpec& spec,
                           std::string_view arg);

// Runs one backtest of `spec` (its file text `source`) over `options` in a wiring of its own;
// thread-safe (the training runs call it concurrently). The app wires it to RunBacktest over a
// private store and paper broker.
using BacktestRunner = std::function<Result<BacktestResult>(
    const StrategySpec& spec, std::string_view source, const BacktestOptions& options)>;
// The close of `symbol` on the last bar at or before `day` (nullopt: no bar): the price at which
// a position still open at the end of a test fold is taken out of the out-of-sample run.
using CloseLookup = std::function<Result<std::optional<Price>>(std::string_view symbol, Date day)>;

struct WalkForwardInput {
  std::string source;     // the strategy file's text, placeholders included
  std::string file_name;  // for parse errors
  std::vector<SweepAxis> axes;
  std::string rank_by;  // one of RankMetrics()
  WalkForwardSpec spec;
  std::string spec_arg;        // the --walk-forward text, for messages
  std::vector<Date> sessions;  // of [--from, --to], in order
  int threads = 0;             // training runs in parallel; 0: every core
};

struct FoldResult {
  Fold fold;
  size_t chosen = 0;  // index into Combinations(axes)
  Params params;      // the chosen combination
  // The metric (as reported: max_drawdown in percent, not negated) of the chosen combination on
  // the training window and of its run on the test window; nullopt where undefined.
  std::optional<double> train_metric, test_metric;
  bool train_metric_undefined_for_all = false;  // then `chosen` is the first combination
  int64_t test_starting_equity = 0, test_final_equity = 0;  // minor units
  double test_return_percent = 0;
  // Round trips closed in the test window, including (but for the last fold) the positions
  // taken out at its end.
  int test_trades = 0;
  BacktestResult test;  // the test window's run
};

struct WalkForwardResult {
  std::vector<std::string> param_names;  // the axes, in --sweep order
  size_t combinations = 0;
  std::vector<FoldResult> folds;
  int untested_sessions = 0;
  // The test windows stitched into one run (docs/BACKTESTING.md): its report (summary.json,
  // trades.csv, equity.csv, report.html) and metrics.
  Report out_of_sample;
  engine::Metrics out_of_sample_metrics;
  // Averages over the folds of the defined values (nullopt: none defined), and the metric of the
  // stitched run: in-sample against out-of-sample.
  std::optional<double> mean_train_metric, mean_test_metric, out_of_sample_metric;
  std::vector<std::string> notes;  // e.g. a fold where the metric was undefined for all
};

// Plans the folds, runs every (fold, combination) training backtest on `threads` threads, then
// the chosen combination of each fold over its test window in fold order, each test window
// starting flat with the equity the previous one ended with (the strategy's allocation for the
// first). The result does not depend on the thread count. Errors (nothing is written): those of
// PlanFolds, ExpandPlaceholders, ParseStrategy, the runner (with the fold and combination as
// context), and FailedPrecondition when a test window would start with no capital left.
Result<WalkForwardResult> RunWalkForward(const WalkForwardInput& input, const BacktestRunner& run,
                                         const CloseLookup& close);

// The metric as reported (RankKey's value with max_drawdown's sign restored).
std::optional<double> MetricValue(const engine::Metrics& m, std::string_view metric);

// One row per fold: fold, train_from, train_to, test_from, test_to, the parameters,
// train_<metric>, test_<metric>, test_return_percent, test_trades. Ratios with 4 decimals, an
// undefined metric empty.
std::vector<std::string> FoldColumns(const WalkForwardResult& r, std::string_view metric);
std::vector<std::vector<std::string>> FoldRows(const WalkForwardResult& r);
std::string WalkForwardCsv(const WalkForwardResult& r, std::string_view metric);

// Writes walk_forward.csv and the out-of-sample report's files into `dir` (created when
// missing). IOError names the file.
Status WriteWalkForward(const WalkForwardResult& r, std::string_view metric,
                        const std::filesystem::path& dir);

}  // namespace kairos::backtest
