#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ports/accounts.h"
#include "ports/store_errors.h"

namespace kairos::ports {

// The accounts on plain maps, for the stores that keep everything in the process (the in-process
// store of adapters/memory and the engine's test fake): one implementation of the contract, so
// the two cannot drift. Accounts are few (a handful of users, their sessions and tokens), so the
// maps are value-typed: a store's transaction snapshots and restores them whole.
struct AccountMaps {
  std::map<std::string, User, std::less<>> users;              // by name
  std::map<std::string, Session, std::less<>> sessions;        // by token hash
  std::map<std::string, ApiToken, std::less<>> tokens;         // by name
  std::map<std::string, LoginThrottle, std::less<>> throttle;  // by key
};

// AccountRepository over `maps`, each call under `mu`. `before_write` runs once a write has passed
// its checks and before it changes anything: a store records its undo there, a fake may refuse.
class MapAccountRepository final : public AccountRepository {
 public:
  MapAccountRepository(std::recursive_mutex& mu, AccountMaps& maps,
                       std::function<Status()> before_write)
      : mu_(mu), m_(maps), before_write_(std::move(before_write)) {}

  Status AddUser(const User& user) override {
    std::lock_guard lock(mu_);
    if (user.name.empty()) return UserWithoutName();
    if (user.password_hash.empty()) return UserWithoutPasswordHash();
    if (!IsAccountRole(user.role)) return UnknownAccountRole(user.role);
    if (m_.users.count(user.name) != 0) return UserAlreadyExists(user.name);
    KAIROS_RETURN_IF_ERROR(before_write_());
    m_.users.emplace(user.name, user);
    return Status::Ok();
  }
  Result<std::optional<User>> GetUser(std::string_view name) override {
    std::lock_guard lock(mu_);
    return Find(m_.users, name);
  }
  Result<std::vector<User>> ListUsers() override {
    std::lock_guard lock(mu_);
    return Values(m_.users);
  }
  Result<int64_t> CountUsers() override {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(m_.users.size());
  }
  Status SetPassword(std::string_view name, std::string_view password_hash) override {
    std::lock_guard lock(mu_);
    if (password_hash.empty()) return UserWithoutPasswordHash();
    return UpdateUser(name, [&](User& u) { u.password_hash = std::string(password_hash); });
  }
  Status SetDisabled(std::string_view name, bool disabled) override {
    std::lock_guard lock(mu_);
    return UpdateUser(name, [&](User& u) { u.disabled = disabled; });
  }
  Status RemoveUser(std::string_view name, int64_t now_ns) override {
    std::lock_guard lock(mu_);
    auto it = m_.users.find(name);
    if (it == m_.users.end()) return NoUserNamed(name);
    KAIROS_RETURN_IF_ERROR(before_write_());
    std::erase_if(m_.sessions, [&](const auto& kv) { return kv.second.user == name; });
    for (auto& [token_name, token] : m_.tokens) {
      if (token.user == name && token.revoked_ns == 0) token.revoked_ns = now_ns;
    }
    m_.users.erase(it);
    return Status::Ok();
  }

  Status AddSession(const Session& session) override {
    std::lock_guard lock(mu_);
    if (session.token_hash.empty()) return SessionWithoutHash();
    if (m_.users.count(session.user) == 0) return NoUserNamed(session.user);
    if (m_.sessions.count(session.token_hash) != 0) return SessionAlreadyStored();
    KAIROS_RETURN_IF_ERROR(before_write_());
    m_.sessions.emplace(session.token_hash, session);
    return Status::Ok();
  }
  Result<std::optional<Session>> GetSession(std::string_view token_hash) override {
    std::lock_guard lock(mu_);
    return Find(m_.sessions, token_hash);
  }
  Status TouchSession(std::string_view token_hash, int64_t now_ns) override {
    std::lock_guard lock(mu_);
    auto it = m_.sessions.find(token_hash);
    if (it == m_.sessions.end()) return NoSuchSession();
    KAIROS_RETURN_IF_ERROR(before_write_());
    it->second.last_seen_ns = now_ns;
    return Status::Ok();
  }
  Status DeleteSession(std::string_view token_hash) override {
    std::lock_guard lock(mu_);
    auto it = m_.sessions.find(token_hash);
    if (it == m_.sessions.end()) return Status::Ok();
    KAIROS_RETURN_IF_ERROR(before_write_());
    m_.sessions.erase(it);
    return Status::Ok();
  }
  Result<int64_t> DeleteSessionsOf(std::string_view user) override {
    std::lock_guard lock(mu_);
    KAIROS_RETURN_IF_ERROR(before_write_());
    return static_cast<int64_t>(
        std::erase_if(m_.sessions, [&](const auto& kv) { return kv.second.user == user; }));
  }

