#include "adapters/telegram/bot_json.h"

#include <fmt/core.h>

#include <algorithm>
#include <limits>

#include "adapters/telegram/html.h"

namespace kairos::telegram {
namespace {

using nlohmann::json;

BotError MakeError(BotErrorKind kind, std::string_view method, int status, std::string text) {
  BotError e;
  e.kind = kind;
  e.method = std::string(method);
  e.http_status = status;
  e.description = std::move(text);
  return e;
}

BotErrorKind KindOfCode(int code) {
  switch (code) {
    case 400:
      return BotErrorKind::kBadRequest;
    case 401:
      return BotErrorKind::kUnauthorized;
    case 403:
      return BotErrorKind::kForbidden;
    case 404:
      return BotErrorKind::kNotFound;
    case 409:
      return BotErrorKind::kConflict;
    case 429:
      return BotErrorKind::kRetryAfter;
    default:
      return code >= 500 && code <= 599 ? BotErrorKind::kServer : BotErrorKind::kOther;
  }
}

// The integer at `j[key]` when it is one that fits int64.
std::optional<int64_t> IntField(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer() && !it->is_number_unsigned()) return it->get<int64_t>();
  if (it->is_number_unsigned()) {
    uint64_t u = it->get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return static_cast<int64_t>(u);
    }
  }
  return std::nullopt;
}

std::optional<std::string> StringField(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

const json* ObjectField(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}

// A body that is not JSON: a transport-level failure shown briefly (an HTML page is not useful).
std::string BodyExcerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  return out;
}

BotError EnvelopeError(std::string_view method, int http_status, const json& doc) {
  int code = http_status;
  if (auto c = IntField(doc, "error_code"); c && *c > 0 && *c <= std::numeric_limits<int>::max()) {
    code = static_cast<int>(*c);
  }
  BotError e = MakeError(KindOfCode(code), method, code,
                         StringField(doc, "description").value_or("(no description)"));
  if (const json* params = ObjectField(doc, "parameters")) {
    if (auto s = IntField(*params, "retry_after"); s && *s >= 0 && *s <= 86'400 * 366) {
      e.retry_after_s = static_cast<int>(*s);
    }
    e.migrate_to_chat_id = IntField(*params, "migrate_to_chat_id").value_or(0);
  }
  // Flood control without a usable retry_after: wait a second rather than not at all.
  if (e.kind == BotErrorKind::kRetryAfter && e.retry_after_s <= 0) e.retry_after_s = 1;
  return e;
}

std::optional<IncomingMessage> ParseMessage(const json& m) {
  auto message_id = IntField(m, "message_id");
  const json* chat = ObjectField(m, "chat");
  auto chat_id = chat ? IntField(*chat, "id") : std::nullopt;
  if (!message_id || !chat_id) return std::nullopt;
  IncomingMessage out;
  out.message_id = *message_id;
  out.chat_id = *chat_id;
  if (const json* from = ObjectField(m, "from")) {
    out.from_id = IntField(*from, "id").value_or(0);
    out.from_username = StringField(*from, "username").value_or("");
  }
  out.text = StringField(m, "text").value_or("");
  return out;
}

std::optional<CallbackQuery> ParseCallbackQuery(const json& q) {
  auto id = StringField(q, "id");
  const json* from = ObjectField(q, "from");
  auto from_id = from ? IntField(*from, "id") : std::nullopt;
  if (!id || !from_id) return std::nullopt;
  CallbackQuery out;
  out.id = *id;
  out.from_id = *from_id;
  out.from_username = StringField(*from, "username").value_or("");
  out.data = StringField(q, "data").value_or("");
  if (const json* m = ObjectField(q, "message")) {
    // An InaccessibleMessage (date 0) still names its chat and message_id.
    out.message_id = IntField(*m, "message_id").value_or(0);
    if (const json* chat = ObjectField(*m, "chat")) out.chat_id = IntField(*chat, "id").value_or(0);
  }
  return out;
}

}  // namespace

