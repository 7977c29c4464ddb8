// The evaluator on real data (S&P 500 index, 2000-2020, testdata/shared/reference/sp500.csv):
// results equal direct calls of the indicator kernels, and "as of one session" over the last
// window() bars equals the same session of a full-history evaluation.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/date.h"
#include "indicators/indicator.h"
#include "indicators/testing/reference_data.h"
#include "rules/evaluator.h"
#include "rules/evaluator_testing.h"

namespace kairos::rules {
namespace {

using testing::OwnedBars;
using testing::OwnedWeekly;

class Sp500 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = indicators::testing::LoadOhlcv(indicators::testing::ReferencePath("sp500.csv"));
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    bars_ = new OwnedBars{loaded->open, loaded->high, loaded->low, loaded->close, loaded->volume};
    days_ = new std::vector<int32_t>();
    for (const std::string& d : loaded->dates) {
      auto date = Date::Parse(d);
      ASSERT_TRUE(date.ok()) << d;
      days_->push_back(date->days());
    }
  }
  static void TearDownTestSuite() {
    delete bars_;
    delete days_;
  }

  // Output `output` of a registry indicator called directly on the bars.
  static std::vector<double> Direct(std::string_view name, std::vector<double> params,
                                    size_t output = 0) {
    const indicators::IndicatorInfo* info = indicators::FindIndicator(name);
    EXPECT_NE(info, nullptr) << name;
    const size_t n = bars_->size();
    std::vector<std::span<const double>> inputs;
    for (indicators::Input input : info->inputs) {
      switch (input) {
        case indicators::Input::kOpen:
          inputs.push_back(bars_->open);
          break;
        case indicators::Input::kHigh:
          inputs.push_back(bars_->high);
          break;
        case indicators::Input::kLow:
          inputs.push_back(bars_->low);
          break;
        case indicators::Input::kVolume:
          inputs.push_back(bars_->volume);
          break;
        default:
          inputs.push_back(bars_->close);
          break;
      }
    }
    std::vector<std::vector<double>> outputs(info->outputs.size(), std::vector<double>(n));
    std::vector<std::span<double>> spans(outputs.begin(), outputs.end());
    EXPECT_TRUE(info->batch(inputs, params, spans).ok());
    return outputs[output];
  }

  static OwnedBars* bars_;
  static std::vector<int32_t>* days_;
};

OwnedBars* Sp500::bars_ = nullptr;
std::vector<int32_t>* Sp500::days_ = nullptr;

bool SameBits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

std::shared_ptr<const Program> MustCompile(std::string_view rule,
                                           std::vector<std::string> extras = {}) {
  auto program = Program::Compile(rule, extras);
  EXPECT_TRUE(program.ok()) << program.status().message();
  return program.ok() ? *program : nullptr;
}

TEST_F(Sp500, RsiRuleMatchesWhereTheKernelIsBelow30) {
  auto program = MustCompile("rsi(close, 14) < 30");
  Evaluator evaluator(program);
  Evaluation out;
  ASSERT_TRUE(evaluator.EvaluateAll(bars_->View(), nullptr, &out).ok());
  std::vector<double> rsi = Direct("rsi", {14});
  ASSERT_EQ(out.terms.size(), 1u);
  int matches = 0;
  for (size_t i = 0; i < rsi.size(); ++i) {
    ASSERT_TRUE(SameBits(out.terms[0][i], rsi[i])) << i;
    ASSERT_EQ(out.match[i], rsi[i] < 30 ? 1 : 0) << i;  // NaN < 30 is false: no match
    matches += out.match[i];
  }
  EXPECT_GT(matches, 50);
}

TEST_F(Sp500, TermsAreTheKernelOutputsBitForBit) {
  auto program = MustCompile(
      "close > sma(close,200) and rsi(close,14) < 30 and volume > 1.5 * sma(volume,20) or "
      "macd(close, 12, 26, 9).hist > atr(14) and stoch(5, 3, 3).slowk < bbands(close, 20, 2, "
      "2).upper or adx(14) > 25");
  Evaluator evaluator(program);
  Evaluation out;
  ASSERT_TRUE(evaluator.EvaluateAll(bars_->View(), nullptr, &out).ok());
  std::vector<std::string> names;
  for (const Term& t : program->terms()) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"close", "sma_200", "rsi", "volume", "sma_volume_20",
                                             "macd.hist", "atr", "stoch.slowk", "bbands_20.upper",
                                             "adx"}));
  const std::vector<std::vector<double>> expected = {bars_->close,
                                                     Direct("sma", {200}),
                                                     Direct("rsi", {14}),
                                                     bars_->volume,
                                                     {},
                                                     Direct("macd", {12, 26, 9}, 2),
                                                     Direct("atr", {14}),
                                                     Direct("stoch", {5, 3, 3}, 0),
                                                     Direct("bbands", {20, 2, 2}, 0),
                                                     Direct("adx", {14})};
  for (size_t t = 0; t < expected.size(); ++t) {
    if (expected[t].empty()) continue;  // sma(volume): checked below through the match
    for (size_t i = 0; i < bars_->size(); ++i) {
      ASSERT_TRUE(SameBits(out.terms[t][i], expected[t][i])) << names[t] << " bar " << i;
    }
  }
  // The rule itself, recomputed bar by bar from the terms with the documented semantics.
  int matches = 0;
  for (size_t i = 0; i < bars_->size(); ++i) {
    const auto& v = out.terms;
    auto cmp = [](double a, double b, bool greater) {  // 0 false, 1 none, 2 true
      if (!std::isfinite(a) || !std::isfinite(b)) return 1;
      return (greater ? a > b : a < b) ? 2 : 0;
    };
    int a = std::min(
        {cmp(v[0][i], v[1][i], true), cmp(v[2][i], 30, false), cmp(v[3][i], 1.5 * v[4][i], true)});
    int b = std::min(cmp(v[5][i], v[6][i], true), cmp(v[7][i], v[8][i], false));
    int c = cmp(v[9][i], 25, true);
    ASSERT_EQ(out.match[i], std::max({a, b, c}) == 2 ? 1 : 0) << i;
    matches += out.match[i];
  }
  EXPECT_GT(matches, 100);
}

