// The accounts through the API's pipeline (server::Api::Handle, no sockets) on a real SQLite
// store in a temp home: sign-in, sessions with CSRF, bearer tokens, expiry, throttling, the admin
// routes and what their answers never contain.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include "adapters/sqlite/sqlite_store.h"
#include "app/accounts.h"
#include "app/api_routes.h"
#include "app/api_testing.h"
#include "server/api.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;
using server::Method;
using server::Response;

using testing::kSecond;
using testing::kStart;
constexpr char kPassword[] = "correct horse battery";

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

nlohmann::json BodyOf(const Response& r) { return nlohmann::json::parse(r.body); }

class AuthApiTest : public testing::ApiHomeTest {
 protected:
  void AddAccount(const std::string& name, const std::string& role) {
    ASSERT_TRUE(AddUser({*store_, clock_, "test"}, name, role, kPassword).ok());
  }

  Response Call(Method method, const std::string& path, const std::string& body = "",
                std::map<std::string, std::string, std::less<>> headers = {},
                const std::string& address = "127.0.0.1", bool tls = false) {
    server::Request r;
    r.method = method;
    r.path = path.substr(0, path.find('?'));
    if (size_t q = path.find('?'); q != std::string::npos) {
      std::string query = path.substr(q + 1);  // "a=1&b=2", nothing to decode in these tests
      for (size_t start = 0; start <= query.size();) {
        size_t end = std::min(query.find('&', start), query.size());
        std::string pair = query.substr(start, end - start);
        size_t eq = pair.find('=');
        r.query.emplace_back(pair.substr(0, eq),
                             eq == std::string::npos ? "" : pair.substr(eq + 1));
        start = end + 1;
      }
    }
    r.body = body;
    r.headers = std::move(headers);
    if (!body.empty()) r.headers["content-type"] = "application/json";
    r.remote_address = address;
    r.tls = tls;
    Response response = api_->Handle(r);
    seen_.push_back(response.body);
    for (const auto& [k, v] : response.headers) seen_.push_back(k + ": " + v);
    return response;
  }

  Response Login(const std::string& user, const std::string& password,
                 const std::string& address = "127.0.0.1", bool tls = false) {
    nlohmann::json body = {{"username", user}, {"password", password}};
    return Call(Method::kPost, "/api/v1/auth/login", body.dump(), {}, address, tls);
  }

  struct Signed {
    std::string cookie;  // "kairos_session=..."
    std::string csrf;
  };
  Signed SignIn(const std::string& user) {
    Response r = Login(user, kPassword);
    EXPECT_EQ(r.status, 200) << r.body;
    std::string set = HeaderOf(r, "Set-Cookie");
    return {set.substr(0, set.find(';')), BodyOf(r).value("csrf_token", "")};
  }

  std::vector<std::string> seen_;  // every body and header answered
};