int64_t NextOffset(const std::vector<Update>& updates, int64_t current) {
  int64_t next = current;
  for (const Update& u : updates) next = std::max(next, u.update_id + 1);
  return next;
}

BotResult<json> ParseResponse(std::string_view method, const HttpResponse& response) {
  if (response.status == 0) {
    return MakeError(response.timed_out ? BotErrorKind::kTimeout : BotErrorKind::kNetwork, method,
                     0, response.error.empty() ? "no answer" : response.error);
  }
  json doc = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("ok") || !doc["ok"].is_boolean()) {
    BotErrorKind kind = response.status >= 500   ? BotErrorKind::kServer
                        : response.status == 200 ? BotErrorKind::kMalformedResponse
                                                 : KindOfCode(response.status);
    BotError e = MakeError(kind, method, response.status,
                           fmt::format("HTTP {} without a Bot API answer: '{}'", response.status,
                                       BodyExcerpt(response.body)));
    if (e.kind == BotErrorKind::kRetryAfter) e.retry_after_s = 1;  // no retry_after to honour
    return e;
  }
  if (!doc["ok"].get<bool>()) return EnvelopeError(method, response.status, doc);
  auto it = doc.find("result");
  if (it == doc.end()) {
    return MakeError(BotErrorKind::kMalformedResponse, method, response.status,
                     "ok answer without a result");
  }
  return std::move(*it);
}

BotResult<std::vector<Update>> ParseUpdates(const json& result) {
  if (!result.is_array()) {
    return MakeError(BotErrorKind::kMalformedResponse, "getUpdates", 200,
                     "result is not an array of updates");
  }
  std::vector<Update> updates;
  updates.reserve(result.size());
  for (const json& u : result) {
    auto update_id = IntField(u, "update_id");
    if (!update_id) {
      return MakeError(BotErrorKind::kMalformedResponse, "getUpdates", 200,
                       fmt::format("update {} has no integer update_id", updates.size()));
    }
    Update update;
    update.update_id = *update_id;
    if (const json* m = ObjectField(u, "message")) update.message = ParseMessage(*m);
    if (const json* q = ObjectField(u, "callback_query")) {
      update.callback_query = ParseCallbackQuery(*q);
    }
    updates.push_back(std::move(update));
  }
  return updates;
}

BotResult<int64_t> ParseMessageId(std::string_view method, const json& result) {
  if (auto id = IntField(result, "message_id")) return *id;
  return MakeError(BotErrorKind::kMalformedResponse, method, 200,
                   "result is not a Message with a message_id");
}

json KeyboardJson(const InlineKeyboard& keyboard) {
  json rows = json::array();
  for (const auto& row : keyboard) {
    json buttons = json::array();
    for (const InlineButton& b : row) {
      buttons.push_back({{"text", b.text}, {"callback_data", b.callback_data}});
    }
    rows.push_back(std::move(buttons));
  }
  return {{"inline_keyboard", std::move(rows)}};
}

std::optional<std::string> CheckKeyboard(const InlineKeyboard& keyboard) {
  for (const auto& row : keyboard) {
    for (const InlineButton& b : row) {
      if (b.text.empty()) return "a button's text is empty";
      if (b.callback_data.empty() || b.callback_data.size() > 64) {
        return fmt::format("callback_data '{}' is {} bytes; it must be 1-64", b.callback_data,
                           b.callback_data.size());
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckCommands(const std::vector<BotCommand>& commands) {
  if (commands.size() > 100) return fmt::format("{} commands; at most 100", commands.size());
  for (const BotCommand& c : commands) {
    bool chars_ok = std::all_of(c.command.begin(), c.command.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    });
    if (c.command.empty() || c.command.size() > 32 || !chars_ok) {
      return fmt::format("command '{}' must be 1-32 of a-z, 0-9 and _", c.command);
    }
    size_t length = Utf16Length(c.description);
    if (length == 0 || length > 256) {
      return fmt::format("description of /{} is {} characters; it must be 1-256", c.command,
                         length);
    }
  }
  return std::nullopt;
}

}  // namespace kairos::telegram
