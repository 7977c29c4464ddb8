#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/sqlite/repositories.h"
#include "ports/store_errors.h"

namespace kairos::adapters::sqlite {
namespace {

using ports::ApiToken;
using ports::LoginThrottle;
using ports::Session;
using ports::User;

constexpr std::string_view kUserSelect =
    "SELECT name, role, password_hash, created_ns, disabled FROM users ";
constexpr std::string_view kSessionSelect =
    "SELECT token_hash, user, csrf_hash, created_ns, last_seen_ns FROM sessions ";
constexpr std::string_view kTokenSelect =
    "SELECT name, token_hash, role, user, created_ns, last_used_ns, revoked_ns FROM api_tokens ";

Result<User> ReadUser(const Statement& s) {
  return User{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4) != 0};
}
Result<Session> ReadSession(const Statement& s) {
  return Session{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4)};
}
Result<ApiToken> ReadToken(const Statement& s) {
  return ApiToken{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5), s.Int(6)};
}

class SqliteAccounts : public ports::AccountRepository {
 public:
  explicit SqliteAccounts(Connection& c) : c_(c) {}

  Status AddUser(const User& u) override {
    if (u.name.empty()) return ports::UserWithoutName();
    if (u.password_hash.empty()) return ports::UserWithoutPasswordHash();
    if (!ports::IsAccountRole(u.role)) return ports::UnknownAccountRole(u.role);
    std::lock_guard lock(c_.mu());
    return c_.Atomic([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(auto stored, GetUserLocked(u.name));
      if (stored) return ports::UserAlreadyExists(u.name);
      return Run(
          "INSERT INTO users (name, role, password_hash, created_ns, disabled) "
          "VALUES (?, ?, ?, ?, ?)",
          "adding a user", u.name, u.role, u.password_hash, u.created_ns, u.disabled);
    });
  }

  Result<std::optional<User>> GetUser(std::string_view name) override {
    std::lock_guard lock(c_.mu());
    return GetUserLocked(name);
  }

