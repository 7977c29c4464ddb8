#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "ports/clock.h"

namespace kairos::telegram {

// Telegram's flood limits as the sender keeps them (VENDOR_APIS.md §3.7): at most one message per
// second to one chat, and a global token bucket (30 per second by default) over all chats. The
// deliverer asks when it may send rather than sleeping here, so tests run on a ManualClock.
// Thread-safe.
class RateLimiter {
 public:
  struct Options {
    int64_t per_chat_interval_ns = 1'000'000'000;  // between two messages to one chat
    int64_t global_per_second = 30;                // refill rate of the global bucket
    int64_t global_burst = 30;                     // the global bucket's size
  };

  // `clock` must outlive the limiter.
  explicit RateLimiter(const ports::Clock& clock) : RateLimiter(clock, Options{}) {}
  RateLimiter(const ports::Clock& clock, Options options);

  // The earliest instant (ns since epoch, >= now) at which a message to `chat_id` may be sent.
  int64_t NextAllowedNs(int64_t chat_id) const;

  // Takes the slot when a message to `chat_id` may be sent now and returns true; else false and
  // nothing changes. Call it right before each send.
  bool TryAcquire(int64_t chat_id);

  // After a 429 for `chat_id`: no message to that chat before now + retry_after_s.
  void Backoff(int64_t chat_id, int retry_after_s);

 private:
  int64_t GlobalReadyNs(int64_t now) const;
  int64_t ChatReadyNs(int64_t chat_id) const;
  void Refill(int64_t now);

  const ports::Clock& clock_;
  const Options options_;
  mutable std::mutex mu_;
  // The global bucket in nano-tokens (1e9 per message), as of refilled_ns_.
  int64_t tokens_;
  int64_t refilled_ns_;
  // Per chat: the earliest next send. Entries in the past mean the same as no entry and are
  // dropped when the map grows.
  std::unordered_map<int64_t, int64_t> chat_ready_ns_;
};

}  // namespace kairos::telegram
