#include "adapters/telegram/testing/bot_api_standin.h"

#include <fmt/core.h>

namespace kairos::telegram::testing {

BotApiStandin::BotApiStandin()
    : process_("tests/standins/telegram_bot_api.py", {"--token", std::string(kToken)}) {}

std::string BotApiStandin::api_base() const { return process_.base_url(); }

BotConfig BotApiStandin::Config(std::string_view token) const {
  BotConfig config;
  config.api_base = api_base();
  config.token = std::string(token);
  config.request_timeout_ms = 5'000;
  config.poll_grace_ms = 5'000;
  return config;
}

http::HttpResponse BotApiStandin::Post(std::string_view path, std::string body,
                                       std::string content_type) {
  return process_.Send("POST", path, std::move(body), std::move(content_type));
}

nlohmann::json BotApiStandin::Control(std::string_view name, const nlohmann::json& body) {
  return process_.Control(name, body);
}

}  // namespace kairos::telegram::testing
