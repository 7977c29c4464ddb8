#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/daemon.h"
#include "app/telegram_bot.h"

namespace kairos::app {

// The daemon's side of the Telegram bot (app/telegram_bot.h), called on the bot's thread:
// /run goes to the scheduler's thread (Scheduler::Post) and waits for the run; /halt and /resume
// run on the paper session as `kairos halt` and `kairos resume` do (the trading lock; a halt that
// cannot get it still stores the kill switch); /jobs reads the store on the bot's connection.
class DaemonBotActions final : public BotActions {
 public:
  // `d` and `store` (the bot's own connection) outlive this.
  DaemonBotActions(Daemon& d, ports::Store& store, int64_t started_ns)
      : d_(d), store_(store), started_ns_(started_ns) {}

  Result<std::string> RunJob(std::string_view name, std::string_view actor) override;
  Result<engine::HaltReport> Halt(bool squareoff, std::string_view actor,
                                  std::string_view reason) override;
  Result<bool> Resume(std::string_view actor) override;
  Result<Table> Jobs() override;
  std::vector<std::string> StatusLines() override;

 private:
  Daemon& d_;
  ports::Store& store_;
  int64_t started_ns_;
};

}  // namespace kairos::app
