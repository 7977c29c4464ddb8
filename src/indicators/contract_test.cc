// What every registered indicator promises, checked through the registry and the typed API:
// streams equal the batch kernels bar by bar (fed in random chunk sizes), the warm-up equals
// Lookback(params), invalid parameters and shapes are Status errors (never a crash), the NaN rule
// and the flat-series rules (README.md).

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "indicators/ad.h"
#include "indicators/aroon.h"
#include "indicators/bbands.h"
#include "indicators/cci.h"
#include "indicators/ema.h"
#include "indicators/indicator.h"
#include "indicators/macd.h"
#include "indicators/max.h"
#include "indicators/mom.h"
#include "indicators/obv.h"
#include "indicators/rsi.h"
#include "indicators/sar.h"
#include "indicators/sma.h"
#include "indicators/stddev.h"
#include "indicators/stoch.h"
#include "indicators/testing/compare.h"
#include "indicators/testing/random_data.h"
#include "indicators/testing/reference_data.h"

namespace kairos::indicators {
namespace {

using testing::InputsFor;
using testing::MatchesReference;
using testing::OhlcvSeries;
using testing::RandomOhlcv;
using testing::RunBatch;
using testing::StreamMatchesBatch;
using Series = std::vector<double>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kBars = 1200;
const uint64_t kSeeds[] = {1, 2, 3};

struct Case {
  std::string name;
  std::vector<double> params;
};

// Every indicator with TA-Lib's defaults and with other valid parameters.
std::vector<Case> Cases() {
  return {
      {"sma", {2}},
      {"sma", {5}},
      {"sma", {20}},
      {"ema", {2}},
      {"ema", {10}},
      {"ema", {30}},
      {"wma", {2}},
      {"wma", {10}},
      {"dema", {2}},
      {"dema", {20}},
      {"tema", {2}},
      {"tema", {20}},
      {"trima", {2}},
      {"trima", {3}},
      {"trima", {20}},
      {"trima", {21}},
      {"kama", {2}},
      {"kama", {10}},
      {"kama", {30}},
      {"macd", {12, 26, 9}},
      {"macd", {26, 12, 9}},
      {"macd", {2, 3, 1}},
      {"bbands", {20, 2, 2}},
      {"bbands", {5, 1, 3}},
      {"stddev", {2, 1}},
      {"stddev", {20, 2}},
      {"max", {2}},
      {"max", {20}},
      {"max", {100}},
      {"min", {2}},
      {"min", {20}},
      {"min", {100}},
      {"roc", {1}},
      {"roc", {10}},
      {"mom", {1}},
      {"mom", {10}},
      {"linearreg", {2}},
      {"linearreg", {14}},
      {"obv", {}},
      {"ad", {}},
      {"rsi", {14}},
      {"rsi", {2}},
      {"rsi", {50}},
      {"trange", {}},
      {"atr", {14}},
      {"atr", {1}},
      {"atr", {30}},
      {"natr", {14}},
      {"natr", {3}},
      {"plus_di", {14}},
      {"plus_di", {1}},
      {"minus_di", {14}},
      {"minus_di", {5}},
      {"adx", {14}},
      {"adx", {2}},
      {"stoch", {5, 3, 3}},
      {"stoch", {14, 3, 3}},
      {"stoch", {1, 1, 1}},
      {"stoch", {20, 1, 7}},
      {"stochrsi", {14, 5, 3}},
      {"stochrsi", {14, 14, 3}},
      {"stochrsi", {2, 1, 1}},
      {"cci", {14}},
      {"cci", {2}},
      {"mfi", {14}},
      {"mfi", {3}},
      {"willr", {14}},
      {"willr", {2}},
      {"sar", {0.02, 0.2}},
      {"sar", {0.1, 0.05}},
      {"sar", {0, 0}},
      {"aroon", {14}},
      {"aroon", {2}},
      {"cdlengulfing", {}},
      {"cdldoji", {}},
      {"cdlhammer", {}},
      {"supertrend", {10, 3}},
      {"supertrend", {1, 0}},
      {"supertrend", {7, 1.5}},
  };
}

// Random bars whose prices are rounded to a 0.05 tick, so that ties (equal highs, open == close,
// an open equal to the previous close) occur often, as in real data.
OhlcvSeries TickBars(size_t n, uint64_t seed) {
  OhlcvSeries bars = RandomOhlcv(n, seed);
  for (auto* column : {&bars.open, &bars.high, &bars.low, &bars.close}) {
    for (double& v : *column) v = std::round(v * 20.0) / 20.0;
  }
  return bars;
}

const IndicatorInfo& Info(const std::string& name) {
  const IndicatorInfo* info = FindIndicator(name);
  if (info == nullptr) ADD_FAILURE() << "not registered: " << name;
  static const IndicatorInfo empty{};
  return info != nullptr ? *info : empty;
}

std::string Label(const Case& c) {
  std::string s = c.name + "(";
  for (double p : c.params) s += std::to_string(p) + ",";
  return s + ")";
}

// The indicators whose flat value is the level itself or exactly 0 (README.md).
bool FollowsTheLevel(const std::string& name) {
  for (const char* n : {"sma", "ema", "wma", "dema", "tema", "trima", "kama", "macd", "bbands",
                        "stddev", "max", "min", "roc", "mom", "linearreg", "obv", "ad"}) {
    if (name == n) return true;
  }
  return false;
}

TEST(ContractTest, StreamEqualsBatchInRandomChunks) {
  for (uint64_t seed : {1, 2}) {
    OhlcvSeries smooth = RandomOhlcv(700, seed);
    OhlcvSeries ticks = TickBars(700, seed + 10);
    for (const Case& c : Cases()) {
      const IndicatorInfo& info = Info(c.name);
      if (info.batch == nullptr) continue;
      SCOPED_TRACE(Label(c));
      EXPECT_TRUE(StreamMatchesBatch(info, c.params, InputsFor(info, smooth), seed, 0));
      EXPECT_TRUE(StreamMatchesBatch(info, c.params, InputsFor(info, ticks), seed, 0));
    }
  }
}

TEST(ContractTest, FirstValueIsAtLookback) {
  OhlcvSeries bars = RandomOhlcv(300, 3);
  for (const Case& c : Cases()) {
    const IndicatorInfo& info = Info(c.name);
    if (info.batch == nullptr) continue;
    SCOPED_TRACE(Label(c));
    auto out = RunBatch(info, c.params, InputsFor(info, bars));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    size_t lookback = static_cast<size_t>(info.lookback(c.params));
    for (const std::vector<double>& column : *out) {
      for (size_t i = 0; i < column.size(); ++i) {
        ASSERT_EQ(std::isnan(column[i]), i < lookback) << "bar " << i;
      }
    }
  }
}

TEST(ContractTest, ShortInputsGiveOnlyNaN) {
  OhlcvSeries bars = RandomOhlcv(3, 4);
  for (const Case& c : Cases()) {
    const IndicatorInfo& info = Info(c.name);
    if (info.batch == nullptr) continue;
    SCOPED_TRACE(Label(c));
    for (size_t n : {0, 1, 2}) {
      std::vector<std::span<const double>> inputs = InputsFor(info, bars);
      for (auto& in : inputs) in = in.first(n);
      auto out = RunBatch(info, c.params, inputs);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      size_t lookback = static_cast<size_t>(info.lookback(c.params));
      for (const auto& column : *out) {
        for (size_t i = 0; i < n; ++i) EXPECT_EQ(std::isnan(column[i]), i < lookback);
      }
    }
  }
}

TEST(ContractTest, InvalidParamsAreStatusErrors) {
  struct Bad {
    std::string name;
    std::vector<double> params;
  };
  const std::vector<Bad> bad = {
      {"rsi", {0}},
      {"rsi", {1}},
      {"rsi", {-3}},
      {"rsi", {2.5}},
      {"rsi", {kNaN}},
      {"rsi", {}},
      {"rsi", {14, 1}},
      {"trange", {1}},
      {"atr", {0}},
      {"natr", {0}},
      {"plus_di", {0}},
      {"minus_di", {0}},
      {"adx", {1}},
      {"adx", {0}},
      {"stoch", {0, 3, 3}},
      {"stoch", {5, 0, 3}},
      {"stoch", {5, 3, 0}},
      {"stoch", {5, 3}},
      {"stochrsi", {1, 5, 3}},
      {"stochrsi", {14, 0, 3}},
      {"stochrsi", {14, 5, 0}},
      {"cci", {1}},
      {"mfi", {0}},
      {"willr", {1}},
      {"sar", {-0.02, 0.2}},
      {"sar", {0.02, -1}},
      {"sar", {kNaN, 0.2}},
      {"sar", {2, 0.2}},
      {"sar", {0.02, std::numeric_limits<double>::infinity()}},
      {"aroon", {1}},
      {"cdldoji", {10}},
      {"supertrend", {0, 3}},
      {"supertrend", {10, -1}},
      {"supertrend", {10, kNaN}},
  };
  OhlcvSeries bars = RandomOhlcv(50, 5);
  for (const Bad& b : bad) {
    const IndicatorInfo& info = Info(b.name);
    if (info.batch == nullptr) continue;
    SCOPED_TRACE(Label({b.name, b.params}));
    EXPECT_FALSE(ValidateParams(info, b.params).ok());
    EXPECT_FALSE(RunBatch(info, b.params, InputsFor(info, bars)).ok());
    // The batch kernel itself refuses them too (callers may skip ValidateParams).
    std::vector<std::span<const double>> inputs = InputsFor(info, bars);
    std::vector<std::vector<double>> outputs(info.outputs.size(), std::vector<double>(50));
    std::vector<std::span<double>> spans(outputs.begin(), outputs.end());
    EXPECT_FALSE(info.batch(inputs, b.params, spans).ok());
    if (b.params.size() == info.params.size()) {
      EXPECT_EQ(info.stream(b.params), nullptr);
      EXPECT_LT(info.lookback(b.params), 0);
    }
  }
}

TEST(ContractTest, MismatchedShapesAreStatusErrors) {
  OhlcvSeries bars = RandomOhlcv(50, 6);
  for (const Case& c : Cases()) {
    const IndicatorInfo& info = Info(c.name);
    if (info.batch == nullptr) continue;
    SCOPED_TRACE(Label(c));
    std::vector<std::span<const double>> inputs = InputsFor(info, bars);
    std::vector<std::vector<double>> outputs(info.outputs.size(), std::vector<double>(50));
    std::vector<std::span<double>> spans(outputs.begin(), outputs.end());
    ASSERT_TRUE(info.batch(inputs, c.params, spans).ok());
    auto short_input = inputs;
    short_input.back() = short_input.back().first(49);
    EXPECT_FALSE(info.batch(short_input, c.params, spans).ok());
    auto short_output = spans;
    short_output.back() = short_output.back().first(49);
    EXPECT_FALSE(info.batch(inputs, c.params, short_output).ok());
    EXPECT_FALSE(info.batch(std::span(inputs).first(inputs.size() - 1), c.params, spans).ok());
    EXPECT_FALSE(info.batch(inputs, c.params, std::span(spans).first(spans.size() - 1)).ok());
  }
}

// The NaN rule (README.md, "NaN and non-finite inputs"): a bar with a NaN or infinite value in any
// input restarts the indicator, i.e. the output is NaN at that bar and, on each finite run, equals
// the indicator computed on that run alone (so NaN for Lookback bars after a gap, then values that
// use no bar from before it).
TEST(ContractTest, NonFiniteInputRestartsTheIndicator) {
  const size_t n = 400;
  OhlcvSeries bars = RandomOhlcv(n, 7);
  for (const Case& c : Cases()) {
    const IndicatorInfo& info = Info(c.name);
    if (info.batch == nullptr) continue;
    SCOPED_TRACE(Label(c));
    for (size_t input = 0; input < info.inputs.size(); ++input) {
      for (double bad : {kNaN, std::numeric_limits<double>::infinity(),
                         -std::numeric_limits<double>::infinity()}) {
        // Gaps: at the first bar, two in a row, one shorter than any warm-up after the previous
        // one, and the last bar.
        const std::vector<size_t> gaps = {0, 120, 121, 130, 260, n - 1};
        std::vector<std::span<const double>> inputs = InputsFor(info, bars);
        std::vector<double> copy(inputs[input].begin(), inputs[input].end());
        for (size_t g : gaps) copy[g] = bad;
        inputs[input] = copy;
        auto all = RunBatch(info, c.params, inputs);
        ASSERT_TRUE(all.ok());
        size_t begin = 0;
        std::vector<size_t> cuts = gaps;
        cuts.push_back(n);
        for (size_t cut : cuts) {
          if (cut > begin) {
            std::vector<std::span<const double>> part;
            for (auto in : inputs) part.push_back(in.subspan(begin, cut - begin));
            auto alone = RunBatch(info, c.params, part);
            ASSERT_TRUE(alone.ok());
            for (size_t j = 0; j < info.outputs.size(); ++j) {
              std::span<const double> got((*all)[j].data() + begin, cut - begin);
              ASSERT_TRUE(testing::MatchesReference(got, (*alone)[j], 0))
                  << info.outputs[j] << " on the run at " << begin;
            }
          }
          if (cut < n) {
            for (size_t j = 0; j < info.outputs.size(); ++j) {
              ASSERT_TRUE(std::isnan((*all)[j][cut])) << info.outputs[j] << " at bad bar " << cut;
            }
          }
          begin = cut + 1;
        }
        // Values come back after a gap: Lookback bars after the restart at 261.
        size_t lookback = static_cast<size_t>(info.lookback(c.params));
        if (261 + lookback < n - 1) {
          for (size_t j = 0; j < info.outputs.size(); ++j) {
            EXPECT_FALSE(std::isnan((*all)[j][261 + lookback])) << info.outputs[j];
            if (lookback > 0) {
              EXPECT_TRUE(std::isnan((*all)[j][261 + lookback - 1]));
            }
          }
        }
        // And streams fed the same bars agree bar by bar (ready() counts every bar fed).
        EXPECT_TRUE(StreamMatchesBatch(info, c.params, inputs, 9, 0));
      }
    }
  }
}

// Streams vs batch with NaN gaps everywhere: scattered NaNs in every input, and a long run.
TEST(ContractTest, StreamEqualsBatchWithNaNGaps) {
  for (uint64_t seed : {1, 2}) {
    for (const Case& c : Cases()) {
      const IndicatorInfo& info = Info(c.name);
      if (info.batch == nullptr) continue;
      SCOPED_TRACE(Label(c) + " seed " + std::to_string(seed));
      for (bool ticks : {false, true}) {
        OhlcvSeries bars = ticks ? TickBars(700, seed + 10) : RandomOhlcv(700, seed);
        for (auto* column : {&bars.open, &bars.high, &bars.low, &bars.close, &bars.volume}) {
          testing::InjectNaNs(*column, 0.01, seed);
        }
        for (size_t i = 500; i < 530; ++i) bars.close[i] = kNaN;
        EXPECT_TRUE(StreamMatchesBatch(info, c.params, InputsFor(info, bars), seed + 100, 0));
      }
    }
  }
}

// A typed stream that sees a NaN restarts: NaN at once, then the numbers of a new stream fed the
// bars after the gap; ready() keeps counting the whole stream's bars .
TEST(ContractTest, TypedStreamRestartsAfterNaN) {
  OhlcvSeries bars = RandomOhlcv(80, 12);
  RsiStream whole = RsiStream::Create(14).value();
  StochStream stoch = StochStream::Create(5, 3, 3).value();
  for (size_t i = 0; i < 30; ++i) {
    whole.Update(bars.close[i]);
    stoch.Update(bars.high[i], bars.low[i], bars.close[i]);
  }
  ASSERT_TRUE(whole.ready());
  ASSERT_FALSE(std::isnan(whole.value()));
  whole.Update(kNaN);
  stoch.Update(bars.high[30], kNaN, bars.close[30]);
  EXPECT_TRUE(std::isnan(whole.value()));
  EXPECT_TRUE(std::isnan(stoch.value(0)));
  EXPECT_TRUE(std::isnan(stoch.value(1)));
  EXPECT_TRUE(whole.ready());
  RsiStream fresh = RsiStream::Create(14).value();
  StochStream fresh_stoch = StochStream::Create(5, 3, 3).value();
  for (size_t i = 31; i < 80; ++i) {
    whole.Update(bars.close[i]);
    fresh.Update(bars.close[i]);
    stoch.Update(bars.high[i], bars.low[i], bars.close[i]);
    fresh_stoch.Update(bars.high[i], bars.low[i], bars.close[i]);
    if (std::isnan(fresh.value())) {
      EXPECT_TRUE(std::isnan(whole.value())) << i;
    } else {
      EXPECT_EQ(whole.value(), fresh.value()) << i;
    }
    EXPECT_EQ(std::isnan(whole.value()), i < 31 + 14) << i;
    EXPECT_EQ(std::isnan(stoch.value(1)), i < 31 + 8) << i;
    if (!std::isnan(fresh_stoch.value(1))) {
      EXPECT_EQ(stoch.value(0), fresh_stoch.value(0)) << i;
      EXPECT_EQ(stoch.value(1), fresh_stoch.value(1)) << i;
    }
  }
}

// Flat series: every bar identical (open = high = low = close = 50, constant volume).
TEST(ContractTest, FlatSeriesFollowTheDocumentedRules) {
  const size_t n = 80;
  OhlcvSeries bars;
  bars.open = bars.high = bars.low = bars.close = std::vector<double>(n, 50.0);
  bars.volume = std::vector<double>(n, 1000.0);
  struct Expect {
    Case c;
    std::vector<double> values;  // per output, after the warm-up
  };
  const std::vector<Expect> expected = {
      {{"rsi", {14}}, {0}},  // TA-Lib: no movement -> 0
      {{"trange", {}}, {0}},
      {{"atr", {14}}, {0}},
      {{"natr", {14}}, {0}},
      {{"plus_di", {14}}, {0}},  // zero true range -> 0
      {{"minus_di", {14}}, {0}},
      {{"adx", {14}}, {0}},                // DX undefined -> adds 0, then carried
      {{"stoch", {5, 3, 3}}, {0, 0}},      // HH == LL -> fastk 0
      {{"stochrsi", {14, 5, 3}}, {0, 0}},  // constant RSI -> fastk 0
      {{"cci", {14}}, {0}},                // zero mean deviation -> 0
      {{"mfi", {14}}, {0}},                // no positive or negative flow -> 0
      {{"willr", {14}}, {0}},              // HH == LL -> 0
      {{"aroon", {14}}, {100, 100}},       // ties go to the latest bar
      {{"sar", {0.02, 0.2}}, {50}},
      {{"cdlengulfing", {}}, {0}},
      {{"cdldoji", {}}, {100}},  // body 0 <= 0.1 * average range 0
      {{"cdlhammer", {}}, {0}},
      {{"supertrend", {10, 3}}, {50, -1}},  // bands collapse on hl2; starts as a downtrend
  };
  for (const Expect& e : expected) {
    const IndicatorInfo& info = Info(e.c.name);
    if (info.batch == nullptr) continue;
    SCOPED_TRACE(Label(e.c));
    auto out = RunBatch(info, e.c.params, InputsFor(info, bars));
    ASSERT_TRUE(out.ok());
    size_t lookback = static_cast<size_t>(info.lookback(e.c.params));
    for (size_t j = 0; j < out->size(); ++j) {
      for (size_t i = lookback; i < n; ++i) ASSERT_EQ((*out)[j][i], e.values[j]) << "bar " << i;
    }
  }
}

// A series that stops moving after moving: the rules hold mid-series too (RSI keeps its last
// balance of gains and losses, STOCH/WILLR/CCI go to 0 once the window is flat).
TEST(ContractTest, SeriesThatGoesFlat) {
  OhlcvSeries bars = RandomOhlcv(100, 8);
  for (size_t i = 60; i < 100; ++i) {
    bars.open[i] = bars.high[i] = bars.low[i] = bars.close[i] = 42.0;
  }
  auto run = [&](const std::string& name, std::vector<double> params, size_t output = 0) {
    const IndicatorInfo& info = Info(name);
    auto out = RunBatch(info, params, InputsFor(info, bars));
    EXPECT_TRUE(out.ok());
    return out.ok() ? (*out)[output] : std::vector<double>(100, kNaN);
  };
  // The running SMA sums may keep a rounding residue (as TA-Lib's do).
  EXPECT_NEAR(run("stoch", {5, 3, 3})[99], 0, 1e-9);
  EXPECT_EQ(run("willr", {14})[99], 0);
  EXPECT_EQ(run("cci", {14})[99], 0);
  std::vector<double> rsi = run("rsi", {14});
  EXPECT_GT(rsi[99], 0);  // gains and losses decay at the same rate: the ratio stays
  EXPECT_NEAR(rsi[99], rsi[61], 1e-9);
  EXPECT_EQ(run("trange", {})[99], 0);
  EXPECT_GT(run("atr", {14})[99], 0);  // decays towards 0 but never divides by it
}

// The typed API refuses what the registry refuses (callers may use it directly).
TEST(ContractTest, TypedApiRefusesInvalidParams) {
  std::vector<double> x(20, 1.0), out(20), out2(20), short_out(19);
  EXPECT_FALSE(Rsi(x, 0, out).ok());
  EXPECT_FALSE(Rsi(x, 14, short_out).ok());
  EXPECT_FALSE(RsiStream::Create(1).ok());
  EXPECT_EQ(RsiLookback(0), -1);
  EXPECT_FALSE(Stoch(x, x, x, 0, 3, 3, out, out2).ok());
  EXPECT_FALSE(StochStream::Create(5, 0, 3).ok());
  EXPECT_EQ(StochLookback(5, 3, 0), -1);
  EXPECT_EQ(StochLookback(14, 3, 3), 17);
  EXPECT_FALSE(Sar(x, x, -0.1, 0.2, out).ok());
  EXPECT_FALSE(Sar(x, x, 0.02, kNaN, out).ok());
  EXPECT_FALSE(SarStream::Create(0.02, -1).ok());
  EXPECT_EQ(SarLookback(0.02, 0.2), 1);
  EXPECT_FALSE(Aroon(x, x, 1, out, out2).ok());
  EXPECT_FALSE(Cci(x, x, x, 0, out).ok());
  ASSERT_TRUE(Rsi(x, 14, out).ok());
}

// The same contract for the averages, bands, extremes, changes and volume lines: a bad period, a
// deviation out of range or spans of different lengths are a Status, never an abort.
TEST(ContractTest, TypedKernelsReturnAStatusForInvalidInputInsteadOfAborting) {
  std::vector<double> x(20, 1.0), out(20), out2(20), out3(20), short_out(19);
  EXPECT_FALSE(Sma(x, 0, out).ok());
  EXPECT_FALSE(Sma(x, 1, out).ok());  // the registry's range starts at 2
  EXPECT_FALSE(Sma(x, 5, short_out).ok());
  EXPECT_FALSE(SmaStream::Create(0).ok());
  EXPECT_EQ(SmaLookback(0), -1);
  EXPECT_EQ(SmaLookback(5), 4);
  EXPECT_FALSE(Ema(x, -3, out).ok());
  EXPECT_FALSE(EmaStream::Create(100001).ok());
  EXPECT_FALSE(Max(x, 0, out).ok());
  EXPECT_FALSE(MaxStream::Create(0).ok());
  EXPECT_FALSE(Mom(x, 0, out).ok());
  EXPECT_FALSE(MomStream::Create(0).ok());
  EXPECT_FALSE(Macd(x, {0, 26, 9}, out, out2, out3).ok());
  EXPECT_FALSE(Macd(x, {12, 26, 9}, out, out2, short_out).ok());
  EXPECT_FALSE(MacdStream::Create({12, 26, 0}).ok());
  EXPECT_EQ(MacdLookback({12, 26, 0}), -1);
  EXPECT_FALSE(Bbands(x, {20, -1, 2}, out, out2, out3).ok());
  EXPECT_FALSE(BbandsStream::Create({1, 2, 2}).ok());
  EXPECT_FALSE(Stddev(x, 5, kNaN, out).ok());
  EXPECT_FALSE(Obv(x, short_out, out).ok());
  EXPECT_FALSE(Ad(x, x, x, x, short_out).ok());
  ASSERT_TRUE(Sma(x, 5, out).ok());
  ASSERT_TRUE(Macd(x, {12, 26, 9}, out, out2, out3).ok());
}

// Random valid parameters and bars with scattered NaNs: no crash (the sanitizer builds check
// memory), the batch kernels succeed and streams still equal them.
TEST(ContractTest, RandomParamsAndNaNsKeepStreamsEqualToBatch) {
  testing::Rng rng(99);
  for (const IndicatorInfo& info : AllIndicators()) {
    for (int draw = 0; draw < 8; ++draw) {
      std::vector<double> params;
      for (const ParamSpec& spec : info.params) {
        double hi = std::min(spec.max_value, spec.integer ? spec.min_value + 30 : 1.0);
        double v = rng.Uniform(spec.min_value, hi);
        params.push_back(spec.integer ? std::floor(v) : v);
      }
      SCOPED_TRACE(Label({std::string(info.name), params}));
      OhlcvSeries bars = draw % 2 == 0 ? RandomOhlcv(250, draw) : TickBars(250, draw);
      std::vector<double>* columns[] = {&bars.open, &bars.high, &bars.low, &bars.close,
                                        &bars.volume};
      if (draw >= 4) testing::InjectNaNs(*columns[rng.Below(5)], 0.01, draw);
      ASSERT_TRUE(RunBatch(info, params, InputsFor(info, bars)).ok());
      EXPECT_TRUE(StreamMatchesBatch(info, params, InputsFor(info, bars), draw, 0));
    }
  }
}

// ---- Long series, gaps in any input, flat tails, every parameter. ----

TEST(ContractTest, StreamEqualsBatchOnLongSeriesWithAndWithoutGaps) {
  for (const Case& c : Cases()) {
    const IndicatorInfo* info = FindIndicator(c.name);
    ASSERT_NE(info, nullptr) << c.name;
    const auto& params = c.params;
    {
      for (uint64_t seed : kSeeds) {
        SCOPED_TRACE(Label(c) + " seed " + std::to_string(seed));
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

// README.md: a bar with a NaN price or an infinite volume restarts the indicator, i.e. the output
// on each finite run equals the indicator computed on that run alone, and is NaN at the bad bars.
TEST(ContractTest, GapsInPriceAndVolumeRestartTheIndicator) {
  for (const Case& e : Cases()) {
    const IndicatorInfo* info = FindIndicator(e.name);
    ASSERT_NE(info, nullptr);
    const auto& params = e.params;
    testing::OhlcvSeries bars = testing::RandomOhlcv(600, 9);
    const size_t gaps[] = {0, 150, 151, 400};
    for (size_t g : gaps) {
      for (auto* price : {&bars.open, &bars.high, &bars.low, &bars.close}) (*price)[g] = kNaN;
    }
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

// Noise, then a flat series: the averages follow the level, the spreads and changes are 0, the
// extremes equal the level and the volume lines stop moving (README.md, "Flat series and zero
// denominators"; the indicators with TA-Lib's conventions are checked by
// FlatSeriesFollowTheDocumentedRules).
TEST(ContractTest, NoiseThenFlatGivesTheLevelOrZero) {
  for (double level : {0.0, 0.1, 3.0, 1234.5678}) {
    // Noise first, then flat: rolling sums must not leave a non-zero spread behind.
    testing::OhlcvSeries bars = testing::RandomOhlcv(700, 4);
    for (size_t i = 300; i < 700; ++i) {
      bars.open[i] = bars.high[i] = bars.low[i] = bars.close[i] = level;
    }
    for (const Case& e : Cases()) {
      if (!FollowsTheLevel(e.name)) continue;
      const IndicatorInfo* info = FindIndicator(e.name);
      const auto& params = e.params;
      {
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

// Every parameter of every indicator, set to values out of range or not integral where an integer
// is wanted: refused by ValidateParams and by the registry's batch (Status), stream (nullptr) and
// lookback (-1), never a crash.
TEST(ContractTest, EveryParameterOutOfRangeIsAStatusError) {
  for (const IndicatorInfo& entry : AllIndicators()) {
    const IndicatorInfo* info = &entry;
    const Case e{std::string(entry.name), {}};
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
        EXPECT_EQ(info->stream(p), nullptr) << e.name << " " << info->params[k].name;
        EXPECT_LT(info->lookback(p), 0) << e.name << " " << info->params[k].name;
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

TEST(ContractTest, EmptyAndShortInputsAreNaNUntilLookback) {
  for (const Case& e : Cases()) {
    const IndicatorInfo* info = FindIndicator(e.name);
    ASSERT_NE(info, nullptr);
    const auto& params = e.params;
    {
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

TEST(ContractTest, EntriesDescribeThemselves) {
  for (const IndicatorInfo& entry : AllIndicators()) {
    const IndicatorInfo* info = FindIndicator(entry.name);
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

TEST(ContractTest, TypedStreamsWarmUpAtLookback) {
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
