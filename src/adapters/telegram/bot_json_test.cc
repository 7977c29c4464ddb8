// Request building and answer parsing without a server: a transport that records requests and
// plays back canned answers.
#include "adapters/telegram/bot_json.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "adapters/telegram/bot_client.h"

namespace kairos::telegram {
namespace {

using nlohmann::json;

constexpr char kToken[] = "123:SECRETtokenSECRETtokenSECRETtoken";

class RecordingTransport final : public HttpTransport {
 public:
  HttpResponse Send(const HttpRequest& request) override {
    requests.push_back(request);
    if (answers.empty()) return {200, R"({"ok":true,"result":true})", "", false};
    HttpResponse r = answers.front();
    answers.pop_front();
    return r;
  }
  std::vector<HttpRequest> requests;
  std::deque<HttpResponse> answers;
};

struct ClientWithRecorder {
  ClientWithRecorder() {
    auto t = std::make_unique<RecordingTransport>();
    transport = t.get();
    client = std::make_unique<BotClient>(BotConfig{.api_base = "http://bot.test/", .token = kToken},
                                         std::move(t));
  }
  RecordingTransport* transport;
  std::unique_ptr<BotClient> client;
};

HttpResponse Answer(int status, std::string body) { return {status, std::move(body), "", false}; }

TEST(BotClientRequest, SendMessageIsJsonHtmlWithKeyboardAndSilence) {
  ClientWithRecorder c;
  c.transport->answers.push_back(
      Answer(200, R"({"ok":true,"result":{"message_id":77,"chat":{"id":5},"date":1}})"));
  auto id = c.client->SendMessage(-1001234567890123, "<b>BUY</b> 10 AAPL", /*silent=*/true,
                                  InlineKeyboard{{{"Approve", "apv:7"}, {"Reject", "rej:7"}}});
  ASSERT_TRUE(id.ok()) << id.error().Message();
  EXPECT_EQ(*id, 77);
  ASSERT_EQ(c.transport->requests.size(), 1u);
  const HttpRequest& r = c.transport->requests[0];
  EXPECT_EQ(r.url, std::string("http://bot.test/bot") + kToken + "/sendMessage");
  EXPECT_EQ(r.content_type, "application/json");
  json body = json::parse(r.body);
  EXPECT_EQ(body["chat_id"], -1001234567890123);
  EXPECT_EQ(body["text"], "<b>BUY</b> 10 AAPL");
  EXPECT_EQ(body["parse_mode"], "HTML");
  EXPECT_EQ(body["disable_notification"], true);
  EXPECT_EQ(body["link_preview_options"]["is_disabled"], true);
  EXPECT_EQ(body["reply_markup"],
            json::parse(R"({"inline_keyboard":[[{"text":"Approve","callback_data":"apv:7"},
                                               {"text":"Reject","callback_data":"rej:7"}]]})"));
}

TEST(BotClientRequest, LoudMessageHasNoDisableNotification) {
  ClientWithRecorder c;
  c.transport->answers.push_back(Answer(200, R"({"ok":true,"result":{"message_id":1}})"));
  ASSERT_TRUE(c.client->SendMessage(5, "hi", /*silent=*/false).ok());
  json body = json::parse(c.transport->requests[0].body);
  EXPECT_FALSE(body.contains("disable_notification"));
  EXPECT_FALSE(body.contains("reply_markup"));
}

TEST(BotClientRequest, BadCallbackDataAndCommandsFailBeforeSending) {
  ClientWithRecorder c;
  auto sent = c.client->SendMessage(5, "x", false, InlineKeyboard{{{"A", std::string(65, 'd')}}});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().kind, BotErrorKind::kBadRequest);
  EXPECT_EQ(sent.error().Message(), "telegram sendMessage: bad request (callback_data '" +
                                        std::string(65, 'd') + "' is 65 bytes; it must be 1-64)");
  auto set = c.client->SetMyCommands({{"Status", "Show status"}});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().description, "command 'Status' must be 1-32 of a-z, 0-9 and _");
  EXPECT_FALSE(c.client->SendMessage(5, "", false).ok());
  EXPECT_TRUE(c.transport->requests.empty());
}

