// libFuzzer target: arbitrary bytes as the three inputs of a sign-in, split at the first two
// NULs: the login body (read against the login route's schema), a Cookie header and an
// Authorization header. None may crash or throw; what the parsers return lies inside their input.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "core/check.h"
#include "server/auth.h"
#include "server/json_body.h"

namespace {

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kairos::server;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t first = input.find('\0');
  std::string_view body = input.substr(0, first);
  std::string_view rest = first == std::string_view::npos ? "" : input.substr(first + 1);
  size_t second = rest.find('\0');
  std::string_view cookie = rest.substr(0, second);
  std::string_view authorization = second == std::string_view::npos ? "" : rest.substr(second + 1);

  Request request;
  request.method = Method::kPost;
  request.headers["content-type"] = "application/json";
  request.body = std::string(body);
  static const nlohmann::json schema =
      ObjectSchema({{"username", "string"}, {"password", "string"}}, {"username", "password"});
  auto read = ReadBody(request, schema);
  if (auto* json = std::get_if<nlohmann::json>(&read)) {
    KAIROS_CHECK((*json)["username"].is_string() && (*json)["password"].is_string());
    (void)ValidAccountName((*json)["username"].get<std::string>());
  } else {
    KAIROS_CHECK(std::get<Response>(read).status >= 400);
  }
  if (auto value = CookieValue(cookie, kSessionCookie)) KAIROS_CHECK(Inside(*value, cookie));
  if (auto token = BearerToken(authorization)) {
    KAIROS_CHECK(!token->empty() && Inside(*token, authorization));
  }
  return 0;
}
