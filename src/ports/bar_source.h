#pragma once

#include <optional>
#include <string_view>

#include "core/date.h"
#include "core/result.h"
#include "domain/bar.h"

namespace kairos::ports {

// Daily bars by symbol and session, for the paper broker (fills against the session's bar) and for
// marking positions to the close. Implemented over marketdata's bar store by
// engine::StoreBarSource (paper mode) and over a backtest's compact bars by backtest::ReplayBars.
class BarSource {
 public:
  virtual ~BarSource() = default;
  // The bar of `session`, or nullopt when the symbol did not trade (or is unknown).
  virtual Result<std::optional<Bar>> BarOn(std::string_view symbol, Date session) = 0;
};

}  // namespace kairos::ports
