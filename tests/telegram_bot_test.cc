// The Telegram bot (app/telegram_bot.h) end to end: the stand-in Bot API on loopback, the SQLite
// store in a temporary directory, a fake daemon behind BotActions.
#include "app/telegram_bot.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fmt/core.h>

#include "adapters/sqlite/sqlite_store.h"
#include "adapters/http_client/curl_transport.h"
#include "adapters/telegram/html.h"
#include "adapters/telegram/rate_limiter.h"
#include "adapters/telegram/telegram_notifier.h"
#include "adapters/telegram/testing/bot_api_standin.h"
#include "engine/halt_state.h"

namespace kairos::app {
namespace {

using nlohmann::json;
using telegram::testing::BotApiStandin;

constexpr int64_t kChat = 123456789;
constexpr int64_t kOwner = 123456789;
constexpr int64_t kStranger = 666;
constexpr int64_t kSecondNs = 1'000'000'000;

// The daemon's side, recorded.
class FakeActions final : public BotActions {
 public:
  Result<std::string> RunJob(std::string_view name, std::string_view actor) override {
    runs.push_back(fmt::format("{} by {}", name, actor));
    if (name != "scan.daily") return Status::NotFound(fmt::format("no job '{}'", name));
    return std::string("scan.daily ran: 2 signals <pending>");
  }
  Result<engine::HaltReport> Halt(bool squareoff, std::string_view actor,
                                  std::string_view) override {
    halts.push_back(fmt::format("{} by {}", squareoff ? "squareoff" : "halt", actor));
    engine::HaltReport r;
    r.cancelled = 2;
    if (squareoff) r.squareoff_ids = {"sq1"}, r.squareoff_submitted = 1;
    return r;
  }
  Result<bool> Resume(std::string_view actor) override {
    resumes.push_back(std::string(actor));
    return true;
  }
  Result<Table> Jobs() override {
    return Table{{"name", "schedule", "enabled", "next_run", "last_run", "last_status"},
                 {{"scan.daily", "at close+20m NYSE", "yes", "2026-12-07T21:20:00Z", "", ""}}};
  }
  std::vector<std::string> StatusLines() override { return {"up since 2026-12-07T08:00:00Z"}; }

