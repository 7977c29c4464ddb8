// Each kernel against a plain, obviously correct version written straight from the definition
// (fresh sums and window scans on every bar, textbook formulas, no running state beyond what the
// definition itself recurses on), on random bars: the typed kernels of the averages, bands,
// extremes, changes and volume lines, and through the registry the momentum, volatility, trend
// and bar-pattern indicators.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "indicators/ad.h"
#include "indicators/bbands.h"
#include "indicators/dema.h"
#include "indicators/ema.h"
#include "indicators/indicator.h"
#include "indicators/kama.h"
#include "indicators/linearreg.h"
#include "indicators/macd.h"
#include "indicators/max.h"
#include "indicators/min.h"
#include "indicators/mom.h"
#include "indicators/obv.h"
#include "indicators/roc.h"
#include "indicators/sma.h"
#include "indicators/stddev.h"
#include "indicators/tema.h"
#include "indicators/testing/compare.h"
#include "indicators/testing/random_data.h"
#include "indicators/testing/reference_data.h"
#include "indicators/trima.h"
#include "indicators/wma.h"

namespace kairos::indicators {
namespace {

using testing::InputsFor;
using testing::MatchesReference;
using testing::OhlcvSeries;
using testing::RandomOhlcv;
using testing::RunBatch;
using Series = std::vector<double>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kBars = 1200;
const int kPeriods[] = {2, 3, 5, 14, 20, 61};
const uint64_t kSeeds[] = {1, 2, 3};

// ---- Plain versions: straight from the definitions, one window at a time. ----

Series SlowSma(const Series& x, int p) {
  Series out(x.size(), kNaN);
  for (size_t i = p - 1; i < x.size(); ++i) {
    double s = 0;
    for (int j = 0; j < p; ++j) s += x[i - j];
    out[i] = s / p;
  }
  return out;
}

// EMA of x starting at `from` (seed = mean of x[from..from+p-1]); NaN before from+p-1.
Series SlowEma(const Series& x, int p, size_t from = 0) {
  Series out(x.size(), kNaN);
  if (x.size() < from + p) return out;
  double k = 2.0 / (p + 1);
  double v = 0;
  for (int j = 0; j < p; ++j) v += x[from + j];
  v /= p;
  out[from + p - 1] = v;
  for (size_t i = from + p; i < x.size(); ++i) {
    v = v + k * (x[i] - v);
    out[i] = v;
  }
  return out;
}

Series SlowWma(const Series& x, int p) {
  Series out(x.size(), kNaN);
  for (size_t i = p - 1; i < x.size(); ++i) {
    double s = 0;
    for (int j = 0; j < p; ++j) s += (p - j) * x[i - j];
    out[i] = s / (p * (p + 1) / 2.0);
  }
  return out;
}

Series SlowDema(const Series& x, int p) {
  Series e1 = SlowEma(x, p);
  Series e2 = SlowEma(e1, p, p - 1);
  Series out(x.size(), kNaN);
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isnan(e2[i])) out[i] = 2 * e1[i] - e2[i];
  }
  return out;
}

Series SlowTema(const Series& x, int p) {
  Series e1 = SlowEma(x, p);
  Series e2 = SlowEma(e1, p, p - 1);
  Series e3 = SlowEma(e2, p, 2 * (p - 1));
  Series out(x.size(), kNaN);
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isnan(e3[i])) out[i] = 3 * e1[i] - 3 * e2[i] + e3[i];
  }
  return out;
}

// Triangular weights 1, 2, .., top, (top,) .., 2, 1 spanning p bars.
Series SlowTrima(const Series& x, int p) {
  Series w(p);
  for (int j = 0; j < p; ++j) w[j] = std::min(j + 1, p - j);
  if (p % 2 == 0) {
    for (int j = 0; j < p; ++j) w[j] = std::min(j + 1, p - j);  // 1..p/2, p/2..1
  }
  double total = std::accumulate(w.begin(), w.end(), 0.0);
  Series out(x.size(), kNaN);
  for (size_t i = p - 1; i < x.size(); ++i) {
    double s = 0;
    for (int j = 0; j < p; ++j) s += w[j] * x[i - (p - 1) + j];
    out[i] = s / total;
  }
  return out;
}

