#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "server/http.h"

namespace kairos::server {

// Establishes who sent a request: a session cookie (with the CSRF header checked against the
// session) or an `Authorization: Bearer` API token. Implemented over the accounts of the store
// (auth.h); tests use fakes.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller; nullopt when the request carries no credentials. A credential that is unknown,
  // revoked or expired is Unauthenticated: FailedPrecondition with a message safe to send
  // ("session expired", "token revoked"), never the secret itself.
  virtual Result<std::optional<Principal>> Authenticate(const Request& request) = 0;
  // Whether any account exists. A home without one serves only health and the OpenAPI document,
  // and says how to add an account.
  virtual bool HasAccounts() = 0;
};

}  // namespace kairos::server
