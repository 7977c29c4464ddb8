#include "adapters/http_client/answer.h"
#include "adapters/http_client/url.h"

#include <gtest/gtest.h>

namespace kairos::http {
namespace {

HttpResponse Response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(ReadJsonAnswer, AJsonBodyIsAnAnswerWhateverTheClientErrorStatus) {
  auto ok = ReadJsonAnswer(Response(200, R"({"id":"a"})"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body["id"], "a");
  auto refused = ReadJsonAnswer(Response(422, R"({"code":40010001,"message":"x"})"));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 422);
  EXPECT_EQ(refused->body["code"], 40010001);
}

TEST(ReadJsonAnswer, NothingBackIsNoAnswerAndSaysTimeout) {
  HttpResponse r;
  r.error = "Operation timed out after 100 milliseconds";
  r.timed_out = true;
  auto a = ReadJsonAnswer(r);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(a.status().message().find("timed out"), std::string::npos);
  r.timed_out = false;
  r.error = "Connection reset by peer";
  EXPECT_EQ(ReadJsonAnswer(r).status().message(), "no answer: Connection reset by peer");
}

TEST(ReadJsonAnswer, A5xxIsNoAnswerEvenWithAJsonBody) {
  auto a = ReadJsonAnswer(Response(503, R"({"message":"accepted"})"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(), "no answer: HTTP 503");
}

TEST(ReadJsonAnswer, AnHtmlPageWith200IsNoAnswerNeverSuccess) {
  HttpResponse r = Response(200, "<html><body>Bad Gateway</body></html>");
  r.headers.emplace_back("content-type", "text/html");
  auto a = ReadJsonAnswer(r);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(a.status().message(),
            "no answer: HTTP 200 with a body that is not JSON (37 bytes, text/html)");
}

TEST(ReadJsonAnswer, TruncatedJsonIsNoAnswer) {
  auto a = ReadJsonAnswer(Response(200, R"({"id":"a","status":"acc)"));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kUnavailable);
  // A bare scalar is not what a JSON API answers either (a cut-off "1234...").
  EXPECT_FALSE(ReadJsonAnswer(Response(200, "12")).ok());
}

TEST(ReadJsonAnswer, EmptyBodiesAreAnswersOnlyFor204And429) {
  EXPECT_TRUE(ReadJsonAnswer(Response(204, "")).ok());
  auto limited = ReadJsonAnswer(Response(429, "rate limit exceeded"));
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->status, 429);
  EXPECT_FALSE(ReadJsonAnswer(Response(200, "")).ok());
}

TEST(HttpResponseHeader, FindsANameInAnyCase) {
  HttpResponse r;
  r.headers.emplace_back("retry-after", "3");
  EXPECT_EQ(r.Header("Retry-After"), "3");
  EXPECT_EQ(r.Header("X-Ratelimit-Reset"), "");
}

TEST(UrlEscape, EscapesReservedCharacters) {
  EXPECT_EQ(UrlEscape("a b&c=d/e"), "a%20b%26c%3Dd%2Fe");
  EXPECT_EQ(UrlEscape("s1-2026.x_~"), "s1-2026.x_~");
}

}  // namespace
}  // namespace kairos::http
