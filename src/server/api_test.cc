#include "server/api.h"

#include <gtest/gtest.h>

namespace kairos::server {
namespace {

// Credentials by header: "x-test-user: NAME ROLE via" where via is session, session-csrf or token.
class FakeAuthenticator : public Authenticator {
 public:
  bool accounts = true;
  Result<std::optional<Principal>> Authenticate(const Request& request) override {
    std::string_view who = request.Header("x-test-user");
    if (who.empty()) return std::optional<Principal>();
    if (who == "revoked") return Status::FailedPrecondition("token revoked");
    std::istringstream in{std::string(who)};
    std::string user, role, via;
    in >> user >> role >> via;
    Principal p;
    p.user = user;
    p.role = *ParseRole(role);
    p.via = via == "token" ? Principal::Via::kToken : Principal::Via::kSession;
    p.credential = via == "token" ? "token:t" : "session";
    p.csrf_ok = via == "session-csrf";
    return std::optional<Principal>(p);
  }
  bool HasAccounts() override { return accounts; }
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Add(Method::kGet, "/healthz", Access::Public());
    Add(Method::kGet, "/api/v1/things", Access::AtLeast(Role::kViewer));
    Add(Method::kPost, "/api/v1/things", Access::AtLeast(Role::kTrader));
    Add(Method::kGet, "/api/v1/boom", Access::Public(), true);
  }
  void Add(Method method, std::string path, Access access, bool throws = false) {
    Route r;
    r.method = method;
    r.path = std::move(path);
    r.access = access;
    r.handler = [this, throws](Request& request) -> Response {
      if (throws) throw std::runtime_error("secret detail");
      ++calls_;
      return Json({{"user", request.principal ? request.principal->user : ""}});
    };
    router_.Add(std::move(r));
  }
  Response Call(Method method, std::string path, std::string who = "", std::string origin = "") {
    Api api(router_, auth_, ApiOptions{"1.0", {"https://app.example"}});
    Request request;
    request.method = method;
    request.path = std::move(path);
    if (!who.empty()) request.headers["x-test-user"] = who;
    if (!origin.empty()) request.headers["origin"] = origin;
    return api.Handle(request);
  }
  static std::string Code(const Response& r) {
    return nlohmann::json::parse(r.body)["error"]["code"].get<std::string>();
  }
  static std::string HeaderOf(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  Router router_;
  FakeAuthenticator auth_;
  int calls_ = 0;
};

TEST_F(ApiTest, NoCredentialsIs401AndAHomeWithoutAccountsSaysHowToAddOne) {
  EXPECT_EQ(Code(Call(Method::kGet, "/api/v1/things")), "unauthenticated");
  auth_.accounts = false;
  Response r = Call(Method::kGet, "/api/v1/things", "alice admin token");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "no_accounts");
  EXPECT_EQ(Call(Method::kGet, "/healthz").status, 200);
  EXPECT_EQ(calls_, 1);
}

TEST_F(ApiTest, ARevokedCredentialIs401WithItsReason) {
  Response r = Call(Method::kGet, "/api/v1/things", "revoked");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("token revoked"), std::string::npos);
}

TEST_F(ApiTest, ARoleBelowTheRoutesIs403BeforeCsrfIsLookedAt) {
  Response r = Call(Method::kPost, "/api/v1/things", "vera viewer session");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "forbidden");
  EXPECT_EQ(calls_, 0);
}

TEST_F(ApiTest, ASessionMutationWithoutCsrfIs403CsrfButATokenNeedsNone) {
  Response r = Call(Method::kPost, "/api/v1/things", "tom trader session");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "csrf");
  EXPECT_EQ(Call(Method::kPost, "/api/v1/things", "tom trader session-csrf").status, 200);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/things", "tom trader token").status, 200);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/things", "vera viewer session").status, 200);
  EXPECT_EQ(calls_, 3);
}

TEST_F(ApiTest, RoutingErrorsComeBeforeAuthentication) {
  EXPECT_EQ(Call(Method::kGet, "/api/v1/nothing").status, 404);
  EXPECT_EQ(Call(Method::kDelete, "/api/v1/things").status, 405);
}

TEST_F(ApiTest, EveryAnswerCarriesTheSecurityHeadersErrorsIncluded) {
  for (const Response& r : {Call(Method::kGet, "/healthz"), Call(Method::kGet, "/api/v1/nothing"),
                            Call(Method::kGet, "/api/v1/things"),
                            Call(Method::kPost, "/api/v1/things", "v viewer token"),
                            Call(Method::kGet, "/api/v1/boom")}) {
    EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff") << r.status;
    EXPECT_EQ(HeaderOf(r, "X-Frame-Options"), "DENY") << r.status;
    EXPECT_NE(HeaderOf(r, "Content-Security-Policy").find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(HeaderOf(r, "Referrer-Policy"), "no-referrer");
  }
  EXPECT_EQ(HeaderOf(Call(Method::kGet, "/api/v1/nothing"), "Cache-Control"), "no-store");
}

TEST_F(ApiTest, AHandlerThatThrowsIs500WithoutItsMessage) {
  Response r = Call(Method::kGet, "/api/v1/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret detail"), std::string::npos);
}

TEST_F(ApiTest, OnlyAllowListedOriginsGetCorsHeadersAndPreflight) {
  Response allowed = Call(Method::kGet, "/healthz", "", "https://app.example");
  EXPECT_EQ(HeaderOf(allowed, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(HeaderOf(allowed, "Vary"), "Origin");
  Response other = Call(Method::kGet, "/healthz", "", "https://evil.example");
  EXPECT_EQ(HeaderOf(other, "Access-Control-Allow-Origin"), "");
  Response preflight = Call(Method::kOptions, "/api/v1/things", "", "https://app.example");
  EXPECT_EQ(preflight.status, 204);
  EXPECT_NE(HeaderOf(preflight, "Access-Control-Allow-Headers").find("X-CSRF-Token"),
            std::string::npos);
  Response refused = Call(Method::kOptions, "/api/v1/things", "", "https://evil.example");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(HeaderOf(refused, "Access-Control-Allow-Origin"), "");
}

}  // namespace
}  // namespace kairos::server
