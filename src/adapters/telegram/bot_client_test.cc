// BotClient against the stand-in Bot API server (tests/standins/telegram_bot_api.py) on loopback.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "adapters/http_client/curl_transport.h"
#include "adapters/telegram/bot_client.h"
#include "adapters/telegram/html.h"
#include "adapters/telegram/testing/bot_api_standin.h"

namespace kairos::telegram {
namespace {

using nlohmann::json;
using testing::BotApiStandin;

constexpr int64_t kChat = 123456789;
constexpr int64_t kOwner = 123456789;

class BotClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(standin_.ok()) << standin_.error();
    client_ = std::make_unique<BotClient>(standin_.Config(), http::MakeCurlTransport());
  }

  json Sent() { return standin_.Control("sent")["messages"]; }

  // Waits until a getUpdates is waiting on the server.
  void WaitForPoller() {
    for (int i = 0; i < 200; ++i) {
      if (standin_.Control("state")["pollers"] == 1) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "no poller arrived";
  }

  int64_t InjectText(const std::string& text) {
    json r = standin_.Control(
        "inject_update",
        {{"message", {{"from", {{"id", kOwner}}}, {"chat", {{"id", kChat}}}, {"text", text}}}});
    return r["update_id"].get<int64_t>();
  }

  BotApiStandin standin_;
  std::unique_ptr<BotClient> client_;
};

TEST_F(BotClientTest, SendsEscapedHtmlTheServerAccepts) {
  std::string html = "<b>" + EscapeHtml("P&L <AT&T>") + "</b> -2.1% (x)!";
  auto id = client_->SendMessage(kChat, html, /*silent=*/true);
  ASSERT_TRUE(id.ok()) << id.error().Message();
  EXPECT_EQ(*id, 1);
  json sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["text"], html);
  EXPECT_EQ(sent[0]["plain"], "P&L <AT&T> -2.1% (x)!");
  EXPECT_EQ(sent[0]["parse_mode"], "HTML");
  EXPECT_EQ(sent[0]["disable_notification"], true);
  EXPECT_EQ(*client_->SendMessage(kChat, "second", false), 2);
}

TEST_F(BotClientTest, UnescapedHtmlIsABadRequestWithTheServersReason) {
  auto id = client_->SendMessage(kChat, "P&L < 0", false);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, BotErrorKind::kBadRequest);
  EXPECT_EQ(id.error().http_status, 400);
  EXPECT_FALSE(id.error().retryable());
  EXPECT_NE(id.error().description.find("Bad Request: can't parse entities"), std::string::npos)
      << id.error().description;
  EXPECT_TRUE(Sent().empty());
}

TEST_F(BotClientTest, TenThousandCharacterMessageGoesOutAsOrderedParts) {
  standin_.Control("config", {{"chat_burst", 10}});
  std::string html;
  for (int line = 0; html.size() < 10'000; ++line) {
    html += fmt::format("<b>{}</b> AAPL 187.25 {} 190 &amp; rising\n", line, EscapeHtml("<"));
  }
  auto parts = SplitMessage(html);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 3u);
  for (const std::string& part : *parts) {
    auto id = client_->SendMessage(kChat, part, false);
    ASSERT_TRUE(id.ok()) << id.error().Message();
  }
  json sent = Sent();
  ASSERT_EQ(sent.size(), 3u);
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i]["text"], (*parts)[i]);
    EXPECT_LT(sent[i]["plain"].get<std::string>().size(), 4096u);
  }
  EXPECT_EQ(sent[0]["plain"].get<std::string>().rfind("0 AAPL", 0), 0u);
}

TEST_F(BotClientTest, TextOverTheLimitIsRefusedByTheServer) {
  auto id = client_->SendMessage(kChat, std::string(4097, 'x'), false);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().Message(),
            "telegram sendMessage: bad request (Bad Request: message is too long)");
}

TEST_F(BotClientTest, PerChatFloodIsRetryAfterWithTheSeconds) {
  standin_.Control("config", {{"chat_burst", 1}, {"chat_per_second", 0.2}});
  ASSERT_TRUE(client_->SendMessage(kChat, "one", false).ok());
  auto id = client_->SendMessage(kChat, "two", false);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, BotErrorKind::kRetryAfter);
  EXPECT_EQ(id.error().http_status, 429);
  EXPECT_EQ(id.error().retry_after_s, 5);
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  // Another chat is not limited by this one.
  EXPECT_TRUE(client_->SendMessage(kChat + 1, "elsewhere", false).ok());
}

