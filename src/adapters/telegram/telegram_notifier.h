#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "adapters/telegram/bot_client.h"
#include "adapters/telegram/rate_limiter.h"
#include "ports/clock.h"
#include "ports/notifier.h"

namespace kairos::telegram {

// Outbox messages to one Telegram chat (ports::Notifier). Each message goes out in HTML parse
// mode, split into parts below 4,096 characters (SplitMessage), without a notification sound
// when it is silent, and with Approve/Reject buttons (signal_buttons.h) under its last part when
// its payload names a signal. The Delivery's external_id is the message_id of that last part,
// the message a button press edits.
//
// It never sleeps: when the rate limiter (1 message per second per chat, the global bucket) has
// no slot, or Telegram answered 429, Send returns retry_after_ns and the worker comes back with
// the same message. A message sent in parts resumes at the first part not yet sent, so a retry
// does not repeat the parts that went out (in this process; after a restart the message is sent
// again whole: delivery is at least once). Errors: 400 (a text Telegram refuses) is permanent;
// flood control, network errors, timeouts and 5xx are transient, and so are a rejected token or
// chat, which the operator can fix while the messages wait. Thread-safe.
class TelegramNotifier final : public ports::Notifier {
 public:
  // `client`, `limiter` and `clock` must outlive the notifier.
  TelegramNotifier(BotClient& client, RateLimiter& limiter, const ports::Clock& clock,
                   int64_t chat_id);

  ports::Delivery Send(const ports::OutboxMessage& message) override;

 private:
  ports::Delivery Failed(const BotError& error);

  BotClient& client_;
  RateLimiter& limiter_;
  const ports::Clock& clock_;
  const int64_t chat_id_;
  std::mutex mu_;
  // Per outbox message id: how many of its parts are sent, while some are not.
  std::unordered_map<int64_t, size_t> parts_sent_;
};

}  // namespace kairos::telegram