Series SlowKama(const Series& x, int p) {
  Series out(x.size(), kNaN);
  if (x.size() <= static_cast<size_t>(p)) return out;
  double fast = 2.0 / 3, slow = 2.0 / 31;
  double kama = x[p - 1];
  for (size_t t = p; t < x.size(); ++t) {
    double noise = 0;
    for (size_t j = t - p + 1; j <= t; ++j) noise += std::fabs(x[j] - x[j - 1]);
    double signal = std::fabs(x[t] - x[t - p]);
    double er = noise <= signal ? 1.0 : signal / noise;
    double sc = std::pow(er * (fast - slow) + slow, 2);
    kama += sc * (x[t] - kama);
    out[t] = kama;
  }
  return out;
}

struct Three {
  Series a, b, c;
};

Three SlowMacd(const Series& x, int fast, int slow, int sig) {
  Series es = SlowEma(x, slow);
  Series ef = SlowEma(x, fast, slow - fast);
  Series macd(x.size(), kNaN);
  for (size_t i = slow - 1; i < x.size(); ++i) macd[i] = ef[i] - es[i];
  Series signal = SlowEma(macd, sig, slow - 1);
  Three out{Series(x.size(), kNaN), Series(x.size(), kNaN), Series(x.size(), kNaN)};
  for (size_t i = slow + sig - 2; i < x.size(); ++i) {
    out.a[i] = macd[i];
    out.b[i] = signal[i];
    out.c[i] = macd[i] - signal[i];
  }
  return out;
}

double WindowSd(const Series& x, size_t i, int p) {
  double mean = 0;
  for (int j = 0; j < p; ++j) mean += x[i - j];
  mean /= p;
  double var = 0;
  for (int j = 0; j < p; ++j) var += (x[i - j] - mean) * (x[i - j] - mean);
  return std::sqrt(var / p);
}

Series SlowStddev(const Series& x, int p, double nbdev) {
  Series out(x.size(), kNaN);
  for (size_t i = p - 1; i < x.size(); ++i) out[i] = WindowSd(x, i, p) * nbdev;
  return out;
}

Three SlowBbands(const Series& x, int p, double up, double dn) {
  Series mid = SlowSma(x, p);
  Three out{Series(x.size(), kNaN), mid, Series(x.size(), kNaN)};
  for (size_t i = p - 1; i < x.size(); ++i) {
    double sd = WindowSd(x, i, p);
    out.a[i] = mid[i] + up * sd;
    out.c[i] = mid[i] - dn * sd;
  }
  return out;
}

Series SlowExtreme(const Series& x, int p, bool max) {
  Series out(x.size(), kNaN);
  for (size_t i = p - 1; i < x.size(); ++i) {
    auto first = x.begin() + (i - p + 1), last = x.begin() + i + 1;
    out[i] = max ? *std::max_element(first, last) : *std::min_element(first, last);
  }
  return out;
}

Series SlowRoc(const Series& x, int p, bool percent) {
  Series out(x.size(), kNaN);
  for (size_t i = p; i < x.size(); ++i) {
    out[i] = percent ? (x[i] - x[i - p]) / x[i - p] * 100 : x[i] - x[i - p];
  }
  return out;
}

Series SlowLinearreg(const Series& y, int p) {
  Series out(y.size(), kNaN);
  for (size_t i = p - 1; i < y.size(); ++i) {
    double xbar = (p - 1) / 2.0, ybar = 0;
    for (int j = 0; j < p; ++j) ybar += y[i - (p - 1) + j];
    ybar /= p;
    double sxy = 0, sxx = 0;
    for (int j = 0; j < p; ++j) {
      sxy += (j - xbar) * (y[i - (p - 1) + j] - ybar);
      sxx += (j - xbar) * (j - xbar);
    }
    out[i] = ybar + sxy / sxx * ((p - 1) - xbar);
  }
  return out;
}

Series SlowObv(const Series& c, const Series& v) {
  Series out(c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    double sum = v[0];
    for (size_t j = 1; j <= i; ++j) sum += c[j] > c[j - 1] ? v[j] : c[j] < c[j - 1] ? -v[j] : 0;
    out[i] = sum;
  }
  return out;
}

Series SlowAd(const testing::OhlcvSeries& b) {
  Series out(b.size());
  double ad = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    double range = b.high[i] - b.low[i];
    double clv = range > 0 ? ((b.close[i] - b.low[i]) - (b.high[i] - b.close[i])) / range : 0;
    ad += clv * b.volume[i];
    out[i] = ad;
  }
  return out;
}

Series Run1(Status (*kernel)(std::span<const double>, int, std::span<double>), const Series& x,
            int p) {
  Series out(x.size());
  EXPECT_TRUE(kernel(x, p, out).ok());
  return out;
}

// ---- Fast vs plain. ----

