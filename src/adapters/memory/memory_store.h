#pragma once

#include <cstdint>
#include <memory>

#include "core/result.h"
#include "ports/store.h"

namespace kairos::adapters::memory {

// A store that lives in this process only: every repository of ports/store.h on plain containers
// with secondary indexes, for replays (the backtest, walk-forward) where nothing has to survive
// the process and SQLite's per-statement cost dominates. Same contract as the SQLite store
// (adapters/sqlite): ids 1, 2, 3... per table, the same orderings, idempotence, compare-and-set
// and error texts (README.md lists the few texts that differ because SQLite's name SQL). Every
// call is O(log n) or O(size of its answer); no call scans the whole history.
//
// InTransaction rolls back with an undo log that each write records while a transaction is open.
// Thread-safe: one recursive mutex is held by each call and across a whole InTransaction.
std::unique_ptr<ports::Store> OpenStore();

// What the store holds, per table of the SQLite schema (for tests and diagnostics).
struct RowCounts {
  int64_t strategies = 0;  // stored versions, every strategy
  int64_t strategy_states = 0;
  int64_t signals = 0;
  int64_t orders = 0;
  int64_t fills = 0;
  int64_t positions = 0;
  int64_t daily_pnl = 0;
  int64_t universes = 0;
  int64_t state = 0;
  int64_t audit = 0;
  int64_t job_runs = 0;
  int64_t outbox = 0;
  int64_t users = 0;
  int64_t sessions = 0;
  int64_t api_tokens = 0;
  int64_t login_throttle = 0;
};

// InvalidArgument when `store` was not made by OpenStore above.
Result<RowCounts> CountRows(ports::Store& store);

}  // namespace kairos::adapters::memory
