// Group A kernels against plain, obviously-correct O(n * period) versions on random data; the
// registry stream against the batch kernel (random chunk sizes, with and without NaN); the NaN and
// flat-series rules of README.md; and parameter validation.

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
#include "indicators/trima.h"
#include "indicators/wma.h"

namespace kairos::indicators {
namespace {

using testing::MatchesReference;
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

TEST(GroupASlowTest, SingleOutputKernelsMatchPlainVersions) {
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

TEST(GroupASlowTest, MultiOutputKernelsMatchPlainVersions) {
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

TEST(GroupASlowTest, VolumeKernelsMatchPlainVersions) {
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

TEST(GroupASlowTest, MaxMinAcrossTileBoundariesAndMonotoneInput) {
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

// ---- Registry: streams, NaN rule, flat series, parameters. ----

struct Entry {
  std::string name;
  std::vector<std::vector<double>> params;
};

std::vector<Entry> Entries() {
  return {{"sma", {{2}, {5}, {20}}},
          {"ema", {{2}, {10}, {30}}},
          {"wma", {{2}, {10}}},
          {"dema", {{2}, {20}}},
          {"tema", {{2}, {20}}},
          {"trima", {{2}, {3}, {20}, {21}}},
          {"kama", {{2}, {10}, {30}}},
          {"macd", {{12, 26, 9}, {26, 12, 9}, {2, 3, 1}}},
          {"bbands", {{20, 2, 2}, {5, 1, 3}}},
          {"stddev", {{2, 1}, {20, 2}}},
          {"max", {{2}, {20}, {100}}},
          {"min", {{2}, {20}, {100}}},
          {"roc", {{1}, {10}}},
          {"mom", {{1}, {10}}},
          {"linearreg", {{2}, {14}}},
          {"obv", {{}}},
          {"ad", {{}}}};
}

TEST(GroupARegistryTest, StreamsMatchBatchInRandomChunks) {
  for (const Entry& e : Entries()) {
    const IndicatorInfo* info = FindIndicator(e.name);
    ASSERT_NE(info, nullptr) << e.name;
    for (const auto& params : e.params) {
      for (uint64_t seed : kSeeds) {
        SCOPED_TRACE(e.name + " seed " + std::to_string(seed));
        testing::OhlcvSeries bars = testing::RandomOhlcv(kBars, seed);
        EXPECT_TRUE(
            testing::StreamMatchesBatch(*info, params, testing::InputsFor(*info, bars), seed, 0));
        // With gaps: NaN in any input, alone and in runs.
        for (auto* col : {&bars.close, &bars.high, &bars.low, &bars.volume}) {
          testing::InjectNaNs(*col, 0.01, seed);
        }
        for (size_t i = 500; i < 530; ++i) bars.close[i] = kNaN;
        EXPECT_TRUE(testing::StreamMatchesBatch(*info, params, testing::InputsFor(*info, bars),
                                                seed + 100, 0));
      }
    }
  }
}

// README.md: a bar with a NaN input restarts the indicator, i.e. the output on each finite run
// equals the indicator computed on that run alone, and is NaN at the NaN bars.
TEST(GroupARegistryTest, NaNRestartsTheIndicator) {
  for (const Entry& e : Entries()) {
    const IndicatorInfo* info = FindIndicator(e.name);
    ASSERT_NE(info, nullptr);
    const auto& params = e.params.back();
    testing::OhlcvSeries bars = testing::RandomOhlcv(600, 9);
    const size_t gaps[] = {0, 150, 151, 400};
    for (size_t g : gaps) bars.close[g] = kNaN;
    bars.volume[300] = std::numeric_limits<double>::infinity();
    auto inputs = testing::InputsFor(*info, bars);
    auto all = testing::RunBatch(*info, params, inputs);
    ASSERT_TRUE(all.ok());
    size_t begin = 0;
    std::vector<size_t> cuts = {0, 150, 151, 400, 600};
    bool reads_volume =
        std::find(info->inputs.begin(), info->inputs.end(), Input::kVolume) != info->inputs.end();
    if (reads_volume) cuts = {0, 150, 151, 300, 400, 600};
    for (size_t cut : cuts) {
      if (cut > begin) {
        std::vector<std::span<const double>> part;
        for (auto in : inputs) part.push_back(in.subspan(begin, cut - begin));
        auto alone = testing::RunBatch(*info, params, part);
        ASSERT_TRUE(alone.ok());
        for (size_t j = 0; j < info->outputs.size(); ++j) {
          std::span<const double> got((*all)[j].data() + begin, cut - begin);
          EXPECT_TRUE(MatchesReference(got, (*alone)[j], 0)) << e.name << " run at " << begin;
        }
      }
      if (cut < 600) {
        for (size_t j = 0; j < info->outputs.size(); ++j) {
          EXPECT_TRUE(std::isnan((*all)[j][cut])) << e.name << " at NaN bar " << cut;
        }
      }
      begin = cut + 1;
    }
  }
}

TEST(GroupARegistryTest, FlatSeries) {
  for (double level : {0.0, 0.1, 3.0, 1234.5678}) {
    // Noise first, then flat: rolling sums must not leave a non-zero spread behind.
    testing::OhlcvSeries bars = testing::RandomOhlcv(700, 4);
    for (size_t i = 300; i < 700; ++i) {
      bars.open[i] = bars.high[i] = bars.low[i] = bars.close[i] = level;
    }
    for (const Entry& e : Entries()) {
      const IndicatorInfo* info = FindIndicator(e.name);
      for (const auto& params : e.params) {
        auto out = testing::RunBatch(*info, params, testing::InputsFor(*info, bars));
        ASSERT_TRUE(out.ok());
        SCOPED_TRACE(e.name + " level " + std::to_string(level));
        // Far enough into the flat part for every warm-up and the EMA tails to settle.
        for (size_t i = 690; i < 700; ++i) {
          for (size_t j = 0; j < info->outputs.size(); ++j) {
            double v = (*out)[j][i];
            std::string_view o = info->outputs[j];
            if (e.name == "obv" || e.name == "ad") {
              EXPECT_EQ(v, (*out)[j][i - 1]) << "no change on flat bars";
            } else if (e.name == "roc" && level == 0.0) {
              EXPECT_TRUE(std::isnan(v)) << "ROC of a zero base is NaN";
            } else if (e.name == "stddev" || e.name == "mom" || e.name == "roc" || o == "macd" ||
                       o == "signal" || o == "hist") {
              EXPECT_NEAR(v, 0.0, 1e-9 * (1 + level)) << o;
              if (e.name != "macd") {
                EXPECT_EQ(v, 0.0) << o;
              }
            } else if (e.name == "max" || e.name == "min") {
              EXPECT_EQ(v, level);
            } else {
              EXPECT_NEAR(v, level, 1e-9 * (1 + level)) << o;
            }
          }
        }
        if (e.name == "bbands") {
          EXPECT_EQ((*out)[0][699], (*out)[2][699]) << "bands collapse";
        }
      }
    }
  }
}

TEST(GroupARegistryTest, InvalidParamsAreStatusErrors) {
  for (const Entry& e : Entries()) {
    const IndicatorInfo* info = FindIndicator(e.name);
    ASSERT_NE(info, nullptr);
    std::vector<double> defaults;
    for (const ParamSpec& p : info->params) defaults.push_back(p.default_value);
    EXPECT_TRUE(ValidateParams(*info, defaults).ok()) << e.name;
    for (size_t k = 0; k < defaults.size(); ++k) {
      for (double bad : {0.0, -1.0, 2.5, kNaN, 1e9}) {
        if (!info->params[k].integer && (bad == 0.0 || bad == 2.5)) continue;  // multipliers
        std::vector<double> p = defaults;
        p[k] = bad;
        auto out = testing::RunBatch(
            *info, p,
            std::vector<std::span<const double>>(info->inputs.size(), std::span<const double>()));
        EXPECT_FALSE(out.ok()) << e.name << " " << info->params[k].name << " = " << bad;
      }
    }
    // Too few parameters, mismatched lengths.
    if (!defaults.empty()) {
      EXPECT_FALSE(ValidateParams(*info, {}).ok());
    }
    Series a(10, 1.0), b(9, 1.0), out(10);
    std::vector<std::span<const double>> in(info->inputs.size(), a);
    if (in.size() > 1) {
      in[1] = b;
      std::span<double> outs[] = {out, out, out};
      EXPECT_FALSE(info->batch(in, defaults, std::span(outs, info->outputs.size())).ok());
    }
  }
}

TEST(GroupARegistryTest, ShortAndEmptyInputs) {
  for (const Entry& e : Entries()) {
    const IndicatorInfo* info = FindIndicator(e.name);
    ASSERT_NE(info, nullptr);
    for (const auto& params : e.params) {
      int lookback = info->lookback(params);
      for (size_t n : {size_t{0}, size_t{1}, static_cast<size_t>(lookback),
                       static_cast<size_t>(lookback) + 1}) {
        testing::OhlcvSeries bars = testing::RandomOhlcv(n, 8);
        auto out = testing::RunBatch(*info, params, testing::InputsFor(*info, bars));
        ASSERT_TRUE(out.ok()) << e.name;
        for (const auto& column : *out) {
          ASSERT_EQ(column.size(), n);
          for (size_t i = 0; i < n; ++i) {
            EXPECT_EQ(std::isnan(column[i]), static_cast<int>(i) < lookback) << e.name << " " << i;
          }
        }
      }
    }
  }
}

TEST(GroupARegistryTest, EntriesDescribeThemselves) {
  for (const Entry& e : Entries()) {
    const IndicatorInfo* info = FindIndicator(e.name);
    ASSERT_NE(info, nullptr);
    EXPECT_FALSE(info->description.empty());
    if (info->outputs.size() == 1) {
      EXPECT_EQ(info->outputs[0], info->name);
    }
  }
  EXPECT_EQ(FindIndicator("macd")->outputs,
            (std::vector<std::string_view>{"macd", "signal", "hist"}));
  EXPECT_EQ(FindIndicator("bbands")->outputs,
            (std::vector<std::string_view>{"upper", "middle", "lower"}));
  EXPECT_EQ(FindIndicator("MACD"), FindIndicator("macd"));
}

TEST(GroupAStreamTest, TypedStreamsWarmUpAtLookback) {
  Series x = testing::RandomWalk(100, 5);
  SmaStream sma = SmaStream::Create(20).value();
  EmaStream ema = EmaStream::Create(20).value();
  MacdStream macd = MacdStream::Create({12, 26, 9}).value();
  for (size_t i = 0; i < x.size(); ++i) {
    sma.Update(x[i]);
    ema.Update(x[i]);
    macd.Update(x[i]);
    EXPECT_EQ(sma.ready(), i >= 19);
    EXPECT_EQ(ema.ready(), i >= 19);
    EXPECT_EQ(macd.ready(), i >= 33);
    EXPECT_EQ(std::isnan(sma.value()), i < 19);
    EXPECT_EQ(std::isnan(macd.hist()), i < 33);
  }
}

}  // namespace
}  // namespace kairos::indicators
