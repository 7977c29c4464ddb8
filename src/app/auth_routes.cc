#include "app/auth_routes.h"

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/accounts.h"
#include "app/api_support.h"
#include "server/json_body.h"
#include "server/paging.h"

namespace kairos::app {
namespace {

using server::Method;
using server::Request;
using server::Response;
using server::Role;

constexpr int64_t kSecondNs = 1'000'000'000;

std::string SessionCookie(std::string_view value, int64_t max_age_secs, bool tls) {
  return fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                     server::kSessionCookie, value, max_age_secs, tls ? "; Secure" : "");
}

// The rows of `table` as a page of the list convention, keyed by name.
Response ListPage(const Request& request, const Table& table) {
  auto page = server::ReadPage(request);
  if (auto* error = std::get_if<Response>(&page)) return std::move(*error);
  auto body = server::PageOf(
      TableJson(table), std::get<server::Page>(page),
      [](const nlohmann::ordered_json& item) { return item["name"].get<std::string>(); });
  if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
  return server::Json(std::get<nlohmann::ordered_json>(body));
}

// The one row of `table` (a single record) as an object.
nlohmann::ordered_json RowJson(const Table& table) { return TableJson(table).at(0); }

class AuthRoutes {
 public:
  AuthRoutes(server::AccountAuthenticator& auth, ApiEnv& env) : auth_(auth), env_(env) {}

  Response Login(Request& request, const nlohmann::json& schema) {
    auto body = server::ReadBody(request, schema);
    if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
    const auto& json = std::get<nlohmann::json>(body);
    const std::string user = json["username"].get<std::string>();
    auto outcome = auth_.Login(user, json["password"].get<std::string>(), request.remote_address);
    if (!outcome.ok()) return server::ErrorFrom(outcome.status());
    // The subject is the name asked for; an unknown one is recorded as typed, never a password.
    const std::string subject = "user:" + user;
    switch (outcome->kind) {
      case server::LoginOutcome::Kind::kLocked: {
        (void)Audit(request, "auth.login_locked", subject, nullptr);
        Response r = server::Error(
            429, "rate_limited",
            fmt::format("too many failed sign-ins: try again in {} s", outcome->retry_after_secs));
        r.headers.emplace_back("Retry-After", std::to_string(outcome->retry_after_secs));
        return r;
      }
      case server::LoginOutcome::Kind::kDenied:
        (void)Audit(request, "auth.login_failed", subject, nullptr);
        return server::Error(401, "invalid_credentials", "wrong username or password");
      case server::LoginOutcome::Kind::kSignedIn:
        break;
    }
    const server::SignIn& s = outcome->sign_in;
    Status audited = Audit(request, "auth.login", subject, nullptr);
    if (!audited.ok()) return server::ErrorFrom(audited);
    Response r = server::Json(nlohmann::ordered_json{{"user", s.user},
                                                     {"role", server::RoleName(s.role)},
                                                     {"csrf_token", s.csrf_token},
                                                     {"expires", IsoInstant(s.expires_ns)}});
    r.headers.emplace_back(
        "Set-Cookie",
        SessionCookie(s.session_token, auth_.limits().absolute_ns / kSecondNs, request.tls));
    return r;
  }

  Response Logout(Request& request) {
    Status st = auth_.Logout(request);
    if (st.ok()) st = Audit(request, "auth.logout", "user:" + request.principal->user, nullptr);
    if (!st.ok()) return server::ErrorFrom(st);
    Response r = server::Json(nlohmann::ordered_json{{"signed_out", true}});
    r.headers.emplace_back("Set-Cookie", SessionCookie("", 0, request.tls));
    return r;
  }

  Response Me(Request& request) {
    const server::Principal& p = *request.principal;
    return server::Json(nlohmann::ordered_json{
        {"user", p.user}, {"role", server::RoleName(p.role)}, {"via", p.credential}});
  }

  Response ListUsers(Request& request) {
    auto users = env_.store().accounts().ListUsers();
    if (!users.ok()) return server::ErrorFrom(users.status());
    return ListPage(request, UsersTable(*users));
  }

  Response AddUser(Request& request, const nlohmann::json& schema) {
    auto body = server::ReadBody(request, schema);
    if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
    const auto& json = std::get<nlohmann::json>(body);
    auto user = app::AddUser(Change(request), json["username"].get<std::string>(),
                             json["role"].get<std::string>(), json["password"].get<std::string>());
    if (!user.ok()) return server::ErrorFrom(user.status());
    return server::Json(201, RowJson(UsersTable({*user})));
  }

  Response RemoveUser(Request& request) {
    Status st = app::RemoveUser(Change(request), request.params.at("name"));
    if (!st.ok()) return server::ErrorFrom(st);
    return server::Json(nlohmann::ordered_json{{"removed", request.params.at("name")}});
  }

