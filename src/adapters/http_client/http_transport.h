#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kairos::http {

// One HTTP request. The vendor clients (Telegram, brokers) build these; tests of request building
// capture them. `url` and `headers` may carry credentials: never log them.
struct HttpRequest {
  std::string method = "POST";  // GET, POST, DELETE, PATCH, PUT
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent for POST, PATCH and PUT
  std::string content_type = "application/json";
  int64_t timeout_ms = 30'000;  // the whole request, connection included
};

// The answer, or why there is none.
struct HttpResponse {
  int status = 0;  // the HTTP status; 0 when no answer arrived
  std::string body;
  std::string error;       // status 0: what failed (connect refused, reset, timeout, ...)
  bool timed_out = false;  // status 0 because timeout_ms passed
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case

  // The value of header `name` (any case), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

// The HTTP layer under the vendor clients, so request building and response parsing are testable
// without a server. One request, one attempt: a transport never retries (the curl transport
// sends every request with a body on a fresh connection, the one way libcurl never resends it). Implementations are
// safe to call from several threads at once (a long poll and a send run concurrently).
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResponse Send(const HttpRequest& request) = 0;
};

}  // namespace kairos::http
