#include "server/openapi.h"

#include <algorithm>
#include <cctype>

namespace kairos::server {
namespace {

using ordered_json = nlohmann::ordered_json;

std::string LowerMethod(Method method) {
  std::string name(MethodName(method));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

// "get /api/v1/signals/{id}/approve" -> "get_signals_id_approve": unique as method + path are.
std::string OperationId(const Route& route) {
  std::string id = LowerMethod(route.method);
  std::string_view path = route.path;
  if (path.starts_with("/api/v1")) path.remove_prefix(7);
  for (char c : path) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += c;
    } else if (c == '/' || c == '.' || c == '-' || c == '_') {
      if (!id.ends_with('_')) id += '_';
    }
  }
  while (id.ends_with('_')) id.pop_back();
  return id;
}

ordered_json ErrorSchema() {
  return {{"type", "object"},
          {"required", {"error"}},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"required", {"code", "message"}},
              {"properties",
               {{"code", {{"type", "string"}, {"example", "not_found"}}},
                {"message", {{"type", "string"}}},
                {"details", {{"type", "object"}}}}}}}}}};
}

ordered_json Parameters(const Route& route) {
  ordered_json params = ordered_json::array();
  std::string_view path = route.path;
  for (size_t open = path.find('{'); open != std::string_view::npos;
       open = path.find('{', open + 1)) {
    size_t close = path.find('}', open);
    if (close == std::string_view::npos) break;
    params.push_back({{"name", path.substr(open + 1, close - open - 1)},
                      {"in", "path"},
                      {"required", true},
                      {"schema", {{"type", "string"}}}});
  }
  for (const QueryParam& q : route.query) {
    ordered_json p = {{"name", q.name}, {"in", "query"}, {"required", q.required}};
    if (!q.description.empty()) p["description"] = q.description;
    p["schema"] = {{"type", q.type}};
    params.push_back(std::move(p));
  }
  return params;
}

ordered_json Operation(const Route& route) {
  ordered_json op;
  if (!route.tag.empty()) op["tags"] = {route.tag};
  op["summary"] = route.summary;
  op["operationId"] = OperationId(route);
  ordered_json params = Parameters(route);
  if (!params.empty()) op["parameters"] = std::move(params);
  if (!route.body_schema.is_null()) {
    op["requestBody"] = {
        {"required", true},
        {"content", {{"application/json", {{"schema", ordered_json(route.body_schema)}}}}}};
  }
  op["security"] = route.access.open ? ordered_json::array()
                                     : ordered_json::array({{{"session", ordered_json::array()}},
                                                            {{"bearer", ordered_json::array()}}});
  if (!route.access.open) {
    op["x-kairos-role"] = RoleName(route.access.role);
  }
  ordered_json error = {
      {"description", "the error shape"},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
  op["responses"] = {{"200", {{"description", "success"}}}, {"default", std::move(error)}};
  return op;
}

}  // namespace

ordered_json OpenApiDocument(const Router& router, std::string_view version) {
  ordered_json paths = ordered_json::object();
  for (const Route& route : router.routes()) {
    paths[route.path][LowerMethod(route.method)] = Operation(route);
  }
  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "kairos"},
        {"version", version},
        {"description",
         "The HTTP API of kairos serve. Sign in (POST /api/v1/auth/login) for a session cookie "
         "and send its CSRF token as X-CSRF-Token with every change, or send an API token as "
         "Authorization: Bearer."}}},
      {"paths", std::move(paths)},
      {"components",
       {{"securitySchemes",
         {{"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "kairos_session"}}},
          {"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas", {{"Error", ErrorSchema()}}}}},
  };
}

void AddHealthRoutes(Router& router, std::string version) {
  Route health;
  health.method = Method::kGet;
  health.path = "/healthz";
  health.access = Access::Public();
  health.tag = "health";
  health.summary = "Whether the daemon answers, and its version";
  health.handler = [version](Request&) { return Json({{"status", "ok"}, {"version", version}}); };
  router.Add(std::move(health));

  Route openapi;
  openapi.method = Method::kGet;
  openapi.path = "/api/v1/openapi.json";
  openapi.access = Access::Public();
  openapi.tag = "health";
  openapi.summary = "This document: the OpenAPI 3.0 description of every route";
  const Router* table = &router;
  openapi.handler = [table, version](Request&) { return Json(OpenApiDocument(*table, version)); };
  router.Add(std::move(openapi));
}

}  // namespace kairos::server
