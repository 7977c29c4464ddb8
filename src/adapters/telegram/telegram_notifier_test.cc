// TelegramNotifier against the stand-in Bot API server on loopback, with the rate limiter on a
// ManualClock so its waits are returned, not slept.
#include "adapters/telegram/telegram_notifier.h"

#include <gtest/gtest.h>

#include <fmt/core.h>

#include "adapters/http_client/curl_transport.h"
#include "adapters/telegram/html.h"
#include "adapters/telegram/signal_buttons.h"
#include "adapters/telegram/testing/bot_api_standin.h"

namespace kairos::telegram {
namespace {

using nlohmann::json;
using testing::BotApiStandin;

constexpr int64_t kChat = 123456789;
constexpr int64_t kSecondNs = 1'000'000'000;

ports::OutboxMessage Message(int64_t id, std::string text, std::string payload = "") {
  ports::OutboxMessage m;
  m.id = id;
  m.kind = "signal.pending";
  m.text = std::move(text);
  m.payload = std::move(payload);
  return m;
}

class TelegramNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(standin_.ok()) << standin_.error();
    standin_.Control("config", {{"chat_burst", 100}});
    client_ = std::make_unique<BotClient>(standin_.Config(), http::MakeCurlTransport());
    notifier_ = std::make_unique<TelegramNotifier>(*client_, limiter_, clock_, kChat);
  }

  json Sent() { return standin_.Control("sent")["messages"]; }

  BotApiStandin standin_;
  std::unique_ptr<BotClient> client_;
  ports::ManualClock clock_{1'700'000'000 * kSecondNs};
  RateLimiter limiter_{clock_};
  std::unique_ptr<TelegramNotifier> notifier_;
};

TEST_F(TelegramNotifierTest, SendsHtmlAndReturnsTheMessageId) {
  ports::Delivery d = notifier_->Send(Message(1, "<b>" + EscapeHtml("P&L <AT&T>") + "</b>"));
  ASSERT_TRUE(d.sent) << d.error;
  EXPECT_EQ(d.external_id, "1");
  json sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["plain"], "P&L <AT&T>");
  EXPECT_EQ(sent[0]["parse_mode"], "HTML");
  EXPECT_NE(sent[0]["disable_notification"], true);
  EXPECT_FALSE(sent[0].contains("reply_markup") && !sent[0]["reply_markup"].is_null());
}

TEST_F(TelegramNotifierTest, SilentMessageGoesOutWithoutNotification) {
  ports::OutboxMessage m = Message(1, "heartbeat");
  m.silent = true;
  ASSERT_TRUE(notifier_->Send(m).sent);
  EXPECT_EQ(Sent()[0]["disable_notification"], true);
}

TEST_F(TelegramNotifierTest, SignalPayloadAddsApproveAndRejectButtons) {
  ports::Delivery d = notifier_->Send(Message(1, "signal 12", R"({"signal":12})"));
  ASSERT_TRUE(d.sent) << d.error;
  json rows = Sent()[0]["reply_markup"]["inline_keyboard"];
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 2u);
  EXPECT_EQ(rows[0][0]["callback_data"], "sig:approve:12");
  EXPECT_EQ(rows[0][1]["callback_data"], "sig:reject:12");
}

TEST_F(TelegramNotifierTest, PayloadWithoutASignalAddsNoButtons) {
  for (std::string payload : {"", "{}", "not json", R"({"signal":"12"})", R"({"signal":-3})"}) {
    EXPECT_FALSE(PayloadSignalId(payload)) << payload;
  }
  ASSERT_TRUE(notifier_->Send(Message(1, "job failed", R"({"job":"scan.daily"})")).sent);
  json sent = Sent();
  EXPECT_TRUE(!sent[0].contains("reply_markup") || sent[0]["reply_markup"].is_null());
}

