#include "server/openapi.h"

#include <gtest/gtest.h>

#include "server/json_body.h"

namespace kairos::server {
namespace {

Router SampleRouter() {
  Router router;
  AddHealthRoutes(router, "1.2.3");
  Route approve;
  approve.method = Method::kPost;
  approve.path = "/api/v1/signals/{id}/approve";
  approve.access = Access::AtLeast(Role::kTrader);
  approve.tag = "signals";
  approve.summary = "Approve a signal";
  approve.body_schema = ObjectSchema({{"note", "string"}});
  approve.handler = [](Request&) { return Json({}); };
  router.Add(approve);
  Route list;
  list.method = Method::kGet;
  list.path = "/api/v1/signals";
  list.access = Access::AtLeast(Role::kViewer);
  list.tag = "signals";
  list.summary = "List signals";
  list.query = {{"limit", "at most this many", "integer", false}};
  list.handler = [](Request&) { return Json({}); };
  router.Add(list);
  return router;
}

Response Get(const Router& router, std::string path) {
  Request request;
  request.path = path;
  auto found = router.Find(Method::kGet, path);
  return std::get<Router::Match>(found).route->handler(request);
}

TEST(OpenApiTest, HealthAnswersOkAndTheVersion) {
  Router router = SampleRouter();
  auto body = nlohmann::json::parse(Get(router, "/healthz").body);
  EXPECT_EQ(body, nlohmann::json({{"status", "ok"}, {"version", "1.2.3"}}));
}

TEST(OpenApiTest, TheDocumentDescribesEachOperation) {
  auto doc = OpenApiDocument(SampleRouter(), "1.2.3");
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_EQ(doc["info"]["version"], "1.2.3");
  const auto& approve = doc["paths"]["/api/v1/signals/{id}/approve"]["post"];
  EXPECT_EQ(approve["tags"], nlohmann::ordered_json({"signals"}));
  EXPECT_EQ(approve["summary"], "Approve a signal");
  EXPECT_EQ(approve["parameters"][0]["name"], "id");
  EXPECT_EQ(approve["parameters"][0]["in"], "path");
  EXPECT_EQ(
      approve["requestBody"]["content"]["application/json"]["schema"]["properties"]["note"]["type"],
      "string");
  EXPECT_EQ(approve["security"].size(), 2u);
  EXPECT_EQ(approve["responses"]["default"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error");
  const auto& list = doc["paths"]["/api/v1/signals"]["get"];
  EXPECT_EQ(list["parameters"][0]["name"], "limit");
  EXPECT_EQ(list["parameters"][0]["in"], "query");
  EXPECT_EQ(list["parameters"][0]["schema"]["type"], "integer");
  EXPECT_FALSE(list.contains("requestBody"));
  EXPECT_TRUE(doc["paths"]["/healthz"]["get"]["security"].empty());
  EXPECT_EQ(doc["components"]["securitySchemes"]["session"]["in"], "cookie");
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

TEST(OpenApiTest, TheServedDocumentListsRoutesAddedAfterIt) {
  Router router = SampleRouter();
  Route late;
  late.method = Method::kDelete;
  late.path = "/api/v1/late";
  late.access = Access::AtLeast(Role::kAdmin);
  late.handler = [](Request&) { return Json({}); };
  router.Add(late);
  auto doc = nlohmann::json::parse(Get(router, "/api/v1/openapi.json").body);
  EXPECT_TRUE(doc["paths"]["/api/v1/late"].contains("delete"));
  size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) operations += methods.size();
  EXPECT_EQ(operations, router.routes().size());
}

}  // namespace
}  // namespace kairos::server