TEST(PlainVersionTest, SingleOutputKernelsMatchPlainVersions) {
  for (uint64_t seed : kSeeds) {
    Series x = testing::RandomWalk(kBars, seed);
    for (int p : kPeriods) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " period " + std::to_string(p));
      EXPECT_TRUE(MatchesReference(Run1(Sma, x, p), SlowSma(x, p), 1e-12)) << "sma";
      EXPECT_TRUE(MatchesReference(Run1(Ema, x, p), SlowEma(x, p), 1e-12)) << "ema";
      EXPECT_TRUE(MatchesReference(Run1(Wma, x, p), SlowWma(x, p), 1e-10)) << "wma";
      EXPECT_TRUE(MatchesReference(Run1(Dema, x, p), SlowDema(x, p), 1e-12)) << "dema";
      EXPECT_TRUE(MatchesReference(Run1(Tema, x, p), SlowTema(x, p), 1e-12)) << "tema";
      EXPECT_TRUE(MatchesReference(Run1(Trima, x, p), SlowTrima(x, p), 1e-12)) << "trima";
      EXPECT_TRUE(MatchesReference(Run1(Kama, x, p), SlowKama(x, p), 1e-10)) << "kama";
      EXPECT_TRUE(MatchesReference(Run1(Max, x, p), SlowExtreme(x, p, true), 0)) << "max";
      EXPECT_TRUE(MatchesReference(Run1(Min, x, p), SlowExtreme(x, p, false), 0)) << "min";
      EXPECT_TRUE(MatchesReference(Run1(Roc, x, p), SlowRoc(x, p, true), 1e-9)) << "roc";
      EXPECT_TRUE(MatchesReference(Run1(Mom, x, p), SlowRoc(x, p, false), 0)) << "mom";
      EXPECT_TRUE(MatchesReference(Run1(Linearreg, x, p), SlowLinearreg(x, p), 1e-10))
          << "linearreg";
      Series sd(x.size());
      ASSERT_TRUE(Stddev(x, p, 1.5, sd).ok());
      // Running sums lose digits when the spread is tiny against the price: allow 1e-10 of the
      // price level (~100) absolute on top of the relative bound.
      EXPECT_TRUE(MatchesReference(sd, SlowStddev(x, p, 1.5), 1e-9, 1e-8)) << "stddev";
    }
  }
}

TEST(PlainVersionTest, MultiOutputKernelsMatchPlainVersions) {
  struct MacdCase {
    int fast, slow, sig;
  };
  for (uint64_t seed : kSeeds) {
    Series x = testing::RandomWalk(kBars, seed);
    for (MacdCase c :
         {MacdCase{12, 26, 9}, MacdCase{2, 3, 1}, MacdCase{5, 5, 4}, MacdCase{3, 40, 12}}) {
      SCOPED_TRACE("macd " + std::to_string(c.fast) + "," + std::to_string(c.slow) + "," +
                   std::to_string(c.sig));
      Series m(x.size()), s(x.size()), h(x.size());
      ASSERT_TRUE(Macd(x, {c.fast, c.slow, c.sig}, m, s, h).ok());
      Three want = SlowMacd(x, c.fast, c.slow, c.sig);
      // The histogram crosses zero: compare it on the scale of the price.
      EXPECT_TRUE(MatchesReference(m, want.a, 1e-9, 1e-11));
      EXPECT_TRUE(MatchesReference(s, want.b, 1e-9, 1e-11));
      EXPECT_TRUE(MatchesReference(h, want.c, 1e-9, 1e-11));
      // Swapped fast/slow is the same indicator.
      Series m2(x.size()), s2(x.size()), h2(x.size());
      ASSERT_TRUE(Macd(x, {c.slow, c.fast, c.sig}, m2, s2, h2).ok());
      EXPECT_TRUE(MatchesReference(m2, m, 0));
    }
    for (int p : kPeriods) {
      Series u(x.size()), mid(x.size()), l(x.size());
      ASSERT_TRUE(Bbands(x, {p, 2.0, 1.0}, u, mid, l).ok());
      Three want = SlowBbands(x, p, 2.0, 1.0);
      EXPECT_TRUE(MatchesReference(u, want.a, 1e-10));
      EXPECT_TRUE(MatchesReference(mid, want.b, 1e-12));
      EXPECT_TRUE(MatchesReference(l, want.c, 1e-10));
      EXPECT_TRUE(MatchesReference(mid, Run1(Sma, x, p), 0)) << "the middle band is the SMA";
    }
  }
}