// As of one session: EvaluateLast over the last window() bars equals the same bar of the full
// evaluation (match identical, terms and extras within 1e-9 relative), at many end points.
TEST_F(Sp500, AsOfOneSessionEqualsTheFullRange) {
  const char* rules[] = {
      "close > sma(close,200) and rsi(close,14) < 30 and volume > 1.5 * sma(volume,20)",
      "ema(close, 50) > sma(close, 200) and rsi(close) > 50",
      "macd(close, 12, 26, 9).hist > 0 and macd(close, 12, 26, 9).signal < 0",
      "atr(14) > 0.015 * close or natr(14) > 2",
      "adx(14) > 25 and plus_di(14) > minus_di(14)",
      "dema(close, 20) > tema(close, 20) and stochrsi(close).fastk > 50",
      "crossover(ema(close, 10), ema(close, 30)) or count(close > open, 10) >= 6",
      "median(turnover, 20) > 1e12 and pct_change(close, 5) > 0 and rising(sma(close, 5), 2)",
      "kama(close, 10) > close and highest(high, 20)[1] < close * 1.05",
      "cci(20) > 100 or willr(14) < -80 or mfi(14) > 80 or aroon(14).up > 70",
      "sar(0.02, 0.2) > close or supertrend(10, 3).direction > 0 or obv(close) > ad()",
      "weekly(rsi(close, 14)) < 50 and weekly(close > ema(close, 10)) and close > weekly(high)",
  };
  double worst = 0;
  for (const char* rule : rules) {
    auto program = MustCompile(rule, {"rsi(close, 5) + ema(volume, 5) / 1e9"});
    Evaluator evaluator(program);
    OwnedWeekly weekly = testing::ResampleWeekly(*bars_, *days_);
    const WeeklyColumns weekly_view = weekly.View();
    Evaluation full;
    ASSERT_TRUE(evaluator.EvaluateAll(bars_->View(), &weekly_view, &full).ok());
    const size_t n = bars_->size();
    // kama's worst-case margin (7,740 bars) exceeds this history: it reads all of it, as a
    // caller does when window() >= the bars it has.
    const size_t window = static_cast<size_t>(program->window());
    int matches = 0;
    int checked = 0;
    // Fewer end points when each reads the whole history (keeps the sanitizer build fast).
    const size_t step = window >= n / 2 ? 397 : 53;
    for (size_t end = n; end > step; end -= step) {  // the last bar is end - 1
      const size_t from = end > window ? end - window : 0;
      OwnedBars tail = bars_->Slice(from, end);
      std::vector<int32_t> tail_days(days_->begin() + static_cast<ptrdiff_t>(from),
                                     days_->begin() + static_cast<ptrdiff_t>(end));
      OwnedWeekly tail_weekly = testing::ResampleWeekly(tail, tail_days);
      const WeeklyColumns tail_view = tail_weekly.View();
      Evaluation last;
      ASSERT_TRUE(evaluator.EvaluateLast(tail.View(), &tail_view, &last).ok());
      ASSERT_EQ(last.match.size(), 1u);
      ASSERT_EQ(last.match[0], full.match[end - 1]) << rule << " as of bar " << end - 1;
      matches += last.match[0];
      ++checked;
      auto near = [&](double got, double want, const char* what) {
        if (std::isnan(want)) {
          EXPECT_TRUE(std::isnan(got)) << rule << " " << what << " bar " << end - 1;
          return;
        }
        const double rel = std::fabs(got - want) / std::max(std::fabs(want), 1e-300);
        worst = std::max(worst, want == 0 ? std::fabs(got) : rel);
        EXPECT_LE(want == 0 ? std::fabs(got) : rel, 1e-9)
            << rule << " " << what << " bar " << end - 1 << ": " << got << " vs " << want;
      };
      for (size_t t = 0; t < full.terms.size(); ++t) {
        ASSERT_EQ(last.terms[t].size(), 1u);
        near(last.terms[t][0], full.terms[t][end - 1], program->terms()[t].name.c_str());
      }
      near(last.extras[0][0], full.extras[0][end - 1], "extra");
    }
    EXPECT_GE(checked, 12) << rule;
    RecordProperty(std::string("matches: ") + rule, matches);
  }
  RecordProperty("worst_relative_difference", std::to_string(worst));
  std::printf("as-of vs full range: worst relative difference %.3g\n", worst);
}

// A rule that never forgets (bars_since) needs the whole history: window() says so.
TEST_F(Sp500, WholeHistoryRulesSayAll) {
  auto program = MustCompile("bars_since(crossover(close, sma(close, 50))) < 5");
  EXPECT_EQ(program->window(), kWindowAll);
  Evaluator evaluator(program);
  Evaluation full, last;
  ASSERT_TRUE(evaluator.EvaluateAll(bars_->View(), nullptr, &full).ok());
  ASSERT_TRUE(evaluator.EvaluateLast(bars_->View(), nullptr, &last).ok());
  EXPECT_EQ(last.match[0], full.match.back());
  EXPECT_TRUE(SameBits(last.terms[1][0], full.terms[1].back()));
}

}  // namespace
}  // namespace kairos::rules