TEST_F(AuthApiTest, AHomeWithoutAccountsAnswers401NoAccountsWithTheHint) {
  Response r = Call(Method::kGet, "/api/v1/auth/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(BodyOf(r)["error"]["code"], "no_accounts");
  EXPECT_NE(r.body.find("kairos user add NAME --role admin"), std::string::npos);
}

TEST_F(AuthApiTest, LoginSetsAStrictHttpOnlyCookieAndReturnsACsrfToken) {
  AddAccount("alice", "trader");
  Response r = Login("alice", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cookie = HeaderOf(r, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("kairos_session=", 0), 0u);
  EXPECT_NE(cookie.find("; HttpOnly; SameSite=Strict; Path=/; Max-Age=14400"), std::string::npos)
      << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);
  auto body = BodyOf(r);
  EXPECT_EQ(body["user"], "alice");
  EXPECT_EQ(body["role"], "trader");
  EXPECT_EQ(body["csrf_token"].get<std::string>().size(), 43u);
  EXPECT_EQ(body["expires"], "2027-01-15T12:00:00Z");
}

TEST_F(AuthApiTest, AMalformedLoginBodyIsRefusedWithoutCountingAFailure) {
  AddAccount("alice", "viewer");
  Response missing = Call(Method::kPost, "/api/v1/auth/login", R"({"username":"alice"})");
  EXPECT_EQ(missing.status, 422);
  Response extra = Call(Method::kPost, "/api/v1/auth/login",
                        R"({"username":"alice","password":"x","remember":true})");
  EXPECT_EQ(extra.status, 400);
  EXPECT_EQ(BodyOf(extra)["error"]["code"], "unknown_field");
  Response broken = Call(Method::kPost, "/api/v1/auth/login", R"({"username":)");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(BodyOf(broken)["error"]["code"], "malformed_json");
  EXPECT_EQ(store_->accounts().GetThrottle("user:alice").value().failures, 0);
  EXPECT_EQ(store_->accounts().GetThrottle("addr:127.0.0.1").value().failures, 0);
}

TEST_F(AuthApiTest, LoginUnderTlsMarksTheCookieSecure) {
  AddAccount("alice", "viewer");
  Response r = Login("alice", kPassword, "127.0.0.1", /*tls=*/true);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(HeaderOf(r, "Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_F(AuthApiTest, ACookieMutationNeedsTheSessionsCsrfToken) {
  AddAccount("alice", "admin");
  Signed s = SignIn("alice");
  nlohmann::json add = {{"username", "bob"}, {"password", kPassword}, {"role", "viewer"}};
  Response none = Call(Method::kPost, "/api/v1/users", add.dump(), {{"cookie", s.cookie}});
  EXPECT_EQ(none.status, 403);
  EXPECT_EQ(BodyOf(none)["error"]["code"], "csrf");
  Response wrong = Call(Method::kPost, "/api/v1/users", add.dump(),
                        {{"cookie", s.cookie}, {"x-csrf-token", s.csrf + "x"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_FALSE(store_->accounts().GetUser("bob").value().has_value());
  Response right = Call(Method::kPost, "/api/v1/users", add.dump(),
                        {{"cookie", s.cookie}, {"x-csrf-token", s.csrf}});
  EXPECT_EQ(right.status, 201) << right.body;
  EXPECT_TRUE(store_->accounts().GetUser("bob").value().has_value());
  // A read needs no CSRF token.
  EXPECT_EQ(Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}}).status, 200);
}

TEST_F(AuthApiTest, LogoutEndsTheSessionAndClearsTheCookie) {
  AddAccount("alice", "viewer");
  Signed s = SignIn("alice");
  Response out = Call(Method::kPost, "/api/v1/auth/logout", "",
                      {{"cookie", s.cookie}, {"x-csrf-token", s.csrf}});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(HeaderOf(out, "Set-Cookie").rfind("kairos_session=; HttpOnly", 0), 0u);
  EXPECT_NE(HeaderOf(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  Response after = Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}});
  EXPECT_EQ(after.status, 401);
}

TEST_F(AuthApiTest, MeNamesTheCallerAndHowItSignedIn) {
  AddAccount("alice", "admin");
  Signed s = SignIn("alice");
  auto me = BodyOf(Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}}));
  EXPECT_EQ(me, nlohmann::json({{"user", "alice"}, {"role", "admin"}, {"via", "session"}}));
  auto token = CreateToken({*store_, clock_, "test"}, "ci", "viewer", "alice", "admin").value();
  auto by_token = BodyOf(
      Call(Method::kGet, "/api/v1/auth/me", "", {{"authorization", "Bearer " + token.token}}));
  EXPECT_EQ(by_token, nlohmann::json({{"user", "alice"}, {"role", "viewer"}, {"via", "token:ci"}}));
}

