#pragma once

#include <chrono>
#include <filesystem>

#include "core/file_lock.h"
#include "core/result.h"

namespace kairos::app {

// The locks of processes sharing one kairos home (ARCHITECTURE.md "Processes on one home"), all
// FileLocks under HOME/locks/.

// How long a command waits for a lock another command holds before it refuses (exit 1):
// 10 s, or the milliseconds in the environment variable KAIROS_LOCK_WAIT_MS (0 = do not wait).
// InvalidArgument when that variable is not a whole number of milliseconds.
Result<std::chrono::milliseconds> LockWait();

// HOME/locks/trading.lock: held for a whole trading run (run-day), a halt (with or without
// square-off) and a resume, so that at most one process places, cancels or fills orders and
// saves the paper broker's state at a time.
std::filesystem::path TradingLockPath(const std::filesystem::path& home);

// Takes the trading lock on `home`, waiting up to LockWait().
Result<FileLock> LockTrading(const std::filesystem::path& home);

}  // namespace kairos::app