TEST_F(BotClientTest, InjectedFloodControlSurfacesItsRetryAfter) {
  standin_.Control("fail_next", {{"code", 429}, {"retry_after", 35}, {"method", "sendMessage"}});
  auto id = client_->SendMessage(kChat, "hello", false);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, BotErrorKind::kRetryAfter);
  EXPECT_EQ(id.error().retry_after_s, 35);
  EXPECT_EQ(id.error().Message(),
            "telegram sendMessage: flood control: retry after 35 s (Too Many Requests: retry "
            "after 35)");
  EXPECT_TRUE(client_->SendMessage(kChat, "hello", false).ok());  // the same request, later
}

TEST_F(BotClientTest, BlockedBotIsForbiddenAndServerErrorsAreRetryable) {
  standin_.Control("fail_next", {{"code", 403}});
  auto blocked = client_->SendMessage(kChat, "hello", false);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().kind, BotErrorKind::kForbidden);
  EXPECT_FALSE(blocked.error().retryable());
  EXPECT_EQ(blocked.error().description, "Forbidden: bot was blocked by the user");

  standin_.Control("fail_next", {{"code", 500}, {"count", 2}});
  for (int i = 0; i < 2; ++i) {
    auto failed = client_->SendMessage(kChat, "hello", false);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().kind, BotErrorKind::kServer);
    EXPECT_TRUE(failed.error().retryable());
  }
  EXPECT_TRUE(client_->SendMessage(kChat, "hello", false).ok());
}

TEST_F(BotClientTest, SecondPollerEndsTheFirstWithAClearConflict) {
  auto first = std::async(std::launch::async, [&] { return client_->GetUpdates(0, 20); });
  WaitForPoller();
  BotClient other(standin_.Config(), http::MakeCurlTransport());
  auto second = other.GetUpdates(0, 0);
  ASSERT_TRUE(second.ok()) << second.error().Message();
  auto ended = first.get();
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().kind, BotErrorKind::kConflict);
  EXPECT_EQ(ended.error().http_status, 409);
  EXPECT_EQ(ended.error().Message(),
            "telegram getUpdates: conflict: another bot instance is polling getUpdates with this "
            "token, or a webhook is set; run one poller only and delete the webhook (Conflict: "
            "terminated by other getUpdates request; make sure that only one bot instance is "
            "running)");
}

TEST_F(BotClientTest, WebhookMakesPollingAConflictUntilDeleted) {
  http::HttpResponse set =
      standin_.Post(fmt::format("/bot{}/setWebhook", BotApiStandin::kToken),
                    "url=https%3A%2F%2Fexample.com%2Fhook", "application/x-www-form-urlencoded");
  ASSERT_EQ(set.status, 200) << set.body;
  auto polled = client_->GetUpdates(0, 0);
  ASSERT_FALSE(polled.ok());
  EXPECT_EQ(polled.error().kind, BotErrorKind::kConflict);
  EXPECT_NE(polled.error().description.find("use deleteWebhook"), std::string::npos);
  ASSERT_TRUE(client_->DeleteWebhook().ok());
  EXPECT_TRUE(client_->GetUpdates(0, 0).ok());
}

TEST_F(BotClientTest, WrongTokenIsUnauthorizedAndTheMessageHidesTheToken) {
  const std::string wrong = "4242424242:AAwrongTOKENwrongTOKENwrongTOKEN00";
  BotClient client(standin_.Config(wrong), http::MakeCurlTransport());
  auto me = client.GetMe();
  ASSERT_FALSE(me.ok());
  EXPECT_EQ(me.error().kind, BotErrorKind::kUnauthorized);
  EXPECT_EQ(me.error().http_status, 401);
  EXPECT_EQ(me.error().Message(),
            "telegram getMe: unauthorized: the bot token was rejected; check [telegram] token or "
            "token_file (Unauthorized)");
  EXPECT_EQ(me.error().Message().find("wrongTOKEN"), std::string::npos);
  EXPECT_EQ(me.status().message().find("wrongTOKEN"), std::string::npos);
  auto good = client_->GetMe();
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->username, "kairos_standin_bot");
}

