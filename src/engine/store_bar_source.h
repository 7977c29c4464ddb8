#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "domain/bar.h"
#include "marketdata/bar_store.h"
#include "ports/bar_source.h"

namespace kairos::engine {

// ports::BarSource over marketdata's bar store, for the paper broker (fills) and marks in paper
// mode (a backtest reads its compact copy, backtest::ReplayBars). Each symbol's series is read once
// and kept, since the engine asks for the bars of the same symbols session after session: not for a
// store written meanwhile. Thread-safe (the paper broker may be read from another thread).
class StoreBarSource final : public ports::BarSource {
 public:
  // What a close-only series (no open, high, low or volume stored) gives.
  enum class CloseOnly : uint8_t {
    kNoBar,       // nullopt: nothing to fill at (backtests)
    kCloseAsBar,  // the close stands for the whole bar, volume 0 (paper mode)
  };

  explicit StoreBarSource(const marketdata::BarStore& bars,
                          CloseOnly close_only = CloseOnly::kNoBar)
      : bars_(bars), close_only_(close_only) {}

  // nullopt for a symbol the store does not hold or a session without a bar; a close-only series
  // as `close_only` says. A corrupt file is its Status.
  Result<std::optional<Bar>> BarOn(std::string_view symbol, Date session) override;

  // The whole series BarOn serves for `symbol` (every column), read on first use and kept while
  // this source lives; nullptr for a symbol it does not serve (unknown, or close-only under
  // kNoBar). Lets a backtest read each series once for fills, marks and exits alike.
  Result<const marketdata::SeriesView*> Series(std::string_view symbol);

 private:
  const marketdata::BarStore& bars_;
  const CloseOnly close_only_;
  Result<const marketdata::SeriesView*> SeriesLocked(std::string_view symbol);

  std::mutex mu_;
  // nullptr: the store has no series of that symbol that this source serves.
  std::map<std::string, std::unique_ptr<marketdata::SeriesView>, std::less<>> cache_;
};

}  // namespace kairos::engine
