#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "adapters/http_client/http_transport.h"
#include "adapters/telegram/bot_types.h"

namespace kairos::telegram {

struct BotConfig {
  std::string api_base = "https://api.telegram.org";  // [telegram] api_base; no trailing slash
  std::string token;                                  // never logged: errors show "<token>"
  int64_t request_timeout_ms = 30'000;                // every call but getUpdates
  int64_t poll_grace_ms = 10'000;  // getUpdates waits timeout_s plus this for the answer
};

struct BotIdentity {
  int64_t id = 0;
  std::string username;
};

// A Bot API client (VENDOR_APIS.md §3): JSON requests to <api_base>/bot<token>/<method>, typed
// answers and errors (bot_types.h). It never retries or sleeps: on kRetryAfter the caller sends
// the same request again after retry_after_s (RateLimiter::Backoff), so one outbox worker owns
// the pacing. Thread-safe when the transport is: a long poll and sends may run at once.
class BotClient {
 public:
  BotClient(BotConfig config, std::unique_ptr<http::HttpTransport> transport);

  // getMe: checks the token.
  BotResult<BotIdentity> GetMe();

  // sendMessage in HTML parse mode (text escaped by the caller: EscapeHtml), without a link
  // preview; `silent` sends without a notification sound. Returns the message_id. REQUIRES a
  // text that fits (SplitMessage); an empty text or a bad keyboard fails before sending.
  BotResult<int64_t> SendMessage(int64_t chat_id, std::string_view html, bool silent,
                                 const std::optional<InlineKeyboard>& keyboard = std::nullopt);

  // editMessageText in HTML parse mode. Without a keyboard the message's buttons are removed.
  // Editing to the same text and buttons is a kBadRequest "message is not modified", which a
  // caller repeating an edit may ignore (IsNotModified).
  BotStatus EditMessageText(int64_t chat_id, int64_t message_id, std::string_view html,
                            const std::optional<InlineKeyboard>& keyboard = std::nullopt);

  // answerCallbackQuery: stops the spinner on the button; `text` (0-200 characters) shows as a
  // toast. Answer within seconds of the press or the server says "query is too old".
  BotStatus AnswerCallbackQuery(std::string_view callback_query_id, std::string_view text = {});

  // setMyCommands for the default scope.
  BotStatus SetMyCommands(const std::vector<BotCommand>& commands);

  // deleteWebhook, so getUpdates is allowed (a webhook set makes it fail with kConflict).
  BotStatus DeleteWebhook();

  // getUpdates for messages and callback queries: updates with update_id >= offset, waiting up
  // to timeout_s (clamped to 0-50) for one to arrive. Calling it with an offset confirms (and
  // the server forgets) every update below it, so the caller persists NextOffset(updates,
  // offset) once it has handled a batch, and passes it next time. A second poller with the same
  // token ends this one with kConflict.
  BotResult<std::vector<Update>> GetUpdates(int64_t offset, int timeout_s);

 private:
  BotResult<nlohmann::json> Call(std::string_view method, const nlohmann::json& params,
                                 int64_t timeout_ms);
  std::string Redact(std::string text) const;

  BotConfig config_;
  std::unique_ptr<http::HttpTransport> transport_;
};

// True for the 400 answer to an edit that changes nothing.
bool IsNotModified(const BotError& error);

}  // namespace kairos::telegram
