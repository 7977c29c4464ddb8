#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/telegram/bot_client.h"
#include "adapters/telegram/bot_types.h"
#include "app/cli.h"
#include "app/config.h"
#include "core/result.h"
#include "core/status.h"
#include "engine/kill_switch.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace kairos::app {

// What the bot asks of the daemon it runs in, so it needs none of the daemon's internals. The
// daemon implements it (and may hand the work to its own thread); every call returns once the
// work is done or refused. `actor` is who asked ("telegram:@ann"), for the audit log.
class BotActions {
 public:
  virtual ~BotActions() = default;
  // Runs job `name` now through the scheduler's path. The text says what happened ("scan.daily
  // ran: 3 signals" or "scan.daily queued"); NotFound naming the jobs when there is no such job.
  virtual Result<std::string> RunJob(std::string_view name, std::string_view actor) = 0;
  // The kill switch (engine::Halt with the daemon's broker and order manager).
  virtual Result<engine::HaltReport> Halt(bool squareoff, std::string_view actor,
                                          std::string_view reason) = 0;
  // Lifts the halt; false when it was not on.
  virtual Result<bool> Resume(std::string_view actor) = 0;
  // The jobs as `kairos jobs list` shows them (name, schedule, enabled, next_run, last_run,
  // last_status).
  virtual Result<Table> Jobs() = 0;
  // Lines about the daemon for /status ("up since 2026-12-07T08:00:00Z", "next: scan.daily at
  // ..."); may be empty.
  virtual std::vector<std::string> StatusLines() = 0;
};

struct TelegramBotOptions {
  std::vector<int64_t> allowed_users;  // user ids obeyed ([telegram] allowed_users)
  // The level of the telegram.unauthorized alert ([alerts]): off enqueues nothing.
  bool unauthorized_alert_off = false;
  bool unauthorized_alert_silent = false;
  int poll_timeout_s = 10;  // getUpdates long-poll wait; also the longest Stop() waits for it
  int64_t retry_backoff_ns = 5'000'000'000;        // first wait after a failed poll, doubling
  int64_t max_retry_backoff_ns = 300'000'000'000;  // ... up to this
  int64_t halt_confirm_ttl_ns = 300'000'000'000;   // a /halt confirmation button works this long
  // Where the bot reports what it does and what failed, one line each (the daemon's log).
  std::function<void(std::string_view)> log;
};

// The options kairos.toml gives: [telegram] allowed_users, and the [alerts] level of
// telegram.unauthorized ("off": no alert is enqueued, as engine::Alerts does for its kinds).
// The caller sets `log`.
TelegramBotOptions BotOptionsFromConfig(const DaemonConfig& config);

// The Telegram bot of `kairos serve` (README.md "Telegram"): long polling getUpdates on its own
// thread, the commands /status /signals /approve /reject /positions /pnl /orders /jobs /run /halt
// /resume /help from the users in allowed_users, and the Approve/Reject buttons under signal
// alerts (telegram/signal_buttons.h).
//
// Each update is handled once, ever: its effect on the store (a signal decided, an alert
// enqueued) and the next offset (state key kOffsetKey) are written in one transaction, and an
// update below the stored offset is skipped, so a restart or a re-delivered update does nothing
// twice. Work handed to the daemon (/run, a confirmed /halt, /resume) happens after the offset is
// stored: at most once. Replies are sent after that; a reply lost to a crash is not repeated.
// A signal is decided through engine::SignalBook, a compare-and-set, so a double tap, the CLI and
// the expiry cannot all win: the loser is told so ("signal 12 already approved").
//
// Anyone not in allowed_users gets no answer; the owner gets a telegram.unauthorized alert
// through the outbox (at most one per user per hour).
//
// Threads: Start() runs the poll loop on a thread of its own, which alone uses `store` (give the
// bot its own connection), `client`'s polling and `actions`. All references must outlive it.
class TelegramBot {
 public:
  static constexpr std::string_view kOffsetKey = "telegram.offset";
  static constexpr std::string_view kUnauthorizedKind = "telegram.unauthorized";

  TelegramBot(TelegramBotOptions options, telegram::BotClient& client, ports::Store& store,
              const ports::Clock& clock, BotActions& actions);
  ~TelegramBot();  // Stop()s
  TelegramBot(const TelegramBot&) = delete;
  TelegramBot& operator=(const TelegramBot&) = delete;

  // deleteWebhook (getUpdates is refused while one is set) and setMyCommands.
  Status Register();
  // Register(), then the poll loop on its own thread until Stop(). A failed poll is logged and
  // retried after a backoff (doubling, capped); a 409 (another poller with this token) is logged
  // saying so.
  void Start();
  // Ends the loop after the poll in flight (at most poll_timeout_s) and joins the thread.
  void Stop();

  // One getUpdates with `timeout_s` and the handling of what it returns. kConflict and other
  // Bot API errors come back as their Status (logged by the loop, not here).
  Status PollOnce(int timeout_s);
  // Handles one update (the loop's step, public for tests): skipped when below the stored offset.
  Status Handle(const telegram::Update& update);

  // The command menu registered with setMyCommands.
  static std::vector<telegram::BotCommand> Commands();

 private:
  // What handling one update sends once its offset is stored.
  struct Reply {
    int64_t chat_id = 0;
    std::string text;  // sendMessage when not empty
    std::optional<telegram::InlineKeyboard> keyboard;
    std::optional<std::string> callback_id;  // answerCallbackQuery
    std::string callback_text;
    int64_t edit_message_id = 0;  // editMessageText (buttons removed) when not 0
    std::string edit_text;
    // Work handed to the daemon, done after the offset is stored (at most once).
    std::function<void(Reply&)> after_commit;
  };
  Result<int64_t> StoredOffset();
  void Log(std::string_view line) const;
  void Loop();
  bool Allowed(int64_t user_id) const;
  Status HandleInTransaction(const telegram::Update& update, Reply& reply);
  void Finish(const telegram::Update& update, Reply& reply);
  // The commands and buttons (telegram_bot_commands.cc). Errors of the store roll the update
  // back (it is handled again at the next poll); everything else is an answer in `reply`.
  Status OnMessage(const telegram::IncomingMessage& message, Reply& reply);
  Status OnCallback(const telegram::CallbackQuery& query, Reply& reply);
  Status OnCommand(std::string_view command, const std::vector<std::string_view>& args,
                   const std::string& actor, Reply& reply);
  struct Decision;
  Result<Decision> Decide(int64_t signal_id, bool approve, const std::string& actor);
  std::string StatusText();
  std::string SignalMessageText(const Signal& signal, int64_t message_id);
  Status Unauthorized(const telegram::Update& update, int64_t user_id, std::string_view username,
                      std::string_view what);

  TelegramBotOptions options_;
  telegram::BotClient& client_;
  ports::Store& store_;
  const ports::Clock& clock_;
  BotActions& actions_;
  std::optional<int64_t> offset_;  // the stored offset, once read
  std::atomic<bool> stop_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::thread thread_;
};

}  // namespace kairos::app
