#include "adapters/telegram/bot_client.h"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "adapters/telegram/bot_json.h"

namespace kairos::telegram {
namespace {

using nlohmann::json;

constexpr int kMaxPollTimeoutS = 50;  // the official server's LONG_POLL_MAX_TIMEOUT

BotError LocalError(std::string_view method, std::string description) {
  BotError e;
  e.kind = BotErrorKind::kBadRequest;
  e.method = std::string(method);
  e.description = std::move(description);
  return e;
}

// Invalid UTF-8 in a text is replaced (U+FFFD) rather than failing the whole message.
std::string Serialize(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

BotClient::BotClient(BotConfig config, std::unique_ptr<HttpTransport> transport)
    : config_(std::move(config)), transport_(std::move(transport)) {
  while (!config_.api_base.empty() && config_.api_base.back() == '/') config_.api_base.pop_back();
}

std::string BotClient::Redact(std::string text) const {
  if (config_.token.empty()) return text;
  for (size_t at = text.find(config_.token); at != std::string::npos;
       at = text.find(config_.token, at)) {
    text.replace(at, config_.token.size(), "<token>");
  }
  return text;
}

BotResult<json> BotClient::Call(std::string_view method, const json& params, int64_t timeout_ms) {
  HttpRequest request;
  request.url = fmt::format("{}/bot{}/{}", config_.api_base, config_.token, method);
  request.body = Serialize(params);
  request.timeout_ms = timeout_ms;
  HttpResponse response = transport_->Send(request);
  response.error = Redact(std::move(response.error));
  BotResult<json> result = ParseResponse(method, response);
  if (result.ok()) return result;
  BotError error = result.error();
  error.description = Redact(std::move(error.description));
  return error;
}

BotResult<BotIdentity> BotClient::GetMe() {
  BotResult<json> r = Call("getMe", json::object(), config_.request_timeout_ms);
  if (!r.ok()) return r.error();
  const json& me = *r;
  if (!me.is_object() || !me.contains("id") || !me["id"].is_number_integer()) {
    BotError e = LocalError("getMe", "result is not a User");
    e.kind = BotErrorKind::kMalformedResponse;
    return e;
  }
  BotIdentity identity;
  identity.id = me["id"].get<int64_t>();
  if (me.contains("username") && me["username"].is_string()) identity.username = me["username"];
  return identity;
}

BotResult<int64_t> BotClient::SendMessage(int64_t chat_id, std::string_view html, bool silent,
                                          const std::optional<InlineKeyboard>& keyboard) {
  constexpr std::string_view kMethod = "sendMessage";
  if (html.empty()) return LocalError(kMethod, "message text is empty");
  json params = {{"chat_id", chat_id},
                 {"text", html},
                 {"parse_mode", "HTML"},
                 {"link_preview_options", {{"is_disabled", true}}}};
  if (silent) params["disable_notification"] = true;
  if (keyboard) {
    if (auto problem = CheckKeyboard(*keyboard)) return LocalError(kMethod, *problem);
    params["reply_markup"] = KeyboardJson(*keyboard);
  }
  BotResult<json> r = Call(kMethod, params, config_.request_timeout_ms);
  if (!r.ok()) return r.error();
  return ParseMessageId(kMethod, *r);
}

BotStatus BotClient::EditMessageText(int64_t chat_id, int64_t message_id, std::string_view html,
                                     const std::optional<InlineKeyboard>& keyboard) {
  constexpr std::string_view kMethod = "editMessageText";
  if (html.empty()) return LocalError(kMethod, "message text is empty");
  json params = {{"chat_id", chat_id},
                 {"message_id", message_id},
                 {"text", html},
                 {"parse_mode", "HTML"},
                 {"link_preview_options", {{"is_disabled", true}}}};
  if (keyboard) {
    if (auto problem = CheckKeyboard(*keyboard)) return LocalError(kMethod, *problem);
    params["reply_markup"] = KeyboardJson(*keyboard);
  }
  BotResult<json> r = Call(kMethod, params, config_.request_timeout_ms);
  if (!r.ok()) return r.error();
  return Done{};
}

BotStatus BotClient::AnswerCallbackQuery(std::string_view callback_query_id,
                                         std::string_view text) {
  json params = {{"callback_query_id", callback_query_id}};
  if (!text.empty()) params["text"] = text;
  BotResult<json> r = Call("answerCallbackQuery", params, config_.request_timeout_ms);
  if (!r.ok()) return r.error();
  return Done{};
}

BotStatus BotClient::SetMyCommands(const std::vector<BotCommand>& commands) {
  constexpr std::string_view kMethod = "setMyCommands";
  if (auto problem = CheckCommands(commands)) return LocalError(kMethod, *problem);
  json list = json::array();
  for (const BotCommand& c : commands) {
    list.push_back({{"command", c.command}, {"description", c.description}});
  }
  json params = {{"commands", std::move(list)}, {"scope", {{"type", "default"}}}};
  BotResult<json> r = Call(kMethod, params, config_.request_timeout_ms);
  if (!r.ok()) return r.error();
  return Done{};
}

BotStatus BotClient::DeleteWebhook() {
  BotResult<json> r = Call("deleteWebhook", json::object(), config_.request_timeout_ms);
  if (!r.ok()) return r.error();
  return Done{};
}

BotResult<std::vector<Update>> BotClient::GetUpdates(int64_t offset, int timeout_s) {
  timeout_s = std::clamp(timeout_s, 0, kMaxPollTimeoutS);
  json params = {{"offset", offset},
                 {"timeout", timeout_s},
                 {"allowed_updates", {"message", "callback_query"}}};
  BotResult<json> r = Call("getUpdates", params, timeout_s * int64_t{1000} + config_.poll_grace_ms);
  if (!r.ok()) return r.error();
  return ParseUpdates(*r);
}

bool IsNotModified(const BotError& error) {
  return error.kind == BotErrorKind::kBadRequest &&
         error.description.find("message is not modified") != std::string::npos;
}

}  // namespace kairos::telegram
