#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/backtest_run.h"
#include "core/result.h"
#include "ports/clock.h"

namespace kairos::app {

// Backtests run in the background for the HTTP API, each kept under HOME/backtests/<id>/: its
// record run.json (id, status, strategy, from, to, created_at, started_at, finished_at, error,
// notes) and, once it succeeded, the report files `kairos backtest` writes (summary.json,
// trades.csv, equity.csv, report.html). Ids are "run-1", "run-2", ...: never a strategy's name
// (those have no '-'), so they never meet the command's HOME/backtests/<strategy>/.
//
// One run at a time (a backtest keeps a core busy), up to kMaxWaiting more waiting as "queued";
// Start refuses beyond that. A run that was queued or running when the process stopped is
// "failed" ("interrupted ...") from the next start on. Thread-safe.
class BacktestRuns {
 public:
  static constexpr size_t kMaxWaiting = 4;

  BacktestRuns(std::filesystem::path home, const ports::Clock& clock);
  // Lets the run in progress finish (its record stays right); waiting runs stay "queued" and
  // read as interrupted after a restart.
  ~BacktestRuns();
  BacktestRuns(const BacktestRuns&) = delete;
  BacktestRuns& operator=(const BacktestRuns&) = delete;

  // Queues `strategy` over `market`: the new run's record. FailedPrecondition when kMaxWaiting
  // runs wait already.
  Result<nlohmann::ordered_json> Start(LoadedStrategy strategy, BacktestMarket market);

  // A run's record; NotFound for an id that names no run.
  Result<nlohmann::ordered_json> Get(std::string_view id) const;
  // Every run's record, oldest first.
  std::vector<nlohmann::ordered_json> List() const;
  // HOME/backtests/<id>/ of a run that succeeded; NotFound (no such run), FailedPrecondition
  // ("backtest run-2 is running").
  Result<std::filesystem::path> ReportDir(std::string_view id) const;

 private:
  struct Job {
    std::string id;
    LoadedStrategy strategy;
    BacktestMarket market;
  };
  std::filesystem::path Dir(std::string_view id) const;
  Status Write(const nlohmann::ordered_json& record) const;
  void Work();
  void Run(Job& job);

  const std::filesystem::path root_;  // HOME/backtests
  const ports::Clock& clock_;
  mutable std::mutex mu_;  // guards the fields below and every write of a record
  std::condition_variable wake_;
  std::deque<Job> waiting_;
  bool busy_ = false;
  bool stopping_ = false;
  int64_t last_id_ = 0;
  std::thread worker_;  // last: started once the rest is ready
};

}  // namespace kairos::app
