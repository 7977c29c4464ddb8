#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "rules/binder.h"

namespace kairos::rules {

// The daily bars of one symbol as columns, oldest first, all of length size(). A close-only
// series leaves open/high/low/volume empty; a program that reads them then fails with a precise
// FailedPrecondition ("the rule reads high and low (first in 'atr(14)'), but the daily bars have
// closes only"; the caller adds the symbol). Columns of other lengths: InvalidArgument.
struct BarColumns {
  std::span<const double> open, high, low, close, volume;
  size_t size() const { return close.size(); }
};

// The same symbol's weekly bars (marketdata::ResampleWeekly, computed by the caller because rules/
// may not depend on marketdata), and for each DAILY bar i the index of the last weekly bar that
// was complete on day i (-1: none yet). A week still in progress on day i is never visible on
// day i: that is what makes weekly(...) free of look-ahead.
struct WeeklyColumns {
  BarColumns bars;
  std::span<const int32_t> last_completed;  // size() == the daily size
};

// A term: an indicator (or field / numeric builtin) the rule reads, reported beside a match so a
// person sees why it matched: "rsi" = rsi(close, 14), "sma_200" = sma(close, 200),
// "sma_volume_20" = sma(volume, 20), "macd.signal", "weekly.rsi", "close".
// Name: the indicator name, then the series input if it is not close, then the parameters up to
// the last one that differs from its default, joined by '_'; ".output" for multi-output
// indicators; "weekly." in front inside weekly(...); a numeric suffix "_2" on a clash.
struct Term {
  std::string name;
  std::string canonical;  // CanonicalText of the node: "sma(close, 200)"
};

// A compiled rule, immutable and shared by every worker thread. Built once per scan.
class Program {
 public:
  // `rule` must be boolean. `extras` are number expressions evaluated alongside it (a ranking
  // expression such as "median(turnover, 20)"); errors in them name the extra's text.
  static Result<std::shared_ptr<const Program>> Compile(std::string_view rule,
                                                        std::span<const std::string> extras = {});

  virtual ~Program() = default;
  virtual const std::vector<Term>& terms() const = 0;
  virtual size_t extra_count() const = 0;
  // Daily bars before the first bar on which the rule can be defined (BoundRule::lookback,
  // maximum over the extras too).
  virtual int lookback() const = 0;
  // Bars an "as of one session" evaluation reads: the lookback plus a warm-up margin for
  // indicators with memory (EMA family, RSI, ATR, ...) after which the windowed values agree
  // with a full-history evaluation to about 1e-12 relative; see README.md.
  // kWindowAll when some node never forgets its history (obv, ad, sar, supertrend, bars_since):
  // then the caller reads the whole history.
  virtual int window() const = 0;
  // True when the program reads open/high/low/volume (false: the close column is enough).
  virtual bool needs_ohlcv() const = 0;
  virtual bool needs_weekly() const = 0;
  // Distinct computations after sharing by ShareKey (constants and plain fields excluded), for
  // tests and diagnostics: `sma(close, 200) > 1 and sma(close, 200) < 2` has 4.
  virtual size_t node_count() const { return 0; }
};

// Program::window() when the whole history is needed.
inline constexpr int kWindowAll = 2147483647;

// The result of evaluating a program over n bars.
struct Evaluation {
  std::vector<uint8_t> match;               // [bar]: 1 when the rule held; "none" counts as 0
  std::vector<std::vector<double>> terms;   // [term][bar], NaN where undefined
  std::vector<std::vector<double>> extras;  // [extra][bar], NaN where undefined
};

// Evaluates a program whole-series: one kernel call per node, nodes shared by ShareKey. Holds the
// scratch buffers, so keep one per worker thread and reuse it across symbols. Not thread-safe.
class Evaluator {
 public:
  explicit Evaluator(std::shared_ptr<const Program> program);
  ~Evaluator();
  Evaluator(Evaluator&&) noexcept;
  Evaluator& operator=(Evaluator&&) noexcept;

  // Every bar of `daily`. `weekly` is required when program.needs_weekly(), ignored otherwise.
  Status EvaluateAll(const BarColumns& daily, const WeeklyColumns* weekly, Evaluation* out);

  // Only the last bar of `daily` (the caller passes the last program.window() bars or more):
  // match, terms and extras of that bar, vectors of length 1 in `out`.
  Status EvaluateLast(const BarColumns& daily, const WeeklyColumns* weekly, Evaluation* out);

  // EvaluateAll without copying the terms and extras of every bar (the copies cost about as much
  // as a cheap indicator): `match` gets one entry per bar; read the values of the bars you keep
  // with TermValue/ExtraValue, valid until the next Evaluate* call on this evaluator.
  Status EvaluateMatches(const BarColumns& daily, const WeeklyColumns* weekly,
                         std::vector<uint8_t>* match);
  // REQUIRES: the last Evaluate* call succeeded; term < terms().size(), bar < its bar count.
  double TermValue(size_t term, size_t bar) const;
  double ExtraValue(size_t extra, size_t bar) const;

  // Indicator kernel calls made so far by this evaluator (tests: sharing computes a node once).
  int64_t indicator_calls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kairos::rules
