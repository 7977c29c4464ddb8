#include "server/http.h"

#include <array>

#include <fmt/format.h>

namespace kairos::server {
namespace {

constexpr std::array<std::pair<Method, std::string_view>, 6> kMethods{{
    {Method::kGet, "GET"},
    {Method::kPost, "POST"},
    {Method::kPut, "PUT"},
    {Method::kPatch, "PATCH"},
    {Method::kDelete, "DELETE"},
    {Method::kOptions, "OPTIONS"},
}};

constexpr std::array<std::pair<Role, std::string_view>, 3> kRoles{{
    {Role::kViewer, "viewer"},
    {Role::kTrader, "trader"},
    {Role::kAdmin, "admin"},
}};

}  // namespace

std::string_view MethodName(Method method) {
  for (const auto& [m, name] : kMethods) {
    if (m == method) return name;
  }
  return "GET";
}

std::optional<Method> ParseMethod(std::string_view name) {
  for (const auto& [m, n] : kMethods) {
    if (n == name) return m;
  }
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoles) {
    if (n == name) return r;
  }
  return std::nullopt;
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> Request::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string Request::Actor() const {
  std::string who = principal ? fmt::format("{} ({})", principal->user, principal->credential)
                              : std::string("anonymous");
  return fmt::format("{} from {}", who, remote_address.empty() ? "-" : remote_address);
}

Response Json(int status, const nlohmann::ordered_json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return r;
}

Response Json(const nlohmann::ordered_json& body) { return Json(200, body); }

Response Error(int status, std::string_view code, std::string_view message,
               const nlohmann::json& details) {
  nlohmann::ordered_json error = {{"code", code}, {"message", message}};
  if (!details.is_null()) error["details"] = details;
  return Json(status, {{"error", std::move(error)}});
}

Response ErrorFrom(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return Error(500, "internal", "an error without a cause");
    case StatusCode::kNotFound:
      return Error(404, "not_found", status.message());
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return Error(422, "invalid", status.message());
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return Error(409, "conflict", status.message());
    case StatusCode::kUnavailable:
      return Error(503, "unavailable", status.message());
    default:
      return Error(500, "internal", "internal error (the daemon's log has the cause)");
  }
}

}  // namespace kairos::server
