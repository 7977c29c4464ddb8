#include "server/wire.h"

#include <gtest/gtest.h>

namespace kairos::server {
namespace {

int StatusOf(const std::variant<Request, Response>& parsed) {
  return std::holds_alternative<Response>(parsed) ? std::get<Response>(parsed).status : 0;
}

TEST(WireTest, PercentDecodingRefusesMalformedEscapes) {
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%g0", false), std::nullopt);
}

TEST(WireTest, ARequestBecomesARequestWithLowerCaseHeadersAndDecodedQuery) {
  auto parsed = ParseRequest(
      "POST /api/v1/x%2Fy?limit=5&cursor=a%3Db&flag HTTP/1.1\r\nHost: h\r\nX-CSRF-Token: t\r\n"
      "Content-Length: 2\r\n\r\n{}",
      {});
  ASSERT_TRUE(std::holds_alternative<Request>(parsed));
  const Request& r = std::get<Request>(parsed);
  EXPECT_EQ(r.method, Method::kPost);
  EXPECT_EQ(r.path, "/api/v1/x/y");
  EXPECT_EQ(r.Query("limit"), "5");
  EXPECT_EQ(r.Query("cursor"), "a=b");
  EXPECT_EQ(r.Query("flag"), "");
  EXPECT_EQ(r.Header("x-csrf-token"), "t");
  EXPECT_EQ(r.body, "{}");
}

TEST(WireTest, LimitsGiveTheirStatuses) {
  WireLimits limits{256, 64, 10};
  EXPECT_EQ(StatusOf(ParseRequest("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", limits)),
            414);
  EXPECT_EQ(
      StatusOf(ParseRequest("GET / HTTP/1.1\r\nX: " + std::string(300, 'a') + "\r\n\r\n", limits)),
      431);
  EXPECT_EQ(StatusOf(ParseRequest("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits)), 413);
  EXPECT_EQ(StatusOf(ParseRequest("GET / HTTP/1.1\r\nHost", limits)), 400);
  EXPECT_EQ(StatusOf(ParseRequest("", limits)), 400);
  EXPECT_EQ(StatusOf(ParseRequest("BREW / HTTP/1.1\r\n\r\n", limits)), 405);
  EXPECT_EQ(StatusOf(ParseRequest("GET * HTTP/1.1\r\n\r\n", limits)), 400);
}

TEST(WireTest, AResponseKeepsItsHeadersAndLength) {
  Response r = Json(201, {{"a", 1}});
  r.headers.emplace_back("Set-Cookie", "s=1");
  WireResponse wire = ToWire(r, false);
  EXPECT_EQ(wire.result_int(), 201);
  EXPECT_EQ(wire[boost::beast::http::field::content_type], "application/json");
  EXPECT_EQ(wire["Set-Cookie"], "s=1");
  EXPECT_EQ(wire[boost::beast::http::field::content_length], "7");
  EXPECT_FALSE(wire.keep_alive());
}

}  // namespace
}  // namespace kairos::server