  std::vector<std::string> runs, halts, resumes;
};

class TelegramBotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(standin_.ok()) << standin_.error();
    standin_.Control("config", {{"chat_burst", 100}});
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("kairos_telegram_bot_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    client_ =
        std::make_unique<telegram::BotClient>(standin_.Config(), http::MakeCurlTransport());
    OpenStoreAndBot();
  }
  void TearDown() override {
    bot_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A fresh connection and bot, as after a restart of the daemon.
  void OpenStoreAndBot() {
    bot_.reset();
    store_.reset();
    auto store = adapters::sqlite::OpenStore(dir_ / "kairos.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    TelegramBotOptions options;
    options.allowed_users = {kOwner};
    options.poll_timeout_s = 1;
    options.retry_backoff_ns = 100'000'000;
    options.log = [this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_.emplace_back(line);
    };
    bot_ = std::make_unique<TelegramBot>(options, *client_, *store_, clock_, actions_);
  }

  int64_t Text(const std::string& text, int64_t from = kOwner, std::string username = "ann") {
    json from_json = {{"id", from}};
    if (!username.empty()) from_json["username"] = username;
    json r = standin_.Control(
        "inject_update",
        {{"message", {{"from", from_json}, {"chat", {{"id", kChat}}}, {"text", text}}}});
    return r["update_id"].get<int64_t>();
  }
  int64_t Press(const std::string& data, int64_t message_id, int64_t from = kOwner,
                std::string username = "ann") {
    json r = standin_.Control(
        "inject_update",
        {{"callback_query",
          {{"from", {{"id", from}, {"username", username}}},
           {"data", data},
           {"message", {{"message_id", message_id}, {"chat", {{"id", kChat}}}, {"date", 1}}}}}});
    return r["update_id"].get<int64_t>();
  }
  void Poll() {
    Status st = bot_->PollOnce(0);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  json Sent() { return standin_.Control("sent")["messages"]; }
  json Answers() { return standin_.Control("answers")["answers"]; }
  std::string LastPlain() {
    json sent = Sent();
    return sent.empty() ? "" : sent.back()["plain"].get<std::string>();
  }
  // The reply to `text` (as the user sees it, tags removed).
  std::string Ask(const std::string& text) {
    size_t before = Sent().size();
    Text(text);
    Poll();
    json sent = Sent();
    EXPECT_EQ(sent.size(), before + 1) << "no single reply to " << text;
    return LastPlain();
  }

  int64_t PendingSignal(std::string strategy = "mean<rev>&co", std::string symbol = "BRK.B") {
    Signal s;
    s.strategy = std::move(strategy);
    s.strategy_version = 1;
    s.symbol = std::move(symbol);
    s.session = *Date::Parse("2026-12-04");
    s.execute_on = *Date::Parse("2026-12-07");
    s.status = SignalStatus::kPendingReview;
    s.created_ns = clock_.NowNs();
    auto r = store_->signals().Insert(s);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r->first.id;
  }
  // The signal's alert sent as the delivery worker would: through the outbox and the notifier.
  int64_t SendSignalAlert(int64_t signal_id) {
    ports::OutboxMessage m;
    m.kind = "signal.pending";
    m.key = fmt::format("signal.pending:{}", signal_id);
    m.text = fmt::format("<b>Review</b> signal {}: BUY {}", signal_id,
                         telegram::EscapeHtml("BRK.B <class B>"));
    m.payload = fmt::format(R"({{"signal":{}}})", signal_id);
    auto stored = store_->outbox().Enqueue(m);
    EXPECT_TRUE(stored.ok());
    telegram::RateLimiter limiter(clock_);
    telegram::TelegramNotifier notifier(*client_, limiter, clock_, kChat);
    ports::Delivery d = notifier.Send(*stored);
    EXPECT_TRUE(d.sent) << d.error;
    EXPECT_TRUE(store_->outbox().MarkSent(stored->id, clock_.NowNs(), d.external_id).ok());
    return std::stoll(d.external_id);
  }
  int AuditCount(std::string_view subject, std::string_view action) {
    auto rows = store_->audit().List(subject);
    int n = 0;
    for (const AuditEntry& a : *rows) n += a.action == action;
    return n;
  }
  bool Logged(std::string_view part) {
    std::lock_guard lock(log_mu_);
    for (const auto& l : log_) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }

  BotApiStandin standin_;
  std::filesystem::path dir_;
  std::unique_ptr<telegram::BotClient> client_;
  ports::ManualClock clock_{1'796'000'000 * kSecondNs};
  FakeActions actions_;
  std::unique_ptr<ports::Store> store_;
  std::unique_ptr<TelegramBot> bot_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

TEST_F(TelegramBotTest, RegistersEveryCommandAndHelpListsThem) {
  ASSERT_TRUE(bot_->Register().ok());
  json commands = standin_.Control("commands")["commands"];
  std::string help = Ask("/help");
  ASSERT_EQ(commands.size(), 12u);
  for (const json& c : commands) {
    EXPECT_NE(help.find("/" + c["command"].get<std::string>()), std::string::npos) << c["command"];
  }
}

TEST_F(TelegramBotTest, StatusShowsTheHaltPendingSignalsAndTheDaemon) {
  PendingSignal();
  std::string status = Ask("/status");
  EXPECT_NE(status.find("trading (not halted)"), std::string::npos) << status;
  EXPECT_NE(status.find("signals awaiting review: 1"), std::string::npos) << status;
  EXPECT_NE(status.find("up since 2026-12-07T08:00:00Z"), std::string::npos) << status;
  ASSERT_TRUE(engine::StoreHalt(*store_, clock_.NowNs(), "cli", "P&L <limit>").ok());
  status = Ask("/status@kairos_standin_bot");
  EXPECT_NE(status.find("halted since"), std::string::npos) << status;
  EXPECT_NE(status.find("by cli: P&L <limit>"), std::string::npos) << status;
}

TEST_F(TelegramBotTest, SignalsListsPendingOnesWithNamesEscaped) {
  EXPECT_EQ(Ask("/signals"), "No signals await review.");
  int64_t id = PendingSignal("mean<rev>&co", "AT&T");
  std::string list = Ask("/signals");
  EXPECT_NE(list.find("mean<rev>&co"), std::string::npos) << list;
  EXPECT_NE(list.find("AT&T"), std::string::npos) << list;
  EXPECT_NE(list.find(std::to_string(id)), std::string::npos) << list;
  EXPECT_NE(Sent().back()["text"].get<std::string>().find("mean&lt;rev&gt;&amp;co"),
            std::string::npos);
}

TEST_F(TelegramBotTest, ApproveCommandDecidesOnceAndTellsTheSecondTime) {
  int64_t id = PendingSignal();
  std::string first = Ask(fmt::format("/approve {}", id));
  EXPECT_NE(first.find("approved by telegram:@ann"), std::string::npos) << first;
  auto s = store_->signals().Get(id);
  EXPECT_EQ((*s)->status, SignalStatus::kApproved);
  EXPECT_EQ((*s)->decided_by, "telegram:@ann");
  std::string second = Ask(fmt::format("/reject {}", id));
  EXPECT_EQ(second, fmt::format("signal {} is approved, not pending_review", id));
  EXPECT_EQ(AuditCount(fmt::format("signal:{}", id), "signal.approve"), 1);
  EXPECT_EQ(AuditCount(fmt::format("signal:{}", id), "signal.reject"), 0);
  EXPECT_EQ(Ask("/approve x"), "usage: /approve ID (the id /signals shows)");
  EXPECT_EQ(Ask("/approve 999"), "no signal 999");
}

TEST_F(TelegramBotTest, ButtonDoubleTapApprovesExactlyOnceAndEditsTheAlert) {
  int64_t id = PendingSignal();
  int64_t message_id = SendSignalAlert(id);
  Press(fmt::format("sig:approve:{}", id), message_id);
  Press(fmt::format("sig:reject:{}", id), message_id);  // the second tap, on the other button
  Poll();
  auto s = store_->signals().Get(id);
  EXPECT_EQ((*s)->status, SignalStatus::kApproved);
  EXPECT_EQ(AuditCount(fmt::format("signal:{}", id), "signal.approve"), 1);
  EXPECT_EQ(AuditCount(fmt::format("signal:{}", id), "signal.reject"), 0);
  json answers = Answers();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["text"], fmt::format("signal {} approved", id));
  EXPECT_EQ(answers[1]["text"], fmt::format("signal {} already approved", id));
  json sent = Sent();
  ASSERT_EQ(sent.size(), 1u);  // no new message: the alert was edited
  std::string plain = sent[0]["plain"];
  EXPECT_NE(plain.find("BRK.B <class B>"), std::string::npos) << plain;  // the alert's own text
  EXPECT_NE(plain.find("approved by telegram:@ann at "), std::string::npos) << plain;
  EXPECT_TRUE(!sent[0].contains("reply_markup") || sent[0]["reply_markup"].is_null() ||
              sent[0]["reply_markup"]["inline_keyboard"].empty())
      << sent[0].dump();
}

TEST_F(TelegramBotTest, ReDeliveredUpdateIsHandledOnce) {
  int64_t id = PendingSignal();
  int64_t message_id = SendSignalAlert(id);
  Press(fmt::format("sig:approve:{}", id), message_id);
  // The same update fetched twice, as after a getUpdates whose answer was lost.
  auto updates = client_->GetUpdates(0, 0);
  ASSERT_TRUE(updates.ok());
  ASSERT_EQ(updates->size(), 1u);
  ASSERT_TRUE(bot_->Handle((*updates)[0]).ok());
  ASSERT_TRUE(bot_->Handle((*updates)[0]).ok());
  EXPECT_EQ(Answers().size(), 1u);
  EXPECT_EQ(AuditCount(fmt::format("signal:{}", id), "signal.approve"), 1);
  EXPECT_TRUE(Logged("already handled"));
}

TEST_F(TelegramBotTest, OffsetSurvivesARestartSoNoUpdateIsHandledTwice) {
  int64_t update_id = Text("/status");
  Poll();
  ASSERT_EQ(Sent().size(), 1u);
  EXPECT_EQ(*store_->state().Get(TelegramBot::kOffsetKey), std::to_string(update_id + 1));
  // The server still holds the update: only the next getUpdates confirms it. A restart now.
  EXPECT_EQ(standin_.Control("state")["pending_updates"], 1);
  OpenStoreAndBot();
  Text("/help");
  Poll();
  json sent = Sent();
  ASSERT_EQ(sent.size(), 2u);  // /status was not answered again
  EXPECT_NE(sent[1]["plain"].get<std::string>().find("kairos commands"), std::string::npos);
}

TEST_F(TelegramBotTest, UnauthorizedUserIsIgnoredAndTheOwnerAlerted) {
  int64_t id = PendingSignal();
  int64_t message_id = SendSignalAlert(id);
  Text("/halt <now> & forever", kStranger, "mallory");
  Text("/status", kStranger, "mallory");
  Press(fmt::format("sig:approve:{}", id), message_id, kStranger, "mallory");
  Poll();
  EXPECT_EQ(Sent().size(), 1u);  // only the alert sent before
  EXPECT_TRUE(Answers().empty());
  EXPECT_EQ((*store_->signals().Get(id))->status, SignalStatus::kPendingReview);
  EXPECT_TRUE(actions_.halts.empty());
  ports::OutboxFilter f;
  f.kind = std::string(TelegramBot::kUnauthorizedKind);
  auto alerts = store_->outbox().List(f);
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);  // one per user per hour
  EXPECT_NE((*alerts)[0].text.find("@mallory (id 666)"), std::string::npos) << (*alerts)[0].text;
  EXPECT_NE((*alerts)[0].text.find("/halt &lt;now&gt; &amp; forever"), std::string::npos)
      << (*alerts)[0].text;
  clock_.AdvanceTo(clock_.NowNs() + 3600 * kSecondNs);
  Text("/status", kStranger, "mallory");
  Poll();
  EXPECT_EQ(store_->outbox().List(f)->size(), 2u);
}

TEST_F(TelegramBotTest, UnauthorizedAlertFollowsItsConfiguredLevel) {
  auto config = ParseConfig(
      "[telegram]\nallowed_users = [1, 2]\n[alerts]\n\"telegram.unauthorized\" = \"silent\"\n",
      "kairos.toml", dir_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  TelegramBotOptions options = BotOptionsFromConfig(*config);
  EXPECT_EQ(options.allowed_users, (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(options.alerts.silent.count(TelegramBot::kUnauthorizedKind));
  EXPECT_FALSE(options.alerts.off.count(TelegramBot::kUnauthorizedKind));
  EXPECT_FALSE(
      BotOptionsFromConfig(DefaultConfig()).alerts.silent.count(TelegramBot::kUnauthorizedKind));

  options.allowed_users = {kOwner};
  options.alerts = {.off = {std::string(TelegramBot::kUnauthorizedKind)}};
  TelegramBot quiet(options, *client_, *store_, clock_, actions_);
  Text("/status", kStranger, "mallory");
  ASSERT_TRUE(quiet.PollOnce(0).ok());
  ports::OutboxFilter f;
  f.kind = std::string(TelegramBot::kUnauthorizedKind);
  f.unsent_only = true;
  EXPECT_TRUE(store_->outbox().List(f)->empty());  // kept, marked delivered "off"
  EXPECT_TRUE(Sent().empty());
}

TEST_F(TelegramBotTest, HaltAsksForConfirmationAndOnlyTheButtonHalts) {
  std::string ask = Ask("/halt squareoff");
  EXPECT_NE(ask.find("square off every position"), std::string::npos) << ask;
  EXPECT_TRUE(actions_.halts.empty());
  json question = Sent().back();
  json buttons = question["reply_markup"]["inline_keyboard"][0];
  ASSERT_EQ(buttons.size(), 2u);
  int64_t message_id = question["message_id"];
  Press(buttons[0]["callback_data"], message_id);
  Poll();
  ASSERT_EQ(actions_.halts.size(), 1u);
  EXPECT_EQ(actions_.halts[0], "squareoff by telegram:@ann");
  std::string edited = Sent().back()["plain"];
  EXPECT_NE(edited.find("halted: 2 open orders cancelled, 1 square-off order (1 sent)"),
            std::string::npos)
      << edited;
  EXPECT_EQ(Answers().back()["text"], "halted");
}

TEST_F(TelegramBotTest, HaltCancelledOrConfirmedTooLateDoesNothing) {
  Ask("/halt");
  json buttons = Sent().back()["reply_markup"]["inline_keyboard"][0];
  int64_t message_id = Sent().back()["message_id"];
  Press(buttons[1]["callback_data"], message_id);
  Poll();
  EXPECT_NE(LastPlain().find("Halt cancelled by telegram:@ann"), std::string::npos);
  Ask("/halt");
  buttons = Sent().back()["reply_markup"]["inline_keyboard"][0];
  message_id = Sent().back()["message_id"];
  clock_.AdvanceTo(clock_.NowNs() + 301 * kSecondNs);
  Press(buttons[0]["callback_data"], message_id);
  Poll();
  EXPECT_TRUE(actions_.halts.empty());
  EXPECT_EQ(Answers().back()["text"], "this confirmation expired: send /halt again");
  for (std::string forged : {"halt:1:99999999999999999", "halt:1:9223372036854775807", "halt:2:1",
                             "halt:1:", "halt:1:-5"}) {
    Press(forged, message_id);
  }
  Poll();
  EXPECT_TRUE(actions_.halts.empty());
  EXPECT_EQ(Ask("/halt now"), "usage: /halt [squareoff]");
}

TEST_F(TelegramBotTest, RunAndResumeGoToTheDaemon) {
  EXPECT_EQ(Ask("/run scan.daily"), "scan.daily ran: 2 signals <pending>");
  EXPECT_EQ(Ask("/run nope"), "no job 'nope'");
  EXPECT_EQ(Ask("/run"), "usage: /run JOB (the names /jobs shows)");
  ASSERT_EQ(actions_.runs.size(), 2u);
  EXPECT_EQ(actions_.runs[0], "scan.daily by telegram:@ann");
  EXPECT_EQ(Ask("/resume"), "Resumed: new orders may reach the broker again.");
  EXPECT_EQ(actions_.resumes, std::vector<std::string>{"telegram:@ann"});
  std::string jobs = Ask("/jobs");
  EXPECT_NE(jobs.find("scan.daily"), std::string::npos) << jobs;
  EXPECT_NE(jobs.find("2026-12-07T21:20:00Z"), std::string::npos) << jobs;
}

TEST_F(TelegramBotTest, PositionsOrdersAndPnlShowTheStoredRecords) {
  EXPECT_EQ(Ask("/positions"), "No open positions.");
  EXPECT_EQ(Ask("/orders"), "No open orders.");
  EXPECT_EQ(Ask("/pnl"), "No P&L recorded yet.");
  Position p;
  p.strategy = "s&p<momentum>";
  p.symbol = "AT&T";
  p.qty = Quantity::FromUnits(10);
  p.entry_session = *Date::Parse("2026-12-01");
  p.lots = {Lot{*Date::Parse("2026-12-01"), Quantity::FromUnits(10), *Price::Parse("25.5"), 0}};
  ASSERT_TRUE(store_->ledger().PutPosition(p).ok());
  Order o;
  o.strategy = "s&p<momentum>";
  o.request.client_order_id = "k-1";
  o.request.symbol = "AT&T";
  o.request.qty = Quantity::FromUnits(10);
  o.request.session = *Date::Parse("2026-12-08");
  ASSERT_TRUE(store_->orders().Create(o).ok());
  DailyPnl d;
  d.strategy = "s&p<momentum>";
  d.session = *Date::Parse("2026-12-04");
  d.realized = 12345;
  d.equity = 1'000'000;
  ASSERT_TRUE(store_->ledger().PutDailyPnl(d).ok());

  std::string positions = Ask("/positions");
  EXPECT_NE(positions.find("s&p<momentum>  AT&T    10   25.5"), std::string::npos) << positions;
  std::string orders = Ask("/orders");
  EXPECT_NE(orders.find("AT&T"), std::string::npos) << orders;
  EXPECT_NE(orders.find("new"), std::string::npos) << orders;
  std::string daily = Ask("/pnl daily");
  EXPECT_NE(daily.find("2026-12-04"), std::string::npos) << daily;
  EXPECT_NE(daily.find("123.45"), std::string::npos) << daily;
  std::string monthly = Ask("/pnl monthly");
  EXPECT_NE(monthly.find("2026-12"), std::string::npos) << monthly;
  EXPECT_EQ(Ask("/pnl weekly"), "usage: /pnl [daily|monthly]");
  EXPECT_EQ(Ask("/nope"), "Unknown command /nope: /help lists them.");
  EXPECT_EQ(Ask("hello"), "Send a command: /help lists them.");
}

TEST_F(TelegramBotTest, AnotherPollerIsReportedAndPollingGoesOn) {
  bot_->Start();
  auto wait_for = [&](auto done) {
    for (int i = 0; i < 300 && !done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  };
  ASSERT_TRUE(wait_for([&] { return standin_.Control("state")["pollers"] == 1; }));
  telegram::BotClient other(standin_.Config(), http::MakeCurlTransport());
  auto theirs = other.GetUpdates(0, 0);  // ends the bot's poll with 409
  EXPECT_TRUE(theirs.ok());
  ASSERT_TRUE(wait_for([&] { return Logged("conflict"); }));
  EXPECT_TRUE(Logged("another bot instance is polling getUpdates with this token"));
  Text("/help");
  EXPECT_TRUE(wait_for([&] { return Sent().size() == 1; }));
  bot_->Stop();
}

}  // namespace
}  // namespace kairos::app