TEST_F(AuthApiTest, ABearerTokenWorksWithoutCsrfUntilRevoked) {
  AddAccount("alice", "admin");
  Signed s = SignIn("alice");
  Response created = Call(Method::kPost, "/api/v1/tokens", R"({"name":"deploy","role":"admin"})",
                          {{"cookie", s.cookie}, {"x-csrf-token", s.csrf}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string token = BodyOf(created)["token"];
  EXPECT_EQ(token.rfind("kairos_", 0), 0u);
  std::map<std::string, std::string, std::less<>> bearer = {{"authorization", "Bearer " + token}};
  Response mutation = Call(
      Method::kPost, "/api/v1/users",
      nlohmann::json({{"username", "bob"}, {"password", kPassword}, {"role", "viewer"}}).dump(),
      bearer);
  EXPECT_EQ(mutation.status, 201) << mutation.body;
  Response revoked = Call(Method::kDelete, "/api/v1/tokens/deploy", "", bearer);
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  Response after = Call(Method::kGet, "/api/v1/auth/me", "", bearer);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(BodyOf(after)["error"]["message"], "token revoked or unknown");
}

TEST_F(AuthApiTest, AnUnknownOrMalformedBearerTokenIs401) {
  AddAccount("alice", "admin");
  for (std::string value : {"Bearer kairos_nope", "Bearer nope", "Basic YWxpY2U6eA=="}) {
    Response r = Call(Method::kGet, "/api/v1/auth/me", "", {{"authorization", value}});
    EXPECT_EQ(r.status, 401) << value;
  }
}

TEST_F(AuthApiTest, ASessionEndsAfterTheIdleLimit) {
  AddAccount("alice", "viewer");
  Signed s = SignIn("alice");
  clock_.AdvanceTo(kStart + 3599 * kSecond);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}}).status, 200);
  clock_.AdvanceTo(kStart + 2 * 3599 * kSecond);  // used within the hour: still alive
  EXPECT_EQ(Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}}).status, 200);
  clock_.AdvanceTo(kStart + 2 * 3599 * kSecond + 3600 * kSecond);
  Response r = Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(BodyOf(r)["error"]["message"], "session expired");
  EXPECT_EQ(store_->accounts().GetUser("alice").value()->name, "alice");
  clock_.AdvanceTo(clock_.NowNs() + kSecond);
  EXPECT_EQ(
      BodyOf(Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}}))["error"]["message"],
      "session expired or unknown: sign in again");  // deleted at the first refusal
}

TEST_F(AuthApiTest, ASessionEndsAtTheAbsoluteLimitHoweverOftenUsed) {
  AddAccount("alice", "viewer");
  Signed s = SignIn("alice");
  for (int minutes = 30; minutes < 240; minutes += 30) {
    clock_.AdvanceTo(kStart + minutes * 60 * kSecond);
    ASSERT_EQ(Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}}).status, 200)
        << minutes;
  }
  clock_.AdvanceTo(kStart + 4 * 3600 * kSecond);
  Response r = Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(BodyOf(r)["error"]["message"], "session expired");
}

TEST_F(AuthApiTest, FiveFailuresLockTheUserWithRetryAfterAndTheLockoutDoubles) {
  AddAccount("alice", "viewer");
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(Login("alice", "wrong password", "10.0.0." + std::to_string(i)).status, 401) << i;
  }
  Response locked = Login("alice", kPassword, "10.0.0.9");  // even the right password
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(BodyOf(locked)["error"]["code"], "rate_limited");
  EXPECT_EQ(HeaderOf(locked, "Retry-After"), "1");
  clock_.AdvanceTo(clock_.NowNs() + kSecond);
  EXPECT_EQ(Login("alice", "wrong password", "10.0.0.9").status, 401);  // the 6th: 2 s
  EXPECT_EQ(HeaderOf(Login("alice", kPassword, "10.0.0.9"), "Retry-After"), "2");
  clock_.AdvanceTo(clock_.NowNs() + 2 * kSecond);
  EXPECT_EQ(Login("alice", "wrong password", "10.0.0.9").status, 401);  // the 7th: 4 s
  EXPECT_EQ(HeaderOf(Login("alice", kPassword, "10.0.0.9"), "Retry-After"), "4");
  clock_.AdvanceTo(clock_.NowNs() + 4 * kSecond);
  EXPECT_EQ(Login("alice", kPassword, "10.0.0.9").status, 200);
}

TEST_F(AuthApiTest, ASuccessResetsTheUsersFailures) {
  AddAccount("alice", "viewer");
  for (int i = 0; i < 4; ++i) Login("alice", "wrong password", "10.0.0." + std::to_string(i));
  EXPECT_EQ(Login("alice", kPassword, "10.0.1.1").status, 200);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Login("alice", "wrong password", "10.0.2." + std::to_string(i)).status, 401);
  }
  EXPECT_EQ(Login("alice", kPassword, "10.0.3.1").status, 200);
}

TEST_F(AuthApiTest, FailuresFromOneAddressLockItForEveryUser) {
  AddAccount("alice", "viewer");
  for (std::string name : {"u1", "u2", "u3", "u4", "u5"}) {
    EXPECT_EQ(Login(name, "wrong password", "10.9.9.9").status, 401);
  }
  Response r = Login("alice", kPassword, "10.9.9.9");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "1");
  EXPECT_EQ(Login("alice", kPassword, "10.9.9.8").status, 200);  // another address is not locked
}

