#pragma once

#include <chrono>
#include <cstdint>

#include "ports/clock.h"

namespace kairos::scheduler {

// The system's real-time clock as a ports::Clock: what Scheduler::Run waits on in the daemon.
// Only wiring code (app/) creates one; modules read time through the Clock port (STYLE.md #8).
class WallClock final : public ports::Clock {
 public:
  int64_t NowNs() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace kairos::scheduler
