#include "engine/sizing.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/ranking.h"

namespace kairos::engine {
namespace {

constexpr Int128 kPercentMicrosPerUnit = 100'000'000;  // 100 % × 1e6

std::string Amount(int64_t minor, const Currency& c) { return Money(minor, c).ToString(); }

// At most this many units in one order: far beyond any real order, and small enough that
// ReserveFor's product (price ticks x units x minor units x basis points) stays inside Int128
// for any price. Risk sizing divides by the stop distance, which may be a single tick.
constexpr Int128 kMaxUnits = 100'000'000'000;

// floor(amount_minor / price) in whole units, at most kMaxUnits.
int64_t UnitsFor(Int128 amount_minor, Price price, const Currency& c) {
  if (amount_minor <= 0 || price.raw() <= 0) return 0;
  Int128 n = amount_minor * Price::kScale;
  Int128 d = static_cast<Int128>(price.raw()) * c.minor_per_unit();
  return static_cast<int64_t>(std::min(n / d, kMaxUnits));
}

}  // namespace

int64_t PercentMicros(double percent) {
  if (!std::isfinite(percent) || percent <= 0) return 0;
  return std::llround(percent * 1e6);
}

Quantity SizeByMethod(const SizingSpec& sizing, int64_t allocation, const Currency& currency,
                      PositionSide side, Price reference, std::optional<Price> stop,
                      std::string* why) {
  auto zero = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return Quantity::FromUnits(0);
  };
  if (reference.raw() <= 0) return zero(fmt::format("reference price {}", reference.ToString()));
  int64_t units = 0;
  switch (sizing.method) {
    case SizingSpec::Method::kFixedQty:
      units = sizing.qty;
      if (units <= 0) return zero(fmt::format("fixed_qty {}", sizing.qty));
      break;
    case SizingSpec::Method::kFixedAmount:
      units = UnitsFor(sizing.amount, reference, currency);
      if (units <= 0) {
        return zero(fmt::format("amount {} buys no share at {}", Amount(sizing.amount, currency),
                                reference.ToString()));
      }
      break;
    case SizingSpec::Method::kPercent: {
      Int128 amount =
          static_cast<Int128>(allocation) * PercentMicros(sizing.percent) / kPercentMicrosPerUnit;
      units = UnitsFor(amount, reference, currency);
      if (units <= 0) {
        return zero(fmt::format(
            "{}% of {} = {} buys no share at {}", sizing.percent, Amount(allocation, currency),
            Amount(static_cast<int64_t>(amount), currency), reference.ToString()));
      }
      break;
    }
    case SizingSpec::Method::kRisk: {
      if (!stop) return zero("risk sizing needs a stop_loss level");
      int64_t distance = side == PositionSide::kLong ? reference.raw() - stop->raw()
                                                     : stop->raw() - reference.raw();
      if (distance <= 0) {
        return zero(fmt::format("stop {} is not on the losing side of {}", stop->ToString(),
                                reference.ToString()));
      }
      Int128 risk =
          static_cast<Int128>(allocation) * PercentMicros(sizing.percent) / kPercentMicrosPerUnit;
      units = UnitsFor(risk, Price::FromRaw(distance), currency);
      if (units <= 0) {
        return zero(fmt::format("risk {} is less than one share's stop distance {}",
                                Amount(static_cast<int64_t>(risk), currency),
                                Price::FromRaw(distance).ToString()));
      }
      break;
    }
  }
  return Quantity::FromUnits(units);
}

int64_t ReserveFor(Price price, Quantity qty, const Currency& currency, int64_t buffer_bps) {
  Int128 n = static_cast<Int128>(price.raw()) * qty.units() * currency.minor_per_unit() *
             (10'000 + buffer_bps);
  Int128 d = static_cast<Int128>(Price::kScale) * 10'000;
  return static_cast<int64_t>(DivideRounded(n, d, Rounding::kCeiling));
}

Selection SelectEntries(const StrategySpec& spec, int64_t allocation, const Currency& currency,
                        const BookState& book, std::vector<EntryCandidate> candidates,
                        int64_t reserve_buffer_bps) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const EntryCandidate& a, const EntryCandidate& b) {
                     auto c = CompareRanks(a.rank_value, b.rank_value, RankOrder::kLowestFirst);
                     return c != 0 ? c < 0 : a.symbol < b.symbol;
                   });
  Selection out;
  int64_t cash = book.cash;
  int slots_today = std::max(0, spec.max_new_per_day - book.new_today);
  int slots_open = std::max(0, spec.max_positions - book.open_positions);
  std::set<std::string> held = book.held;
  for (const EntryCandidate& c : candidates) {
    auto refuse = [&](std::string note) {
      out.refused.push_back({c.signal_id, c.symbol, std::move(note)});
    };
    if (held.count(c.symbol)) {
      refuse(fmt::format("not selected: {} already held or ordered by {}", c.symbol, spec.name));
      continue;
    }
    if (slots_today <= 0) {
      refuse(fmt::format("not selected: max_new_per_day {} reached", spec.max_new_per_day));
      continue;
    }
    if (slots_open <= 0) {
      refuse(fmt::format("not selected: max_positions {} reached", spec.max_positions));
      continue;
    }
    std::string why;
    Quantity qty =
        SizeByMethod(spec.sizing, allocation, currency, spec.side, c.reference, c.stop, &why);
    if (qty.units() <= 0) {
      refuse("size 0: " + why);
      continue;
    }
    int64_t reserve = ReserveFor(c.reference, qty, currency, reserve_buffer_bps);
    if (reserve > cash) {
      // Cut the quantity to what the cash left affords at the reserve price.
      Int128 n = static_cast<Int128>(std::max<int64_t>(cash, 0)) * Price::kScale * 10'000;
      Int128 d = static_cast<Int128>(c.reference.raw()) * currency.minor_per_unit() *
                 (10'000 + reserve_buffer_bps);
      int64_t units = static_cast<int64_t>(n / d);
      while (units > 0 && ReserveFor(c.reference, Quantity::FromUnits(units), currency,
                                     reserve_buffer_bps) > cash) {
        --units;
      }
      if (units <= 0) {
        refuse(fmt::format(
            "size 0: cash {} left, one share needs {}", Amount(cash, currency),
            Amount(ReserveFor(c.reference, Quantity::FromUnits(1), currency, reserve_buffer_bps),
                   currency)));
        continue;
      }
      qty = Quantity::FromUnits(units);
      reserve = ReserveFor(c.reference, qty, currency, reserve_buffer_bps);
    }
    cash -= reserve;
    --slots_today;
    --slots_open;
    held.insert(c.symbol);
    out.entries.push_back({c.signal_id, c.symbol, qty, reserve});
  }
  return out;
}

}  // namespace kairos::engine
