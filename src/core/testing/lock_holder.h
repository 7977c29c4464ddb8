#pragma once
// For tests of processes that share a lock: another process holding a FileLock.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "core/file_lock.h"

namespace kairos::testing {

// Forks a child that takes the lock at `path` as `command`, tells the parent through a pipe,
// then holds it for `hold` (or until killed) and exits. Returns the child's pid once it holds the
// lock; the caller waits for it (waitpid) or kills it.
inline pid_t HoldLockInChild(const std::filesystem::path& path, const std::string& command,
                             std::chrono::milliseconds hold) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    auto lock = FileLock::Acquire(path, "the lock", std::chrono::milliseconds(0), command);
    char c = lock.ok() ? '1' : '0';
    (void)!::write(fds[1], &c, 1);
    ::usleep(static_cast<useconds_t>(hold.count() * 1000));
    ::_exit(0);
  }
  ::close(fds[1]);
  char c = 0;
  EXPECT_EQ(::read(fds[0], &c, 1), 1);
  ::close(fds[0]);
  EXPECT_EQ(c, '1') << "the child could not take the lock";
  return pid;
}

}  // namespace kairos::testing
