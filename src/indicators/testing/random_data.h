#pragma once

// Deterministic random inputs for indicator tests (same seed, same numbers, on every platform:
// the generator is std::mt19937_64 and the transforms are written out here, not <random>'s
// distributions, whose output is implementation-defined).
//
//   std::vector<double> x = RandomWalk(1000, /*seed=*/7);
//   OhlcvSeries bars = RandomOhlcv(1000, /*seed=*/7);   // high >= max(open, close) etc.
//   InjectNaNs(x, 0.02, /*seed=*/7);                     // ~2% of cells become NaN
//   for (size_t len : ChunkSizes(x.size(), /*seed=*/7)) { ... }  // 1..max_chunk, sums to n

#include <cstdint>
#include <vector>

#include "indicators/testing/reference_data.h"

namespace kairos::indicators::testing {

// Uniform in [0, 1) from a 64-bit state; a tiny splitmix-seeded mt19937_64 wrapper.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  double Uniform();                      // [0, 1)
  double Uniform(double lo, double hi);  // [lo, hi)
  size_t Below(size_t n);                // [0, n), REQUIRES: n > 0
  double Normal();                       // Box-Muller, mean 0, sd 1

 private:
  uint64_t state_[4];
};

// A positive random walk starting at `start`, daily returns ~N(0, 2%).
std::vector<double> RandomWalk(size_t n, uint64_t seed, double start = 100.0);
// Coherent bars: low <= min(open, close) <= max(open, close) <= high, volume in [1e5, 1e7].
OhlcvSeries RandomOhlcv(size_t n, uint64_t seed);
// Sets about `fraction` of the cells to NaN (never all of them).
void InjectNaNs(std::vector<double>& x, double fraction, uint64_t seed);
// Random chunk lengths in [1, max_chunk] that add up to n.
std::vector<size_t> ChunkSizes(size_t n, uint64_t seed, size_t max_chunk = 64);

}  // namespace kairos::indicators::testing
