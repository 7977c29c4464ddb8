#include "adapters/telegram/telegram_notifier.h"

#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "adapters/telegram/html.h"
#include "adapters/telegram/signal_buttons.h"

namespace kairos::telegram {
namespace {

constexpr int64_t kSecondNs = 1'000'000'000;

}  // namespace

TelegramNotifier::TelegramNotifier(BotClient& client, RateLimiter& limiter,
                                   const ports::Clock& clock, int64_t chat_id)
    : client_(client), limiter_(limiter), clock_(clock), chat_id_(chat_id) {}

ports::Delivery TelegramNotifier::Failed(const BotError& error) {
  ports::Delivery d;
  d.error = error.Message();
  if (error.kind == BotErrorKind::kRetryAfter) {
    limiter_.Backoff(chat_id_, error.retry_after_s);
    d.retry_after_ns = int64_t{error.retry_after_s} * kSecondNs;
  }
  d.permanent = error.kind == BotErrorKind::kBadRequest;
  return d;
}

ports::Delivery TelegramNotifier::Send(const ports::OutboxMessage& message) {
  std::lock_guard lock(mu_);
  Result<std::vector<std::string>> parts = SplitMessage(message.text);
  if (!parts.ok()) {
    return ports::Delivery{.error = fmt::format("telegram: message {} cannot be split: {}",
                                                message.id, parts.status().message()),
                           .permanent = true};
  }
  if (parts->empty() || parts->front().empty()) {
    return ports::Delivery{.error = fmt::format("telegram: message {} has no text", message.id),
                           .permanent = true};
  }
  std::optional<InlineKeyboard> buttons;
  if (auto signal = PayloadSignalId(message.payload)) buttons = SignalButtons(*signal);

  size_t& sent = parts_sent_[message.id];
  while (sent < parts->size()) {
    if (!limiter_.TryAcquire(chat_id_)) {
      int64_t wait = limiter_.NextAllowedNs(chat_id_) - clock_.NowNs();
      return ports::Delivery{
          .error = "telegram: waiting for the rate limit (1 message per second per chat)",
          .retry_after_ns = wait > 0 ? wait : 1};
    }
    const bool last = sent + 1 == parts->size();
    BotResult<int64_t> id = client_.SendMessage(chat_id_, (*parts)[sent], message.silent,
                                                last ? buttons : std::nullopt);
    if (!id.ok()) {
      ports::Delivery d = Failed(id.error());
      if (d.permanent) parts_sent_.erase(message.id);
      return d;
    }
    ++sent;
    if (last) {
      parts_sent_.erase(message.id);
      return ports::Delivery{.sent = true, .external_id = std::to_string(*id)};
    }
  }
  parts_sent_.erase(message.id);
  return ports::Delivery{.sent = true};
}

}  // namespace kairos::telegram
