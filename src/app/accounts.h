#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli.h"
#include "core/result.h"
#include "core/status.h"
#include "ports/clock.h"
#include "ports/store.h"

// Managing the accounts of the HTTP API, once for both places that do it: the CLI (`kairos user`,
// `kairos token`, account_commands.cc) and the admin routes (auth_routes.cc). Every change is
// checked here, stored with its audit row in one transaction, and never records a secret.
namespace kairos::app {

// Who makes a change and when, for its audit row.
struct AccountChange {
  ports::Store& store;
  const ports::Clock& clock;
  std::string actor;  // "cli", "alice (session) from 127.0.0.1"
};

// ISO 8601 in UTC ("2026-12-07T20:15:00Z"); "" for 0 (never).
std::string IsoInstant(int64_t ns);

// name, role, status ("active" or "disabled"), created_at; by name. No hash.
Table UsersTable(const std::vector<ports::User>& users);
// name, role, user, status ("active" or "revoked"), created_at, last_used_at, revoked_at; by
// name. No hash.
Table TokensTable(const std::vector<ports::ApiToken>& tokens);

// Adds a user (audit "user.add"). InvalidArgument for a name that is not ValidAccountName, an
// unknown role or a weak password; AlreadyExists for a taken name.
Result<ports::User> AddUser(const AccountChange& change, std::string_view name,
                            std::string_view role, std::string_view password);
// Removes a user with its sessions and revokes its tokens (audit "user.remove"). NotFound;
// FailedPrecondition for the last admin (nobody could manage the accounts after).
Status RemoveUser(const AccountChange& change, std::string_view name);
// A new password; the user's sessions end (audit "user.passwd").
Status SetUserPassword(const AccountChange& change, std::string_view name,
                       std::string_view password);

struct CreatedToken {
  ports::ApiToken record;  // as stored (its hash is never shown)
  std::string token;       // "kairos_...": shown once, to whoever asked
};
// Creates API token `name` acting for `user` with `role` (audit "token.create"). InvalidArgument
// for a bad name or role; NotFound for an unknown user; FailedPrecondition when `role` is above
// the user's own or `max_role` (the creator's); AlreadyExists for a taken name.
Result<CreatedToken> CreateToken(const AccountChange& change, std::string_view name,
                                 std::string_view role, std::string_view user,
                                 std::string_view max_role);
// Revokes token `name` (audit "token.revoke"). NotFound; FailedPrecondition when revoked already.
Status RevokeToken(const AccountChange& change, std::string_view name);

// The only admin account, for a token created without naming its user; FailedPrecondition when
// there is none or more than one.
Result<std::string> SoleAdmin(ports::Store& store);

}  // namespace kairos::app
