#include "adapters/http_client/answer.h"

#include <fmt/core.h>

namespace kairos::http {

Result<JsonAnswer> ReadJsonAnswer(const HttpResponse& response) {
  if (response.status == 0) {
    return Status::Unavailable(response.timed_out
                                   ? fmt::format("no answer: timed out ({})", response.error)
                                   : fmt::format("no answer: {}", response.error));
  }
  if (response.status >= 500) {
    return Status::Unavailable(fmt::format("no answer: HTTP {}", response.status));
  }
  JsonAnswer answer{response.status, nullptr};
  bool blank = response.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank && (response.status == 204 || response.status == 429)) return answer;
  answer.body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (answer.body.is_discarded() || !(answer.body.is_object() || answer.body.is_array())) {
    if (response.status == 429) {
      answer.body = nullptr;  // the status says it all; the body is not documented
      return answer;
    }
    std::string_view type = response.Header("content-type");
    return Status::Unavailable(
        fmt::format("no answer: HTTP {} with a body that is not JSON ({} bytes{}{})",
                    response.status, response.body.size(), type.empty() ? "" : ", ", type));
  }
  return answer;
}

}  // namespace kairos::http
