#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/http_client/http_transport.h"
#include "adapters/telegram/bot_types.h"

// The Bot API's JSON, both ways, with no I/O: request bodies in, envelopes and updates out.
// Parsers never throw and accept any bytes (telegram_update_fuzzer).
namespace kairos::telegram {

using http::HttpRequest;
using http::HttpResponse;
using http::HttpTransport;

// The `result` of a Bot API answer, or the typed error it carries: the envelope
// {"ok":false,"error_code":N,"description":...,"parameters":{"retry_after":S}}, a transport
// failure (status 0), or a body that is not an envelope (a proxy's HTML error page).
BotResult<nlohmann::json> ParseResponse(std::string_view method, const HttpResponse& response);

// getUpdates' result: an array of Update. An element without an integer update_id makes the
// whole answer malformed (its offset could not be confirmed); a known kind with unexpected
// fields is returned as an update of no kind, so the poller still moves past it.
BotResult<std::vector<Update>> ParseUpdates(const nlohmann::json& result);

// The message_id of the Message that sendMessage / editMessageText return.
BotResult<int64_t> ParseMessageId(std::string_view method, const nlohmann::json& result);

// {"inline_keyboard":[[{"text":..,"callback_data":..},..],..]}
nlohmann::json KeyboardJson(const InlineKeyboard& keyboard);

// Checks made before sending, worded like the server's: callback_data of 1-64 bytes, commands of
// 1-32 [a-z0-9_] with descriptions of 1-256 characters, at most 100 commands. Empty when fine.
std::optional<std::string> CheckKeyboard(const InlineKeyboard& keyboard);
std::optional<std::string> CheckCommands(const std::vector<BotCommand>& commands);

}  // namespace kairos::telegram
