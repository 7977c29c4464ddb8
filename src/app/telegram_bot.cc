#include "app/telegram_bot.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "adapters/telegram/html.h"

namespace kairos::app {
namespace {

using telegram::EscapeHtml;

constexpr int64_t kHourNs = 3'600'000'000'000;

std::string Who(int64_t user_id, std::string_view username) {
  return username.empty() ? fmt::format("user {}", user_id) : fmt::format("@{}", username);
}

std::optional<int64_t> ParseOffset(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

TelegramBotOptions BotOptionsFromConfig(const DaemonConfig& config) {
  TelegramBotOptions options;
  options.allowed_users = config.telegram.allowed_users;
  if (auto it = config.alerts.find(TelegramBot::kUnauthorizedKind); it != config.alerts.end()) {
    options.unauthorized_alert_off = it->second == jobs::AlertLevel::kOff;
    options.unauthorized_alert_silent = it->second == jobs::AlertLevel::kSilent;
  }
  return options;
}

TelegramBot::TelegramBot(TelegramBotOptions options, telegram::BotClient& client,
                         ports::Store& store, const ports::Clock& clock, BotActions& actions)
    : options_(std::move(options)),
      client_(client),
      store_(store),
      clock_(clock),
      actions_(actions) {}

TelegramBot::~TelegramBot() { Stop(); }

std::vector<telegram::BotCommand> TelegramBot::Commands() {
  return {{"status", "Halt, last session, what awaits you"},
          {"signals", "Signals awaiting review"},
          {"approve", "Approve a signal: /approve ID"},
          {"reject", "Reject a signal: /reject ID"},
          {"positions", "Open positions"},
          {"pnl", "Profit and loss: /pnl [daily|monthly]"},
          {"orders", "Open orders"},
          {"jobs", "The daemon's jobs"},
          {"run", "Run a job now: /run JOB"},
          {"halt", "Kill switch (asks to confirm): /halt [squareoff]"},
          {"resume", "Lift the halt"},
          {"help", "The commands"}};
}

void TelegramBot::Log(std::string_view line) const {
  if (options_.log) options_.log(line);
}

bool TelegramBot::Allowed(int64_t user_id) const {
  return user_id != 0 && std::find(options_.allowed_users.begin(), options_.allowed_users.end(),
                                   user_id) != options_.allowed_users.end();
}

Status TelegramBot::Register() {
  if (auto r = client_.DeleteWebhook(); !r.ok()) return r.status();
  if (auto r = client_.SetMyCommands(Commands()); !r.ok()) return r.status();
  return Status::Ok();
}

void TelegramBot::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void TelegramBot::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TelegramBot::Loop() {
  if (Status st = Register(); !st.ok()) {
    Log(fmt::format("telegram: registering the bot failed (polling anyway): {}", st.message()));
  }
  int64_t backoff_ns = options_.retry_backoff_ns;
  while (!stop_) {
    Status st = PollOnce(options_.poll_timeout_s);
    if (st.ok()) {
      backoff_ns = options_.retry_backoff_ns;
      continue;
    }
    if (stop_) break;
    Log(fmt::format("telegram: polling failed, next try in {} s: {}", backoff_ns / 1'000'000'000,
                    st.message()));
    std::unique_lock lock(stop_mu_);
    stop_cv_.wait_for(lock, std::chrono::nanoseconds(backoff_ns), [this] { return stop_.load(); });
    backoff_ns = std::min(backoff_ns * 2, options_.max_retry_backoff_ns);
  }
}

Result<int64_t> TelegramBot::StoredOffset() {
  if (offset_) return *offset_;
  KAIROS_ASSIGN_OR_RETURN(std::optional<std::string> text, store_.state().Get(kOffsetKey));
  int64_t offset = 0;
  if (text) {
    auto parsed = ParseOffset(*text);
    if (!parsed) {
      return Status::Corruption(
          fmt::format("state {} is '{}', not an update id", kOffsetKey, *text));
    }
    offset = *parsed;
  }
  offset_ = offset;
  return offset;
}

Status TelegramBot::PollOnce(int timeout_s) {
  KAIROS_ASSIGN_OR_RETURN(int64_t offset, StoredOffset());
  auto updates = client_.GetUpdates(offset, timeout_s);
  if (!updates.ok()) return updates.status();
  for (const telegram::Update& u : *updates) KAIROS_RETURN_IF_ERROR(Handle(u));
  return Status::Ok();
}

Status TelegramBot::Handle(const telegram::Update& update) {
  KAIROS_ASSIGN_OR_RETURN(int64_t offset, StoredOffset());
  if (update.update_id < offset) {
    Log(fmt::format("telegram: update {} already handled (offset {}): skipped", update.update_id,
                    offset));
    return Status::Ok();
  }
  Reply reply;
  Status st = store_.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(HandleInTransaction(update, reply));
    return store_.state().Put(kOffsetKey, std::to_string(update.update_id + 1));
  });
  if (!st.ok()) {
    offset_.reset();  // read again: the transaction may not have happened
    return st.WithContext(fmt::format("telegram update {}", update.update_id));
  }
  offset_ = update.update_id + 1;
  Finish(update, reply);
  return Status::Ok();
}

Status TelegramBot::HandleInTransaction(const telegram::Update& update, Reply& reply) {
  if (update.message) {
    const telegram::IncomingMessage& m = *update.message;
    if (!Allowed(m.from_id)) {
      if (m.from_id == 0) return Status::Ok();  // a channel post: nobody to report
      return Unauthorized(update, m.from_id, m.from_username, m.text);
    }
    reply.chat_id = m.chat_id;
    return OnMessage(m, reply);
  } else if (update.callback_query) {
    const telegram::CallbackQuery& q = *update.callback_query;
    if (!Allowed(q.from_id)) {
      return Unauthorized(update, q.from_id, q.from_username, "button " + q.data);
    }
    reply.chat_id = q.chat_id;
    reply.callback_id = q.id;
    return OnCallback(q, reply);
  }
  return Status::Ok();
}

Status TelegramBot::Unauthorized(const telegram::Update& update, int64_t user_id,
                                 std::string_view username, std::string_view what) {
  Log(fmt::format("telegram: update {} from user {} not in allowed_users: ignored",
                  update.update_id, user_id));
  if (options_.unauthorized_alert_off) return Status::Ok();
  const int64_t now = clock_.NowNs();
  ports::OutboxMessage alert;
  alert.silent = options_.unauthorized_alert_silent;
  alert.kind = std::string(kUnauthorizedKind);
  alert.key = fmt::format("{}:{}:{}", kUnauthorizedKind, user_id, now / kHourNs);
  alert.created_ns = now;
  std::string shown(what.substr(0, 200));
  alert.text = fmt::format(
      "\U0001f6ab <b>Telegram: ignored</b> {} (id {}), not in allowed_users: <code>{}</code>",
      EscapeHtml(Who(user_id, username)), user_id, EscapeHtml(shown));
  alert.payload = fmt::format(R"({{"user":{}}})", user_id);
  return store_.outbox().Enqueue(alert).status();
}

void TelegramBot::Finish(const telegram::Update& update, Reply& reply) {
  if (reply.after_commit) reply.after_commit(reply);
  auto report = [&](std::string_view what, const telegram::BotError& e) {
    Log(fmt::format("telegram: update {}: {} failed: {}", update.update_id, what, e.Message()));
  };
  if (reply.callback_id) {
    auto r = client_.AnswerCallbackQuery(*reply.callback_id, reply.callback_text);
    if (!r.ok()) report("answerCallbackQuery", r.error());
  }
  if (reply.edit_message_id != 0 && reply.chat_id != 0) {
    auto r = client_.EditMessageText(reply.chat_id, reply.edit_message_id, reply.edit_text);
    if (!r.ok() && !telegram::IsNotModified(r.error())) report("editMessageText", r.error());
  }
  if (!reply.text.empty() && reply.chat_id != 0) {
    auto parts = telegram::SplitMessage(reply.text);
    if (!parts.ok()) {
      Log(fmt::format("telegram: update {}: reply not sent: {}", update.update_id,
                      parts.status().message()));
      return;
    }
    for (size_t i = 0; i < parts->size(); ++i) {
      const bool last = i + 1 == parts->size();
      auto r = client_.SendMessage(reply.chat_id, (*parts)[i], /*silent=*/false,
                                   last ? reply.keyboard : std::nullopt);
      if (!r.ok()) {
        report("sendMessage", r.error());
        return;
      }
    }
  }
}

}  // namespace kairos::app
