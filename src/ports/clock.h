#pragma once

#include <chrono>
#include <cstdint>

namespace kairos::ports {

// Time as the engine sees it: nanoseconds since the Unix epoch, UTC (core/date.h Timestamp).
// The wall clock in paper and live mode; a ManualClock in backtests and `run-day`, advanced by
// the driver. The paper broker reads the same clock to know which opens and closes have passed.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowNs() const = 0;
};

// A clock that moves only when told to, and never backwards.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ns = 0) : now_ns_(start_ns) {}
  int64_t NowNs() const override { return now_ns_; }
  // Moves to `t`; a `t` in the past is ignored (time does not go back).
  void AdvanceTo(int64_t t_ns) {
    if (t_ns > now_ns_) now_ns_ = t_ns;
  }

 private:
  int64_t now_ns_;
};

// The system's real-time clock: what the daemon's scheduler waits on and what the CLI stamps
// its audit rows with. Only wiring code (app/) creates one; modules read time through Clock.
class WallClock final : public Clock {
 public:
  int64_t NowNs() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace kairos::ports
