#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

// The requests and responses of the HTTP API as its handlers see them: no sockets, no Beast
// types. The server (http_server.h) turns the wire into a Request and a Response back into bytes;
// everything between (routing, authentication, roles, CSRF, the handlers) works on these.
namespace kairos::server {

// kOptions is only a CORS preflight: no route has it.
enum class Method { kGet, kPost, kPut, kPatch, kDelete, kOptions };
std::string_view MethodName(Method method);  // "GET"
std::optional<Method> ParseMethod(std::string_view name);

// Roles are ordered: an admin may do what a trader may, a trader what a viewer may.
enum class Role { kViewer = 1, kTrader = 2, kAdmin = 3 };
std::string_view RoleName(Role role);  // "viewer", "trader", "admin"
std::optional<Role> ParseRole(std::string_view name);

// Who may call a route: anyone (health, the OpenAPI document, login), or a user holding at least
// `role`.
struct Access {
  bool open = false;
  Role role = Role::kAdmin;
  static Access Public() { return {true, Role::kViewer}; }
  static Access AtLeast(Role r) { return {false, r}; }
};

// The caller of a request, as the authenticator established it.
struct Principal {
  enum class Via { kSession, kToken };
  std::string user;  // the account (a token acts for the account that created it)
  Role role = Role::kViewer;
  Via via = Via::kSession;
  std::string credential;  // for the audit log: "session" or "token:NAME"; never a secret
  bool csrf_ok = false;    // session only: the request's X-CSRF-Token matched the session's
};

struct Request {
  Method method = Method::kGet;
  std::string path;                                         // decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;   // decoded, in order
  std::map<std::string, std::string, std::less<>> headers;  // names in lower case
  std::string body;
  std::string remote_address;  // "127.0.0.1"
  bool tls = false;

  // Filled while the request is handled.
  std::map<std::string, std::string, std::less<>> params;  // {id} of the route's path
  std::optional<Principal> principal;

  // The header `name` (lower case), or "".
  std::string_view Header(std::string_view name) const;
  // The first value of query parameter `name`.
  std::optional<std::string> Query(std::string_view name) const;
  // Who made the request, for the audit log: "alice (session) from 127.0.0.1".
  std::string Actor() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie, Retry-After, Allow...
  // A Server-Sent Events stream: the server keeps the connection and writes the events of its
  // EventHub (events.h); `body` is sent first.
  bool event_stream = false;
};

// A JSON response. Objects keep their keys in insertion order (the CLI's column order); a
// nlohmann::json converts.
Response Json(int status, const nlohmann::ordered_json& body);
Response Json(const nlohmann::ordered_json& body);  // 200

// The one error shape: {"error":{"code":"not_found","message":"…","details":…}} (details left out
// when null).
Response Error(int status, std::string_view code, std::string_view message,
               const nlohmann::json& details = nullptr);
// A failed Status as its HTTP error: NotFound 404 not_found, InvalidArgument and OutOfRange 422
// invalid, FailedPrecondition and AlreadyExists 409 conflict, Unavailable 503 unavailable, the
// rest 500 internal (whose message is not sent: it may name files of the host).
Response ErrorFrom(const Status& status);

}  // namespace kairos::server