TEST_F(BotClientTest, ConfirmedUpdateIsNeverReturnedAgain) {
  int64_t first = InjectText("/status");
  InjectText("/jobs");
  auto batch = client_->GetUpdates(0, 0);
  ASSERT_TRUE(batch.ok()) << batch.error().Message();
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ((*batch)[0].update_id, first);
  ASSERT_TRUE((*batch)[0].message);
  EXPECT_EQ((*batch)[0].message->text, "/status");
  EXPECT_EQ((*batch)[0].message->from_id, kOwner);
  EXPECT_EQ((*batch)[0].message->chat_id, kChat);
  EXPECT_EQ((*batch)[1].message->text, "/jobs");
  // Unconfirmed: the same updates come again.
  EXPECT_EQ(client_->GetUpdates(0, 0)->size(), 2u);

  int64_t offset = NextOffset(*batch, 0);
  EXPECT_EQ(offset, first + 2);
  EXPECT_TRUE(client_->GetUpdates(offset, 0)->empty());
  // A restarted poller that lost its offset still never sees a confirmed update.
  int64_t third = InjectText("/pnl");
  BotClient restarted(standin_.Config(), http::MakeCurlTransport());
  auto after = restarted.GetUpdates(0, 0);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].update_id, third);
}

TEST_F(BotClientTest, LongPollReturnsAsSoonAsAnUpdateArrives) {
  auto start = std::chrono::steady_clock::now();
  auto poll = std::async(std::launch::async, [&] { return client_->GetUpdates(0, 30); });
  WaitForPoller();
  InjectText("/help");
  auto updates = poll.get();
  ASSERT_TRUE(updates.ok()) << updates.error().Message();
  ASSERT_EQ(updates->size(), 1u);
  EXPECT_EQ((*updates)[0].message->text, "/help");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(BotClientTest, ButtonPressIsAnsweredAndItsMessageEdited) {
  auto id = client_->SendMessage(kChat, "<b>BUY 10 AAPL</b>\nApprove?", false,
                                 InlineKeyboard{{{"Approve", "apv:7"}, {"Reject", "rej:7"}}});
  ASSERT_TRUE(id.ok()) << id.error().Message();
  standin_.Control(
      "inject_update",
      {{"callback_query",
        {{"from", {{"id", kOwner}}},
         {"data", "apv:7"},
         {"message", {{"message_id", *id}, {"chat", {{"id", kChat}}}, {"date", 1}}}}}});
  auto updates = client_->GetUpdates(0, 0);
  ASSERT_TRUE(updates.ok());
  ASSERT_EQ(updates->size(), 1u);
  const auto& press = (*updates)[0].callback_query;
  ASSERT_TRUE(press);
  EXPECT_EQ(press->data, "apv:7");
  EXPECT_EQ(press->from_id, kOwner);
  EXPECT_EQ(press->chat_id, kChat);
  EXPECT_EQ(press->message_id, *id);

  ASSERT_TRUE(client_->AnswerCallbackQuery(press->id, "Approved").ok());
  auto edited =
      client_->EditMessageText(press->chat_id, press->message_id, "<b>BUY 10 AAPL</b>\nApproved");
  ASSERT_TRUE(edited.ok()) << edited.error().Message();
  json sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["plain"], "BUY 10 AAPL\nApproved");
  EXPECT_TRUE(sent[0]["reply_markup"].is_null());  // the buttons are gone
  EXPECT_EQ(sent[0]["edits"].size(), 1u);
  EXPECT_EQ(standin_.Control("answers")["answers"][0]["text"], "Approved");

  // A second answer to the same press, and the same edit again, are refused as Telegram does.
  auto again = client_->AnswerCallbackQuery(press->id);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().description.find("query is too old"), std::string::npos);
  auto same =
      client_->EditMessageText(press->chat_id, press->message_id, "<b>BUY 10 AAPL</b>\nApproved");
  ASSERT_FALSE(same.ok());
  EXPECT_TRUE(IsNotModified(same.error()));
}

