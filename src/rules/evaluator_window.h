#pragma once

// How much history an "as of one session" evaluation reads (Program::window(), README.md
// "Window"). Internal to rules/.

#include <cstdint>
#include <span>
#include <string_view>

#include "rules/binder.h"

namespace kairos::rules {

// Saturation value of HistoryBars: the node never forgets (read the whole history).
inline constexpr int64_t kHistoryAll = 2147483646;

// Extra bars an indicator with memory needs before its values agree with a full-history run to
// about 1e-12 relative; kHistoryAll for those that never converge (cumulative or path-dependent).
// Unknown names get kHistoryAll (safe; the table test lists every registry indicator).
int64_t WarmUpMargin(std::string_view indicator, std::span<const double> params);

// True when `indicator` has an entry in the margin table.
bool HasWarmUpEntry(std::string_view indicator);

// Bars before the current one that `e` reads, margins included, in its own timeframe for the
// nodes below weekly(...) and in daily bars for the rest; saturates at kHistoryAll.
int64_t HistoryBars(const BoundExpr& e);

}  // namespace kairos::rules
