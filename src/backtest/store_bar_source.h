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

namespace kairos::backtest {

// ports::BarSource over the bar store, for the paper broker (fills and marks). Each symbol's
// series is read once and kept, since a replay asks for the bars of the same symbols session
// after session. Thread-safe (the paper broker may be read from another thread).
class StoreBarSource final : public ports::BarSource {
 public:
  explicit StoreBarSource(const marketdata::BarStore& bars) : bars_(bars) {}

  // nullopt for a symbol the store does not hold, a close-only series (no open to fill at) or a
  // session without a bar. A corrupt file is its Status.
  Result<std::optional<Bar>> BarOn(std::string_view symbol, Date session) override;

 private:
  const marketdata::BarStore& bars_;
  std::mutex mu_;
  // nullptr: the store has no OHLCV series of that symbol.
  std::map<std::string, std::unique_ptr<marketdata::SeriesView>, std::less<>> cache_;
};

}  // namespace kairos::backtest