TEST_F(BotClientTest, LateCallbackAnswerIsTooOld) {
  standin_.Control("config", {{"callback_deadline_s", 0}});
  json r = standin_.Control("inject_update",
                            {{"callback_query", {{"from", {{"id", kOwner}}}, {"data", "x"}}}});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto answered = client_->AnswerCallbackQuery(r["callback_query_id"].get<std::string>());
  ASSERT_FALSE(answered.ok());
  EXPECT_EQ(answered.error().kind, BotErrorKind::kBadRequest);
  EXPECT_EQ(answered.error().description,
            "Bad Request: query is too old and response timeout expired or query ID is invalid");
}

TEST_F(BotClientTest, SetMyCommandsRegistersTheMenu) {
  std::vector<BotCommand> commands = {{"status", "Positions, P&L and jobs"},
                                      {"approve", "Approve a signal: /approve ID"},
                                      {"halt", "Stop trading"}};
  auto set = client_->SetMyCommands(commands);
  ASSERT_TRUE(set.ok()) << set.error().Message();
  json stored = standin_.Control("commands")["commands"];
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[1]["command"], "approve");
  EXPECT_EQ(stored[1]["description"], "Approve a signal: /approve ID");
}

TEST_F(BotClientTest, OutageIsARetryableNetworkServerOrTimeoutError) {
  standin_.Control("down", {{"mode", "reset"}});
  auto reset = client_->SendMessage(kChat, "x", false);
  ASSERT_FALSE(reset.ok());
  EXPECT_EQ(reset.error().kind, BotErrorKind::kNetwork);
  EXPECT_TRUE(reset.error().retryable());
  EXPECT_EQ(reset.error().Message().find(BotApiStandin::kToken), std::string::npos);

  standin_.Control("down", {{"mode", "502"}});
  auto proxy = client_->SendMessage(kChat, "x", false);
  ASSERT_FALSE(proxy.ok());
  EXPECT_EQ(proxy.error().kind, BotErrorKind::kServer);

  standin_.Control("down", {{"mode", "hang"}});
  BotConfig quick = standin_.Config();
  quick.request_timeout_ms = 300;
  BotClient impatient(quick, http::MakeCurlTransport());
  auto hung = impatient.SendMessage(kChat, "x", false);
  ASSERT_FALSE(hung.ok());
  EXPECT_EQ(hung.error().kind, BotErrorKind::kTimeout);

  standin_.Control("down", {{"mode", "up"}});
  auto back = client_->SendMessage(kChat, "x", false);
  EXPECT_TRUE(back.ok()) << back.error().Message();
  EXPECT_EQ(Sent().size(), 1u);
}

// The stand-in itself, on what the client does not send: form-encoded parameters with
// reply_markup as a JSON string, MarkdownV2's reserved characters, unknown methods.
TEST_F(BotClientTest, StandinFollowsTheBotApiForFormsMarkdownAndUnknownMethods) {
  std::string base = fmt::format("/bot{}/", BotApiStandin::kToken);
  http::HttpResponse form = standin_.Post(
      base + "SENDMESSAGE",
      "chat_id=5&text=hi&reply_markup=" +
          std::string("%7B%22inline_keyboard%22%3A%5B%5B%7B%22text%22%3A%22A%22%2C%22callback_"
                      "data%22%3A%22a%22%7D%5D%5D%7D"),
      "application/x-www-form-urlencoded");
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_EQ(json::parse(form.body)["result"]["reply_markup"]["inline_keyboard"][0][0]["text"], "A");

  http::HttpResponse markdown = standin_.Post(
      base + "sendMessage", R"({"chat_id":5,"text":"Price 1.5","parse_mode":"MarkdownV2"})",
      "application/json");
  EXPECT_EQ(markdown.status, 400);
  EXPECT_EQ(json::parse(markdown.body)["description"],
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with "
            "the preceding '\\'");
  http::HttpResponse escaped = standin_.Post(
      base + "sendMessage", R"({"chat_id":5,"text":"Price 1\\.5","parse_mode":"MarkdownV2"})",
      "application/json");
  EXPECT_EQ(escaped.status, 200) << escaped.body;

  http::HttpResponse unknown = standin_.Post(base + "sendTelepathy", "{}", "application/json");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(
      json::parse(unknown.body),
      json::parse(R"({"ok":false,"error_code":404,"description":"Not Found: method not found"})"));
}

}  // namespace
}  // namespace kairos::telegram