TEST(PlainVersionTest, VolumeKernelsMatchPlainVersions) {
  for (uint64_t seed : kSeeds) {
    testing::OhlcvSeries b = testing::RandomOhlcv(kBars, seed);
    for (size_t i = 0; i < b.size(); i += 7) b.close[i] = b.close[i > 0 ? i - 1 : 0];  // ties
    for (size_t i = 3; i < b.size(); i += 50) b.high[i] = b.low[i] = b.close[i] = b.open[i];
    Series obv(b.size()), ad(b.size());
    ASSERT_TRUE(Obv(b.close, b.volume, obv).ok());
    ASSERT_TRUE(Ad(b.high, b.low, b.close, b.volume, ad).ok());
    EXPECT_TRUE(MatchesReference(obv, SlowObv(b.close, b.volume), 0));
    EXPECT_TRUE(MatchesReference(ad, SlowAd(b), 1e-9, 1e-3));
  }
}

TEST(PlainVersionTest, MaxMinAcrossTileBoundariesAndMonotoneInput) {
  Series up(5000), down(5000);
  for (size_t i = 0; i < up.size(); ++i) {
    up[i] = static_cast<double>(i);
    down[i] = -static_cast<double>(i);
  }
  for (int p : {2, 7, 64, 100, 999, 4999, 5000, 6000}) {
    for (const Series* x : {&up, &down}) {
      EXPECT_TRUE(MatchesReference(Run1(Max, *x, p), SlowExtreme(*x, p, true), 0)) << p;
      EXPECT_TRUE(MatchesReference(Run1(Min, *x, p), SlowExtreme(*x, p, false), 0)) << p;
    }
  }
}

// ---- Through the registry, one seed per instance. ----

Series Column(const std::string& name, std::vector<double> params, const OhlcvSeries& bars,
              size_t output = 0) {
  const IndicatorInfo* info = FindIndicator(name);
  if (info == nullptr) {
    ADD_FAILURE() << "not registered: " << name;
    return {};
  }
  auto out = RunBatch(*info, params, InputsFor(*info, bars));
  if (!out.ok()) {
    ADD_FAILURE() << out.status().ToString();
    return {};
  }
  return (*out)[output];
}

double Mean(const Series& x, size_t from, size_t to) {  // [from, to]
  double sum = 0;
  for (size_t j = from; j <= to; ++j) sum += x[j];
  return sum / static_cast<double>(to - from + 1);
}
double WindowMax(const Series& x, size_t from, size_t to) {
  return *std::max_element(x.begin() + from, x.begin() + to + 1);
}
double WindowMin(const Series& x, size_t from, size_t to) {
  return *std::min_element(x.begin() + from, x.begin() + to + 1);
}

Series SlowRsi(const Series& x, size_t p) {
  Series out(x.size(), kNaN);
  if (x.size() <= p) return out;
  double gain = 0, loss = 0;
  for (size_t i = 1; i <= p; ++i) {
    gain += std::max(x[i] - x[i - 1], 0.0);
    loss += std::max(x[i - 1] - x[i], 0.0);
  }
  gain /= p;
  loss /= p;
  auto rsi = [](double g, double l) { return g + l < 1e-8 ? 0.0 : 100.0 * g / (g + l); };
  out[p] = rsi(gain, loss);
  for (size_t i = p + 1; i < x.size(); ++i) {
    gain = (gain * (p - 1) + std::max(x[i] - x[i - 1], 0.0)) / p;
    loss = (loss * (p - 1) + std::max(x[i - 1] - x[i], 0.0)) / p;
    out[i] = rsi(gain, loss);
  }
  return out;
}

Series SlowTrange(const OhlcvSeries& b) {
  Series out(b.size(), kNaN);
  for (size_t i = 1; i < b.size(); ++i) {
    out[i] = std::max({b.high[i] - b.low[i], std::fabs(b.high[i] - b.close[i - 1]),
                       std::fabs(b.low[i] - b.close[i - 1])});
  }
  return out;
}

Series SlowAtr(const OhlcvSeries& b, size_t p) {
  Series tr = SlowTrange(b);
  Series out(b.size(), kNaN);
  if (b.size() <= p) return out;
  out[p] = Mean(tr, 1, p);
  for (size_t i = p + 1; i < b.size(); ++i) out[i] = (out[i - 1] * (p - 1) + tr[i]) / p;
  return out;
}