  Response ListTokens(Request& request) {
    auto tokens = env_.store().accounts().ListTokens();
    if (!tokens.ok()) return server::ErrorFrom(tokens.status());
    return ListPage(request, TokensTable(*tokens));
  }

  // The token acts for the caller, with at most the caller's role.
  Response CreateToken(Request& request, const nlohmann::json& schema) {
    auto body = server::ReadBody(request, schema);
    if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
    const auto& json = std::get<nlohmann::json>(body);
    const server::Principal& p = *request.principal;
    auto created =
        app::CreateToken(Change(request), json["name"].get<std::string>(),
                         json["role"].get<std::string>(), p.user, server::RoleName(p.role));
    if (!created.ok()) return server::ErrorFrom(created.status());
    nlohmann::ordered_json out = RowJson(TokensTable({created->record}));
    out["token"] = created->token;
    return server::Json(201, out);
  }

  Response RevokeToken(Request& request) {
    Status st = app::RevokeToken(Change(request), request.params.at("name"));
    if (!st.ok()) return server::ErrorFrom(st);
    return server::Json(nlohmann::ordered_json{{"revoked", request.params.at("name")}});
  }

 private:
  AccountChange Change(const Request& request) {
    return {env_.store(), *env_.clock, request.Actor()};
  }

  Status Audit(const Request& request, std::string action, std::string subject,
               const nlohmann::json& detail) {
    return AuditMutation(env_.store(), *env_.clock, request, action, subject, detail);
  }

  server::AccountAuthenticator& auth_;
  ApiEnv& env_;
};

}  // namespace

void AddAuthRoutes(server::Router& router, server::AccountAuthenticator& auth, ApiEnv& env) {
  auto routes = std::make_shared<AuthRoutes>(auth, env);
  const nlohmann::json login_schema = server::ObjectSchema(
      {{"username", "string"}, {"password", "string"}}, {"username", "password"});
  const nlohmann::json user_schema =
      server::ObjectSchema({{"username", "string"}, {"password", "string"}, {"role", "string"}},
                           {"username", "password", "role"});
  const nlohmann::json token_schema =
      server::ObjectSchema({{"name", "string"}, {"role", "string"}}, {"name", "role"});
  const std::vector<server::QueryParam> paging = server::PageParams();

  router.Add({Method::kPost,
              "/api/v1/auth/login",
              server::Access::Public(),
              "auth",
              "Sign in: sets the session cookie and returns the CSRF token",
              {},
              login_schema,
              [routes, login_schema](Request& r) { return routes->Login(r, login_schema); }});
  router.Add({Method::kPost,
              "/api/v1/auth/logout",
              server::Access::AtLeast(Role::kViewer),
              "auth",
              "Sign out: ends the session and clears its cookie",
              {},
              nullptr,
              [routes](Request& r) { return routes->Logout(r); }});
  router.Add({Method::kGet,
              "/api/v1/auth/me",
              server::Access::AtLeast(Role::kViewer),
              "auth",
              "The caller: user, role and credential",
              {},
              nullptr,
              [routes](Request& r) { return routes->Me(r); }});
  router.Add({Method::kGet, "/api/v1/users", server::Access::AtLeast(Role::kAdmin), "users",
              "The accounts (never their password hashes)", paging, nullptr,
              [routes](Request& r) { return routes->ListUsers(r); }});
  router.Add({Method::kPost,
              "/api/v1/users",
              server::Access::AtLeast(Role::kAdmin),
              "users",
              "Add an account (password of at least 10 characters)",
              {},
              user_schema,
              [routes, user_schema](Request& r) { return routes->AddUser(r, user_schema); }});
  router.Add({Method::kDelete,
              "/api/v1/users/{name}",
              server::Access::AtLeast(Role::kAdmin),
              "users",
              "Remove an account, its sessions and its tokens",
              {},
              nullptr,
              [routes](Request& r) { return routes->RemoveUser(r); }});
  router.Add({Method::kGet, "/api/v1/tokens", server::Access::AtLeast(Role::kAdmin), "tokens",
              "The API tokens (never the tokens themselves)", paging, nullptr,
              [routes](Request& r) { return routes->ListTokens(r); }});
  router.Add({Method::kPost,
              "/api/v1/tokens",
              server::Access::AtLeast(Role::kAdmin),
              "tokens",
              "Create an API token acting for the caller: the answer shows it once",
              {},
              token_schema,
              [routes, token_schema](Request& r) { return routes->CreateToken(r, token_schema); }});
  router.Add({Method::kDelete,
              "/api/v1/tokens/{name}",
              server::Access::AtLeast(Role::kAdmin),
              "tokens",
              "Revoke an API token",
              {},
              nullptr,
              [routes](Request& r) { return routes->RevokeToken(r); }});
}

}  // namespace kairos::app
