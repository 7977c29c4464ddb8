#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kairos {

// An exclusive lock between processes: flock(2) on a file, so the kernel releases it when the
// holder dies (a crash or kill -9 never leaves a stale lock). The holder writes who it is into
// the lock file (pid, command, since), so a process that cannot get the lock can name it.
// Locks are per open file: two FileLocks on one path conflict even within one process.
// Not thread-safe; move-only; released when destroyed.
class FileLock {
 public:
  // Who holds a lock, as its holder wrote it into the lock file.
  struct Holder {
    int64_t pid = 0;
    std::string command;  // the holder's command line, arguments joined by spaces
    std::string since;    // when it took the lock, UTC, "2026-12-07T15:52:14Z"
  };

  // Takes the lock on `path` (created, with its directory, when missing), retrying until `wait`
  // has passed. `what` names the lock in the refusal ("the trading lock"); `command` is written
  // as the holder's command (empty: this process' own command line, from /proc/self/cmdline).
  // Errors: FailedPrecondition when another holder keeps it beyond `wait`, naming the holder:
  //   another kairos command holds the trading lock on HOME: pid 1234, `kairos run-day`,
  //   since 2026-12-07T15:52:14Z; try again when it ends
  // IOError when the file cannot be created or locked.
  static Result<FileLock> Acquire(const std::filesystem::path& path, std::string_view what,
                                  std::chrono::milliseconds wait, std::string_view command = {});

  // The holder written in the lock file at `path`, if it parses (the file may be empty or
  // describe a holder that has since ended: only the flock says whether it is held).
  static Result<Holder> ReadHolder(const std::filesystem::path& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  const std::filesystem::path& path() const { return path_; }

 private:
  FileLock(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  void Release();

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace kairos