  Result<std::vector<User>> ListUsers() override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(std::string(kUserSelect) + "ORDER BY name", "listing users"));
    return ReadAll<User>(s, ReadUser);
  }

  Result<int64_t> CountUsers() override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(auto s,
                            c_.db().Prepare("SELECT COUNT(*) FROM users", "counting users"));
    KAIROS_ASSIGN_OR_RETURN(bool row, s.Step());
    return row ? s.Int(0) : 0;
  }

  Status SetPassword(std::string_view name, std::string_view hash) override {
    if (hash.empty()) return ports::UserWithoutPasswordHash();
    std::lock_guard lock(c_.mu());
    KAIROS_RETURN_IF_ERROR(
        Run("UPDATE users SET password_hash = ? WHERE name = ?", "setting a password", hash, name));
    return c_.db().Changes() == 0 ? ports::NoUserNamed(name) : Status::Ok();
  }

  Status SetDisabled(std::string_view name, bool disabled) override {
    std::lock_guard lock(c_.mu());
    KAIROS_RETURN_IF_ERROR(
        Run("UPDATE users SET disabled = ? WHERE name = ?", "disabling a user", disabled, name));
    return c_.db().Changes() == 0 ? ports::NoUserNamed(name) : Status::Ok();
  }

  // The sessions go with the user (ON DELETE CASCADE); its tokens are revoked, kept for the record.
  Status RemoveUser(std::string_view name, int64_t now_ns) override {
    std::lock_guard lock(c_.mu());
    return c_.Atomic([&]() -> Status {
      KAIROS_RETURN_IF_ERROR(Run("DELETE FROM users WHERE name = ?", "removing a user", name));
      if (c_.db().Changes() == 0) return ports::NoUserNamed(name);
      return Run("UPDATE api_tokens SET revoked_ns = ? WHERE user = ? AND revoked_ns = 0",
                 "revoking the tokens of a removed user", now_ns, name);
    });
  }

  Status AddSession(const Session& s) override {
    if (s.token_hash.empty()) return ports::SessionWithoutHash();
    std::lock_guard lock(c_.mu());
    return c_.Atomic([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(auto user, GetUserLocked(s.user));
      if (!user) return ports::NoUserNamed(s.user);
      KAIROS_ASSIGN_OR_RETURN(auto stored, GetSessionLocked(s.token_hash));
      if (stored) return ports::SessionAlreadyStored();
      return Run(
          "INSERT INTO sessions (token_hash, user, csrf_hash, created_ns, last_seen_ns) "
          "VALUES (?, ?, ?, ?, ?)",
          "adding a session", s.token_hash, s.user, s.csrf_hash, s.created_ns, s.last_seen_ns);
    });
  }

  Result<std::optional<Session>> GetSession(std::string_view token_hash) override {
    std::lock_guard lock(c_.mu());
    return GetSessionLocked(token_hash);
  }

  Status TouchSession(std::string_view token_hash, int64_t now_ns) override {
    std::lock_guard lock(c_.mu());
    KAIROS_RETURN_IF_ERROR(Run("UPDATE sessions SET last_seen_ns = ? WHERE token_hash = ?",
                               "touching a session", now_ns, token_hash));
    return c_.db().Changes() == 0 ? ports::NoSuchSession() : Status::Ok();
  }

  Status DeleteSession(std::string_view token_hash) override {
    std::lock_guard lock(c_.mu());
    return Run("DELETE FROM sessions WHERE token_hash = ?", "deleting a session", token_hash);
  }

  Result<int64_t> DeleteSessionsOf(std::string_view user) override {
    std::lock_guard lock(c_.mu());
    KAIROS_RETURN_IF_ERROR(
        Run("DELETE FROM sessions WHERE user = ?", "deleting the sessions of a user", user));
    return c_.db().Changes();
  }

  Status AddToken(const ApiToken& t) override {
    if (t.name.empty()) return ports::TokenWithoutName();
    if (t.token_hash.empty()) return ports::TokenWithoutHash();
    if (!ports::IsAccountRole(t.role)) return ports::UnknownAccountRole(t.role);
    std::lock_guard lock(c_.mu());
    return c_.Atomic([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(auto by_name, GetTokenWhere("name", t.name));
      if (by_name) return ports::TokenAlreadyExists(t.name);
      KAIROS_ASSIGN_OR_RETURN(auto by_hash, GetTokenWhere("token_hash", t.token_hash));
      if (by_hash) return ports::TokenHashAlreadyStored();
      return Run(
          "INSERT INTO api_tokens (name, token_hash, role, user, created_ns, last_used_ns, "
          "revoked_ns) VALUES (?, ?, ?, ?, ?, ?, ?)",
          "adding an API token", t.name, t.token_hash, t.role, t.user, t.created_ns, t.last_used_ns,
          t.revoked_ns);
    });
  }

  Result<std::optional<ApiToken>> GetToken(std::string_view name) override {
    std::lock_guard lock(c_.mu());
    return GetTokenWhere("name", name);
  }

  Result<std::optional<ApiToken>> GetTokenByHash(std::string_view token_hash) override {
    std::lock_guard lock(c_.mu());
    return GetTokenWhere("token_hash", token_hash);
  }

  Result<std::vector<ApiToken>> ListTokens() override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(std::string(kTokenSelect) + "ORDER BY name", "listing API tokens"));
    return ReadAll<ApiToken>(s, ReadToken);
  }

  Status TouchToken(std::string_view name, int64_t now_ns) override {
    std::lock_guard lock(c_.mu());
    KAIROS_RETURN_IF_ERROR(Run("UPDATE api_tokens SET last_used_ns = ? WHERE name = ?",
                               "recording an API token's use", now_ns, name));
    return c_.db().Changes() == 0 ? ports::NoTokenNamed(name) : Status::Ok();
  }

  Status RevokeToken(std::string_view name, int64_t now_ns) override {
    std::lock_guard lock(c_.mu());
    return c_.Atomic([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(auto stored, GetTokenWhere("name", name));
      if (!stored) return ports::NoTokenNamed(name);
      if (stored->revoked_ns != 0) return ports::TokenAlreadyRevoked(name);
      return Run("UPDATE api_tokens SET revoked_ns = ? WHERE name = ?", "revoking an API token",
                 now_ns, name);
    });
  }

  Result<LoginThrottle> GetThrottle(std::string_view key) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s,
        c_.db().Prepare("SELECT failures, locked_until_ns FROM login_throttle WHERE key = ?",
                        "reading a login throttle"));
    s.Bind(key);
    KAIROS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return LoginThrottle{std::string(key), 0, 0};
    return LoginThrottle{std::string(key), static_cast<int>(s.Int(0)), s.Int(1)};
  }

  Status PutThrottle(const LoginThrottle& t) override {
    std::lock_guard lock(c_.mu());
    if (t.failures == 0 && t.locked_until_ns == 0) {
      return Run("DELETE FROM login_throttle WHERE key = ?", "clearing a login throttle", t.key);
    }
    return Run(
        "INSERT INTO login_throttle (key, failures, locked_until_ns) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
        "locked_until_ns = excluded.locked_until_ns",
        "storing a login throttle", t.key, t.failures, t.locked_until_ns);
  }

 private:
  template <typename... Args>
  Status Run(std::string_view sql, std::string_view context, const Args&... args) {
    KAIROS_ASSIGN_OR_RETURN(auto s, c_.db().Prepare(sql, context));
    return s.Bind(args...).Run();
  }

  Result<std::optional<User>> GetUserLocked(std::string_view name) {
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(std::string(kUserSelect) + "WHERE name = ?", "reading a user"));
    return ReadOne<User>(s.Bind(name), ReadUser);
  }

  Result<std::optional<Session>> GetSessionLocked(std::string_view token_hash) {
    KAIROS_ASSIGN_OR_RETURN(
        auto s,
        c_.db().Prepare(std::string(kSessionSelect) + "WHERE token_hash = ?", "reading a session"));
    return ReadOne<Session>(s.Bind(token_hash), ReadSession);
  }

  // `column` is "name" or "token_hash" (both unique), never outside input.
  Result<std::optional<ApiToken>> GetTokenWhere(std::string_view column, std::string_view value) {
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(std::string(kTokenSelect) + "WHERE " + std::string(column) + " = ?",
                                "reading an API token"));
    return ReadOne<ApiToken>(s.Bind(value), ReadToken);
  }

  Connection& c_;
};

}  // namespace

std::unique_ptr<ports::AccountRepository> NewAccountRepository(Connection& c) {
  return std::make_unique<SqliteAccounts>(c);
}

}  // namespace kairos::adapters::sqlite