  Status AddToken(const ApiToken& token) override {
    std::lock_guard lock(mu_);
    if (token.name.empty()) return TokenWithoutName();
    if (token.token_hash.empty()) return TokenWithoutHash();
    if (!IsAccountRole(token.role)) return UnknownAccountRole(token.role);
    if (m_.tokens.count(token.name) != 0) return TokenAlreadyExists(token.name);
    if (ByHash(token.token_hash) != nullptr) return TokenHashAlreadyStored();
    KAIROS_RETURN_IF_ERROR(before_write_());
    m_.tokens.emplace(token.name, token);
    return Status::Ok();
  }
  Result<std::optional<ApiToken>> GetToken(std::string_view name) override {
    std::lock_guard lock(mu_);
    return Find(m_.tokens, name);
  }
  // A scan: tokens are few.
  Result<std::optional<ApiToken>> GetTokenByHash(std::string_view token_hash) override {
    std::lock_guard lock(mu_);
    const ApiToken* t = ByHash(token_hash);
    return t == nullptr ? std::optional<ApiToken>() : std::optional<ApiToken>(*t);
  }
  Result<std::vector<ApiToken>> ListTokens() override {
    std::lock_guard lock(mu_);
    return Values(m_.tokens);
  }
  Status TouchToken(std::string_view name, int64_t now_ns) override {
    std::lock_guard lock(mu_);
    auto it = m_.tokens.find(name);
    if (it == m_.tokens.end()) return NoTokenNamed(name);
    KAIROS_RETURN_IF_ERROR(before_write_());
    it->second.last_used_ns = now_ns;
    return Status::Ok();
  }
  Status RevokeToken(std::string_view name, int64_t now_ns) override {
    std::lock_guard lock(mu_);
    auto it = m_.tokens.find(name);
    if (it == m_.tokens.end()) return NoTokenNamed(name);
    if (it->second.revoked_ns != 0) return TokenAlreadyRevoked(name);
    KAIROS_RETURN_IF_ERROR(before_write_());
    it->second.revoked_ns = now_ns;
    return Status::Ok();
  }

  Result<LoginThrottle> GetThrottle(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto it = m_.throttle.find(key);
    if (it == m_.throttle.end()) return LoginThrottle{std::string(key), 0, 0};
    return it->second;
  }
  Status PutThrottle(const LoginThrottle& throttle) override {
    std::lock_guard lock(mu_);
    KAIROS_RETURN_IF_ERROR(before_write_());
    if (throttle.failures == 0 && throttle.locked_until_ns == 0) {
      m_.throttle.erase(throttle.key);
    } else {
      m_.throttle.insert_or_assign(throttle.key, throttle);
    }
    return Status::Ok();
  }

 private:
  template <typename Map>
  static std::optional<typename Map::mapped_type> Find(const Map& map, std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return it->second;
  }
  template <typename Map>
  static std::vector<typename Map::mapped_type> Values(const Map& map) {
    std::vector<typename Map::mapped_type> out;
    for (const auto& [key, value] : map) out.push_back(value);
    return out;
  }
  template <typename F>
  Status UpdateUser(std::string_view name, F change) {
    auto it = m_.users.find(name);
    if (it == m_.users.end()) return NoUserNamed(name);
    KAIROS_RETURN_IF_ERROR(before_write_());
    change(it->second);
    return Status::Ok();
  }
  const ApiToken* ByHash(std::string_view token_hash) const {
    for (const auto& [name, token] : m_.tokens) {
      if (token.token_hash == token_hash) return &token;
    }
    return nullptr;
  }

  std::recursive_mutex& mu_;
  AccountMaps& m_;
  std::function<Status()> before_write_;
};

}  // namespace kairos::ports
