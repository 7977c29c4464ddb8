#pragma once

#include <cstdint>
#include <string>

#include "ports/outbox.h"

namespace kairos::ports {

// What became of one attempt to deliver an outbox message.
struct Delivery {
  bool sent = false;
  std::string external_id;     // the channel's id of the sent message (Telegram message_id)
  std::string error;           // when not sent: one line, no secrets (tokens redacted)
  int64_t retry_after_ns = 0;  // when not sent: the channel asked to wait this long (429)
  bool permanent = false;      // when not sent: retrying the same message cannot succeed
};

// A channel that carries outbox messages to a person (Telegram). The delivery worker calls
// Send in outbox order, one message at a time; a channel keeps its own rate limits.
class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual Delivery Send(const OutboxMessage& message) = 0;
};

}  // namespace kairos::ports
