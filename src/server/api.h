#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/authenticator.h"
#include "server/http.h"
#include "server/router.h"

namespace kairos::server {

struct ApiOptions {
  std::string version;                    // in /healthz
  std::vector<std::string> cors_origins;  // exact origins allowed cross-origin; empty: none
};

// The headers every answer carries (CSP, nosniff, frame-ancestors, Referrer-Policy; no-store under
// /api/): Api adds them, and so does the server to the errors it answers itself (413, 431...).
void AddSecurityHeaders(std::string_view path, Response& response);

// What happens to every request between the wire and a handler, in this order:
//   1. routing (404, 405), CORS preflight (OPTIONS) for allowed origins;
//   2. a route that is not Access::Public needs credentials: none -> 401 unauthenticated (or,
//      on a home with no account, 401 no_accounts saying how to add one); a bad one -> 401;
//   3. the caller's role below the route's -> 403 forbidden;
//   4. a mutation over a cookie session without a matching X-CSRF-Token -> 403 csrf;
//   5. the handler; an exception it throws -> 500 internal (logged, not sent);
//   6. security headers on every response (CSP, nosniff, frame-ancestors, Referrer-Policy,
//      no-store for API answers) and CORS headers for an allowed Origin.
// Thread-safe when the handlers and the authenticator are.
class Api {
 public:
  Api(const Router& router, Authenticator& auth, ApiOptions options);
  Response Handle(Request& request) const;
  const Router& router() const { return router_; }

 private:
  Response Dispatch(Request& request) const;
  void Decorate(const Request& request, Response& response) const;
  bool AllowedOrigin(const Request& request) const;
  const Router& router_;
  Authenticator& auth_;
  ApiOptions options_;
};

}  // namespace kairos::server
