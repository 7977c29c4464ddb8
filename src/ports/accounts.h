#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace kairos::ports {

// The accounts of the HTTP API: users, their sign-in sessions, API tokens and the login
// throttle. Only hashes of secrets are stored: a password as its Argon2id string, a session or
// API token (and a session's CSRF token) as SHA-256 hex; never the secret itself.

// Roles by name, ordered viewer < trader < admin (server::Role is the typed form).
inline bool IsAccountRole(std::string_view role) {
  return role == "viewer" || role == "trader" || role == "admin";
}

struct User {
  std::string name;
  std::string role;           // "viewer", "trader" or "admin"
  std::string password_hash;  // "$argon2id$..."
  int64_t created_ns = 0;
  bool disabled = false;
};

struct Session {
  std::string token_hash;  // of the cookie's token: the key
  std::string user;
  std::string csrf_hash;  // of the session's CSRF token
  int64_t created_ns = 0;
  int64_t last_seen_ns = 0;
};

struct ApiToken {
  std::string name;        // unique, kept after revocation
  std::string token_hash;  // unique
  std::string role;        // never above its user's
  std::string user;        // the account it acts for (who created it)
  int64_t created_ns = 0;
  int64_t last_used_ns = 0;  // 0: never used
  int64_t revoked_ns = 0;    // 0: valid
};

// Consecutive failed sign-ins under one key ("user:NAME", "addr:IP") and the lockout they earned.
struct LoginThrottle {
  std::string key;
  int failures = 0;
  int64_t locked_until_ns = 0;  // 0: not locked
};

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;

  // Users. InvalidArgument for an empty name or hash or an unknown role; AlreadyExists for a
  // stored name.
  virtual Status AddUser(const User& user) = 0;
  virtual Result<std::optional<User>> GetUser(std::string_view name) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;  // by name
  virtual Result<int64_t> CountUsers() = 0;
  virtual Status SetPassword(std::string_view name, std::string_view password_hash) = 0;
  virtual Status SetDisabled(std::string_view name, bool disabled) = 0;
  // Removes the user and its sessions and revokes its valid tokens at `now_ns`. NotFound for an
  // unknown name (for every user call).
  virtual Status RemoveUser(std::string_view name, int64_t now_ns) = 0;

  // Sessions. AddSession: InvalidArgument for an empty hash, NotFound for an unknown user,
  // AlreadyExists for a stored hash.
  virtual Status AddSession(const Session& session) = 0;
  virtual Result<std::optional<Session>> GetSession(std::string_view token_hash) = 0;
  // last_seen_ns = now_ns; NotFound for an unknown hash.
  virtual Status TouchSession(std::string_view token_hash, int64_t now_ns) = 0;
  // Removes the session; an unknown hash is no error (it may have expired meanwhile).
  virtual Status DeleteSession(std::string_view token_hash) = 0;
  // Removes every session of `user`; how many there were.
  virtual Result<int64_t> DeleteSessionsOf(std::string_view user) = 0;

  // API tokens. AddToken: InvalidArgument for an empty name or hash or an unknown role,
  // AlreadyExists for a stored name or hash.
  virtual Status AddToken(const ApiToken& token) = 0;
  virtual Result<std::optional<ApiToken>> GetToken(std::string_view name) = 0;
  virtual Result<std::optional<ApiToken>> GetTokenByHash(std::string_view token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListTokens() = 0;  // by name, revoked ones too
  // last_used_ns = now_ns. NotFound for an unknown name (both calls).
  virtual Status TouchToken(std::string_view name, int64_t now_ns) = 0;
  // revoked_ns = now_ns; FailedPrecondition when it is revoked already.
  virtual Status RevokeToken(std::string_view name, int64_t now_ns) = 0;

  // The throttle of `key`; {key, 0, 0} when none is stored.
  virtual Result<LoginThrottle> GetThrottle(std::string_view key) = 0;
  // Stores it; a state of no failures and no lock removes the key.
  virtual Status PutThrottle(const LoginThrottle& throttle) = 0;
};

}  // namespace kairos::ports
