#pragma once

// Work split over a few threads: the scanner's symbols, a sweep's combinations, the synthesiser's
// series, the importer's files. Items are handed out one at a time, in order, to whichever thread
// is free, so a slow item does not hold up a fixed share of the others.

#include <cstddef>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "core/status.h"

namespace kairos {

// The threads to run `items` items on when `threads` are asked for: the hardware's concurrency
// when threads <= 0; never more than the items, never fewer than 1.
size_t ThreadsFor(size_t items, int threads);

// Calls fn(item, worker) once for every item in [0, items) on `threads` threads, the calling
// thread being one of them, and returns when every call has returned. `worker` (0..threads-1)
// names the thread making the call, so a caller can keep state per thread without a lock; the
// calling thread is worker 0. With 1 thread the calls are made in item order on the calling
// thread. If a call throws, no further item is started and the first exception is rethrown once
// the calls running have returned. REQUIRES: threads >= 1.
void ParallelFor(size_t items, size_t threads,
                 const std::function<void(size_t item, size_t worker)>& fn);

// As ParallelFor with calls that may fail: after the first failure no further item is started,
// and that failure (the first in time) is returned once the calls running have returned.
Status ParallelForUntilError(size_t items, size_t threads,
                             const std::function<Status(size_t item, size_t worker)>& fn);

// run(i) for every item on ThreadsFor(items, threads) threads, the results in item order,
// whatever the scheduling.
template <typename T>
std::vector<T> ParallelMap(size_t items, int threads, const std::function<T(size_t)>& run) {
  std::vector<std::optional<T>> slots(items);
  ParallelFor(items, ThreadsFor(items, threads),
              [&](size_t i, size_t /*worker*/) { slots[i].emplace(run(i)); });
  std::vector<T> out;
  out.reserve(items);
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

}  // namespace kairos
