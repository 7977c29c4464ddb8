#include "core/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "core/check.h"

namespace kairos {

size_t ThreadsFor(size_t items, int threads) {
  size_t n = threads > 0 ? static_cast<size_t>(threads)
                         : std::max(1u, std::thread::hardware_concurrency());
  return std::clamp<size_t>(n, 1, std::max<size_t>(items, 1));
}

void ParallelFor(size_t items, size_t threads,
                 const std::function<void(size_t item, size_t worker)>& fn) {
  KAIROS_CHECK(threads >= 1) << "ParallelFor needs at least one thread";
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::exception_ptr thrown;  // guarded by mu
  auto work = [&](size_t worker) {
    for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < items;
         i = next.fetch_add(1, std::memory_order_relaxed)) {
      try {
        fn(i, worker);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!thrown) thrown = std::current_exception();
        next.store(items, std::memory_order_relaxed);  // the others stop after their current item
        return;
      }
    }
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(threads - 1);
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
  }  // joins
  if (thrown) std::rethrow_exception(thrown);
}

Status ParallelForUntilError(size_t items, size_t threads,
                             const std::function<Status(size_t item, size_t worker)>& fn) {
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;  // guarded by mu
  ParallelFor(items, threads, [&](size_t item, size_t worker) {
    if (failed.load(std::memory_order_relaxed)) return;
    Status s = fn(item, worker);
    if (s.ok()) return;
    std::lock_guard lock(mu);
    if (first.ok()) first = std::move(s);
    failed.store(true, std::memory_order_relaxed);
  });
  return first;
}

}  // namespace kairos
