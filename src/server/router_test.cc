#include "server/router.h"

#include <gtest/gtest.h>

namespace kairos::server {
namespace {

Route Named(Method method, std::string path, std::string name) {
  Route r;
  r.method = method;
  r.path = std::move(path);
  r.summary = std::move(name);
  r.handler = [](Request&) { return Json({}); };
  return r;
}

TEST(RouterTest, ALiteralSegmentBeatsAParameterWhateverTheOrder) {
  Router router;
  router.Add(Named(Method::kGet, "/api/v1/jobs/{name}", "one job"));
  router.Add(Named(Method::kGet, "/api/v1/jobs/runs", "runs"));
  auto runs = router.Find(Method::kGet, "/api/v1/jobs/runs");
  ASSERT_TRUE(std::holds_alternative<Router::Match>(runs));
  EXPECT_EQ(std::get<Router::Match>(runs).route->summary, "runs");
  auto job = router.Find(Method::kGet, "/api/v1/jobs/scan.daily");
  ASSERT_TRUE(std::holds_alternative<Router::Match>(job));
  EXPECT_EQ(std::get<Router::Match>(job).route->summary, "one job");
  EXPECT_EQ(std::get<Router::Match>(job).params.at("name"), "scan.daily");
}

TEST(RouterTest, AnEmptyParameterSegmentDoesNotMatch) {
  Router router;
  router.Add(Named(Method::kGet, "/api/v1/signals/{id}", "signal"));
  auto found = router.Find(Method::kGet, "/api/v1/signals/");
  ASSERT_TRUE(std::holds_alternative<Response>(found));
  EXPECT_EQ(std::get<Response>(found).status, 404);
}

TEST(RouterTest, AnotherMethodOnAKnownPathIs405WithAllow) {
  Router router;
  router.Add(Named(Method::kGet, "/api/v1/halt", "state"));
  router.Add(Named(Method::kPost, "/api/v1/halt", "halt"));
  auto found = router.Find(Method::kDelete, "/api/v1/halt");
  ASSERT_TRUE(std::holds_alternative<Response>(found));
  const Response& r = std::get<Response>(found);
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], std::make_pair(std::string("Allow"), std::string("GET, POST")));
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "method_not_allowed");
}

TEST(RouterTest, AnUnknownPathIs404) {
  Router router;
  router.Add(Named(Method::kGet, "/api/v1/halt", "state"));
  auto found = router.Find(Method::kGet, "/api/v1/halted");
  ASSERT_TRUE(std::holds_alternative<Response>(found));
  EXPECT_EQ(std::get<Response>(found).status, 404);
}

}  // namespace
}  // namespace kairos::server
