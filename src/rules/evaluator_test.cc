#include "rules/evaluator.h"

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "indicators/indicator.h"
#include "rules/evaluator_testing.h"
#include "rules/evaluator_window.h"

namespace kairos::rules {
namespace {

using testing::OwnedBars;
using testing::OwnedWeekly;

std::shared_ptr<const Program> MustCompile(std::string_view rule,
                                           std::vector<std::string> extras = {}) {
  auto program = Program::Compile(rule, extras);
  EXPECT_TRUE(program.ok()) << program.status().message();
  return program.ok() ? *program : nullptr;
}

// A random walk with OHLCV; `bad` in [0, 1) is the share of bars with a NaN or infinite field.
OwnedBars RandomBars(size_t n, uint64_t seed, double bad = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0, 0.01);
  std::uniform_real_distribution<double> u(0, 1);
  OwnedBars b;
  double price = 100;
  for (size_t i = 0; i < n; ++i) {
    const double next = price * (1 + step(rng));
    b.open.push_back(price);
    b.close.push_back(next);
    b.high.push_back(std::max(price, next) * (1 + 0.005 * u(rng)));
    b.low.push_back(std::min(price, next) * (1 - 0.005 * u(rng)));
    b.volume.push_back(1e6 * (1 + 10 * u(rng)));
    price = next;
    if (u(rng) < bad) {
      std::vector<double>* columns[] = {&b.open, &b.high, &b.low, &b.close, &b.volume};
      const double values[] = {std::nan(""), INFINITY, -INFINITY, 0.0};
      columns[rng() % 5]->back() = values[rng() % 4];
    }
  }
  return b;
}

// Weekdays only, from Monday 2001-01-01 (day 11323), skipping a "holiday" now and then.
std::vector<int32_t> Sessions(size_t n) {
  std::vector<int32_t> days;
  for (int32_t d = 11323; days.size() < n; ++d) {
    const int64_t weekday = (d + 3) % 7;  // 0 = Monday
    if (weekday < 5 && d % 23 != 0) days.push_back(d);
  }
  return days;
}

bool SameValue(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(ProgramTest, SharedSubexpressionsAreComputedOnce) {
  auto twice = MustCompile("sma(close, 200) > 1 and sma(close, 200) < 2");
  auto once = MustCompile("sma(close, 200) > 1");
  EXPECT_EQ(twice->node_count(), 4u);  // sma, >, <, and
  EXPECT_EQ(once->node_count(), 2u);
  OwnedBars bars = RandomBars(300, 1);
  Evaluator evaluator(twice);
  Evaluation out;
  ASSERT_TRUE(evaluator.EvaluateAll(bars.View(), nullptr, &out).ok());
  EXPECT_EQ(evaluator.indicator_calls(), 1);
  ASSERT_TRUE(evaluator.EvaluateAll(bars.View(), nullptr, &out).ok());
  EXPECT_EQ(evaluator.indicator_calls(), 2);  // once per symbol
}

TEST(ProgramTest, OutputsOfOneIndicatorShareOneKernelCall) {
  auto program = MustCompile(
      "macd(close, 12, 26, 9).hist > 0 and macd(close, 12, 26, 9).signal < macd(close).macd");
  OwnedBars bars = RandomBars(100, 2);
  Evaluator evaluator(program);
  Evaluation out;
  ASSERT_TRUE(evaluator.EvaluateAll(bars.View(), nullptr, &out).ok());
  EXPECT_EQ(evaluator.indicator_calls(), 1);
}

TEST(ProgramTest, ExtrasShareNodesWithTheRule) {
  auto program = MustCompile("median(turnover, 20) > 1e7", {"median(turnover, 20)"});
  EXPECT_EQ(program->extra_count(), 1u);
  EXPECT_EQ(program->node_count(), 3u);  // turnover, median, >
  OwnedBars bars = RandomBars(50, 3);
  Evaluator evaluator(program);
  Evaluation out;
  ASSERT_TRUE(evaluator.EvaluateAll(bars.View(), nullptr, &out).ok());
  ASSERT_EQ(out.extras.size(), 1u);
  ASSERT_EQ(out.terms.size(), 1u);  // median_turnover_20
  EXPECT_EQ(program->terms()[0].name, "median_turnover_20");
  EXPECT_EQ(program->terms()[0].canonical, "median(turnover, 20)");
  for (size_t i = 0; i < 50; ++i) EXPECT_TRUE(SameValue(out.extras[0][i], out.terms[0][i]));
  EXPECT_TRUE(std::isnan(out.extras[0][18]));
  EXPECT_FALSE(std::isnan(out.extras[0][19]));
}

TEST(ProgramTest, TermsCarryCanonicalTextAndValues) {
  auto program = MustCompile(
      "close > sma(close,200) and rsi(close,14) < 30 and volume > 1.5 * sma(volume,20)");
  const auto& terms = program->terms();
  ASSERT_EQ(terms.size(), 5u);
  EXPECT_EQ(terms[1].name, "sma_200");
  EXPECT_EQ(terms[1].canonical, "sma(close, 200)");
  EXPECT_EQ(terms[2].canonical, "rsi(close, 14)");
  EXPECT_EQ(terms[4].canonical, "sma(volume, 20)");
  OwnedBars bars = RandomBars(400, 4);
  Evaluator evaluator(program);
  Evaluation out;
  ASSERT_TRUE(evaluator.EvaluateAll(bars.View(), nullptr, &out).ok());
  ASSERT_EQ(out.terms.size(), 5u);
  for (size_t i = 0; i < 400; ++i) {
    EXPECT_EQ(out.terms[0][i], bars.close[i]);
    EXPECT_EQ(out.terms[3][i], bars.volume[i]);
  }
  EXPECT_TRUE(std::isnan(out.terms[1][198]));
  EXPECT_FALSE(std::isnan(out.terms[1][199]));
}

TEST(ProgramTest, FlagsAndLookback) {
  auto closes = MustCompile("rsi(close) < 30", {"sma(close, 50)"});
  EXPECT_FALSE(closes->needs_ohlcv());
  EXPECT_FALSE(closes->needs_weekly());
  EXPECT_EQ(closes->lookback(), 49);  // the extra needs more than the rule
  EXPECT_TRUE(MustCompile("atr(14) > 1")->needs_ohlcv());
  EXPECT_TRUE(MustCompile("hl2 > 1")->needs_ohlcv());
  EXPECT_TRUE(MustCompile("weekly(volume) > 1")->needs_ohlcv());
  EXPECT_TRUE(MustCompile("weekly(close) > 1")->needs_weekly());
  EXPECT_FALSE(MustCompile("close > 1")->needs_ohlcv());
}

TEST(WindowTest, MarginsFollowTheIndicatorsMemory) {
  // Windowed indicators: lookback + 1 bars.
  EXPECT_EQ(MustCompile("sma(close, 200) > 1")->window(), 200);
  EXPECT_EQ(MustCompile("close > highest(close, 20)[1]")->window(), 21);
  // Wilder smoothing forgets 1/14 a bar: 14 + ceil(ln 1e-14 / ln(13/14)) + 1.
  const int rsi_margin = static_cast<int>(std::ceil(std::log(1e-14) / std::log(13.0 / 14.0)));
  EXPECT_EQ(MustCompile("rsi(close, 14) < 30")->window(), 14 + rsi_margin + 1);
  // The benchmark rule: the RSI's warm-up dominates.
  EXPECT_EQ(
      MustCompile("close > sma(close,200) and rsi(close,14) < 30 and volume > 1.5 * sma(volume,20)")
          ->window(),
      14 + rsi_margin + 1);
  // Chains add up: sma over an rsi.
  EXPECT_EQ(MustCompile("sma(rsi(close, 14), 5) < 30")->window(), 14 + rsi_margin + 4 + 1);
  const int ema_margin = static_cast<int>(std::ceil(std::log(1e-14) / std::log(19.0 / 21.0)));
  EXPECT_EQ(MustCompile("ema(close, 20) > 0")->window(), 19 + ema_margin + 1);
  // weekly: 5 sessions a week, plus the week in progress and a cut first week.
  EXPECT_EQ(MustCompile("weekly(sma(close, 10)) > 0")->window(), 5 * (9 + 3) + 1);
  for (const char* never :
       {"obv(close) > 0", "ad() > 0", "sar() > close", "supertrend().direction > 0",
        "bars_since(close > open) > 3", "weekly(obv(close)) > 0"}) {
    EXPECT_EQ(MustCompile(never)->window(), kWindowAll) << never;
  }
}

TEST(WindowTest, EveryRegistryIndicatorHasAMarginEntry) {
  for (const auto& info : indicators::AllIndicators()) {
    EXPECT_TRUE(HasWarmUpEntry(info.name)) << info.name << ": add it to kMargins";
  }
  EXPECT_FALSE(HasWarmUpEntry("no_such_indicator"));
  EXPECT_EQ(WarmUpMargin("no_such_indicator", {}), kHistoryAll);
}

TEST(EvaluatorTest, EvaluateLastKeepsTheLastBar) {
  auto program = MustCompile("close > sma(close, 3)", {"sma(close, 3)"});
  OwnedBars bars;
  bars.close = {1, 2, 3, 5};
  Evaluator evaluator(program);
  Evaluation out;
  ASSERT_TRUE(evaluator.EvaluateLast(bars.View(), nullptr, &out).ok());
  ASSERT_EQ(out.match.size(), 1u);
  EXPECT_EQ(out.match[0], 1);
  ASSERT_EQ(out.terms.size(), 2u);
  EXPECT_EQ(out.terms[0], std::vector<double>{5});
  EXPECT_DOUBLE_EQ(out.terms[1][0], 10.0 / 3);
  EXPECT_DOUBLE_EQ(out.extras[0][0], 10.0 / 3);

  Evaluation untouched;
  untouched.match = {7};
  Status empty = evaluator.EvaluateLast(OwnedBars{}.View(), nullptr, &untouched);
  EXPECT_EQ(empty.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(), "EvaluateLast needs at least one bar, got none");
  EXPECT_EQ(untouched.match, std::vector<uint8_t>{7});
}

TEST(EvaluatorTest, ErrorsHaveCodesAndLeaveTheOutputAlone) {
  Evaluation out;
  out.match = {9};
  OwnedBars closes;
  closes.close = {1, 2, 3};
  Evaluator atr(MustCompile("atr(14) > 0"));
  Status s = atr.EvaluateAll(closes.View(), nullptr, &out);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      s.message(),
      "the rule reads high and low (first in 'atr(14)'), but the daily bars have closes only");
  EXPECT_EQ(out.match, std::vector<uint8_t>{9});

  OwnedBars uneven = RandomBars(5, 5);
  uneven.volume.pop_back();
  Evaluator close_rule(MustCompile("close > 0"));
  s = close_rule.EvaluateAll(uneven.View(), nullptr, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "daily bar columns differ in length: close has 5 bars, volume has 4");
  EXPECT_EQ(out.match, std::vector<uint8_t>{9});

  Evaluator weekly(MustCompile("weekly(close) > 0"));
  s = weekly.EvaluateAll(closes.View(), nullptr, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "the rule uses weekly(...), but no weekly bars were given (WeeklyColumns is null)");
  s = weekly.EvaluateLast(closes.View(), nullptr, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.match, std::vector<uint8_t>{9});

  // A program that does not read weekly bars ignores them, even broken ones.
  OwnedWeekly broken;
  broken.last_completed = {5};
  const WeeklyColumns broken_view = broken.View();
  EXPECT_TRUE(close_rule.EvaluateAll(closes.View(), &broken_view, &out).ok());
}

TEST(EvaluatorTest, ReusedAcrossSymbolsOfDifferentLengths) {
  auto program = MustCompile(
      "crossover(ema(close, 5), sma(close, 10)) or count(close > open, 5) >= 4 or "
      "median(close, 4) > highest(close, 3)[1]",
      {"bars_since(rising(close, 2))"});
  OwnedBars a = RandomBars(300, 6, 0.02);
  OwnedBars b = RandomBars(40, 7);
  Evaluator reused(program);
  Evaluation first_a, out_b, second_a;
  ASSERT_TRUE(reused.EvaluateAll(a.View(), nullptr, &first_a).ok());
  ASSERT_TRUE(reused.EvaluateAll(b.View(), nullptr, &out_b).ok());
  ASSERT_TRUE(reused.EvaluateAll(a.View(), nullptr, &second_a).ok());
  Evaluator fresh(program);
  Evaluation fresh_b;
  ASSERT_TRUE(fresh.EvaluateAll(b.View(), nullptr, &fresh_b).ok());
  EXPECT_EQ(first_a.match, second_a.match);
  EXPECT_EQ(out_b.match, fresh_b.match);
  ASSERT_EQ(out_b.extras[0].size(), 40u);
  for (size_t i = 0; i < 40; ++i) EXPECT_TRUE(SameValue(out_b.extras[0][i], fresh_b.extras[0][i]));
  for (size_t t = 0; t < first_a.terms.size(); ++t) {
    for (size_t i = 0; i < 300; ++i) {
      EXPECT_TRUE(SameValue(first_a.terms[t][i], second_a.terms[t][i]));
    }
  }
}

TEST(EvaluatorTest, EvaluateMatchesGivesTheSameMatchesAndValuesWithoutCopies) {
  auto program = MustCompile("close > weekly(sma(close, 3)) and rsi(close, 5) < 60",
                             {"median(close, 4)", "7"});
  const size_t n = 120;
  OwnedBars bars = RandomBars(n, 9, 0.05);
  OwnedWeekly weekly = testing::ResampleWeekly(bars, Sessions(n));
  const WeeklyColumns view = weekly.View();
  Evaluator evaluator(program);
  Evaluation all;
  ASSERT_TRUE(evaluator.EvaluateAll(bars.View(), &view, &all).ok());
  std::vector<uint8_t> match;
  ASSERT_TRUE(evaluator.EvaluateMatches(bars.View(), &view, &match).ok());
  EXPECT_EQ(match, all.match);
  ASSERT_EQ(program->terms().size(), 3u);  // close, weekly.sma_3, rsi_5 (extras are apart)
  for (size_t i = 0; i < n; ++i) {
    for (size_t t = 0; t < all.terms.size(); ++t) {
      EXPECT_TRUE(SameValue(evaluator.TermValue(t, i), all.terms[t][i])) << t << " " << i;
    }
    EXPECT_TRUE(SameValue(evaluator.ExtraValue(0, i), all.extras[0][i]));
    EXPECT_EQ(evaluator.ExtraValue(1, i), 7);
    EXPECT_EQ(all.extras[1][i], 7);
  }
}

// highest/lowest are the evaluator's own monotonic queue (no allocation per symbol); they give
// the registry's MAX/MIN exactly, gaps included.
TEST(EvaluatorTest, HighestAndLowestEqualTheRegistryMaxAndMin) {
  OwnedBars bars = RandomBars(700, 11, 0.03);
  for (int n : {2, 3, 7, 20, 100}) {
    auto program =
        MustCompile(fmt::format("highest(close, {0}) > lowest(close, {0})", n),
                    {fmt::format("highest(close, {})", n), fmt::format("lowest(close, {})", n)});
    Evaluator evaluator(program);
    Evaluation out;
    ASSERT_TRUE(evaluator.EvaluateAll(bars.View(), nullptr, &out).ok());
    for (int extra = 0; extra < 2; ++extra) {
      const auto* info = indicators::FindIndicator(extra == 0 ? "max" : "min");
      std::vector<double> expected(bars.size());
      std::span<const double> in[] = {bars.close};
      std::span<double> outs[] = {expected};
      const double period = n;
      ASSERT_TRUE(info->batch(std::span<const std::span<const double>>(in, 1),
                              std::span<const double>(&period, 1),
                              std::span<const std::span<double>>(outs, 1))
                      .ok());
      for (size_t i = 0; i < bars.size(); ++i) {
        ASSERT_TRUE(SameValue(out.extras[static_cast<size_t>(extra)][i], expected[i]))
            << info->name << " n=" << n << " bar " << i;
      }
    }
  }
}

// Every builtin, operator and a few indicators over hostile inputs of every small length:
// nothing crashes, shapes are right, and match is 1 only where the value is defined.
TEST(EvaluatorTest, HostileInputsNeverCrash) {
  const char* rules[] = {
      "crossover(close, open) or crossunder(high, low) or not rising(close, 3) or falling(hl2, 1)",
      "highest(close, 3) > lowest(low, 2) and median(volume, 4) > 0 and median(close, 1) > 0",
      "change(close, 2) / pct_change(close, 1) > abs(min(open, high) - max(low, close))",
      "count(close > open, 3) >= 1 and bars_since(close < open) < 5 and close[2] != ohlc4",
      "(close > 1) == (volume < 1e300) or -turnover < hlc3 * 0",
      "rsi(close) < 30 or atr(3) > 0 or macd(close, 2, 3, 1).hist > 0 or obv(close) > 0",
      "sma(close / 0, 2) > 0 or ema(close - close, 2) == 0 or supertrend(2, 1).direction > 0",
      "weekly(close > sma(close, 2)) or weekly(highest(high, 2)) > close",
  };
  Evaluation out;
  for (const char* rule : rules) {
    auto program = MustCompile(rule, {"close / (close - open)"});
    ASSERT_NE(program, nullptr);
    Evaluator evaluator(program);
    for (size_t n = 0; n <= 40; ++n) {
      OwnedBars bars = RandomBars(n, 100 + n, 0.3);
      std::vector<int32_t> days = Sessions(n);
      OwnedWeekly weekly = testing::ResampleWeekly(bars, days);
      const WeeklyColumns weekly_view = weekly.View();
      Status s = evaluator.EvaluateAll(bars.View(), &weekly_view, &out);
      ASSERT_TRUE(s.ok()) << rule << " n=" << n << ": " << s.message();
      ASSERT_EQ(out.match.size(), n);
      ASSERT_EQ(out.extras[0].size(), n);
      for (uint8_t m : out.match) ASSERT_LE(m, 1);
      if (n > 0) {
        ASSERT_TRUE(evaluator.EvaluateLast(bars.View(), &weekly_view, &out).ok());
      }
    }
  }
}

// weekly(...) never looks ahead: changing any daily bar after day i (which also changes the
// weekly bar still in progress on day i, and later ones) leaves every result at day i alone.
TEST(WeeklyTest, NoFutureBarChangesAPastResult) {
  const char* rules[] = {
      "weekly(close > sma(close, 3))",
      "weekly(rsi(close, 5)) < 50 and close > weekly(high)",
      "crossover(close, weekly(ema(close, 4))) or weekly(close)[1] > weekly(open)",
      "weekly(count(close > open, 2)) >= 1 and sma(close, 5) > weekly(lowest(low, 2))",
  };
  const size_t n = 260;
  OwnedBars base = RandomBars(n, 42);
  std::vector<int32_t> days = Sessions(n);
  OwnedWeekly base_weekly = testing::ResampleWeekly(base, days);
  std::mt19937_64 rng(43);
  std::uniform_real_distribution<double> factor(0.5, 1.5);
  for (const char* rule : rules) {
    auto program = MustCompile(rule, {"weekly(sma(close, 2)) - close"});
    Evaluator evaluator(program);
    Evaluation before;
    const WeeklyColumns base_view = base_weekly.View();
    ASSERT_TRUE(evaluator.EvaluateAll(base.View(), &base_view, &before).ok());
    int matches = 0;
    for (uint8_t m : before.match) matches += m;
    for (size_t day = 0; day + 1 < n; day += 7) {
      OwnedBars changed = base;
      for (size_t j = day + 1; j < n; ++j) {
        for (auto* column : {&changed.open, &changed.high, &changed.low, &changed.close}) {
          (*column)[j] *= factor(rng);
        }
        changed.high[j] = std::max({changed.high[j], changed.open[j], changed.close[j]});
        changed.low[j] = std::min({changed.low[j], changed.open[j], changed.close[j]});
        changed.volume[j] *= factor(rng);
      }
      OwnedWeekly changed_weekly = testing::ResampleWeekly(changed, days);
      Evaluation after;
      const WeeklyColumns changed_view = changed_weekly.View();
      ASSERT_TRUE(evaluator.EvaluateAll(changed.View(), &changed_view, &after).ok());
      for (size_t i = 0; i <= day; ++i) {
        ASSERT_EQ(before.match[i], after.match[i]) << rule << " day " << day << " bar " << i;
        ASSERT_TRUE(SameValue(before.extras[0][i], after.extras[0][i])) << rule << " bar " << i;
        for (size_t t = 0; t < before.terms.size(); ++t) {
          ASSERT_TRUE(SameValue(before.terms[t][i], after.terms[t][i])) << rule << " term " << t;
        }
      }
    }
    EXPECT_GT(matches, 0) << rule << ": the test needs some matches to mean anything";
  }
}

// The mapping itself: day i sees exactly weekly bar last_completed[i].
TEST(WeeklyTest, DaysSeeTheirLastCompletedWeek) {
  const size_t n = 30;
  OwnedBars bars = RandomBars(n, 8);
  std::vector<int32_t> days = Sessions(n);
  OwnedWeekly weekly = testing::ResampleWeekly(bars, days);
  auto program = MustCompile("weekly(close) > 0", {"weekly(high)"});
  Evaluator evaluator(program);
  Evaluation out;
  const WeeklyColumns view = weekly.View();
  ASSERT_TRUE(evaluator.EvaluateAll(bars.View(), &view, &out).ok());
  ASSERT_EQ(program->terms().size(), 1u);
  EXPECT_EQ(program->terms()[0].name, "weekly.close");
  for (size_t i = 0; i < n; ++i) {
    const int32_t k = weekly.last_completed[i];
    if (k < 0) {
      EXPECT_TRUE(std::isnan(out.extras[0][i]));
      EXPECT_TRUE(std::isnan(out.terms[0][i]));
      EXPECT_EQ(out.match[i], 0);
    } else {
      EXPECT_EQ(out.extras[0][i], weekly.bars.high[static_cast<size_t>(k)]);
      EXPECT_EQ(out.terms[0][i], weekly.bars.close[static_cast<size_t>(k)]);
      EXPECT_EQ(out.match[i], 1);
    }
  }
  EXPECT_EQ(weekly.last_completed[0], -1);
  EXPECT_GE(weekly.last_completed[n - 1], 4);
}

}  // namespace
}  // namespace kairos::rules
