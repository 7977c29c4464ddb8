#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/router.h"

namespace kairos::server {

// The OpenAPI 3.0 document of `router`'s routes: each path (with its {params}) and, under it, an
// operation per method with the route's tag, summary, query parameters, JSON request body
// (body_schema) and security (none for a public route, else the session cookie or a bearer
// token); every operation may answer the one error shape (components.schemas.Error).
nlohmann::ordered_json OpenApiDocument(const Router& router, std::string_view version);

// Adds the public routes GET /healthz ({"status":"ok","version":...}) and
// GET /api/v1/openapi.json, whose document is made from `router` when it is asked for, so it
// lists the routes added after these. `router` outlives its routes' use.
void AddHealthRoutes(Router& router, std::string version);

}  // namespace kairos::server
