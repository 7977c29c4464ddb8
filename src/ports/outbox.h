#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace kairos::ports {

// A message a person should receive, written in the same transaction as the change it reports
// (ARCHITECTURE.md "Every state change is an event"), then delivered at least once by a worker.
struct OutboxMessage {
  int64_t id = 0;
  std::string kind;     // event type: "job.failed", "signal.pending", "order.filled", ...
  std::string text;     // the message, Telegram HTML (already escaped)
  bool silent = false;  // deliver without a notification sound
  std::string key;      // idempotency key: one message per key, ever
  std::string payload;  // JSON for the deliverer (e.g. {"signal":12} adds buttons)
  int64_t created_ns = 0;
  int64_t sent_ns = 0;      // 0 until delivered
  int attempts = 0;         // delivery attempts so far
  std::string last_error;   // of the last failed attempt
  std::string external_id;  // the channel's id once sent (Telegram message_id)
};

struct OutboxFilter {
  bool unsent_only = false;
  std::string kind;      // empty: every kind
  int64_t since_ns = 0;  // created at or after
  int limit = 0;         // 0: no limit; newest first when set
};

class OutboxRepository {
 public:
  virtual ~OutboxRepository() = default;
  // Stores `message` (id, sent_ns, attempts ignored) and returns it with its id; a message
  // whose key is already stored is not stored again: the stored one is returned. InvalidArgument
  // for an empty key or kind.
  virtual Result<OutboxMessage> Enqueue(const OutboxMessage& message) = 0;
  // Unsent messages in id order (the order they were written), at most `limit` (<= 0: all).
  virtual Result<std::vector<OutboxMessage>> Pending(int limit) = 0;
  // Records the delivery (attempts unchanged); the message leaves Pending. NotFound for an
  // unknown id.
  virtual Status MarkSent(int64_t id, int64_t sent_ns, std::string_view external_id) = 0;
  // attempts + 1 and last_error = error; the message stays pending. NotFound for an unknown id.
  virtual Status MarkFailed(int64_t id, std::string_view error) = 0;
  // Matching messages in id order; newest first (id descending) when filter.limit is set.
  virtual Result<std::vector<OutboxMessage>> List(const OutboxFilter& filter) = 0;
};

}  // namespace kairos::ports
