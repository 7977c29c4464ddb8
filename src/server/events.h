#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace kairos::server {

// One Server-Sent Event of /api/v1/events: `type` is the event name (signal, order, fill,
// job_run, alert, halt), `data` one line of JSON.
struct Event {
  int64_t id = 0;  // increasing; sent as the SSE id so a client can resume (Last-Event-ID)
  std::string type;
  std::string data;
};

// The live updates, fanned out to every open /api/v1/events stream. Publishers (the daemon's
// change feed) call Publish from any thread; each stream holds a Subscription and drains it.
// A subscriber that falls more than `capacity` events behind loses the oldest (it can re-read
// the lists); a slow client never holds the publisher.
class EventHub {
 public:
  explicit EventHub(size_t capacity = 1024) : capacity_(capacity) {}

  class Subscription {
   public:
    // The events published since the last call (empty when none).
    std::vector<Event> Drain();
    // Blocks until an event is pending or `timeout_ms` passes; whether one is.
    bool Wait(int64_t timeout_ms);

   private:
    friend class EventHub;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Event> pending_;
    size_t capacity_ = 0;
  };

  std::shared_ptr<Subscription> Subscribe();
  void Publish(std::string type, std::string data);
  size_t subscribers();

 private:
  size_t capacity_;
  std::mutex mu_;
  int64_t next_id_ = 1;
  std::vector<std::weak_ptr<Subscription>> subs_;
};

}  // namespace kairos::server