TEST_F(TelegramNotifierTest, LongMessageGoesOutInPartsOneSecondApartWithButtonsOnTheLast) {
  std::string html;
  for (int line = 0; html.size() < 10'000; ++line) {
    html += fmt::format("<b>{}</b> {} 187.25\n", line, EscapeHtml("AT&T <pref>"));
  }
  ports::OutboxMessage m = Message(7, html, R"({"signal":3})");
  ports::Delivery first = notifier_->Send(m);
  EXPECT_FALSE(first.sent);
  EXPECT_FALSE(first.permanent);
  EXPECT_EQ(first.retry_after_ns, kSecondNs);  // part 1 went out; the chat's next slot is 1 s on
  EXPECT_EQ(Sent().size(), 1u);
  ports::Delivery d;
  for (int i = 0; i < 5 && !d.sent; ++i) {
    clock_.AdvanceTo(clock_.NowNs() + kSecondNs);
    d = notifier_->Send(m);
  }
  ASSERT_TRUE(d.sent) << d.error;
  json sent = Sent();
  ASSERT_EQ(sent.size(), 3u);  // no part repeated
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_LT(sent[i]["plain"].get<std::string>().size(), 4096u);
    EXPECT_EQ(sent[i].contains("reply_markup") && !sent[i]["reply_markup"].is_null(), i == 2);
  }
  EXPECT_EQ(d.external_id, std::to_string(sent[2]["message_id"].get<int64_t>()));
}

TEST_F(TelegramNotifierTest, FloodControlSurfacesRetryAfterAndHoldsTheChat) {
  standin_.Control("fail_next", {{"code", 429}, {"retry_after", 7}, {"method", "sendMessage"}});
  ports::Delivery d = notifier_->Send(Message(1, "hello"));
  EXPECT_FALSE(d.sent);
  EXPECT_FALSE(d.permanent);
  EXPECT_EQ(d.retry_after_ns, 7 * kSecondNs);
  EXPECT_NE(d.error.find("retry after 7 s"), std::string::npos) << d.error;
  EXPECT_EQ(limiter_.NextAllowedNs(kChat), clock_.NowNs() + 7 * kSecondNs);
  ports::Delivery early = notifier_->Send(Message(1, "hello"));
  EXPECT_FALSE(early.sent);
  EXPECT_EQ(early.retry_after_ns, 7 * kSecondNs);  // asked of the limiter, not the server
  clock_.AdvanceTo(clock_.NowNs() + 7 * kSecondNs);
  EXPECT_TRUE(notifier_->Send(Message(1, "hello")).sent);
  EXPECT_EQ(Sent().size(), 1u);
}

TEST_F(TelegramNotifierTest, BadRequestIsPermanent) {
  ports::Delivery d = notifier_->Send(Message(1, "P&L < 0"));
  EXPECT_FALSE(d.sent);
  EXPECT_TRUE(d.permanent);
  EXPECT_NE(d.error.find("can't parse entities"), std::string::npos) << d.error;
  ports::Delivery empty = notifier_->Send(Message(2, ""));
  EXPECT_FALSE(empty.sent);
  EXPECT_TRUE(empty.permanent);
}

TEST_F(TelegramNotifierTest, NetworkAndServerErrorsAreTransientAndNeverShowTheToken) {
  standin_.Control("down", {{"mode", "reset"}});
  ports::Delivery d = notifier_->Send(Message(1, "hello"));
  standin_.Control("down", {{"mode", "up"}});
  EXPECT_FALSE(d.sent);
  EXPECT_FALSE(d.permanent);
  EXPECT_EQ(d.retry_after_ns, 0);
  EXPECT_EQ(d.error.find(BotApiStandin::kToken), std::string::npos) << d.error;

  standin_.Control("fail_next", {{"code", 500}});
  clock_.AdvanceTo(clock_.NowNs() + kSecondNs);
  ports::Delivery server = notifier_->Send(Message(1, "hello"));
  EXPECT_FALSE(server.sent);
  EXPECT_FALSE(server.permanent);
  clock_.AdvanceTo(clock_.NowNs() + kSecondNs);
  EXPECT_TRUE(notifier_->Send(Message(1, "hello")).sent);
}

TEST(SignalCallbackData, RoundTripsAndRefusesAnythingElse) {
  EXPECT_EQ(SignalCallbackData({12, true}), "sig:approve:12");
  EXPECT_EQ(SignalCallbackData({12, false}), "sig:reject:12");
  auto d = ParseSignalCallbackData("sig:reject:9007199254740993");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->approve);
  EXPECT_EQ(d->signal_id, 9007199254740993);
  for (std::string_view bad :
       {"", "sig:approve:", "sig:approve:0", "sig:approve:-1", "sig:approve:12x", "sig:approve: 12",
        "sig:approve:012", "sig:halt:1", "sig:approve:99999999999999999999"}) {
    EXPECT_FALSE(ParseSignalCallbackData(bad)) << bad;
  }
}

}  // namespace
}  // namespace kairos::telegram