struct SlowDmi {
  Series plus_di, minus_di, adx;
};
SlowDmi SlowDirectional(const OhlcvSeries& b, size_t p) {
  size_t n = b.size();
  Series plus(n, 0), minus(n, 0), tr = SlowTrange(b);
  for (size_t i = 1; i < n; ++i) {
    double up = b.high[i] - b.high[i - 1], down = b.low[i - 1] - b.low[i];
    if (up > 0 && up > down) plus[i] = up;
    if (down > 0 && down > up) minus[i] = down;
  }
  SlowDmi r{Series(n, kNaN), Series(n, kNaN), Series(n, kNaN)};
  double sp = 0, sm = 0, st = 0;
  for (size_t i = 1; i < p && i < n; ++i) {
    sp += plus[i];
    sm += minus[i];
    st += tr[i];
  }
  Series dx(n, kNaN);
  for (size_t i = p; i < n; ++i) {
    sp = sp - sp / p + plus[i];
    sm = sm - sm / p + minus[i];
    st = st - st / p + tr[i];
    r.plus_di[i] = st < 1e-8 ? 0 : 100 * sp / st;
    r.minus_di[i] = st < 1e-8 ? 0 : 100 * sm / st;
    double sum = r.plus_di[i] + r.minus_di[i];
    if (st >= 1e-8 && sum >= 1e-8) dx[i] = 100 * std::fabs(r.plus_di[i] - r.minus_di[i]) / sum;
  }
  if (n > 2 * p - 1) {
    double sum = 0;
    for (size_t i = p; i <= 2 * p - 1; ++i) sum += std::isnan(dx[i]) ? 0 : dx[i];
    r.adx[2 * p - 1] = sum / p;
    for (size_t i = 2 * p; i < n; ++i) {
      r.adx[i] = std::isnan(dx[i]) ? r.adx[i - 1] : (r.adx[i - 1] * (p - 1) + dx[i]) / p;
    }
  }
  return r;
}

Series SlowFastK(const Series& high, const Series& low, const Series& close, size_t k,
                 size_t first) {
  Series out(close.size(), kNaN);
  for (size_t i = first + k - 1; i < close.size(); ++i) {
    double hh = WindowMax(high, i + 1 - k, i), ll = WindowMin(low, i + 1 - k, i);
    out[i] = hh == ll ? 0 : 100 * (close[i] - ll) / (hh - ll);
  }
  return out;
}
Series SlowSmaOfFiniteRuns(const Series& x, size_t p) {  // NaN until p numbers in a row
  Series out(x.size(), kNaN);
  for (size_t i = p - 1; i < x.size(); ++i) {
    bool all = true;
    for (size_t j = i + 1 - p; j <= i; ++j) all = all && !std::isnan(x[j]);
    if (all) out[i] = Mean(x, i + 1 - p, i);
  }
  return out;
}

Series SlowWillr(const OhlcvSeries& b, size_t p) {
  Series out(b.size(), kNaN);
  for (size_t i = p - 1; i < b.size(); ++i) {
    double hh = WindowMax(b.high, i + 1 - p, i), ll = WindowMin(b.low, i + 1 - p, i);
    out[i] = hh == ll ? 0 : -100 * (hh - b.close[i]) / (hh - ll);
  }
  return out;
}

Series Typical(const OhlcvSeries& b) {
  Series tp(b.size());
  for (size_t i = 0; i < b.size(); ++i) tp[i] = (b.high[i] + b.low[i] + b.close[i]) / 3;
  return tp;
}

Series SlowCci(const OhlcvSeries& b, size_t p) {
  Series tp = Typical(b), out(b.size(), kNaN);
  for (size_t i = p - 1; i < b.size(); ++i) {
    double mean = Mean(tp, i + 1 - p, i), md = 0;
    for (size_t j = i + 1 - p; j <= i; ++j) md += std::fabs(tp[j] - mean) / p;
    out[i] = md == 0 ? 0 : (tp[i] - mean) / (0.015 * md);
  }
  return out;
}

Series SlowMfi(const OhlcvSeries& b, size_t p) {
  Series tp = Typical(b), out(b.size(), kNaN);
  for (size_t i = p; i < b.size(); ++i) {
    double pos = 0, neg = 0;
    for (size_t j = i + 1 - p; j <= i; ++j) {
      if (tp[j] > tp[j - 1]) pos += tp[j] * b.volume[j];
      if (tp[j] < tp[j - 1]) neg += tp[j] * b.volume[j];
    }
    out[i] = pos + neg < 1 ? 0 : 100 * pos / (pos + neg);
  }
  return out;
}

