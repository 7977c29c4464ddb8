// libFuzzer target: arbitrary bytes as a JSON request body read against a schema. ReadBody must
// never crash or throw; it answers the parsed object or a 400/415/422 in the error shape.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/check.h"
#include "server/json_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kairos::server;
  static const nlohmann::json schema = ObjectSchema({{"note", "string"},
                                                     {"qty", "integer"},
                                                     {"price", "number"},
                                                     {"flag", "boolean"},
                                                     {"tags", "array"},
                                                     {"extra", "object"}},
                                                    {"qty"});
  Request request;
  request.method = Method::kPost;
  request.headers["content-type"] = "application/json";
  request.body.assign(reinterpret_cast<const char*>(data), size);
  auto body = ReadBody(request, schema);
  if (auto* json = std::get_if<nlohmann::json>(&body)) {
    KAIROS_CHECK(json->is_object() && json->contains("qty") && (*json)["qty"].is_number_integer());
  } else {
    const Response& r = std::get<Response>(body);
    KAIROS_CHECK(r.status == 400 || r.status == 415 || r.status == 422);
    KAIROS_CHECK(nlohmann::json::parse(r.body)["error"].contains("code"));
  }
  return 0;
}
