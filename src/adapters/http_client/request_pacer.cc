#include "adapters/http_client/request_pacer.h"

#include <utility>

namespace kairos::http {

RequestPacer::RequestPacer(int limit, std::chrono::nanoseconds window, Sleep sleep)
    : limit_(limit), window_(window), sleep_(std::move(sleep)) {}

void RequestPacer::Acquire() {
  while (true) {
    std::chrono::nanoseconds wait{0};
    {
      std::lock_guard lock(mu_);
      auto now = std::chrono::steady_clock::now();
      while (!started_.empty() && now - started_.front() >= window_) started_.pop_front();
      if (now < paused_until_) {
        wait = paused_until_ - now;
      } else if (limit_ > 0 && static_cast<int>(started_.size()) >= limit_) {
        wait = started_.front() + window_ - now;
      } else {
        if (limit_ > 0) started_.push_back(now);
        return;
      }
    }
    sleep_(wait);
  }
}

void RequestPacer::Pause(std::chrono::nanoseconds wait) {
  std::lock_guard lock(mu_);
  auto until = std::chrono::steady_clock::now() + wait;
  if (until > paused_until_) paused_until_ = until;
}

}  // namespace kairos::http