TEST(BotClientRequest, GetUpdatesAsksForMessagesAndCallbacksAndWaitsLongerThanThePoll) {
  ClientWithRecorder c;
  c.transport->answers.push_back(Answer(200, R"({"ok":true,"result":[]})"));
  auto updates = c.client->GetUpdates(101, 120);
  ASSERT_TRUE(updates.ok());
  const HttpRequest& r = c.transport->requests[0];
  json body = json::parse(r.body);
  EXPECT_EQ(body["offset"], 101);
  EXPECT_EQ(body["timeout"], 50);  // clamped like the official server
  EXPECT_EQ(body["allowed_updates"], json::parse(R"(["message","callback_query"])"));
  EXPECT_EQ(r.timeout_ms, 50'000 + BotConfig{}.poll_grace_ms);
}

TEST(BotClientRequest, TransportErrorsNeverShowTheToken) {
  ClientWithRecorder c;
  c.transport->answers.push_back(
      {0, "", std::string("Failed to fetch http://bot.test/bot") + kToken + "/getMe", true});
  auto me = c.client->GetMe();
  ASSERT_FALSE(me.ok());
  EXPECT_EQ(me.error().kind, BotErrorKind::kTimeout);
  EXPECT_TRUE(me.error().retryable());
  EXPECT_EQ(me.error().Message(),
            "telegram getMe: timeout (Failed to fetch http://bot.test/bot<token>/getMe)");
  EXPECT_EQ(me.status().code(), StatusCode::kUnavailable);
}

TEST(ParseResponse, FloodControlCarriesRetryAfter) {
  auto r = ParseResponse("sendMessage", Answer(429, R"({"ok":false,"error_code":429,
      "description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, BotErrorKind::kRetryAfter);
  EXPECT_EQ(r.error().retry_after_s, 35);
  EXPECT_TRUE(r.error().retryable());
  EXPECT_EQ(r.error().Message(),
            "telegram sendMessage: flood control: retry after 35 s (Too Many Requests: retry "
            "after 35)");
}

TEST(ParseResponse, ConflictSaysWhatToDo) {
  auto r = ParseResponse("getUpdates", Answer(409, R"({"ok":false,"error_code":409,
      "description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, BotErrorKind::kConflict);
  EXPECT_FALSE(r.error().retryable());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.error().Message(),
            "telegram getUpdates: conflict: another bot instance is polling getUpdates with this "
            "token, or a webhook is set; run one poller only and delete the webhook (Conflict: "
            "terminated by other getUpdates request; make sure that only one bot instance is "
            "running)");
}

TEST(ParseResponse, MigratedGroupNamesItsNewChat) {
  auto r = ParseResponse("sendMessage", Answer(400, R"({"ok":false,"error_code":400,
      "description":"Bad Request: group chat was upgraded to a supergroup chat",
      "parameters":{"migrate_to_chat_id":-1001234567890}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, BotErrorKind::kBadRequest);
  EXPECT_EQ(r.error().migrate_to_chat_id, -1001234567890);
}

TEST(ParseResponse, ProxyErrorPageIsAServerError) {
  auto r = ParseResponse("sendMessage", Answer(502, "<html><h1>502 Bad Gateway</h1></html>"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, BotErrorKind::kServer);
  EXPECT_TRUE(r.error().retryable());
  EXPECT_EQ(r.error().description,
            "HTTP 502 without a Bot API answer: '<html><h1>502 Bad Gateway</h1></html>'");
}

TEST(ParseResponse, FloodControlWithoutAnEnvelopeWaitsASecond) {
  auto r = ParseResponse("sendMessage", Answer(429, "Too Many Requests"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, BotErrorKind::kRetryAfter);
  EXPECT_EQ(r.error().retry_after_s, 1);
  r = ParseResponse("sendMessage", Answer(429, R"({"ok":false,"error_code":429,
      "description":"Too Many Requests","parameters":{"retry_after":-3}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().retry_after_s, 1);
}

TEST(ParseResponse, OkWithoutEnvelopeIsMalformed) {
  for (const char* body :
       {"", "[]", R"({"result":1})", R"({"ok":"true","result":1})", R"({"ok":true})", "\xff\xfe"}) {
    auto r = ParseResponse("getMe", Answer(200, body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, BotErrorKind::kMalformedResponse) << body;
  }
}

TEST(ParseUpdates, MessagesCallbacksAndKindsNotHandled) {
  json result = json::parse(R"([
    {"update_id":10,"message":{"message_id":3,"from":{"id":111,"is_bot":false,"username":"ann"},
      "chat":{"id":111,"type":"private"},"date":1,"text":"/status"}},
    {"update_id":11,"callback_query":{"id":"cb1","from":{"id":111,"username":"ann"},"chat_instance":"x",
      "data":"apv:7","message":{"message_id":9,"chat":{"id":-100222},"date":1}}},
    {"update_id":12,"edited_message":{"message_id":3}},
    {"update_id":13,"message":{"message_id":"not a number","chat":{"id":1}}},
    {"update_id":14,"callback_query":{"id":"cb2","from":{"id":5},"data":"x",
      "message":{"message_id":4,"chat":{"id":5},"date":0}}}])");
  auto updates = ParseUpdates(result);
  ASSERT_TRUE(updates.ok()) << updates.error().Message();
  ASSERT_EQ(updates->size(), 5u);
  const auto& u = *updates;
  ASSERT_TRUE(u[0].message);
  EXPECT_EQ(u[0].message->from_id, 111);
  EXPECT_EQ(u[0].message->from_username, "ann");
  EXPECT_EQ(u[0].message->chat_id, 111);
  EXPECT_EQ(u[0].message->message_id, 3);
  EXPECT_EQ(u[0].message->text, "/status");
  ASSERT_TRUE(u[1].callback_query);
  EXPECT_EQ(u[1].callback_query->id, "cb1");
  EXPECT_EQ(u[1].callback_query->from_id, 111);
  EXPECT_EQ(u[1].callback_query->from_username, "ann");
  EXPECT_EQ(u[1].callback_query->data, "apv:7");
  EXPECT_EQ(u[4].callback_query->from_username, "");
  EXPECT_EQ(u[1].callback_query->chat_id, -100222);
  EXPECT_EQ(u[1].callback_query->message_id, 9);
  EXPECT_FALSE(u[2].message || u[2].callback_query);
  EXPECT_FALSE(u[3].message || u[3].callback_query);  // malformed: skipped, still confirmable
  ASSERT_TRUE(u[4].callback_query);                   // an inaccessible message keeps its ids
  EXPECT_EQ(u[4].callback_query->message_id, 4);
  EXPECT_EQ(NextOffset(u, 10), 15);
  EXPECT_EQ(NextOffset({}, 10), 10);
}

TEST(ParseUpdates, UpdateWithoutIdMakesTheAnswerMalformed) {
  auto updates = ParseUpdates(json::parse(R"([{"update_id":1},{"message":{}}])"));
  ASSERT_FALSE(updates.ok());
  EXPECT_EQ(updates.error().kind, BotErrorKind::kMalformedResponse);
  EXPECT_EQ(updates.error().description, "update 1 has no integer update_id");
  EXPECT_FALSE(ParseUpdates(json::parse(R"({"update_id":1})")).ok());
  EXPECT_FALSE(ParseUpdates(json::parse(R"([{"update_id":18446744073709551615}])")).ok());
}

}  // namespace
}  // namespace kairos::telegram
