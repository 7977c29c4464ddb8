// Feeds arbitrary bytes to the Bot API answer parsers as the body of an HTTP answer: they must
// never crash, hang or leak, and what they accept must hold together (a button's callback data
// included).
#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/telegram/bot_json.h"
#include "adapters/telegram/signal_buttons.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kairos::telegram;
  if (size == 0) return 0;
  // The first byte picks the HTTP status, so error envelopes are explored too.
  static constexpr int kStatuses[] = {200, 400, 401, 403, 404, 409, 429, 500, 502, 0};
  HttpResponse response;
  response.status = kStatuses[data[0] % (sizeof kStatuses / sizeof kStatuses[0])];
  response.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  if (response.status == 0) response.error = response.body;
  auto result = ParseResponse("getUpdates", response);
  if (!result.ok()) {
    const BotError& e = result.error();
    if (e.kind == BotErrorKind::kRetryAfter && e.retry_after_s <= 0) __builtin_trap();
    (void)e.Message();
    (void)e.ToStatus();
    return 0;
  }
  (void)ParseMessageId("sendMessage", *result);
  auto updates = ParseUpdates(*result);
  if (!updates.ok()) return 0;
  int64_t next = NextOffset(*updates, 0);
  for (const Update& u : *updates) {
    if (u.update_id >= next) __builtin_trap();
    if (u.callback_query) {
      // Button data is outside input too: what parses must print back to the same data.
      if (auto d = ParseSignalCallbackData(u.callback_query->data)) {
        if (d->signal_id <= 0 || SignalCallbackData(*d) != u.callback_query->data) __builtin_trap();
      }
    }
    if (u.message && u.callback_query) {
      // Both kinds in one update is not what Telegram sends, but it must not break parsing.
      (void)u.message->text.size();
    }
  }
  return 0;
}
