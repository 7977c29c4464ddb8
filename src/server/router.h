#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/http.h"

namespace kairos::server {

// A handler runs on one of the server's threads, possibly beside others: it must not share
// unguarded state (a store connection per thread).
using Handler = std::function<Response(Request& request)>;

struct QueryParam {
  std::string name;
  std::string description;
  std::string type = "string";  // OpenAPI type: string, integer, number, boolean
  bool required = false;
};

// One route of the API. The route table is the one description of the API: the server dispatches
// from it, the OpenAPI document is generated from it, the authorisation test walks it.
struct Route {
  Method method = Method::kGet;
  std::string path;  // "/api/v1/signals/{id}/approve": literal segments and {name} segments
  Access access;
  std::string tag;      // the OpenAPI tag: "signals"
  std::string summary;  // one line
  std::vector<QueryParam> query;
  nlohmann::json body_schema;  // the JSON Schema of the request body; null when it takes none
  Handler handler;

  // A route that changes something: every method but GET. Cookie sessions must send the CSRF
  // token with these, and each writes an audit row.
  bool mutates() const { return method != Method::kGet; }
};

class Router {
 public:
  // Adds `route`; a second route with the same method and path is a programming error.
  void Add(Route route);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string, std::less<>> params;
  };
  // The route for `method` and `path`, or the error to send: 404 when no route has the path,
  // 405 (with an Allow header) when routes have it for other methods. A literal segment wins
  // over a {name} segment.
  std::variant<Match, Response> Find(Method method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace kairos::server
