#include "core/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace kairos {
namespace {

TEST(ThreadsForTest, ZeroMeansTheHardwareAndNeverMoreThreadsThanItems) {
  const size_t hardware = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(ThreadsFor(1000, 0), std::min<size_t>(hardware, 1000));
  EXPECT_EQ(ThreadsFor(1000, -3), std::min<size_t>(hardware, 1000));
  EXPECT_EQ(ThreadsFor(1000, 4), 4u);
  EXPECT_EQ(ThreadsFor(3, 8), 3u);
  EXPECT_EQ(ThreadsFor(0, 8), 1u);
}

TEST(ParallelForTest, EveryItemRunsOnceWhateverTheThreads) {
  for (size_t threads : {1, 2, 3, 8}) {
    std::vector<std::atomic<int>> runs(1000);
    ParallelFor(runs.size(), threads, [&](size_t i, size_t) { runs[i]++; });
    for (size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i], 1) << i << " on " << threads;
  }
}

TEST(ParallelForTest, OneThreadRunsTheItemsInOrderOnTheCallingThread) {
  std::vector<size_t> order;
  const std::thread::id caller = std::this_thread::get_id();
  ParallelFor(50, 1, [&](size_t i, size_t worker) {
    EXPECT_EQ(worker, 0u);
    EXPECT_EQ(std::this_thread::get_id(), caller);
    order.push_back(i);
  });
  ASSERT_EQ(order.size(), 50u);
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
}

TEST(ParallelForTest, WorkerNamesOneThreadSoStatePerWorkerNeedsNoLock) {
  const size_t threads = 4;
  std::vector<std::thread::id> thread_of(threads);
  std::vector<int> count(threads, 0);
  std::mutex mu;
  std::set<std::pair<size_t, std::thread::id>> seen;
  ParallelFor(2000, threads, [&](size_t, size_t worker) {
    ASSERT_LT(worker, threads);
    count[worker]++;  // per-worker state, unlocked
    std::lock_guard lock(mu);
    seen.insert({worker, std::this_thread::get_id()});
  });
  std::set<size_t> workers;
  std::set<std::thread::id> ids;
  for (const auto& [w, id] : seen) {
    workers.insert(w);
    ids.insert(id);
  }
  EXPECT_EQ(workers.size(), seen.size()) << "a worker index was used by two threads";
  EXPECT_EQ(ids.size(), seen.size()) << "a thread used two worker indexes";
  int total = 0;
  for (int c : count) total += c;
  EXPECT_EQ(total, 2000);
}

TEST(ParallelForTest, NoItemsCallsNothing) {
  ParallelFor(0, 4, [](size_t, size_t) { ADD_FAILURE() << "called"; });
}

TEST(ParallelForTest, AThrownExceptionStopsTheWorkAndIsRethrownToTheCaller) {
  for (size_t threads : {1, 4}) {
    std::atomic<int> started{0};
    EXPECT_THROW(ParallelFor(100000, threads,
                             [&](size_t i, size_t) {
                               started++;
                               if (i == 10) throw std::runtime_error("item 10");
                             }),
                 std::runtime_error);
    EXPECT_LT(started.load(), 100000) << "on " << threads;
  }
}

TEST(ParallelForUntilErrorTest, AllOkIsOkAndEveryItemRuns) {
  std::vector<std::atomic<int>> runs(500);
  Status s = ParallelForUntilError(runs.size(), 3, [&](size_t i, size_t) {
    runs[i]++;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  for (size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i], 1) << i;
}

TEST(ParallelForUntilErrorTest, TheFirstFailureIsReturnedAndLaterItemsDoNotStart) {
  for (size_t threads : {1, 4}) {
    std::atomic<int> started{0};
    Status s = ParallelForUntilError(100000, threads, [&](size_t i, size_t) {
      started++;
      return i == 7 ? Status::InvalidArgument("item 7") : Status::Ok();
    });
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), "item 7");
    if (threads == 1) {
      EXPECT_EQ(started.load(), 8);
    } else {
      EXPECT_LT(started.load(), 100000);
    }
  }
}

TEST(ParallelMapTest, ResultsInItemOrderWhateverTheThreads) {
  for (int threads : {0, 1, 2, 7}) {
    std::vector<std::string> out =
        ParallelMap<std::string>(300, threads, [](size_t i) { return std::to_string(i * i); });
    ASSERT_EQ(out.size(), 300u);
    for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], std::to_string(i * i));
  }
}

}  // namespace
}  // namespace kairos
