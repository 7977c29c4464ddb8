#include "adapters/telegram/rate_limiter.h"

#include <algorithm>

#include "core/check.h"

namespace kairos::telegram {
namespace {

constexpr int64_t kToken = 1'000'000'000;  // nano-tokens per message

}  // namespace

RateLimiter::RateLimiter(const ports::Clock& clock, Options options)
    : clock_(clock),
      options_(options),
      tokens_(options.global_burst * kToken),
      refilled_ns_(clock.NowNs()) {
  KAIROS_CHECK(options.global_per_second > 0 && options.global_burst > 0)
      << "the global bucket needs a positive rate and size";
}

void RateLimiter::Refill(int64_t now) {
  int64_t capacity = options_.global_burst * kToken;
  int64_t elapsed = std::max<int64_t>(0, now - refilled_ns_);
  // Bound elapsed by the time to fill the bucket so elapsed * rate cannot overflow.
  int64_t fill_ns = capacity / options_.global_per_second + 1;
  tokens_ = std::min(capacity, tokens_ + std::min(elapsed, fill_ns) * options_.global_per_second);
  refilled_ns_ = std::max(refilled_ns_, now);
}

int64_t RateLimiter::GlobalReadyNs(int64_t now) const {
  int64_t capacity = options_.global_burst * kToken;
  int64_t elapsed =
      std::min(std::max<int64_t>(0, now - refilled_ns_), capacity / options_.global_per_second + 1);
  int64_t tokens = std::min(capacity, tokens_ + elapsed * options_.global_per_second);
  if (tokens >= kToken) return now;
  int64_t missing = kToken - tokens;
  return now + (missing + options_.global_per_second - 1) / options_.global_per_second;
}

int64_t RateLimiter::ChatReadyNs(int64_t chat_id) const {
  auto it = chat_ready_ns_.find(chat_id);
  return it == chat_ready_ns_.end() ? 0 : it->second;
}

int64_t RateLimiter::NextAllowedNs(int64_t chat_id) const {
  int64_t now = clock_.NowNs();
  std::lock_guard lock(mu_);
  return std::max({now, GlobalReadyNs(now), ChatReadyNs(chat_id)});
}

bool RateLimiter::TryAcquire(int64_t chat_id) {
  int64_t now = clock_.NowNs();
  std::lock_guard lock(mu_);
  if (GlobalReadyNs(now) > now || ChatReadyNs(chat_id) > now) return false;
  Refill(now);
  tokens_ -= kToken;
  if (chat_ready_ns_.size() >= 1024) {
    std::erase_if(chat_ready_ns_, [now](const auto& entry) { return entry.second <= now; });
  }
  chat_ready_ns_[chat_id] = now + options_.per_chat_interval_ns;
  return true;
}

void RateLimiter::Backoff(int64_t chat_id, int retry_after_s) {
  int64_t until = clock_.NowNs() + std::max(retry_after_s, 0) * int64_t{1'000'000'000};
  std::lock_guard lock(mu_);
  int64_t& ready = chat_ready_ns_[chat_id];
  ready = std::max(ready, until);
}

}  // namespace kairos::telegram
