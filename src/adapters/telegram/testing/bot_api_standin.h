#pragma once
// The stand-in Bot API server (tests/standins/telegram_bot_api.py) as a test fixture: a python3
// child process on 127.0.0.1, started with a fixed token and killed when the fixture ends.
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "adapters/http_client/http_transport.h"
#include "adapters/http_client/testing/standin_process.h"
#include "adapters/telegram/bot_client.h"

namespace kairos::telegram::testing {

class BotApiStandin {
 public:
  // The token the stand-in accepts (the form of a real one: digits, colon, 35 characters).
  static constexpr std::string_view kToken = "4242424242:AAstandinTOKENstandinTOKENstandin00";

  // Starts the server and waits (up to 10 s) for it to print its port. On failure ok() is false
  // and error() says why.
  BotApiStandin();
  BotApiStandin(const BotApiStandin&) = delete;
  BotApiStandin& operator=(const BotApiStandin&) = delete;

  bool ok() const { return process_.ok(); }
  const std::string& error() const { return process_.error(); }
  std::string api_base() const;
  // A client configuration for this server with `token` (kToken by default).
  BotConfig Config(std::string_view token = kToken) const;

  // POST /_test/<name> with `body`; the decoded JSON answer, or null when the call failed.
  nlohmann::json Control(std::string_view name,
                         const nlohmann::json& body = nlohmann::json::object());
  // POST of a raw body to `path` (e.g. a form-encoded Bot API call).
  http::HttpResponse Post(std::string_view path, std::string body, std::string content_type);

 private:
  http::testing::StandinProcess process_;
};

}  // namespace kairos::telegram::testing
