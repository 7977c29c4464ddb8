#include "indicators/testing/random_data.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/check.h"

namespace kairos::indicators::testing {
namespace {

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

// xoshiro256** (public-domain algorithm by Blackman and Vigna), seeded by splitmix64.
Rng::Rng(uint64_t seed) {
  for (uint64_t& s : state_) s = SplitMix(seed);
}

uint64_t Rng::Next() {
  uint64_t result = Rotl(state_[1] * 5, 7) * 9;
  uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = Rotl(state_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
double Rng::Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
size_t Rng::Below(size_t n) {
  KAIROS_CHECK(n > 0) << "Below(0)";
  return static_cast<size_t>(Next() % n);
}
double Rng::Normal() {
  double u1 = 1.0 - Uniform();  // (0, 1]
  double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::vector<double> RandomWalk(size_t n, uint64_t seed, double start) {
  Rng rng(seed);
  std::vector<double> x(n);
  double v = start;
  for (size_t i = 0; i < n; ++i) {
    v *= std::exp(0.02 * rng.Normal());
    x[i] = v;
  }
  return x;
}

OhlcvSeries RandomOhlcv(size_t n, uint64_t seed) {
  Rng rng(seed ^ 0x5bd1e995ULL);
  OhlcvSeries s;
  s.close = RandomWalk(n, seed);
  s.open.resize(n);
  s.high.resize(n);
  s.low.resize(n);
  s.volume.resize(n);
  for (size_t i = 0; i < n; ++i) {
    double prev = i == 0 ? s.close[0] : s.close[i - 1];
    s.open[i] = prev * std::exp(0.005 * rng.Normal());
    double top = std::max(s.open[i], s.close[i]);
    double bottom = std::min(s.open[i], s.close[i]);
    s.high[i] = top * (1.0 + 0.01 * rng.Uniform());
    s.low[i] = bottom * (1.0 - 0.01 * rng.Uniform());
    s.volume[i] = std::floor(rng.Uniform(1e5, 1e7));
    s.dates.push_back(std::to_string(i));
  }
  return s;
}

void InjectNaNs(std::vector<double>& x, double fraction, uint64_t seed) {
  Rng rng(seed ^ 0x2545f4914f6cdd1dULL);
  size_t kept = 0;
  for (double& v : x) {
    if (rng.Uniform() < fraction) {
      v = std::numeric_limits<double>::quiet_NaN();
    } else {
      ++kept;
    }
  }
  if (kept == 0 && !x.empty()) x[0] = 1.0;
}

std::vector<size_t> ChunkSizes(size_t n, uint64_t seed, size_t max_chunk) {
  KAIROS_CHECK(max_chunk > 0) << "max_chunk must be positive";
  Rng rng(seed ^ 0x853c49e6748fea9bULL);
  std::vector<size_t> sizes;
  size_t done = 0;
  while (done < n) {
    size_t len = std::min(n - done, 1 + rng.Below(max_chunk));
    sizes.push_back(len);
    done += len;
  }
  return sizes;
}

}  // namespace kairos::indicators::testing
