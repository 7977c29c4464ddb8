#include "engine/exits.h"

#include <cmath>

#include "engine/sizing.h"

namespace kairos::engine {
namespace {

constexpr Int128 kHundredPercentMicros = 100'000'000;

// price × (1 + sign × percent %), to the nearest tick.
Price Scale(Price p, double percent, int sign) {
  Int128 factor = kHundredPercentMicros + sign * static_cast<Int128>(PercentMicros(percent));
  return Price::FromRaw(static_cast<int64_t>(DivideRounded(
      static_cast<Int128>(p.raw()) * factor, kHundredPercentMicros, Rounding::kHalfEven)));
}

std::optional<Price> ToPrice(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return std::nullopt;
  auto p = Price::FromDouble(*v);
  if (!p.ok()) return std::nullopt;
  return *p;
}

// A level on the losing (`loss` true) or winning side of `entry`.
std::optional<Price> Level(const LevelSpec& spec, PositionSide side, Price entry,
                           std::optional<double> value, bool loss) {
  // Long stop: below; long target: above; shorts mirror.
  int sign = (side == PositionSide::kLong) == loss ? -1 : +1;
  switch (spec.kind) {
    case LevelSpec::Kind::kNone:
      return std::nullopt;
    case LevelSpec::Kind::kPercent:
      return Scale(entry, spec.percent, sign);
    case LevelSpec::Kind::kDistance: {
      auto d = ToPrice(value);
      if (!d || d->raw() <= 0) return std::nullopt;
      return Price::FromRaw(entry.raw() + sign * d->raw());
    }
    case LevelSpec::Kind::kPrice:
      return ToPrice(value);
  }
  return std::nullopt;
}

}  // namespace

FixedLevels LevelsAtEntry(const StrategySpec& spec, Price entry, const LevelInputs& inputs) {
  FixedLevels out;
  out.stop_loss = Level(spec.stop_loss, spec.side, entry, inputs.stop_loss, /*loss=*/true);
  out.take_profit = Level(spec.take_profit, spec.side, entry, inputs.take_profit, /*loss=*/false);
  switch (spec.trailing_stop.kind) {
    case LevelSpec::Kind::kDistance: {
      auto d = ToPrice(inputs.trailing_stop);
      if (d && d->raw() > 0) out.trailing_distance = d;
      break;
    }
    case LevelSpec::Kind::kPrice: {
      auto v = ToPrice(inputs.trailing_stop);
      auto c = ToPrice(inputs.decision_close);
      if (v && c) {
        int64_t d = spec.side == PositionSide::kLong ? c->raw() - v->raw() : v->raw() - c->raw();
        if (d > 0) out.trailing_distance = Price::FromRaw(d);
      }
      break;
    }
    default:
      break;
  }
  return out;
}

std::optional<Price> TrailingLevel(const StrategySpec& spec, const FixedLevels& levels,
                                   Price high_water) {
  int sign = spec.side == PositionSide::kLong ? -1 : +1;
  switch (spec.trailing_stop.kind) {
    case LevelSpec::Kind::kPercent:
      return Scale(high_water, spec.trailing_stop.percent, sign);
    case LevelSpec::Kind::kDistance:
    case LevelSpec::Kind::kPrice:
      if (!levels.trailing_distance) return std::nullopt;
      return Price::FromRaw(high_water.raw() + sign * levels.trailing_distance->raw());
    case LevelSpec::Kind::kNone:
      break;
  }
  return std::nullopt;
}

Price BestClose(PositionSide side, Price a, Price b) {
  if (side == PositionSide::kLong) return a > b ? a : b;
  return a < b ? a : b;
}

std::optional<ExitDecision> DecideExit(const StrategySpec& spec, const FixedLevels& levels,
                                       const ExitInput& in) {
  bool is_long = spec.side == PositionSide::kLong;
  auto through_stop = [&](Price level) { return is_long ? in.close <= level : in.close >= level; };
  auto through_target = [&](Price level) {
    return is_long ? in.close >= level : in.close <= level;
  };
  if (levels.stop_loss && through_stop(*levels.stop_loss)) {
    return ExitDecision{"stop_loss", levels.stop_loss};
  }
  if (auto trail = TrailingLevel(spec, levels, in.high_water); trail && through_stop(*trail)) {
    return ExitDecision{"trailing_stop", trail};
  }
  if (levels.take_profit && through_target(*levels.take_profit)) {
    return ExitDecision{"take_profit", levels.take_profit};
  }
  if (spec.max_hold > 0 && in.sessions_held >= spec.max_hold) {
    return ExitDecision{"max_hold", std::nullopt};
  }
  if (in.exit_rule_matched) return ExitDecision{"exit_rule", std::nullopt};
  return std::nullopt;
}

}  // namespace kairos::engine