TEST_F(AuthApiTest, AnUnknownUserAndAWrongPasswordAnswerTheSameBytesInSimilarTime) {
  AddAccount("alice", "viewer");
  Login("warm-up", "the dummy hash is made once");
  auto timed = [&](const std::string& user) {
    auto t0 = std::chrono::steady_clock::now();
    Response r = Login(user, "wrong password", "10.1.1.1");
    auto elapsed = std::chrono::steady_clock::now() - t0;
    return std::make_pair(r, elapsed);
  };
  auto [wrong, wrong_time] = timed("alice");
  auto [unknown, unknown_time] = timed("mallory");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(wrong.headers, unknown.headers);
  // Both verify an Argon2id hash: neither answers in a fraction of the other's time.
  EXPECT_GT(unknown_time * 3, wrong_time);
  EXPECT_GT(wrong_time * 3, unknown_time);
}

TEST_F(AuthApiTest, ADisabledOrRemovedUsersSessionsAndTokensStopWorking) {
  AddAccount("admin", "admin");
  AddAccount("alice", "trader");
  Signed s = SignIn("alice");
  auto token = CreateToken({*store_, clock_, "test"}, "t", "trader", "alice", "admin").value();
  std::map<std::string, std::string, std::less<>> bearer = {
      {"authorization", "Bearer " + token.token}};
  EXPECT_EQ(Call(Method::kGet, "/api/v1/auth/me", "", bearer).status, 200);
  ASSERT_TRUE(store_->accounts().SetDisabled("alice", true).ok());
  EXPECT_EQ(Call(Method::kGet, "/api/v1/auth/me", "", bearer).status, 401);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}}).status, 401);
  EXPECT_EQ(Login("alice", kPassword).status, 401);
  ASSERT_TRUE(store_->accounts().SetDisabled("alice", false).ok());
  EXPECT_EQ(Call(Method::kGet, "/api/v1/auth/me", "", bearer).status, 200);
  ASSERT_TRUE(RemoveUser({*store_, clock_, "test"}, "alice").ok());
  EXPECT_EQ(Call(Method::kGet, "/api/v1/auth/me", "", bearer).status, 401);
}

TEST_F(AuthApiTest, AStoreFailureIs401WithoutTheStoresMessage) {
  AddAccount("alice", "viewer");
  Signed s = SignIn("alice");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "kairos.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE sessions", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Response r = Call(Method::kGet, "/api/v1/auth/me", "", {{"cookie", s.cookie}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(BodyOf(r)["error"]["message"],
            "the accounts could not be read (the daemon's log has the cause)");
  EXPECT_EQ(r.body.find("sessions"), std::string::npos);
}

TEST_F(AuthApiTest, OnlyAdminsReachTheAccountRoutes) {
  AddAccount("alice", "trader");
  auto token = CreateToken({*store_, clock_, "test"}, "t", "trader", "alice", "admin").value();
  std::map<std::string, std::string, std::less<>> bearer = {
      {"authorization", "Bearer " + token.token}};
  EXPECT_EQ(Call(Method::kGet, "/api/v1/users", "", bearer).status, 403);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/tokens", "", bearer).status, 403);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/tokens", R"({"name":"x","role":"admin"})", bearer).status,
            403);
  EXPECT_EQ(Call(Method::kDelete, "/api/v1/users/alice", "", bearer).status, 403);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/users").status, 401);
}

TEST_F(AuthApiTest, ATokensRoleNeverExceedsItsUsersOrItsCreators) {
  AddAccount("alice", "trader");
  auto above_user = CreateToken({*store_, clock_, "test"}, "t", "admin", "alice", "admin");
  EXPECT_EQ(above_user.status().code(), StatusCode::kFailedPrecondition);
  AddAccount("root", "admin");
  auto above_creator = CreateToken({*store_, clock_, "test"}, "t", "admin", "root", "trader");
  EXPECT_EQ(above_creator.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->accounts().ListTokens().value().size(), 0u);
}

