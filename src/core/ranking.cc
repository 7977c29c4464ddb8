#include "core/ranking.h"

#include <cmath>

namespace kairos {

std::weak_ordering CompareRanks(double a, double b, RankOrder order) {
  const bool a_nan = std::isnan(a), b_nan = std::isnan(b);
  if (a_nan || b_nan) {
    if (a_nan == b_nan) return std::weak_ordering::equivalent;
    return a_nan ? std::weak_ordering::greater : std::weak_ordering::less;
  }
  if (a == b) return std::weak_ordering::equivalent;
  const bool a_first = order == RankOrder::kHighestFirst ? a > b : a < b;
  return a_first ? std::weak_ordering::less : std::weak_ordering::greater;
}

}  // namespace kairos
