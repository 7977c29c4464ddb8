#include "server/json_body.h"

#include <gtest/gtest.h>

namespace kairos::server {
namespace {

Request JsonRequest(std::string body, std::string type = "application/json") {
  Request r;
  r.method = Method::kPost;
  r.headers["content-type"] = std::move(type);
  r.body = std::move(body);
  return r;
}

const nlohmann::json kSchema = ObjectSchema({{"note", "string"}, {"qty", "integer"}}, {"qty"});

TEST(JsonBodyTest, AWellFormedBodyIsReturned) {
  auto body = ReadBody(JsonRequest(R"({"qty": 3, "note": "x"})"), kSchema);
  ASSERT_TRUE(std::holds_alternative<nlohmann::json>(body));
  EXPECT_EQ(std::get<nlohmann::json>(body)["qty"], 3);
}

TEST(JsonBodyTest, ACharsetParameterIsAccepted) {
  auto body = ReadBody(JsonRequest(R"({"qty": 3})", "application/json; charset=utf-8"), kSchema);
  EXPECT_TRUE(std::holds_alternative<nlohmann::json>(body));
}

TEST(JsonBodyTest, ANumberBeyondADoubleIs400) {
  auto body = ReadBody(JsonRequest(R"({"qty": 2e22222222})"), kSchema);
  ASSERT_TRUE(std::holds_alternative<Response>(body));
  const Response& r = std::get<Response>(body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "malformed_json");
  EXPECT_NE(r.body.find("number overflow"), std::string::npos) << r.body;
}

TEST(JsonBodyTest, AnotherContentTypeIs415) {
  auto body = ReadBody(JsonRequest(R"({"qty": 3})", "text/plain"), kSchema);
  ASSERT_TRUE(std::holds_alternative<Response>(body));
  EXPECT_EQ(std::get<Response>(body).status, 415);
}

TEST(JsonBodyTest, MalformedJsonIs400NamingLineAndColumn) {
  auto body = ReadBody(JsonRequest("{\n  \"qty\": 3,,\n}"), kSchema);
  ASSERT_TRUE(std::holds_alternative<Response>(body));
  const Response& r = std::get<Response>(body);
  EXPECT_EQ(r.status, 400);
  auto error = nlohmann::json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "malformed_json");
  EXPECT_EQ(error["details"]["line"], 2);
  EXPECT_EQ(error["details"]["column"], 12);
  EXPECT_NE(error["message"].get<std::string>().find("line 2, column 12"), std::string::npos)
      << error["message"];
}

TEST(JsonBodyTest, AnUnknownFieldIs400NamingIt) {
  auto body = ReadBody(JsonRequest(R"({"qty": 3, "qtty": 4})"), kSchema);
  ASSERT_TRUE(std::holds_alternative<Response>(body));
  auto error = nlohmann::json::parse(std::get<Response>(body).body)["error"];
  EXPECT_EQ(std::get<Response>(body).status, 400);
  EXPECT_EQ(error["code"], "unknown_field");
  EXPECT_EQ(error["details"]["field"], "qtty");
}

TEST(JsonBodyTest, AWrongTypeOrAMissingFieldIs422) {
  auto wrong = ReadBody(JsonRequest(R"({"qty": "3"})"), kSchema);
  ASSERT_TRUE(std::holds_alternative<Response>(wrong));
  EXPECT_EQ(std::get<Response>(wrong).status, 422);
  auto missing = ReadBody(JsonRequest(R"({"note": "x"})"), kSchema);
  ASSERT_TRUE(std::holds_alternative<Response>(missing));
  EXPECT_EQ(std::get<Response>(missing).status, 422);
  EXPECT_EQ(nlohmann::json::parse(std::get<Response>(missing).body)["error"]["details"]["field"],
            "qty");
}

TEST(JsonBodyTest, ABodyThatIsNotAnObjectIs400) {
  auto body = ReadBody(JsonRequest("[1,2]"), kSchema);
  ASSERT_TRUE(std::holds_alternative<Response>(body));
  EXPECT_EQ(std::get<Response>(body).status, 400);
}

}  // namespace
}  // namespace kairos::server
