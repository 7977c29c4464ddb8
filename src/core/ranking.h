#pragma once

// Ranking by a value that may be undefined (NaN): every number before every NaN, whatever the
// direction, so an undefined rank never wins a place at the top.

#include <compare>

namespace kairos {

enum class RankOrder { kHighestFirst, kLowestFirst };

// less: `a` ranks before `b`; greater: after; equivalent: equal values or both NaN (the caller
// breaks the tie, e.g. by symbol). A strict weak order, so it may drive std::sort.
std::weak_ordering CompareRanks(double a, double b, RankOrder order);

}  // namespace kairos
