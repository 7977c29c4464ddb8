#include "app/accounts.h"

#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/date.h"
#include "ports/store_errors.h"
#include "server/auth.h"
#include "server/http.h"
#include "server/passwords.h"

namespace kairos::app {
namespace {

int RoleRank(std::string_view role) {
  auto r = server::ParseRole(role);
  return r ? static_cast<int>(*r) : 0;
}

Status CheckName(std::string_view what, std::string_view name) {
  if (server::ValidAccountName(name)) return Status::Ok();
  return Status::InvalidArgument(fmt::format(
      "{} name '{}' is not 1 to 64 letters, digits, '.', '_' or '-' (starting with a letter or "
      "digit)",
      what, name));
}

Status CheckRole(std::string_view role) {
  if (ports::IsAccountRole(role)) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("role '{}' is not one of viewer, trader, admin", role));
}

nlohmann::json UserJson(const ports::User& u) {
  return {{"name", u.name}, {"role", u.role}, {"disabled", u.disabled}};
}

Status Audit(const AccountChange& c, std::string action, std::string subject,
             const nlohmann::json& detail) {
  return c.store.audit().Append(
      {0, c.clock.NowNs(), c.actor, std::move(action), std::move(subject), detail.dump()});
}

}  // namespace

std::string IsoInstant(int64_t ns) {
  if (ns == 0) return "";
  std::string s = Timestamp::FromNanos(ns).ToString();
  if (s.empty() || s.back() != 'Z') s += 'Z';
  return s;
}

Table UsersTable(const std::vector<ports::User>& users) {
  Table t;
  t.columns = {"name", "role", "status", "created_at"};
  for (const ports::User& u : users) {
    t.rows.push_back(
        {u.name, u.role, u.disabled ? "disabled" : "active", IsoInstant(u.created_ns)});
  }
  return t;
}

Table TokensTable(const std::vector<ports::ApiToken>& tokens) {
  Table t;
  t.columns = {"name", "role", "user", "status", "created_at", "last_used_at", "revoked_at"};
  for (const ports::ApiToken& k : tokens) {
    t.rows.push_back({k.name, k.role, k.user, k.revoked_ns != 0 ? "revoked" : "active",
                      IsoInstant(k.created_ns), IsoInstant(k.last_used_ns),
                      IsoInstant(k.revoked_ns)});
  }
  return t;
}

Result<ports::User> AddUser(const AccountChange& c, std::string_view name, std::string_view role,
                            std::string_view password) {
  KAIROS_RETURN_IF_ERROR(CheckName("user", name));
  KAIROS_RETURN_IF_ERROR(CheckRole(role));
  KAIROS_RETURN_IF_ERROR(server::CheckPassword(password));
  KAIROS_ASSIGN_OR_RETURN(std::string hash, server::HashPassword(password));
  ports::User user{std::string(name), std::string(role), std::move(hash), c.clock.NowNs(), false};
  KAIROS_RETURN_IF_ERROR(c.store.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(c.store.accounts().AddUser(user));
    return Audit(c, "user.add", "user:" + user.name, {{"after", UserJson(user)}});
  }));
  return user;
}

Status RemoveUser(const AccountChange& c, std::string_view name) {
  return c.store.InTransaction([&]() -> Status {
    KAIROS_ASSIGN_OR_RETURN(auto user, c.store.accounts().GetUser(name));
    if (!user) return ports::NoUserNamed(name);
    if (user->role == "admin" && !user->disabled) {
      KAIROS_ASSIGN_OR_RETURN(auto users, c.store.accounts().ListUsers());
      int admins = 0;
      for (const ports::User& u : users) admins += u.role == "admin" && !u.disabled ? 1 : 0;
      if (admins <= 1) {
        return Status::FailedPrecondition(
            fmt::format("'{}' is the last admin: add another admin before removing it", name));
      }
    }
    KAIROS_RETURN_IF_ERROR(c.store.accounts().RemoveUser(name, c.clock.NowNs()));
    return Audit(c, "user.remove", "user:" + user->name, {{"before", UserJson(*user)}});
  });
}

Status SetUserPassword(const AccountChange& c, std::string_view name, std::string_view password) {
  KAIROS_RETURN_IF_ERROR(server::CheckPassword(password));
  KAIROS_ASSIGN_OR_RETURN(std::string hash, server::HashPassword(password));
  return c.store.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(c.store.accounts().SetPassword(name, hash));
    KAIROS_ASSIGN_OR_RETURN(int64_t ended, c.store.accounts().DeleteSessionsOf(name));
    return Audit(c, "user.passwd", fmt::format("user:{}", name), {{"sessions_ended", ended}});
  });
}

Result<CreatedToken> CreateToken(const AccountChange& c, std::string_view name,
                                 std::string_view role, std::string_view user,
                                 std::string_view max_role) {
  KAIROS_RETURN_IF_ERROR(CheckName("token", name));
  KAIROS_RETURN_IF_ERROR(CheckRole(role));
  CreatedToken out;
  out.token = server::NewApiToken();
  out.record = {std::string(name),
                server::Sha256Hex(out.token),
                std::string(role),
                std::string(user),
                c.clock.NowNs(),
                0,
                0};
  KAIROS_RETURN_IF_ERROR(c.store.InTransaction([&]() -> Status {
    KAIROS_ASSIGN_OR_RETURN(auto owner, c.store.accounts().GetUser(user));
    if (!owner) return ports::NoUserNamed(user);
    if (RoleRank(role) > RoleRank(owner->role) || RoleRank(role) > RoleRank(max_role)) {
      return Status::FailedPrecondition(
          fmt::format("a token's role may not exceed its user's ({} is {}) or its creator's ({})",
                      owner->name, owner->role, max_role));
    }
    KAIROS_RETURN_IF_ERROR(c.store.accounts().AddToken(out.record));
    return Audit(
        c, "token.create", "token:" + out.record.name,
        {{"after",
          {{"name", out.record.name}, {"role", out.record.role}, {"user", out.record.user}}}});
  }));
  return out;
}

Status RevokeToken(const AccountChange& c, std::string_view name) {
  return c.store.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(c.store.accounts().RevokeToken(name, c.clock.NowNs()));
    return Audit(c, "token.revoke", fmt::format("token:{}", name),
                 {{"before", {{"status", "active"}}}, {"after", {{"status", "revoked"}}}});
  });
}

Result<std::string> SoleAdmin(ports::Store& store) {
  KAIROS_ASSIGN_OR_RETURN(auto users, store.accounts().ListUsers());
  std::vector<std::string> admins;
  for (const ports::User& u : users) {
    if (u.role == "admin" && !u.disabled) admins.push_back(u.name);
  }
  if (admins.size() == 1) return admins.front();
  if (admins.empty()) {
    return Status::FailedPrecondition(
        "no admin account: add one with `kairos user add NAME --role admin`");
  }
  return Status::FailedPrecondition(
      "more than one admin: say which account the token acts for with --user NAME");
}

}  // namespace kairos::app
