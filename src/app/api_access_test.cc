// The authorisation matrix of the HTTP API: every route of the route table against every kind of
// caller (none, viewer, trader, admin, a revoked token, an expired session, a session that sends
// no CSRF token), through the real pipeline and authenticator on a SQLite home. The expected
// access of each route is written out below, apart from the route table: a route added without
// a row here, or a row whose route is gone, fails the first test.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
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
constexpr char kPassword[] = "correct horse battery";

// Who may call each route: "public", or the least role.
const std::map<std::string, std::string> kExpectedAccess = {
    {"GET /healthz", "public"},
    {"GET /api/v1/openapi.json", "public"},
    {"POST /api/v1/auth/login", "public"},
    {"POST /api/v1/auth/logout", "viewer"},
    {"GET /api/v1/auth/me", "viewer"},
    {"GET /api/v1/users", "admin"},
    {"POST /api/v1/users", "admin"},
    {"DELETE /api/v1/users/{name}", "admin"},
    {"GET /api/v1/tokens", "admin"},
    {"POST /api/v1/tokens", "admin"},
    {"DELETE /api/v1/tokens/{name}", "admin"},
    {"GET /api/v1/strategies", "viewer"},
    {"GET /api/v1/strategies/{name}", "viewer"},
    {"PUT /api/v1/strategies/{name}", "trader"},
    {"POST /api/v1/strategies/{name}/enable", "trader"},
    {"POST /api/v1/strategies/{name}/disable", "trader"},
    {"PUT /api/v1/strategies/{name}/allocation", "trader"},
    {"POST /api/v1/rules/validate", "viewer"},
    {"GET /api/v1/signals", "viewer"},
    {"GET /api/v1/signals/{id}", "viewer"},
    {"POST /api/v1/signals/{id}/approve", "trader"},
    {"POST /api/v1/signals/{id}/reject", "trader"},
    {"GET /api/v1/orders", "viewer"},
    {"GET /api/v1/fills", "viewer"},
    {"GET /api/v1/positions", "viewer"},
    {"GET /api/v1/pnl/daily", "viewer"},
    {"GET /api/v1/pnl/monthly", "viewer"},
    {"GET /api/v1/pnl/cumulative", "viewer"},
    {"GET /api/v1/pnl/summary", "viewer"},
    {"GET /api/v1/halt", "viewer"},
    {"POST /api/v1/halt", "trader"},
    {"POST /api/v1/resume", "trader"},
    {"GET /api/v1/jobs", "viewer"},
    {"GET /api/v1/jobs/history", "viewer"},
    {"POST /api/v1/jobs/{name}/run", "trader"},
    {"POST /api/v1/jobs/{name}/enable", "admin"},
    {"POST /api/v1/jobs/{name}/disable", "admin"},
    {"GET /api/v1/alerts", "viewer"},
    {"GET /api/v1/audit", "viewer"},
    {"GET /api/v1/events", "viewer"},
    {"GET /api/v1/symbols", "viewer"},
    {"GET /api/v1/bars/{symbol}", "viewer"},
    {"POST /api/v1/scan", "viewer"},
    {"POST /api/v1/backtests", "trader"},
    {"GET /api/v1/backtests", "viewer"},
    {"GET /api/v1/backtests/{id}", "viewer"},
    {"GET /api/v1/backtests/{id}/summary", "viewer"},
    {"GET /api/v1/backtests/{id}/trades", "viewer"},
    {"GET /api/v1/backtests/{id}/equity", "viewer"},
};

std::string RouteKey(const server::Route& route) {
  return fmt::format("{} {}", server::MethodName(route.method), route.path);
}

int RoleRank(std::string_view role) {
  return role == "viewer" ? 1 : role == "trader" ? 2 : role == "admin" ? 3 : 0;
}

// The route's path with every {param} filled by a value that names nothing stored.
std::string Concrete(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    size_t end = pattern.find('}', i);
    std::string name = pattern.substr(i + 1, end - i - 1);
    out += name == "id" ? "999999" : name == "symbol" ? "NOSUCH" : "nosuch";
    i = end;
  }
  return out;
}

class ApiAccessTest : public testing::ApiHomeTest {
 protected:
  void SetUp() override {
    ApiHomeTest::SetUp();
    AccountChange change{*store_, clock_, "test"};
    for (const char* role : {"viewer", "trader", "admin"}) {
      ASSERT_TRUE(AddUser(change, role, role, kPassword).ok());
    }
    viewer_token_ = CreateToken(change, "viewer-token", "viewer", "viewer", "admin")->token;
    revoked_token_ = CreateToken(change, "revoked-token", "admin", "admin", "admin")->token;
    ASSERT_TRUE(RevokeToken(change, "revoked-token").ok());
  }