TEST_F(AuthApiTest, AdminRoutesManageAccountsRefuseWeakPasswordsAndAudit) {
  AddAccount("root", "admin");
  auto token = CreateToken({*store_, clock_, "test"}, "admin", "admin", "root", "admin").value();
  std::map<std::string, std::string, std::less<>> bearer = {
      {"authorization", "Bearer " + token.token}};
  Response weak = Call(Method::kPost, "/api/v1/users",
                       R"({"username":"bob","password":"short","role":"viewer"})", bearer);
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(BodyOf(weak)["error"]["message"], "a password needs at least 10 characters");
  Response bad_role =
      Call(Method::kPost, "/api/v1/users",
           nlohmann::json({{"username", "bob"}, {"password", kPassword}, {"role", "root"}}).dump(),
           bearer);
  EXPECT_EQ(bad_role.status, 422);
  EXPECT_EQ(store_->accounts().CountUsers().value(), 1);
  Response added = Call(
      Method::kPost, "/api/v1/users",
      nlohmann::json({{"username", "bob"}, {"password", kPassword}, {"role", "viewer"}}).dump(),
      bearer);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(BodyOf(added)["name"], "bob");
  Response dup =
      Call(Method::kPost, "/api/v1/users",
           nlohmann::json({{"username", "bob"}, {"password", kPassword}, {"role", "admin"}}).dump(),
           bearer);
  EXPECT_EQ(dup.status, 409);
  auto users = BodyOf(Call(Method::kGet, "/api/v1/users?limit=1", "", bearer));
  EXPECT_EQ(users["items"].size(), 1u);
  EXPECT_EQ(users["items"][0]["name"], "bob");
  EXPECT_EQ(users["next_cursor"], "bob");
  EXPECT_EQ(Call(Method::kDelete, "/api/v1/users/bob", "", bearer).status, 200);
  EXPECT_EQ(Call(Method::kDelete, "/api/v1/users/bob", "", bearer).status, 404);
  EXPECT_EQ(Call(Method::kDelete, "/api/v1/users/root", "", bearer).status, 409);  // last admin
  auto tokens = BodyOf(Call(Method::kGet, "/api/v1/tokens", "", bearer));
  EXPECT_EQ(tokens["items"][0]["name"], "admin");
  EXPECT_EQ(tokens["items"][0]["status"], "active");
  auto audit = store_->audit().List("user:bob").value();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "user.add");
  EXPECT_EQ(audit[0].actor, "root (token:admin) from 127.0.0.1");
  EXPECT_EQ(audit[1].action, "user.remove");
  for (const AuditEntry& e : store_->audit().List("").value()) {
    EXPECT_EQ(e.detail.find("argon2"), std::string::npos) << e.detail;
    EXPECT_EQ(e.detail.find(kPassword), std::string::npos) << e.detail;
  }
}

TEST_F(AuthApiTest, NoAnswerCarriesAPasswordAHashOrATokenButTheOneThatCreatesIt) {
  AddAccount("root", "admin");
  Signed s = SignIn("root");
  std::map<std::string, std::string, std::less<>> cookie = {{"cookie", s.cookie},
                                                            {"x-csrf-token", s.csrf}};
  Response created =
      Call(Method::kPost, "/api/v1/tokens", R"({"name":"ci","role":"viewer"})", cookie);
  ASSERT_EQ(created.status, 201);
  std::string api_token = BodyOf(created)["token"];
  seen_.clear();  // from here on nothing may show a secret
  Call(Method::kPost, "/api/v1/users",
       nlohmann::json({{"username", "bob"}, {"password", kPassword}, {"role", "viewer"}}).dump(),
       cookie);
  Login("bob", "wrong password");
  Login("nobody", kPassword);
  Call(Method::kGet, "/api/v1/users", "", cookie);
  Call(Method::kGet, "/api/v1/tokens", "", cookie);
  Call(Method::kGet, "/api/v1/auth/me", "", cookie);
  Call(Method::kGet, "/api/v1/auth/me", "", {{"authorization", "Bearer " + api_token}});
  Call(Method::kDelete, "/api/v1/tokens/ci", "", cookie);
  Call(Method::kGet, "/api/v1/auth/me", "", {{"authorization", "Bearer " + api_token}});
  Call(Method::kPost, "/api/v1/auth/logout", "", cookie);
  std::vector<std::string> secrets = {kPassword, api_token, s.cookie.substr(15), "$argon2id$"};
  for (const auto& u : store_->accounts().ListUsers().value()) secrets.push_back(u.password_hash);
  for (const auto& t : store_->accounts().ListTokens().value()) secrets.push_back(t.token_hash);
  ASSERT_GT(seen_.size(), 10u);
  for (const std::string& text : seen_) {
    for (const std::string& secret : secrets) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
    }
  }
}

}  // namespace
}  // namespace kairos::app
