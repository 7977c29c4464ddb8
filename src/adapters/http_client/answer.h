#pragma once

#include <nlohmann/json.hpp>

#include "adapters/http_client/http_transport.h"
#include "core/result.h"

namespace kairos::http {

// A vendor's answer to a JSON API call: the HTTP status and the decoded body (null for an
// empty body, which only 204 and 429 may have).
struct JsonAnswer {
  int status = 0;
  nlohmann::json body;
};

// Sorts an HTTP response into an answer or "no answer". No answer (the request's outcome is
// unknown, so a caller that sent an order must resolve it, never resend it blind):
//   - nothing came back: a timeout (DeadlineExceeded-like: kUnavailable with "timed out"),
//     a reset, a refused connection, DNS or TLS failure;
//   - a 5xx status: the vendor or a proxy in front of it failed;
//   - a body that is not a complete JSON value where JSON was expected: an HTML error page
//     from a proxy, a truncated body. Never read as success.
// Everything else is an answer, 4xx included; the caller reads the vendor's error in it.
// The error message names the status and what was wrong, never the URL or the headers.
Result<JsonAnswer> ReadJsonAnswer(const HttpResponse& response);

}  // namespace kairos::http