// Aroon down (0) / up (1): the most recent extreme of the last p + 1 bars.
Series SlowAroon(const OhlcvSeries& b, size_t p, bool up) {
  Series out(b.size(), kNaN);
  for (size_t i = p; i < b.size(); ++i) {
    size_t best = i - p;
    for (size_t j = i - p; j <= i; ++j) {
      if (up ? b.high[j] >= b.high[best] : b.low[j] <= b.low[best]) best = j;
    }
    out[i] = 100.0 * static_cast<double>(p - (i - best)) / static_cast<double>(p);
  }
  return out;
}

// Wilder's parabolic SAR written as "trend, extreme point, factor" per bar, with TA-Lib's start.
Series SlowSar(const OhlcvSeries& b, double step, double cap) {
  size_t n = b.size();
  Series out(n, kNaN);
  if (n < 2) return out;
  step = std::min(step, cap);
  double down_move = b.low[0] - b.low[1], up_move = b.high[1] - b.high[0];
  bool rising = !(down_move > 0 && down_move > up_move);
  double sar = rising ? b.low[0] : b.high[0];
  double ep = rising ? b.high[1] : b.low[1];
  double af = step;
  for (size_t i = 1; i < n; ++i) {
    size_t prev = i == 1 ? 1 : i - 1;
    double guard_low = std::min(b.low[prev], b.low[i]);
    double guard_high = std::max(b.high[prev], b.high[i]);
    if (rising && b.low[i] <= sar) {
      rising = false;
      sar = std::max(ep, guard_high);
      out[i] = sar;
      af = step;
      ep = b.low[i];
      sar = std::max(sar + af * (ep - sar), guard_high);
    } else if (!rising && b.high[i] >= sar) {
      rising = true;
      sar = std::min(ep, guard_low);
      out[i] = sar;
      af = step;
      ep = b.high[i];
      sar = std::min(sar + af * (ep - sar), guard_low);
    } else {
      out[i] = sar;
      if (rising ? b.high[i] > ep : b.low[i] < ep) {
        ep = rising ? b.high[i] : b.low[i];
        af = std::min(af + step, cap);
      }
      sar = sar + af * (ep - sar);
      sar = rising ? std::min(sar, guard_low) : std::max(sar, guard_high);
    }
  }
  return out;
}

double Body(const OhlcvSeries& b, size_t i) { return std::fabs(b.close[i] - b.open[i]); }
double Range(const OhlcvSeries& b, size_t i) { return b.high[i] - b.low[i]; }

Series SlowDoji(const OhlcvSeries& b) {
  Series out(b.size(), kNaN);
  for (size_t i = 10; i < b.size(); ++i) {
    double avg_range = 0;
    for (size_t j = i - 10; j < i; ++j) avg_range += Range(b, j) / 10;
    out[i] = Body(b, i) <= 0.1 * avg_range ? 100 : 0;
  }
  return out;
}

Series SlowHammer(const OhlcvSeries& b) {
  Series out(b.size(), kNaN);
  for (size_t i = 11; i < b.size(); ++i) {
    double avg_body = 0, avg_range = 0, near_range = 0;
    for (size_t j = i - 10; j < i; ++j) {
      avg_body += Body(b, j) / 10;
      avg_range += Range(b, j) / 10;
    }
    for (size_t j = i - 6; j < i - 1; ++j) near_range += Range(b, j) / 5;
    double top = std::max(b.open[i], b.close[i]), bottom = std::min(b.open[i], b.close[i]);
    bool hammer = Body(b, i) < avg_body && bottom - b.low[i] > Body(b, i) &&
                  b.high[i] - top < 0.1 * avg_range && bottom <= b.low[i - 1] + 0.2 * near_range;
    out[i] = hammer ? 100 : 0;
  }
  return out;
}

Series SlowEngulfing(const OhlcvSeries& b) {
  Series out(b.size(), kNaN);
  for (size_t i = 2; i < b.size(); ++i) {
    double o0 = b.open[i - 1], c0 = b.close[i - 1], o1 = b.open[i], c1 = b.close[i];
    bool white0 = c0 >= o0, white1 = c1 >= o1;
    // The current body covers the previous one, at most one end touching.
    double lo0 = std::min(o0, c0), hi0 = std::max(o0, c0), lo1 = std::min(o1, c1),
           hi1 = std::max(o1, c1);
    bool covers = lo1 <= lo0 && hi1 >= hi0 && !(lo1 == lo0 && hi1 == hi0);
    out[i] = 0;
    if (white0 != white1 && covers) {
      bool full = lo1 < lo0 && hi1 > hi0;
      out[i] = (white1 ? 1 : -1) * (full ? 100 : 80);
    }
  }
  return out;
}

