// libFuzzer target: arbitrary bytes as one HTTP request, through the path the server takes:
// Beast's parser under the server's limits, the conversion to a Request (percent-decoding, the
// query, lower-case headers) and Api::Handle over a small route table. Nothing may crash, hang or
// throw; every answer is a status from 100 to 599 whose error bodies are JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/check.h"
#include "server/api.h"
#include "server/json_body.h"
#include "server/wire.h"

namespace {

using namespace kairos::server;

class Nobody : public Authenticator {
 public:
  kairos::Result<std::optional<Principal>> Authenticate(const Request& request) override {
    if (request.Header("authorization").empty()) return std::optional<Principal>();
    Principal p{"fuzz", Role::kTrader, Principal::Via::kSession, "session", false};
    return std::optional<Principal>(p);
  }
  bool HasAccounts() override { return true; }
};

const Router& Routes() {
  static const Router router = [] {
    Router r;
    auto add = [&r](Method m, std::string path, Access access, nlohmann::json schema) {
      Route route;
      route.method = m;
      route.path = std::move(path);
      route.access = access;
      route.body_schema = schema;
      route.handler = [schema](Request& request) -> Response {
        if (schema.is_null()) return Json({{"path", request.path}, {"params", request.params}});
        auto body = ReadBody(request, schema);
        if (auto* error = std::get_if<Response>(&body)) return *error;
        return Json({{"ok", true}});
      };
      r.Add(std::move(route));
    };
    add(Method::kGet, "/healthz", Access::Public(), nullptr);
    add(Method::kGet, "/api/v1/things/{id}", Access::AtLeast(Role::kViewer), nullptr);
    add(Method::kPost, "/api/v1/things/{id}", Access::AtLeast(Role::kTrader),
        ObjectSchema({{"note", "string"}, {"qty", "integer"}}, {"qty"}));
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Nobody auth;
  static const Api api(Routes(), auth, ApiOptions{"fuzz", {"https://a.example"}});
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  WireLimits limits{2048, 512, 4096};
  auto parsed = ParseRequest(bytes, limits);
  Response response;
  if (auto* request = std::get_if<Request>(&parsed)) {
    KAIROS_CHECK(!request->path.empty() && request->path.size() <= limits.max_url_bytes);
    response = api.Handle(*request);
  } else {
    response = std::get<Response>(parsed);
    KAIROS_CHECK(response.status >= 400 && response.status < 500);
  }
  KAIROS_CHECK(response.status >= 100 && response.status <= 599);
  if (response.status >= 400) {
    KAIROS_CHECK(nlohmann::json::parse(response.body, nullptr, false).contains("error"));
  }
  WireResponse wire = ToWire(response, true);
  KAIROS_CHECK(wire.body().size() == response.body.size());
  return 0;
}
