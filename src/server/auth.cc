#include "server/auth.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "server/passwords.h"

namespace kairos::server {
namespace {

// Last-seen instants are written at most this often per session or token (a write per request
// would serialise every reader on the store); the idle limit is exact to within it.
constexpr int64_t kTouchEveryNs = 60LL * 1'000'000'000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Role LowerRole(Role a, Role b) { return static_cast<int>(a) < static_cast<int>(b) ? a : b; }

Status Unauthenticated(std::string_view message) {
  return Status::FailedPrecondition(std::string(message));
}

int64_t CeilSeconds(int64_t ns) { return (ns + 999'999'999) / 1'000'000'000; }

}  // namespace

std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view pair = Trim(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  authorization = Trim(authorization);
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() ||
      !EqualsIgnoringCase(authorization.substr(0, kScheme.size()), kScheme) ||
      authorization[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  std::string_view token = Trim(authorization.substr(kScheme.size() + 1));
  if (token.empty()) return std::nullopt;
  return token;
}

bool ValidAccountName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

int64_t LockoutAfter(int failures) {
  if (failures < kFailuresBeforeLockout) return 0;
  int doublings = failures - kFailuresBeforeLockout;
  if (doublings >= 20) return kMaxLockoutNs;
  return std::min(kFirstLockoutNs << doublings, kMaxLockoutNs);
}

AccountAuthenticator::AccountAuthenticator(std::function<ports::Store&()> store,
                                           const ports::Clock& clock, SessionLimits limits)
    : store_(std::move(store)), clock_(clock), limits_(limits) {}

bool AccountAuthenticator::HasAccounts() {
  auto n = store_().accounts().CountUsers();
  return n.ok() && *n > 0;
}

// The store's own failures are logged, not sent: their text may name files of the host.
Result<std::optional<Principal>> AccountAuthenticator::Authenticate(const Request& request) {
  auto who = Identify(request);
  if (who.ok() || who.status().code() == StatusCode::kFailedPrecondition) return who;
  fmt::print(stderr, "server: reading the accounts failed: {}\n", who.status().ToString());
  return Unauthenticated("the accounts could not be read (the daemon's log has the cause)");
}

Result<std::optional<Principal>> AccountAuthenticator::Identify(const Request& request) {
  std::string_view authorization = request.Header("authorization");
  if (!authorization.empty()) {
    std::optional<std::string_view> token = BearerToken(authorization);
    if (!token) return Unauthenticated("only Authorization: Bearer tokens are accepted");
    return FromToken(*token);
  }
  std::optional<std::string_view> cookie = CookieValue(request.Header("cookie"), kSessionCookie);
  if (!cookie || cookie->empty()) return std::optional<Principal>();
  return FromSession(*cookie, request);
}

Result<std::optional<Principal>> AccountAuthenticator::FromToken(std::string_view token) {
  constexpr std::string_view kUnknown = "token revoked or unknown";
  if (token.rfind(kApiTokenPrefix, 0) != 0) return Unauthenticated(kUnknown);
  const std::string hash = Sha256Hex(token);
  ports::AccountRepository& accounts = store_().accounts();
  KAIROS_ASSIGN_OR_RETURN(auto stored, accounts.GetTokenByHash(hash));
  if (!stored || !ConstantTimeEquals(stored->token_hash, hash) || stored->revoked_ns != 0) {
    return Unauthenticated(kUnknown);
  }
  KAIROS_ASSIGN_OR_RETURN(auto user, accounts.GetUser(stored->user));
  if (!user || user->disabled) return Unauthenticated("the token's account is disabled or removed");
  std::optional<Role> token_role = ParseRole(stored->role);
  std::optional<Role> user_role = ParseRole(user->role);
  if (!token_role || !user_role) return Status::Corruption("a stored role is not one kairos knows");
  const int64_t now = clock_.NowNs();
  if (now - stored->last_used_ns >= kTouchEveryNs) {
    KAIROS_RETURN_IF_ERROR(accounts.TouchToken(stored->name, now));
  }
  Principal p;
  p.user = stored->user;
  p.role = LowerRole(*token_role, *user_role);  // a demoted user's tokens are demoted with it
  p.via = Principal::Via::kToken;
  p.credential = "token:" + stored->name;
  return std::optional<Principal>(std::move(p));
}

Result<std::optional<Principal>> AccountAuthenticator::FromSession(std::string_view token,
                                                                   const Request& request) {
  const std::string hash = Sha256Hex(token);
  ports::AccountRepository& accounts = store_().accounts();
  KAIROS_ASSIGN_OR_RETURN(auto session, accounts.GetSession(hash));
  if (!session || !ConstantTimeEquals(session->token_hash, hash)) {
    return Unauthenticated("session expired or unknown: sign in again");
  }
  const int64_t now = clock_.NowNs();
  if (now - session->created_ns >= limits_.absolute_ns ||
      now - session->last_seen_ns >= limits_.idle_ns) {
    KAIROS_RETURN_IF_ERROR(accounts.DeleteSession(hash));
    return Unauthenticated("session expired");
  }
  KAIROS_ASSIGN_OR_RETURN(auto user, accounts.GetUser(session->user));
  if (!user || user->disabled) {
    KAIROS_RETURN_IF_ERROR(accounts.DeleteSession(hash));
    return Unauthenticated("the session's account is disabled or removed");
  }
  std::optional<Role> role = ParseRole(user->role);
  if (!role) return Status::Corruption("a stored role is not one kairos knows");
  if (now - session->last_seen_ns >= std::min(kTouchEveryNs, limits_.idle_ns / 100)) {
    KAIROS_RETURN_IF_ERROR(accounts.TouchSession(hash, now));
  }
  Principal p;
  p.user = user->name;
  p.role = *role;
  p.via = Principal::Via::kSession;
  p.credential = "session";
  std::string_view csrf = request.Header("x-csrf-token");
  p.csrf_ok = !csrf.empty() && ConstantTimeEquals(Sha256Hex(csrf), session->csrf_hash);
  return std::optional<Principal>(std::move(p));
}

Status AccountAuthenticator::RecordFailure(ports::AccountRepository& accounts,
                                           const std::string& key, int64_t now) {
  KAIROS_ASSIGN_OR_RETURN(ports::LoginThrottle t, accounts.GetThrottle(key));
  t.failures += 1;
  const int64_t lock = LockoutAfter(t.failures);
  if (lock > 0) t.locked_until_ns = now + lock;
  return accounts.PutThrottle(t);
}

Result<LoginOutcome> AccountAuthenticator::Login(std::string_view user, std::string_view password,
                                                 std::string_view address) {
  ports::Store& store = store_();
  ports::AccountRepository& accounts = store.accounts();
  const int64_t now = clock_.NowNs();
  // An invalid name cannot be an account: only its address is throttled, so that made-up names
  // add no rows.
  std::vector<std::string> keys = {"addr:" + std::string(address.empty() ? "-" : address)};
  if (ValidAccountName(user)) keys.push_back("user:" + std::string(user));
  LoginOutcome out;
  for (const std::string& key : keys) {
    KAIROS_ASSIGN_OR_RETURN(ports::LoginThrottle t, accounts.GetThrottle(key));
    if (t.locked_until_ns > now) {
      out.kind = LoginOutcome::Kind::kLocked;
      out.retry_after_secs = std::max(out.retry_after_secs, CeilSeconds(t.locked_until_ns - now));
    }
  }
  if (out.kind == LoginOutcome::Kind::kLocked) return out;

  std::optional<ports::User> stored;
  if (keys.size() == 2) {
    KAIROS_ASSIGN_OR_RETURN(stored, accounts.GetUser(user));
  }
  bool ok = false;
  if (stored) {
    ok = VerifyPassword(stored->password_hash, password) && !stored->disabled;
  } else {
    VerifyAgainstDummy(password);
  }
  std::optional<Role> role = stored ? ParseRole(stored->role) : std::nullopt;
  if (!ok || !role) {
    // One transaction: concurrent failures each count (read, add one, write).
    KAIROS_RETURN_IF_ERROR(store.InTransaction([&]() -> Status {
      for (const std::string& key : keys) KAIROS_RETURN_IF_ERROR(RecordFailure(accounts, key, now));
      return Status::Ok();
    }));
    out.kind = LoginOutcome::Kind::kDenied;
    return out;
  }
  KAIROS_RETURN_IF_ERROR(accounts.PutThrottle({keys[1], 0, 0}));

  SignIn& s = out.sign_in;
  s.user = stored->name;
  s.role = *role;
  s.session_token = RandomToken();
  s.csrf_token = RandomToken();
  s.expires_ns = now + limits_.absolute_ns;
  KAIROS_RETURN_IF_ERROR(
      accounts.AddSession({Sha256Hex(s.session_token), s.user, Sha256Hex(s.csrf_token), now, now}));
  out.kind = LoginOutcome::Kind::kSignedIn;
  return out;
}

Status AccountAuthenticator::Logout(const Request& request) {
  std::optional<std::string_view> cookie = CookieValue(request.Header("cookie"), kSessionCookie);
  if (!cookie || cookie->empty()) return Status::Ok();
  return store_().accounts().DeleteSession(Sha256Hex(*cookie));
}

}  // namespace kairos::server
