#include "rules/evaluator_window.h"

#include <algorithm>
#include <cmath>

namespace kairos::rules {
namespace {

// The relative size an initial difference (two runs seeded on different bars) must decay to. The
// difference between two seeds can be several times the value itself (RSI's average loss, an EMA
// seeded far from today's level), so two orders of magnitude below the 1e-12 target.
constexpr double kDecayTarget = 1e-14;

// Bars for a recursion whose memory shrinks by `decay` per bar to reach kDecayTarget.
int64_t BarsToForget(double decay) {
  if (decay <= 0) return 0;
  return static_cast<int64_t>(std::ceil(std::log(kDecayTarget) / std::log(decay)));
}

int64_t Ema(double period) { return BarsToForget((period - 1) / (period + 1)); }
int64_t Wilder(double period) { return BarsToForget((period - 1) / period); }

int64_t Add(int64_t a, int64_t b) { return std::min(kHistoryAll, a + b); }

struct MarginEntry {
  std::string_view name;
  // nullptr: no memory beyond the lookback (a window over the last bars).
  int64_t (*margin)(std::span<const double> params);
};

constexpr int64_t kAll = kHistoryAll;

// Every registry indicator. Windowed ones (no entry function) agree with the full run as soon as
// their lookback is covered, up to the rounding of running sums (~1e-13 relative).
constexpr MarginEntry kMargins[] = {
    {"ad", [](std::span<const double>) { return kAll; }},                 // cumulative sum
    {"adx", [](std::span<const double> p) { return 2 * Wilder(p[0]); }},  // Wilder of Wilder
    {"aroon", nullptr},
    {"atr", [](std::span<const double> p) { return Wilder(p[0]); }},
    {"bbands", nullptr},
    {"cci", nullptr},
    {"cdldoji", nullptr},
    {"cdlengulfing", nullptr},
    {"cdlhammer", nullptr},
    {"dema", [](std::span<const double> p) { return 2 * Ema(p[0]); }},  // EMA of EMA
    {"ema", [](std::span<const double> p) { return Ema(p[0]); }},
    // The slowest smoothing constant, (2/31)^2, bounds KAMA's memory.
    {"kama", [](std::span<const double>) { return BarsToForget(1 - (2.0 / 31) * (2.0 / 31)); }},
    {"linearreg", nullptr},
    {"macd", [](std::span<const double> p) { return Ema(std::max(p[0], p[1])) + Ema(p[2]); }},
    {"max", nullptr},
    {"mfi", nullptr},
    {"min", nullptr},
    {"minus_di", [](std::span<const double> p) { return Wilder(p[0]); }},
    {"mom", nullptr},
    {"natr", [](std::span<const double> p) { return Wilder(p[0]); }},
    {"obv", [](std::span<const double>) { return kAll; }},  // cumulative sum
    {"plus_di", [](std::span<const double> p) { return Wilder(p[0]); }},
    {"roc", nullptr},
    {"rsi", [](std::span<const double> p) { return Wilder(p[0]); }},
    {"sar", [](std::span<const double>) { return kAll; }},  // trend state: path-dependent
    {"sma", nullptr},
    {"stddev", nullptr},
    {"stoch", nullptr},
    {"stochrsi", [](std::span<const double> p) { return Wilder(p[0]); }},
    {"supertrend", [](std::span<const double>) { return kAll; }},       // ratcheting bands
    {"tema", [](std::span<const double> p) { return 3 * Ema(p[0]); }},  // three EMAs deep
    {"trange", nullptr},
    {"trima", nullptr},
    {"willr", nullptr},
    {"wma", nullptr},
};

const MarginEntry* FindEntry(std::string_view name) {
  for (const MarginEntry& e : kMargins) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace

bool HasWarmUpEntry(std::string_view indicator) { return FindEntry(indicator) != nullptr; }

int64_t WarmUpMargin(std::string_view indicator, std::span<const double> params) {
  const MarginEntry* entry = FindEntry(indicator);
  if (entry == nullptr) return kHistoryAll;
  return entry->margin == nullptr ? 0 : std::min(kHistoryAll, entry->margin(params));
}

int64_t HistoryBars(const BoundExpr& e) {
  int64_t args = 0;
  for (const auto& arg : e.args) args = std::max(args, HistoryBars(*arg));
  switch (e.kind) {
    case BoundKind::kConstant:
    case BoundKind::kField:
      return 0;
    case BoundKind::kIndicator:
      return Add(args,
                 Add(e.indicator->lookback(e.params), WarmUpMargin(e.indicator->name, e.params)));
    case BoundKind::kUnary:
    case BoundKind::kBinary:
      return args;
    case BoundKind::kOffset:
      return Add(args, e.window);
    case BoundKind::kBuiltin:
      switch (e.builtin) {
        case Builtin::kCrossover:
        case Builtin::kCrossunder:
          return Add(args, 1);
        case Builtin::kChange:
        case Builtin::kPctChange:
        case Builtin::kRising:
        case Builtin::kFalling:
          return Add(args, e.window);
        case Builtin::kHighest:
        case Builtin::kLowest:
        case Builtin::kCount:
        case Builtin::kMedian:
          return Add(args, e.window - 1);
        case Builtin::kBarsSince:
          return kHistoryAll;  // the last true bar may be any distance back
        default:
          return args;
      }
    case BoundKind::kWeekly:
      // args + 1 completed weeks, the week in progress, and one more because the window's
      // first week may be cut (a partial weekly bar); at most 5 sessions a week.
      if (args >= kHistoryAll) return kHistoryAll;
      return std::min(kHistoryAll, 5 * (args + 3));
  }
  return kHistoryAll;
}

}  // namespace kairos::rules