// TradingView's ta.supertrend as documented, direction turned into +1 up / -1 down.
void SlowSupertrend(const OhlcvSeries& b, size_t p, double m, Series& st, Series& dir) {
  Series atr = SlowAtr(b, p);
  size_t n = b.size();
  st.assign(n, kNaN);
  dir.assign(n, kNaN);
  Series upper(n, kNaN), lower(n, kNaN);
  for (size_t i = p; i < n; ++i) {
    double hl2 = (b.high[i] + b.low[i]) / 2;
    upper[i] = hl2 + m * atr[i];
    lower[i] = hl2 - m * atr[i];
    if (i == p) {
      dir[i] = -1;
    } else {
      if (!(lower[i] > lower[i - 1] || b.close[i - 1] < lower[i - 1])) lower[i] = lower[i - 1];
      if (!(upper[i] < upper[i - 1] || b.close[i - 1] > upper[i - 1])) upper[i] = upper[i - 1];
      if (st[i - 1] == upper[i - 1]) {
        dir[i] = b.close[i] > upper[i] ? 1 : -1;
      } else {
        dir[i] = b.close[i] < lower[i] ? -1 : 1;
      }
    }
    st[i] = dir[i] == 1 ? lower[i] : upper[i];
  }
}

class PlainVersionBySeedTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  OhlcvSeries bars_ = RandomOhlcv(1500, GetParam());
};

TEST_P(PlainVersionBySeedTest, MomentumMatchesTheDefinitions) {
  for (size_t p : {2, 14, 30}) {
    SCOPED_TRACE(p);
    EXPECT_TRUE(
        MatchesReference(Column("rsi", {double(p)}, bars_), SlowRsi(bars_.close, p), 1e-9, 1e-9));
    EXPECT_TRUE(
        MatchesReference(Column("willr", {double(p)}, bars_), SlowWillr(bars_, p), 1e-9, 1e-9));
    EXPECT_TRUE(MatchesReference(Column("cci", {double(p)}, bars_), SlowCci(bars_, p), 1e-9, 1e-9));
    EXPECT_TRUE(MatchesReference(Column("mfi", {double(p)}, bars_), SlowMfi(bars_, p), 1e-9, 1e-9));
  }
  for (auto [fk, sk, sd] : {std::tuple{5, 3, 3}, {14, 3, 3}, {1, 1, 1}, {9, 1, 4}}) {
    SCOPED_TRACE(fk);
    Series fast = SlowFastK(bars_.high, bars_.low, bars_.close, fk, 0);
    Series slowk = SlowSmaOfFiniteRuns(fast, sk), slowd = SlowSmaOfFiniteRuns(slowk, sd);
    for (size_t i = 0; i < slowk.size(); ++i) {
      if (std::isnan(slowd[i])) slowk[i] = kNaN;  // both outputs start at the lookback
    }
    std::vector<double> params{double(fk), double(sk), double(sd)};
    EXPECT_TRUE(MatchesReference(Column("stoch", params, bars_, 0), slowk, 1e-9, 1e-9));
    EXPECT_TRUE(MatchesReference(Column("stoch", params, bars_, 1), slowd, 1e-9, 1e-9));
  }
  for (auto [p, fk, fd] : {std::tuple{14, 5, 3}, {14, 14, 3}, {3, 1, 2}}) {
    SCOPED_TRACE(p);
    Series rsi = SlowRsi(bars_.close, p);
    Series fastk = SlowFastK(rsi, rsi, rsi, fk, p), fastd = SlowSmaOfFiniteRuns(fastk, fd);
    for (size_t i = 0; i < fastk.size(); ++i) {
      if (std::isnan(fastd[i])) fastk[i] = kNaN;
    }
    std::vector<double> params{double(p), double(fk), double(fd)};
    EXPECT_TRUE(MatchesReference(Column("stochrsi", params, bars_, 0), fastk, 1e-6, 1e-7));
    EXPECT_TRUE(MatchesReference(Column("stochrsi", params, bars_, 1), fastd, 1e-6, 1e-7));
  }
}

