#pragma once

#include "app/api_routes.h"
#include "server/auth.h"
#include "server/router.h"

namespace kairos::app {

// The accounts' routes: sign-in (`POST /api/v1/auth/login`, public), sign-out and the caller
// (`/api/v1/auth/logout`, `/api/v1/auth/me`, viewer), and for admins users and API tokens
// (`/api/v1/users`, `/api/v1/tokens`). Lists are the CLI's tables (accounts.h); no answer carries
// a password, a hash or a session token, and an API token only in the answer that creates it.
// `auth` and `env` outlive the router.
void AddAuthRoutes(server::Router& router, server::AccountAuthenticator& auth, ApiEnv& env);

}  // namespace kairos::app
