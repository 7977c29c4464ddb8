#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/check.h"
#include "core/status.h"

namespace kairos::telegram {

// A text message sent to the bot (Update.message). Commands arrive here as text "/cmd args".
struct IncomingMessage {
  int64_t message_id = 0;
  int64_t from_id = 0;  // the sender's user id; 0 when the message has no sender (channel post)
  std::string from_username;  // the sender's @username without the @; empty when it has none
  int64_t chat_id = 0;
  std::string text;  // empty for messages without text (photos, stickers, ...)
};

// A press of an inline keyboard button (Update.callback_query). Authorize by from_id.
struct CallbackQuery {
  std::string id;  // pass to AnswerCallbackQuery
  int64_t from_id = 0;
  std::string from_username;  // the presser's @username without the @; empty when it has none
  std::string data;           // the button's callback_data
  int64_t chat_id = 0;        // of the message carrying the button; 0 when not available
  int64_t message_id = 0;     // 0 when not available (inline mode, or a message too old)
};

// One update from getUpdates. Kinds the bot does not handle (edited messages, chat member
// changes, ...) arrive with neither field set: they still carry an update_id the poller must
// confirm by moving its offset past it.
struct Update {
  int64_t update_id = 0;
  std::optional<IncomingMessage> message;
  std::optional<CallbackQuery> callback_query;
};

// The offset that confirms every update in `updates` (the highest update_id + 1), or `current`
// when there are none. The poller stores it (in the same transaction as the effect of handling
// the update, so a restart neither loses nor repeats one) and passes it to the next GetUpdates,
// which confirms the updates below it: the server never returns them again.
int64_t NextOffset(const std::vector<Update>& updates, int64_t current);

// A button of an inline keyboard. callback_data is 1-64 bytes.
struct InlineButton {
  std::string text;
  std::string callback_data;
};
// Rows of buttons.
using InlineKeyboard = std::vector<std::vector<InlineButton>>;

// An entry of the bot's command menu (setMyCommands): command 1-32 of [a-z0-9_], description
// 1-256 characters.
struct BotCommand {
  std::string command;
  std::string description;
};

// What went wrong with a Bot API call. The kinds a caller acts on differently:
// kRetryAfter: flood control; send the same request again after retry_after_s seconds.
// kConflict: another getUpdates poller is running or a webhook is set (not retryable by waiting).
// kUnauthorized: the token was rejected. kNetwork, kTimeout, kServer: the service did not
// answer properly; retry later. kBadRequest, kForbidden, kNotFound: this request will never
// succeed as it is. kMalformedResponse: the answer was not a Bot API envelope.
enum class BotErrorKind {
  kRetryAfter,
  kConflict,
  kUnauthorized,
  kForbidden,
  kBadRequest,
  kNotFound,
  kServer,
  kNetwork,
  kTimeout,
  kMalformedResponse,
  kOther,
};

std::string_view BotErrorKindName(BotErrorKind kind);

struct BotError {
  BotErrorKind kind = BotErrorKind::kOther;
  std::string method;     // the Bot API method, "sendMessage"
  int http_status = 0;    // 0 when no HTTP answer arrived (or a check before sending failed)
  int retry_after_s = 0;  // kRetryAfter: parameters.retry_after
  int64_t migrate_to_chat_id = 0;  // parameters.migrate_to_chat_id when the server sent it
  std::string description;  // the server's description, or the transport's error; never the token

  // True for errors that may pass if the same request is sent again later.
  bool retryable() const;
  // "telegram sendMessage: flood control: retry after 35 s (Too Many Requests: retry after 35)".
  std::string Message() const;
  // kRetryAfter, kNetwork, kTimeout, kServer: Unavailable; kBadRequest: InvalidArgument;
  // kNotFound: NotFound; kConflict, kUnauthorized, kForbidden: FailedPrecondition; others Internal.
  Status ToStatus() const;
};

// Either a T or a BotError: like Result<T>, but the error keeps its kind and retry_after.
template <typename T>
class [[nodiscard]] BotResult {
 public:
  BotResult(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  BotResult(BotError error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: ok().
  const T& value() const& {
    KAIROS_CHECK(ok()) << "BotResult::value() on error: " << error().Message();
    return std::get<T>(v_);
  }
  T&& value() && {
    KAIROS_CHECK(ok()) << "BotResult::value() on error: " << std::get<BotError>(v_).Message();
    return std::move(std::get<T>(v_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  // REQUIRES: !ok().
  const BotError& error() const {
    KAIROS_CHECK(!ok()) << "BotResult::error() on a value";
    return std::get<BotError>(v_);
  }
  Status status() const { return ok() ? Status::Ok() : error().ToStatus(); }

 private:
  std::variant<T, BotError> v_;
};

// The result of a call whose success carries nothing.
struct Done {};
using BotStatus = BotResult<Done>;

}  // namespace kairos::telegram
