#include "adapters/sim_broker/slippage.h"

#include <cmath>

namespace kairos::sim_broker {

int64_t TickOf(const Currency& c) {
  int64_t tick = Price::kScale;
  for (int i = 0; i < c.minor_digits(); ++i) tick /= 10;
  return tick;
}

Price WithSlippage(Price price, Side side, double bps, int64_t tick) {
  int64_t hundredths = std::llround(bps * 100);
  int64_t num = side == Side::kBuy ? 1'000'000 + hundredths : 1'000'000 - hundredths;
  Int128 ticks = DivideRounded(static_cast<Int128>(price.raw()) * num,
                               static_cast<Int128>(1'000'000) * tick, Rounding::kHalfEven);
  return Price::FromRaw(static_cast<int64_t>(ticks * tick));
}

}  // namespace kairos::sim_broker
