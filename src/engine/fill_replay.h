#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/date.h"
#include "core/fixed_point.h"
#include "core/result.h"
#include "core/string_hash.h"
#include "domain/trading.h"
#include "ports/store.h"

namespace kairos::engine {

// A strategy's fills replayed through the FIFO ledger: realised P&L and fees by session.
struct FillReplay {
  int64_t realized_cum = 0;
  int64_t fees_cum = 0;
  std::map<Date, int64_t> realized_on, fees_on;
  // Looked up for every open position every session: hashed, by string_view.
  StringMap<int64_t> net_of;      // signed sum of the fills, by symbol
  StringMap<Position> positions;  // the FIFO state, by symbol
  int fills = 0;
  // Every fill of a session before `last` has been applied; of `last`, those in `ids_on_last`.
  std::optional<Date> last;
  std::set<std::string> ids_on_last;
};

// Each strategy's replay, kept between sessions. Sessions run forward, and the fills of a
// session are recorded by its own phases, so the replay of the previous call is kept and only
// the fills since its last session are read (those of that session already applied are
// recognised by execution id). Going back in time, `fresh`, or a strategy seen for the first
// time replays everything from the store.
class FillReplays {
 public:
  explicit FillReplays(ports::Store& store) : store_(store) {}

  // The fills of `strategy` up to `up_to`, in `currency`. A replay that fails is dropped.
  Result<const FillReplay*> UpTo(const std::string& strategy, const Currency& currency, Date up_to,
                                 bool fresh = false);

 private:
  ports::Store& store_;
  std::map<std::string, FillReplay, std::less<>> replays_;
};

}  // namespace kairos::engine
