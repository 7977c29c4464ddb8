// The strategies of the HTTP API: list, show, import or replace from TOML text, enable, disable,
// set the allocation, and a rule checked without saving.
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "app/api_support.h"
#include "app/api_trading.h"
#include "app/strategy_actions.h"
#include "engine/strategy_file.h"
#include "rules/binder.h"
#include "server/json_body.h"

namespace kairos::app {
namespace {

using server::Method;
using server::Request;
using server::Response;
using server::Role;
using server::Route;

// The object `handler` answers, or the error of its body or its result.
template <typename F>
Response WithBody(const Request& request, const nlohmann::json& schema, F&& handler) {
  auto body = server::ReadBody(request, schema);
  if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
  return handler(std::get<nlohmann::json>(body));
}

Response List(ApiEnv& env, Request& request) {
  return TablePage(request, StrategiesTable(env.store(), false), KeyOf({"name"}));
}

Response Show(ApiEnv& env, Request& request) {
  ports::Store& store = env.store();
  const std::string& name = request.params.at("name");
  auto record = GetStrategy(store, name);
  if (!record.ok()) return server::ErrorFrom(record.status());
  nlohmann::ordered_json out = StrategyJson(*record);
  nlohmann::ordered_json versions = nlohmann::ordered_json::array();
  for (int v = 1; v <= record->version; ++v) versions.push_back(v);
  out["versions"] = std::move(versions);
  return server::Json(out);
}

Response Put(ApiEnv& env, Request& request, const nlohmann::json& body) {
  const std::string& name = request.params.at("name");
  const std::string source = body["toml"].get<std::string>();
  const std::string file_name = name + ".toml";
  auto spec = engine::ParseStrategy(source, file_name);
  if (!spec.ok()) {
    nlohmann::json diagnostics = DiagnosticsJson(spec.status().message());
    return server::Error(422, "invalid",
                         fmt::format("not a valid strategy ({} problem{}; nothing stored)",
                                     diagnostics.size(), diagnostics.size() == 1 ? "" : "s"),
                         diagnostics);
  }
  if (spec->name != name) {
    return server::Error(
        422, "invalid",
        fmt::format("the file names strategy '{}', not '{}' (nothing stored)", spec->name, name),
        nlohmann::json{{"field", "toml"}});
  }
  ports::Store& store = env.store();
  if (Status universe = CheckUniverseExists(store, *spec, file_name); !universe.ok()) {
    if (universe.code() != StatusCode::kFailedPrecondition) return server::ErrorFrom(universe);
    return server::Error(422, "invalid", universe.message(), nlohmann::json{{"field", "toml"}});
  }
  auto stored = StoreStrategy(store, *spec, source, request.Actor(), env.clock->NowNs());
  if (!stored.ok()) return server::ErrorFrom(stored.status());
  nlohmann::ordered_json out = {{"strategy", stored->record.spec.name},
                                {"version", stored->record.version},
                                {"result", stored->created ? "stored" : "unchanged"}};
  return server::Json(stored->before_version ? 200 : 201, out);
}

Response SetEnabled(ApiEnv& env, Request& request, bool enabled) {
  const std::string& name = request.params.at("name");
  auto was = SetStrategyEnabled(env.store(), name, enabled, request.Actor(), env.clock->NowNs());
  if (!was.ok()) return server::ErrorFrom(was.status());
  return server::Json(nlohmann::ordered_json{
      {"strategy", name}, {"enabled", enabled ? "yes" : "no"}, {"previous", *was ? "yes" : "no"}});
}

Response SetAllocation(ApiEnv& env, Request& request, const nlohmann::json& body) {
  const std::string& name = request.params.at("name");
  auto change = SetStrategyAllocation(env.store(), name, body["allocation"].get<std::string>(),
                                      request.Actor(), env.clock->NowNs());
  if (!change.ok()) return server::ErrorFrom(change.status());
  const Currency& c = change->currency;
  return server::Json(nlohmann::ordered_json{{"strategy", name},
                                             {"allocation", Money(change->after, c).ToString()},
                                             {"currency", std::string(c.code())},
                                             {"previous", Money(change->before, c).ToString()}});
}

Response ValidateRule(const nlohmann::json& body) {
  const std::string rule = body["rule"].get<std::string>();
  auto compiled = rules::CompileRule(rule);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["valid"] = compiled.ok();
  if (compiled.ok()) {
    out["canonical"] = rules::CanonicalText(*compiled->root);
    out["lookback"] = compiled->lookback;
    out["diagnostics"] = nlohmann::ordered_json::array();
    return server::Json(out);
  }
  out["canonical"] = nullptr;
  out["diagnostics"] = DiagnosticsJson(compiled.status().message());
  return server::Json(out);
}

}  // namespace

void AddStrategyRoutes(server::Router& router, ApiEnv& env) {
  const auto viewer = server::Access::AtLeast(Role::kViewer);
  const auto trader = server::Access::AtLeast(Role::kTrader);
  const std::string base = "/api/v1/strategies";
  router.Add({Method::kGet, base, viewer, "strategies",
              "Stored strategies (latest versions), as `kairos strategy list`",
              server::PageParams(), nullptr, [&env](Request& r) { return List(env, r); }});
  router.Add({Method::kGet,
              base + "/{name}",
              viewer,
              "strategies",
              "Every field of a strategy, its TOML text and its versions",
              {},
              nullptr,
              [&env](Request& r) { return Show(env, r); }});
  nlohmann::json toml_schema = server::ObjectSchema({{"toml", "string"}}, {"toml"});
  router.Add({Method::kPut,
              base + "/{name}",
              trader,
              "strategies",
              "Import or replace a strategy from its TOML text (errors as diagnostics)",
              {},
              toml_schema,
              [&env, toml_schema](Request& r) {
                return WithBody(r, toml_schema,
                                [&](const nlohmann::json& b) { return Put(env, r, b); });
              }});
  for (bool enable : {true, false}) {
    router.Add({Method::kPost,
                base + (enable ? "/{name}/enable" : "/{name}/disable"),
                trader,
                "strategies",
                enable ? "Let a strategy scan and trade" : "Stop a strategy scanning",
                {},
                nullptr,
                [&env, enable](Request& r) { return SetEnabled(env, r, enable); }});
  }
  nlohmann::json allocation_schema =
      server::ObjectSchema({{"allocation", "string"}}, {"allocation"});
  router.Add({Method::kPut,
              base + "/{name}/allocation",
              trader,
              "strategies",
              "Change the funds given to a strategy (\"25000.00\" in its currency)",
              {},
              allocation_schema,
              [&env, allocation_schema](Request& r) {
                return WithBody(r, allocation_schema,
                                [&](const nlohmann::json& b) { return SetAllocation(env, r, b); });
              }});
  nlohmann::json rule_schema = server::ObjectSchema({{"rule", "string"}}, {"rule"});
  router.Add({Method::kPost,
              "/api/v1/rules/validate",
              viewer,
              "strategies",
              "Check a rule without saving it: its canonical text or its diagnostics",
              {},
              rule_schema,
              [rule_schema](Request& r) { return WithBody(r, rule_schema, ValidateRule); }});
}

}  // namespace kairos::app
