#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "core/status.h"
#include "server/events.h"

struct sqlite3;

namespace kairos::app {

// The live-update event type of an audit action: "signal.approve" -> signal, "order.intent" ->
// order, "fill.refused" -> fill, "halt" / "resume" / "kill..." -> halt; nullopt for actions no
// stream carries (a strategy's allocation, a catch-up).
std::optional<std::string_view> EventTypeOfAction(std::string_view action);

// What changed in a home's store since the last look, published to an EventHub: new audit rows
// (as signal, order, fill or halt by their action), new fills (fill), job runs started or
// finished (job_run) and new outbox messages (alert). Reads HOME/kairos.db on a read-only
// connection of its own; whatever process wrote the change (the daemon, the CLI, the API) it is
// seen. Not thread-safe: one polling thread.
class ChangeFeed {
 public:
  ChangeFeed(std::filesystem::path home, server::EventHub& hub)
      : home_(std::move(home)), hub_(hub) {}
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // Opens the store and starts from its current end: what is already there is not published.
  Status Open();
  // Publishes what was written since the last poll, in the order written per table; how many.
  Result<int> Poll();

 private:
  Status Cursors();
  std::filesystem::path home_;
  server::EventHub& hub_;
  sqlite3* db_ = nullptr;
  int64_t audit_id_ = 0, fill_id_ = 0, outbox_id_ = 0, job_run_ns_ = 0;
};

}  // namespace kairos::app