  Response Call(const server::Route& route, std::map<std::string, std::string, std::less<>> h) {
    server::Request r;
    r.method = route.method;
    r.path = Concrete(route.path);
    r.headers = std::move(h);
    if (route.mutates()) {
      r.body = "{}";
      r.headers["content-type"] = "application/json";
    }
    r.remote_address = "127.0.0.1";
    return api_->Handle(r);
  }

  struct Session {
    std::string cookie, csrf;
  };
  Session SignIn(const std::string& user) {
    server::Request r;
    r.method = Method::kPost;
    r.path = "/api/v1/auth/login";
    r.headers["content-type"] = "application/json";
    r.body = nlohmann::json{{"username", user}, {"password", kPassword}}.dump();
    r.remote_address = "127.0.0.1";
    Response answer = api_->Handle(r);
    EXPECT_EQ(answer.status, 200) << answer.body;
    std::string cookie;
    for (const auto& [k, v] : answer.headers) {
      if (k == "Set-Cookie") cookie = v.substr(0, v.find(';'));
    }
    return {cookie, nlohmann::json::parse(answer.body).value("csrf_token", "")};
  }

  // A session of `user` with its CSRF token sent (or not).
  std::map<std::string, std::string, std::less<>> SessionHeaders(const Session& s, bool csrf) {
    std::map<std::string, std::string, std::less<>> h{{"cookie", s.cookie}};
    if (csrf) h["x-csrf-token"] = s.csrf;
    return h;
  }

  std::string viewer_token_, revoked_token_;
};

TEST_F(ApiAccessTest, EveryRouteHasAnExpectedAccessAndEveryExpectationARoute) {
  std::set<std::string> routes;
  for (const auto& route : routes_->router.routes()) {
    std::string key = RouteKey(route);
    routes.insert(key);
    auto it = kExpectedAccess.find(key);
    ASSERT_NE(it, kExpectedAccess.end()) << key << ": a route without a row in kExpectedAccess";
    std::string declared = route.access.open ? "public" : std::string(RoleName(route.access.role));
    EXPECT_EQ(declared, it->second) << key;
  }
  for (const auto& [key, access] : kExpectedAccess) {
    EXPECT_TRUE(routes.count(key)) << key << ": expected, but no such route";
  }
}

TEST_F(ApiAccessTest, EveryRouteAnswersEveryCallerAsItsAccessSays) {
  for (const auto& route : routes_->router.routes()) {
    const std::string key = RouteKey(route);
    auto it = kExpectedAccess.find(key);
    ASSERT_NE(it, kExpectedAccess.end()) << key;
    const std::string& need = it->second;
    const bool open = need == "public";
    auto refused = [](const Response& r) { return r.status == 401 || r.status == 403; };
    auto expect_unauthenticated = [&](const Response& r, const char* who) {
      if (open) {
        EXPECT_FALSE(refused(r)) << key << " " << who << ": " << r.status << " " << r.body;
      } else {
        EXPECT_EQ(r.status, 401) << key << " " << who << ": " << r.body;
      }
    };
    auto expect_role = [&](const Response& r, const char* role) {
      if (open || RoleRank(role) >= RoleRank(need)) {
        EXPECT_FALSE(refused(r)) << key << " as " << role << ": " << r.status << " " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << key << " as " << role << ": " << r.body;
      }
    };

    expect_unauthenticated(Call(route, {}), "with no credentials");
    expect_unauthenticated(Call(route, {{"authorization", "Bearer " + revoked_token_}}),
                           "with a revoked token");
    Session stale = SignIn("admin");
    clock_.AdvanceTo(clock_.NowNs() + env_.settings.session_absolute_ns + kSecond);
    expect_unauthenticated(Call(route, SessionHeaders(stale, true)), "with an expired session");

    expect_role(Call(route, {{"authorization", "Bearer " + viewer_token_}}), "viewer");
    expect_role(Call(route, SessionHeaders(SignIn("trader"), true)), "trader");
    expect_role(Call(route, SessionHeaders(SignIn("admin"), true)), "admin");

    Response no_csrf = Call(route, SessionHeaders(SignIn("admin"), false));
    if (!open && route.mutates()) {
      EXPECT_EQ(no_csrf.status, 403) << key << " without CSRF: " << no_csrf.body;
      EXPECT_EQ(nlohmann::json::parse(no_csrf.body)["error"]["code"], "csrf") << key;
    } else {
      EXPECT_FALSE(refused(no_csrf)) << key << " without CSRF: " << no_csrf.body;
    }
  }
}

}  // namespace
}  // namespace kairos::app
