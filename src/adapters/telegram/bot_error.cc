#include <fmt/core.h>

#include "adapters/telegram/bot_types.h"

namespace kairos::telegram {

std::string_view BotErrorKindName(BotErrorKind kind) {
  switch (kind) {
    case BotErrorKind::kRetryAfter:
      return "flood control";
    case BotErrorKind::kConflict:
      return "conflict";
    case BotErrorKind::kUnauthorized:
      return "unauthorized";
    case BotErrorKind::kForbidden:
      return "forbidden";
    case BotErrorKind::kBadRequest:
      return "bad request";
    case BotErrorKind::kNotFound:
      return "not found";
    case BotErrorKind::kServer:
      return "server error";
    case BotErrorKind::kNetwork:
      return "network error";
    case BotErrorKind::kTimeout:
      return "timeout";
    case BotErrorKind::kMalformedResponse:
      return "malformed answer";
    case BotErrorKind::kOther:
      return "error";
  }
  return "error";
}

bool BotError::retryable() const {
  switch (kind) {
    case BotErrorKind::kRetryAfter:
    case BotErrorKind::kServer:
    case BotErrorKind::kNetwork:
    case BotErrorKind::kTimeout:
      return true;
    default:
      return false;
  }
}

namespace {

// What the operator should do, for the errors that have one answer.
std::string_view Advice(BotErrorKind kind) {
  switch (kind) {
    case BotErrorKind::kConflict:
      return "another bot instance is polling getUpdates with this token, or a webhook is set; "
             "run one poller only and delete the webhook";
    case BotErrorKind::kUnauthorized:
      return "the bot token was rejected; check [telegram] token or token_file";
    case BotErrorKind::kNotFound:
      return "no such method; check [telegram] api_base";
    default:
      return "";
  }
}

}  // namespace

std::string BotError::Message() const {
  std::string head = fmt::format("telegram {}: {}", method, BotErrorKindName(kind));
  if (kind == BotErrorKind::kRetryAfter) head += fmt::format(": retry after {} s", retry_after_s);
  if (std::string_view advice = Advice(kind); !advice.empty()) head += fmt::format(": {}", advice);
  if (http_status != 0 && kind == BotErrorKind::kOther)
    head += fmt::format(" (HTTP {})", http_status);
  return description.empty() ? head : fmt::format("{} ({})", head, description);
}

Status BotError::ToStatus() const {
  switch (kind) {
    case BotErrorKind::kRetryAfter:
    case BotErrorKind::kNetwork:
    case BotErrorKind::kTimeout:
    case BotErrorKind::kServer:
      return Status::Unavailable(Message());
    case BotErrorKind::kBadRequest:
      return Status::InvalidArgument(Message());
    case BotErrorKind::kNotFound:
      return Status::NotFound(Message());
    case BotErrorKind::kConflict:
    case BotErrorKind::kUnauthorized:
    case BotErrorKind::kForbidden:
      return Status::FailedPrecondition(Message());
    default:
      return Status::Internal(Message());
  }
}

}  // namespace kairos::telegram
