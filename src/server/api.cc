#include "server/api.h"

#include <algorithm>
#include <exception>

#include <fmt/format.h>

namespace kairos::server {
namespace {

bool RoleAllows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

}  // namespace

Api::Api(const Router& router, Authenticator& auth, ApiOptions options)
    : router_(router), auth_(auth), options_(std::move(options)) {}

Response Api::Handle(Request& request) const {
  Response response;
  try {
    response = Dispatch(request);
  } catch (const std::exception& e) {
    fmt::print(stderr, "server: {} {} failed: {}\n", MethodName(request.method), request.path,
               e.what());
    response = Error(500, "internal", "internal error (the daemon's log has the cause)");
  }
  Decorate(request, response);
  return response;
}

Response Api::Dispatch(Request& request) const {
  if (request.method == Method::kOptions) {
    // A CORS preflight: allowed origins get the CORS headers (Decorate), others none, so the
    // browser refuses the cross-origin call.
    return AllowedOrigin(request) ? Response{204, "", "", {}, false}
                                  : Error(403, "forbidden", "origin not allowed");
  }
  auto found = router_.Find(request.method, request.path);
  if (auto* error = std::get_if<Response>(&found)) return std::move(*error);
  auto& match = std::get<Router::Match>(found);
  const Route& route = *match.route;
  request.params = std::move(match.params);
  if (!route.access.open) {
    if (!auth_.HasAccounts()) {
      return Error(401, "no_accounts",
                   "this kairos has no account yet: run `kairos user add NAME --role admin` on "
                   "its host");
    }
    auto who = auth_.Authenticate(request);
    if (!who.ok()) return Error(401, "unauthenticated", who.status().message());
    if (!who.value()) return Error(401, "unauthenticated", "sign in or send a bearer token");
    request.principal = *who.value();
    const Principal& p = *request.principal;
    if (!RoleAllows(p.role, route.access.role)) {
      return Error(403, "forbidden",
                   fmt::format("{} needs the role {} (you are {})", route.path,
                               RoleName(route.access.role), RoleName(p.role)));
    }
    if (route.mutates() && p.via == Principal::Via::kSession && !p.csrf_ok) {
      return Error(403, "csrf", "a signed-in change must send the X-CSRF-Token of the session");
    }
  }
  return route.handler(request);
}

bool Api::AllowedOrigin(const Request& request) const {
  std::string_view origin = request.Header("origin");
  return !origin.empty() && std::find(options_.cors_origins.begin(), options_.cors_origins.end(),
                                      origin) != options_.cors_origins.end();
}

void AddSecurityHeaders(std::string_view path, Response& response) {
  auto& h = response.headers;
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("Referrer-Policy", "no-referrer");
  h.emplace_back("X-Frame-Options", "DENY");
  h.emplace_back("Content-Security-Policy",
                 "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  if (path.rfind("/api/", 0) == 0) h.emplace_back("Cache-Control", "no-store");
}

void Api::Decorate(const Request& request, Response& response) const {
  auto& h = response.headers;
  AddSecurityHeaders(request.path, response);
  if (AllowedOrigin(request)) {
    h.emplace_back("Access-Control-Allow-Origin", std::string(request.Header("origin")));
    h.emplace_back("Access-Control-Allow-Credentials", "true");
    h.emplace_back("Access-Control-Allow-Headers", "Content-Type, Authorization, X-CSRF-Token");
    h.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
    h.emplace_back("Vary", "Origin");
  }
}

}  // namespace kairos::server
