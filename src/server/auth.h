#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ports/clock.h"
#include "ports/store.h"
#include "server/authenticator.h"
#include "server/http.h"

// Sign-in and the Authenticator over the accounts of the store (ports/accounts.h): session
// cookies with their CSRF token, API tokens, and the login throttle.
namespace kairos::server {

inline constexpr std::string_view kSessionCookie = "kairos_session";

// The value of cookie `name` in a Cookie header ("a=1; kairos_session=xyz"), or nullopt.
std::optional<std::string_view> CookieValue(std::string_view cookie_header, std::string_view name);
// The token of an "Authorization: Bearer TOKEN" header; nullopt for another scheme or none.
std::optional<std::string_view> BearerToken(std::string_view authorization);
// Account names: 1 to 64 of [A-Za-z0-9._-], starting with a letter or digit.
bool ValidAccountName(std::string_view name);

struct SessionLimits {
  int64_t idle_ns = 0;      // a session unused this long ends
  int64_t absolute_ns = 0;  // any session ends this long after sign-in
};

// Throttling of sign-ins, per user ("user:NAME") and per address ("addr:IP"): from the 5th
// consecutive failure each failure locks the key for 1 s, doubling up to 15 minutes.
inline constexpr int kFailuresBeforeLockout = 5;
inline constexpr int64_t kFirstLockoutNs = 1'000'000'000;
inline constexpr int64_t kMaxLockoutNs = 15LL * 60 * 1'000'000'000;
// The lockout the `failures`-th consecutive failure earns (0 below the threshold).
int64_t LockoutAfter(int failures);

struct SignIn {
  std::string user;
  Role role = Role::kViewer;
  std::string session_token;  // for the cookie only
  std::string csrf_token;     // for the client to send as X-CSRF-Token
  int64_t expires_ns = 0;     // the absolute limit
};

struct LoginOutcome {
  enum class Kind { kSignedIn, kDenied, kLocked };
  Kind kind = Kind::kDenied;
  SignIn sign_in;                // kSignedIn
  int64_t retry_after_secs = 0;  // kLocked
};

// Thread-safe when `store` gives each thread its own connection (ApiEnv::store).
class AccountAuthenticator : public Authenticator {
 public:
  AccountAuthenticator(std::function<ports::Store&()> store, const ports::Clock& clock,
                       SessionLimits limits);

  // A bearer token when the request has an Authorization header, else the session cookie.
  Result<std::optional<Principal>> Authenticate(const Request& request) override;
  bool HasAccounts() override;

  // Checks `password` of `user` signing in from `address`, throttled. An unknown user, a
  // disabled one and a wrong password are all kDenied, after the same work.
  Result<LoginOutcome> Login(std::string_view user, std::string_view password,
                             std::string_view address);
  // Ends the session of the request's cookie (none: nothing to do).
  Status Logout(const Request& request);

  const SessionLimits& limits() const { return limits_; }

 private:
  Result<std::optional<Principal>> Identify(const Request& request);
  Result<std::optional<Principal>> FromToken(std::string_view token);
  Result<std::optional<Principal>> FromSession(std::string_view token, const Request& request);
  Status RecordFailure(ports::AccountRepository& accounts, const std::string& key, int64_t now);

  std::function<ports::Store&()> store_;
  const ports::Clock& clock_;
  SessionLimits limits_;
};

}  // namespace kairos::server
