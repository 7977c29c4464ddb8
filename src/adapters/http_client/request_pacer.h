#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

namespace kairos::http {

// The client side of a vendor's request limit ("200 requests per minute per account"): at most
// `limit` requests start in any `window`. Acquire waits (through `sleep`) until one may start,
// so kairos stays under the limit instead of collecting 429s. limit <= 0 turns pacing off.
// Thread-safe.
class RequestPacer {
 public:
  using Sleep = std::function<void(std::chrono::nanoseconds)>;

  RequestPacer(int limit, std::chrono::nanoseconds window, Sleep sleep);

  // Blocks until a request may start, then counts it.
  void Acquire();
  // After a 429: no request before now + wait.
  void Pause(std::chrono::nanoseconds wait);

 private:
  const int limit_;
  const std::chrono::nanoseconds window_;
  Sleep sleep_;
  std::mutex mu_;
  std::deque<std::chrono::steady_clock::time_point> started_;  // within the last window
  std::chrono::steady_clock::time_point paused_until_{};
};

}  // namespace kairos::http
