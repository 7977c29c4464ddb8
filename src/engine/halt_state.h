#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ports/store.h"

namespace kairos::engine {

class Alerts;

// The halt state (ARCHITECTURE.md "Any time"): stored in the state repository under key "halt"
// as JSON {"time_ns":…, "time":"…Z", "actor":"…", "reason":"…"}, so it survives restarts until
// Resume (kill_switch.h) lifts it. The order manager reads it before sending; the kill switch
// (Halt, Resume) writes it.
inline constexpr std::string_view kHaltKey = "halt";

// Whether the halt is on. A store that cannot be read counts as halted (fail closed).
bool IsHalted(ports::Store& store);

struct HaltRecord {
  int64_t time_ns = 0;
  std::string actor;
  std::string reason;
};
// The stored halt, nullopt when not halted.
Result<std::optional<HaltRecord>> GetHalt(ports::Store& store);

// Stores the halt (audit row "halt", and with `alerts` a "halt" alert) unless it is already on,
// in one transaction; true when it was already on (then only the audit row is added). Halt's
// first step, also usable alone when cancelling must wait (another process holds the trading
// run).
Result<bool> StoreHalt(ports::Store& store, int64_t time_ns, std::string_view actor,
                       std::string_view reason, Alerts* alerts = nullptr);

}  // namespace kairos::engine
