#include "server/events.h"

#include <algorithm>
#include <chrono>

namespace kairos::server {

std::vector<Event> EventHub::Subscription::Drain() {
  std::lock_guard lock(mu_);
  std::vector<Event> out(pending_.begin(), pending_.end());
  pending_.clear();
  return out;
}

bool EventHub::Subscription::Wait(int64_t timeout_ms) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [&] { return !pending_.empty(); });
}

std::shared_ptr<EventHub::Subscription> EventHub::Subscribe() {
  auto sub = std::make_shared<Subscription>();
  sub->capacity_ = capacity_;
  std::lock_guard lock(mu_);
  subs_.push_back(sub);
  return sub;
}

void EventHub::Publish(std::string type, std::string data) {
  std::lock_guard lock(mu_);
  Event event{next_id_++, std::move(type), std::move(data)};
  std::erase_if(subs_, [](const auto& weak) { return weak.expired(); });
  for (const auto& weak : subs_) {
    auto sub = weak.lock();
    if (!sub) continue;
    {
      std::lock_guard sub_lock(sub->mu_);
      if (sub->pending_.size() >= sub->capacity_) sub->pending_.pop_front();
      sub->pending_.push_back(event);
    }
    sub->cv_.notify_all();
  }
}

size_t EventHub::subscribers() {
  std::lock_guard lock(mu_);
  std::erase_if(subs_, [](const auto& weak) { return weak.expired(); });
  return subs_.size();
}

}  // namespace kairos::server
