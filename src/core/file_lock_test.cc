#include "core/file_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "core/testing/lock_holder.h"

namespace kairos {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class FileLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kairos_file_lock_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    path_ = dir_ / "locks" / "trading.lock";
  }
  void TearDown() override { fs::remove_all(dir_); }

  pid_t HoldInChild(const std::string& command, milliseconds hold) {
    return testing::HoldLockInChild(path_, command, hold);
  }

  fs::path dir_;
  fs::path path_;
};

TEST_F(FileLockTest, FirstHolderGetsItAndCreatesTheDirectory) {
  auto lock = FileLock::Acquire(path_, "the trading lock", milliseconds(0), "kairos run-day");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  auto holder = FileLock::ReadHolder(path_);
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  EXPECT_EQ(holder->pid, ::getpid());
  EXPECT_EQ(holder->command, "kairos run-day");
  EXPECT_EQ(holder->since.size(), 20u) << holder->since;
}

TEST_F(FileLockTest, SecondHolderIsRefusedNamingTheFirst) {
  pid_t child = HoldInChild("kairos run-day --date 2026-12-07", milliseconds(10'000));
  auto start = std::chrono::steady_clock::now();
  auto second = FileLock::Acquire(path_, "the trading lock on /h", milliseconds(200), "b");
  auto waited = std::chrono::steady_clock::now() - start;
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  const std::string m = second.status().message();
  EXPECT_NE(m.find("another kairos command holds the trading lock on /h: pid " +
                   std::to_string(child) + ", `kairos run-day --date 2026-12-07`, since "),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("; try again when it ends"), std::string::npos) << m;
  EXPECT_GE(waited, milliseconds(200));
}

TEST_F(FileLockTest, TwoLocksInOneProcessConflict) {
  auto first = FileLock::Acquire(path_, "the lock", milliseconds(0), "a");
  ASSERT_TRUE(first.ok());
  auto second = FileLock::Acquire(path_, "the lock", milliseconds(0), "b");
  EXPECT_FALSE(second.ok());
}

TEST_F(FileLockTest, ReleasedWhenTheHolderIsKilled) {
  pid_t child = HoldInChild("kairos halt", milliseconds(10'000));
  ASSERT_FALSE(FileLock::Acquire(path_, "the lock", milliseconds(0)).ok());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  auto lock = FileLock::Acquire(path_, "the lock", milliseconds(0), "after");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_EQ(FileLock::ReadHolder(path_)->command, "after");
}

TEST_F(FileLockTest, WaitsForAHolderThatEndsWithinTheWait) {
  pid_t child = HoldInChild("kairos run-day", milliseconds(300));
  auto lock = FileLock::Acquire(path_, "the lock", milliseconds(5'000), "waiter");
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
}

TEST_F(FileLockTest, ReleasedWhenDestroyedAndMoved) {
  {
    auto lock = FileLock::Acquire(path_, "the lock", milliseconds(0), "a");
    ASSERT_TRUE(lock.ok());
    FileLock moved = std::move(*lock);
    EXPECT_FALSE(FileLock::Acquire(path_, "the lock", milliseconds(0), "b").ok());
  }
  EXPECT_TRUE(FileLock::Acquire(path_, "the lock", milliseconds(0), "c").ok());
}

TEST_F(FileLockTest, OwnCommandLineIsRecordedByDefault) {
  auto lock = FileLock::Acquire(path_, "the lock", milliseconds(0));
  ASSERT_TRUE(lock.ok());
  auto holder = FileLock::ReadHolder(path_);
  ASSERT_TRUE(holder.ok());
  EXPECT_EQ(holder->command.rfind("core_test", 0), 0u) << holder->command;
}

TEST_F(FileLockTest, UnusableDirectoryIsAnIOError) {
  fs::create_directories(dir_);
  std::FILE* f = std::fopen((dir_ / "locks").c_str(), "w");  // a file where the directory goes
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  auto lock = FileLock::Acquire(path_, "the lock", milliseconds(0));
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace kairos
