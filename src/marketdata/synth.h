#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "domain/bar.h"

namespace kairos::marketdata {

// A small, portable PRNG (xoshiro256**, seeded through splitmix64): the same seed gives the same
// numbers on every platform and library version, unlike std:: distributions.
class SynthRng {
 public:
  explicit SynthRng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, 1), 53 random bits.
  double Uniform();
  // Standard normal (Marsaglia's polar method).
  double Normal();

 private:
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

// A deterministic synthetic daily OHLCV series over `sessions` (REQUIRES: strictly increasing):
// a mean-reverting geometric random walk (per-symbol start price $5..$500 and daily volatility
// 1%..3.5%), overnight gaps, rare jumps of +-5..30% (probability ~0.4% a day), prices in cents
// with 0.01 <= low <= min(open, close) <= max(open, close) <= high, and whole-share volume
// log-normal around a per-symbol base, higher on days with larger moves.
// Bit-identical for the same arguments (given the same libm for log/exp).
BarSeries SynthSeries(std::string symbol, std::string exchange, std::span<const Date> sessions,
                      uint64_t seed);

// A reproducible synthetic universe.
struct SynthUniverseSpec {
  int symbols = 100;
  int sessions = 250;  // the last `sessions` sessions of the calendar ending at `end`
  Date end = Date::FromDays(20'784);  // 2026-11-27, a fixed day so that runs are reproducible
  uint64_t seed = 1;
  int threads = 0;  // 0: std::thread::hardware_concurrency(); the output never depends on it
};

// "SYN0001" .. ; the number has at least 4 digits, more if `count` needs them.
// REQUIRES: 1 <= index <= count.
std::string SynthSymbol(int index, int count);
// The seed of symbol `index` in a universe seeded with `seed`.
uint64_t SynthSymbolSeed(uint64_t seed, int index);
// The last `count` sessions of `cal` on or before `end`. InvalidArgument if count < 1,
// OutOfRange (the calendar's message) if `cal` does not cover `end`.
Result<std::vector<Date>> LastSessions(const calendar::ExchangeCalendar& cal, Date end, int count);

// spec.symbols series SYN0001.. on cal's exchange, generated in parallel.
// InvalidArgument if symbols < 1 or sessions < 1. Holds the whole universe in memory (5,000 x
// 5,000 bars is 1.2 GB); ForEachSynthSeries streams it instead.
Result<std::vector<BarSeries>> SynthUniverse(const calendar::ExchangeCalendar& cal,
                                             const SynthUniverseSpec& spec);

// Generates the same series as SynthUniverse and hands each to `sink` (with its 0-based index)
// as soon as it is made, from up to spec.threads threads at once: `sink` must be thread-safe.
// The series is only valid during the call (each thread reuses one buffer), so memory stays at
// one series per thread. Stops early and returns the first error a sink returns.
Status ForEachSynthSeries(const calendar::ExchangeCalendar& cal, const SynthUniverseSpec& spec,
                          const std::function<Status(int index, const BarSeries& series)>& sink);

}  // namespace kairos::marketdata
