#pragma once

#include <cstdint>
#include <string>

namespace kairos::telegram {

// One HTTP POST. The Bot API client builds these; tests of request building capture them.
struct HttpRequest {
  std::string url;  // contains the bot token: never log it
  std::string body;
  std::string content_type = "application/json";
  int64_t timeout_ms = 30'000;  // the whole request, connection included
};

// The answer, or why there is none.
struct HttpResponse {
  int status = 0;  // the HTTP status; 0 when no answer arrived
  std::string body;
  std::string error;       // status 0: what failed (connect refused, reset, timeout, ...)
  bool timed_out = false;  // status 0 because timeout_ms passed
};

// The HTTP layer under BotClient, so request building and response parsing are testable
// without a server. Implementations are safe to call from several threads at once (a long poll
// and a send run concurrently).
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResponse Post(const HttpRequest& request) = 0;
};

}  // namespace kairos::telegram
