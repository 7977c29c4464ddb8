#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/telegram/bot_types.h"

namespace kairos::telegram {

// The Approve and Reject buttons under a signal awaiting review, and what a press of one says.
// The callback data is "sig:approve:ID" or "sig:reject:ID" (well under Telegram's 64 bytes); the
// bot decides the signal from it, so the button carries no other state.
struct SignalDecision {
  int64_t signal_id = 0;
  bool approve = false;
};

std::string SignalCallbackData(const SignalDecision& decision);

// The decision a button's callback data names; nullopt for any other data (a malformed id, a
// negative or zero id, extra characters).
std::optional<SignalDecision> ParseSignalCallbackData(std::string_view data);

// One row: Approve, Reject for signal `signal_id`.
InlineKeyboard SignalButtons(int64_t signal_id);

// The signal an outbox payload names ({"signal":12}); nullopt when the payload is empty, not
// JSON, or names no positive integer signal id.
std::optional<int64_t> PayloadSignalId(std::string_view payload);

}  // namespace kairos::telegram