TEST_P(PlainVersionBySeedTest, VolatilityAndTrendMatchTheDefinitions) {
  EXPECT_TRUE(MatchesReference(Column("trange", {}, bars_), SlowTrange(bars_), 0));
  for (size_t p : {1, 2, 14, 30}) {
    SCOPED_TRACE(p);
    Series atr = SlowAtr(bars_, p);
    EXPECT_TRUE(MatchesReference(Column("atr", {double(p)}, bars_), atr, 1e-9));
    Series natr = atr;
    for (size_t i = 0; i < natr.size(); ++i) natr[i] = 100 * atr[i] / bars_.close[i];
    EXPECT_TRUE(MatchesReference(Column("natr", {double(p)}, bars_), natr, 1e-9));
    SlowDmi dmi = SlowDirectional(bars_, p);
    EXPECT_TRUE(MatchesReference(Column("plus_di", {double(p)}, bars_), dmi.plus_di, 1e-9, 1e-9));
    EXPECT_TRUE(MatchesReference(Column("minus_di", {double(p)}, bars_), dmi.minus_di, 1e-9, 1e-9));
    if (p >= 2) {
      EXPECT_TRUE(MatchesReference(Column("adx", {double(p)}, bars_), dmi.adx, 1e-9, 1e-9));
    }
    if (p >= 2) {
      // On a 0.05 tick too, where equal highs and lows are common: ties go to the latest bar.
      OhlcvSeries ticks = bars_;
      for (auto* column : {&ticks.high, &ticks.low}) {
        for (double& v : *column) v = std::round(v * 20) / 20;
      }
      for (const OhlcvSeries* b : {&bars_, &ticks}) {
        EXPECT_TRUE(
            MatchesReference(Column("aroon", {double(p)}, *b, 0), SlowAroon(*b, p, false), 1e-12));
        EXPECT_TRUE(
            MatchesReference(Column("aroon", {double(p)}, *b, 1), SlowAroon(*b, p, true), 1e-12));
      }
    }
  }
  for (auto [step, cap] : {std::pair{0.02, 0.2}, {0.05, 0.5}, {0.3, 0.1}, {0.0, 0.0}}) {
    SCOPED_TRACE(step);
    EXPECT_TRUE(
        MatchesReference(Column("sar", {step, cap}, bars_), SlowSar(bars_, step, cap), 1e-12));
  }
  for (auto [p, m] : {std::pair{10, 3.0}, {3, 1.0}, {1, 0.5}}) {
    SCOPED_TRACE(p);
    Series st, dir;
    SlowSupertrend(bars_, p, m, st, dir);
    EXPECT_TRUE(MatchesReference(Column("supertrend", {double(p), m}, bars_, 0), st, 1e-9));
    EXPECT_TRUE(MatchesReference(Column("supertrend", {double(p), m}, bars_, 1), dir, 0));
  }
}

TEST_P(PlainVersionBySeedTest, BarPatternsMatchTheDefinitions) {
  // Random bars with some doji-like and hammer-like bars mixed in.
  OhlcvSeries b = bars_;
  for (size_t i = 0; i < b.size(); i += 7) b.close[i] = b.open[i] + (b.high[i] - b.low[i]) * 0.01;
  for (size_t i = 3; i < b.size(); i += 11) {
    double top = std::max(b.open[i], b.close[i]);
    b.high[i] = top;
    b.low[i] = top - 5 * std::fabs(b.close[i] - b.open[i]) - 0.5;
  }
  EXPECT_TRUE(MatchesReference(Column("cdldoji", {}, b), SlowDoji(b), 0));
  EXPECT_TRUE(MatchesReference(Column("cdlhammer", {}, b), SlowHammer(b), 0));
  EXPECT_TRUE(MatchesReference(Column("cdlengulfing", {}, b), SlowEngulfing(b), 0));
  // Prices on a 0.05 tick, so that bodies often share an end (the +-80 cases).
  for (auto* column : {&b.open, &b.high, &b.low, &b.close}) {
    for (double& v : *column) v = std::round(v * 20) / 20;
  }
  Series engulfing = Column("cdlengulfing", {}, b);
  EXPECT_TRUE(MatchesReference(engulfing, SlowEngulfing(b), 0));
  EXPECT_GT(std::count(engulfing.begin(), engulfing.end(), 100.0), 0);
  EXPECT_GT(std::count(engulfing.begin(), engulfing.end(), -100.0), 0);
  Series doji = Column("cdldoji", {}, b), hammer = Column("cdlhammer", {}, b);
  EXPECT_GT(std::count(doji.begin(), doji.end(), 100.0), 0);
  EXPECT_GT(std::count(hammer.begin(), hammer.end(), 100.0), 0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PlainVersionBySeedTest, ::testing::Values(11, 12, 13));

}  // namespace
}  // namespace kairos::indicators
