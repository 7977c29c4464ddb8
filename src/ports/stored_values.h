#pragma once

#include <cmath>
#include <limits>

#include "domain/strategy.h"
#include "domain/trading.h"

namespace kairos::ports {

// How a double reads back from a Store (ports/store.h): the way the SQLite store keeps it, so that
// every store answers the same. Spec fields and signal terms are JSON there, where a non-finite
// number is null and reads back as NaN; a signal's rank value is a REAL column, where NaN is NULL
// and reads back as (positive) NaN, and a REAL without a fraction is kept as an integer, so -0.0
// reads back as 0.0.

inline double StoredJsonDouble(double v) {
  return std::isfinite(v) ? v : std::numeric_limits<double>::quiet_NaN();
}

inline double StoredRealColumn(double v) {
  if (std::isnan(v)) return std::numeric_limits<double>::quiet_NaN();
  return v == 0 ? 0.0 : v;
}

// `spec` as it reads back: its double fields through StoredJsonDouble.
inline StrategySpec StoredSpec(StrategySpec spec) {
  for (LevelSpec* level : {&spec.stop_loss, &spec.take_profit, &spec.trailing_stop}) {
    level->percent = StoredJsonDouble(level->percent);
  }
  spec.limit_offset_percent = StoredJsonDouble(spec.limit_offset_percent);
  spec.sizing.percent = StoredJsonDouble(spec.sizing.percent);
  spec.fees.percent = StoredJsonDouble(spec.fees.percent);
  spec.slippage_bps = StoredJsonDouble(spec.slippage_bps);
  return spec;
}

// `signal` as it reads back: its terms through StoredJsonDouble, its rank through
// StoredRealColumn.
inline Signal StoredSignal(Signal signal) {
  for (auto& term : signal.terms) term.second = StoredJsonDouble(term.second);
  signal.rank_value = StoredRealColumn(signal.rank_value);
  return signal;
}

}  // namespace kairos::ports
