#include "engine/scanner.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "marketdata/resample.h"
#include "marketdata/synth.h"
#include "marketdata/tail_file.h"

namespace kairos::engine {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

const calendar::ExchangeCalendar& Nyse() {
  return **calendar::ExchangeCalendar::ForExchange("NYSE");
}

std::shared_ptr<const rules::Program> Compile(const std::string& rule,
                                              std::vector<std::string> extras = {}) {
  auto p = rules::Program::Compile(rule, extras);
  EXPECT_TRUE(p.ok()) << rule << ": " << p.status().ToString();
  return p.ok() ? *p : nullptr;
}

// A temporary bar store, removed at the end.
class TempStore {
 public:
  explicit TempStore(const std::string& tag) {
    dir_ = fs::temp_directory_path() /
           fmt::format("kairos_scanner_test_{}_{}_{}", ::getpid(), tag, counter_++);
    fs::remove_all(dir_);
    auto store = marketdata::BarStore::Open(dir_, marketdata::BarStoreOptions{.sync = false});
    KAIROS_CHECK(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  ~TempStore() {
    store_.reset();
    fs::remove_all(dir_);
  }
  marketdata::BarStore& operator*() { return *store_; }
  const fs::path& dir() const { return dir_; }
  marketdata::BarStore* operator->() { return store_.get(); }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
  std::unique_ptr<marketdata::BarStore> store_;
};

// Synthetic OHLCV series on NYSE sessions ending 2026-11-27.
std::vector<BarSeries> MakeSeries(int symbols, int sessions, uint64_t seed = 7) {
  auto dates = marketdata::LastSessions(Nyse(), D(2026, 11, 27), sessions);
  KAIROS_CHECK(dates.ok());
  std::vector<BarSeries> out;
  for (int i = 1; i <= symbols; ++i) {
    out.push_back(marketdata::SynthSeries(fmt::format("S{:02d}", i), "NYSE", *dates,
                                          marketdata::SynthSymbolSeed(seed, i)));
  }
  return out;
}

void Fill(marketdata::BarStore& store, const std::vector<BarSeries>& series) {
  for (const BarSeries& s : series) ASSERT_TRUE(store.Replace(s).ok());
}

// `symbol` as a close-only series with the dates and closes of `like`.
void StoreClosesOnly(marketdata::BarStore& store, const std::string& symbol,
                     const BarSeries& like) {
  BarSeries closes;
  closes.instrument = {symbol, "NYSE"};
  closes.close_only = true;
  closes.dates = like.dates;
  closes.close = like.close;
  ASSERT_TRUE(store.Replace(closes).ok());
}

rules::BarColumns ColumnsOf(const BarSeries& s) {
  return {s.open, s.high, s.low, s.close, s.volume};
}

ScanResult MustScan(const marketdata::BarStore& store, const ScanRequest& request) {
  auto r = Scan(store, Nyse(), request);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : ScanResult{};
}

// Equal, NaN (none) included.
bool Same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool Near(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// The matches of a range scan evaluated directly, symbol by symbol, without the scanner.
std::vector<ScanMatch> DirectRange(const std::vector<BarSeries>& all,
                                   const std::shared_ptr<const rules::Program>& program) {
  std::vector<ScanMatch> out;
  rules::Evaluator evaluator(program);
  for (const BarSeries& s : all) {
    WeeklyData weekly;
    rules::WeeklyColumns wc;
    if (program->needs_weekly()) {
      EXPECT_TRUE(BuildWeekly(s.dates, ColumnsOf(s), Nyse(), &weekly).ok());
      wc = weekly.columns();
    }
    rules::Evaluation e;
    Status st = evaluator.EvaluateAll(ColumnsOf(s), program->needs_weekly() ? &wc : nullptr, &e);
    EXPECT_TRUE(st.ok()) << st.ToString();
    for (size_t i = 0; i < s.size(); ++i) {
      if (!e.match[i]) continue;
      ScanMatch m{s.dates[i], s.instrument.symbol, {}, {}, s.close[i]};
      for (const auto& t : e.terms) m.terms.push_back(t[i]);
      for (const auto& x : e.extras) m.extras.push_back(x[i]);
      out.push_back(std::move(m));
    }
  }
  std::sort(out.begin(), out.end(), [](const ScanMatch& a, const ScanMatch& b) {
    return std::tie(a.date, a.symbol) < std::tie(b.date, b.symbol);
  });
  return out;
}

void ExpectSameMatches(const std::vector<ScanMatch>& got, const std::vector<ScanMatch>& want,
                       bool exact) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].date, want[i].date) << i;
    ASSERT_EQ(got[i].symbol, want[i].symbol) << i;
    EXPECT_EQ(got[i].close, want[i].close);
    ASSERT_EQ(got[i].terms.size(), want[i].terms.size());
    ASSERT_EQ(got[i].extras.size(), want[i].extras.size());
    for (size_t t = 0; t < got[i].terms.size(); ++t) {
      if (exact) {
        EXPECT_TRUE(Same(got[i].terms[t], want[i].terms[t]))
            << got[i].symbol << " " << got[i].date.ToString();
      } else {
        EXPECT_TRUE(Near(got[i].terms[t], want[i].terms[t]))
            << got[i].symbol << " " << got[i].date.ToString() << " term " << t << ": "
            << got[i].terms[t] << " vs " << want[i].terms[t];
      }
    }
    for (size_t x = 0; x < got[i].extras.size(); ++x) {
      EXPECT_TRUE(exact ? Same(got[i].extras[x], want[i].extras[x])
                        : Near(got[i].extras[x], want[i].extras[x]));
    }
  }
}

// --- BuildWeekly (no evaluator needed) ----------------------------------------------------

TEST(BuildWeeklyTest, AWeekIsVisibleFromItsLastSessionOn) {
  // NYSE: Thanksgiving 2024-11-28 closed, so Friday 11-29 ends the week; the next week's data
  // stops on Tuesday 12-03 (a week in progress).
  std::vector<Date> dates = {D(2024, 11, 25), D(2024, 11, 26), D(2024, 11, 27),
                             D(2024, 11, 29), D(2024, 12, 2),  D(2024, 12, 3)};
  std::vector<double> close = {1, 2, 3, 4, 5, 6};
  WeeklyData w;
  ASSERT_TRUE(BuildWeekly(dates, {{}, {}, {}, close, {}}, Nyse(), &w).ok());
  EXPECT_THAT(w.bars.dates, ElementsAre(D(2024, 11, 29), D(2024, 12, 6)));
  EXPECT_THAT(w.bars.close, ElementsAre(4, 6));
  EXPECT_TRUE(w.bars.close_only);
  EXPECT_THAT(w.last_completed, ElementsAre(-1, -1, -1, 0, 0, 0));
  rules::WeeklyColumns c = w.columns();
  EXPECT_EQ(c.bars.close.size(), 2u);
  EXPECT_EQ(c.last_completed.size(), 6u);
}

TEST(BuildWeeklyTest, WeekEndingOnAHolidayShortenedThursday) {
  // Good Friday 2024-03-29: Thursday 03-28 is the week's last session.
  std::vector<Date> dates = {D(2024, 3, 26), D(2024, 3, 27), D(2024, 3, 28), D(2024, 4, 1)};
  std::vector<double> close = {1, 2, 3, 4};
  WeeklyData w;
  ASSERT_TRUE(BuildWeekly(dates, {{}, {}, {}, close, {}}, Nyse(), &w).ok());
  EXPECT_THAT(w.last_completed, ElementsAre(-1, -1, 0, 0));
}

TEST(BuildWeeklyTest, ABarAfterTheWeeksLastSessionDoesNotChangeACompletedWeek) {
  // A Saturday bar: the week was complete on Friday; the Saturday bar must not alter it.
  std::vector<Date> dates = {D(2024, 11, 21), D(2024, 11, 22), D(2024, 11, 23), D(2024, 11, 25)};
  std::vector<double> open = {10, 11, 12, 13}, high = {20, 21, 99, 23}, low = {5, 6, 1, 8},
                      close = {15, 16, 17, 18}, volume = {100, 100, 100, 100};
  WeeklyData w;
  ASSERT_TRUE(BuildWeekly(dates, {open, high, low, close, volume}, Nyse(), &w).ok());
  ASSERT_EQ(w.bars.size(), 2u);
  EXPECT_EQ(w.bars.close[0], 16);
  EXPECT_EQ(w.bars.high[0], 21);
  EXPECT_EQ(w.bars.volume[0], 200);
  EXPECT_THAT(w.last_completed, ElementsAre(-1, 0, 0, 0));
}

TEST(BuildWeeklyTest, BadDailyDatesAreAnError) {
  std::vector<Date> dates = {D(2024, 11, 26), D(2024, 11, 25)};
  std::vector<double> close = {1, 2};
  WeeklyData w;
  Status s = BuildWeekly(dates, {{}, {}, {}, close, {}}, Nyse(), &w);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("not strictly increasing"));
}

// --- Scan ----------------------------------------------------------------------------------

TEST(ScanTest, RangeScanEqualsDirectEvaluation) {
  TempStore store("range");
  auto all = MakeSeries(6, 400);
  Fill(*store, all);
  for (const std::string rule :
       {"close > sma(close, 50) and rsi(close, 14) < 50",
        "crossover(ema(close, 10), sma(close, 30)) or atr(14) > 2 * atr(50)",
        "volume > 1.5 * sma(volume, 20) and close > open"}) {
    auto program = Compile(rule);
    ASSERT_NE(program, nullptr);
    ScanRequest request{.program = program, .from = D(2000, 1, 1), .threads = 2};
    ScanResult r = MustScan(*store, request);
    EXPECT_TRUE(r.skipped.empty());
    EXPECT_EQ(r.bars_read, 6 * 400);
    std::vector<ScanMatch> want = DirectRange(all, program);
    ASSERT_FALSE(want.empty()) << rule;
    ExpectSameMatches(r.matches, want, /*exact=*/true);
  }
}

TEST(ScanTest, RangeBoundsKeepOnlyMatchesInside) {
  TempStore store("bounds");
  auto all = MakeSeries(4, 300);
  Fill(*store, all);
  auto program = Compile("rsi(close, 14) < 50");
  std::vector<ScanMatch> want = DirectRange(all, program);
  const Date from = all[0].dates[200], to = all[0].dates[250];
  ScanResult r = MustScan(*store, {.program = program, .from = from, .to = to});
  std::erase_if(want, [&](const ScanMatch& m) { return m.date < from || m.date > to; });
  ASSERT_FALSE(want.empty());
  ExpectSameMatches(r.matches, want, true);
}

// The streaming range scan hands over exactly what Scan collects: every match in [from, to] with
// its terms, extras and close, and the skipped symbols with their request positions.
TEST(ScanTest, RangeEachHandsOverWhatTheRangeScanCollects) {
  TempStore store("each");
  auto all = MakeSeries(5, 300);
  Fill(*store, all);
  StoreClosesOnly(*store, "IDX", all[0]);
  auto program = Compile("atr(14) > 0.9 * atr(30) and rsi(close, 14) < 55", {"sma(volume, 5)"});
  ScanRequest request{.program = program,
                      .symbols = {"S01", "NOPE", "S02", "IDX", "S03", "S01", "S05"},
                      .from = all[0].dates[120],
                      .to = all[0].dates[250],
                      .threads = 2};
  ScanResult want = MustScan(*store, request);
  ASSERT_FALSE(want.matches.empty());

  std::mutex mu;
  std::vector<ScanMatch> got;
  std::vector<size_t> indexes;
  auto sink = [&](const RangeRows& rows) {
    std::lock_guard lock(mu);
    indexes.push_back(rows.index);
    EXPECT_EQ(rows.symbol, request.symbols[rows.index]);
    EXPECT_EQ(rows.dates.size(), rows.match.size());
    EXPECT_EQ(rows.dates.size(), rows.close.size());
    EXPECT_LE(*request.from, rows.dates[rows.first]);
    EXPECT_LT(rows.dates[rows.first - 1], *request.from);
    EXPECT_LE(rows.dates.back(), *request.to);
    for (size_t r = rows.first; r < rows.dates.size(); ++r) {
      if (rows.match[r] == 0) continue;
      ScanMatch m{.date = rows.dates[r], .symbol = std::string(rows.symbol)};
      for (size_t k = 0; k < program->terms().size(); ++k) {
        m.terms.push_back(rows.values->TermValue(k, r));
      }
      m.extras.push_back(rows.values->ExtraValue(0, r));
      m.close = rows.close[r];
      got.push_back(std::move(m));
    }
  };
  auto skipped = ScanRangeEach(*store, Nyse(), request, sink);
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  std::sort(got.begin(), got.end(), [](const ScanMatch& a, const ScanMatch& b) {
    return std::tie(a.date, a.symbol) < std::tie(b.date, b.symbol);
  });
  ExpectSameMatches(got, want.matches, /*exact=*/true);
  std::sort(indexes.begin(), indexes.end());
  EXPECT_EQ(indexes, (std::vector<size_t>{0, 2, 4, 6}));  // the duplicate S01 once
  ASSERT_EQ(skipped->size(), 2u);
  EXPECT_EQ((*skipped)[0], (std::pair<size_t, std::string>{1, "NOPE: not in the store"}));
  EXPECT_EQ((*skipped)[1].first, 3u);
  EXPECT_EQ((*skipped)[1].second, want.skipped[1]);

  // As-of requests are not streamed.
  ScanRequest as_of{.program = program, .as_of = all[0].dates[250]};
  auto refused = ScanRangeEach(*store, Nyse(), as_of, sink);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "scan: a streaming scan needs a range (from and/or to)");
}

TEST(ScanTest, ResultDoesNotDependOnThreadCount) {
  TempStore store("threads");
  Fill(*store, MakeSeries(9, 300));
  auto program = Compile("close > sma(close, 20) and rsi(close) < 60", {"sma(volume, 5)"});
  ScanResult one = MustScan(*store, {.program = program, .from = D(2000, 1, 1), .threads = 1});
  ScanResult four = MustScan(*store, {.program = program, .from = D(2000, 1, 1), .threads = 4});
  ASSERT_FALSE(one.matches.empty());
  ExpectSameMatches(four.matches, one.matches, true);
  ScanResult as_of1 = MustScan(*store, {.program = program, .threads = 1});
  ScanResult as_of4 = MustScan(*store, {.program = program, .threads = 4});
  ExpectSameMatches(as_of4.matches, as_of1.matches, true);
  EXPECT_EQ(as_of1.as_of, D(2026, 11, 27));
}

// For several rules and sessions: the as-of scan (tail read of program->window() bars, then
// EvaluateLast) equals that session of a full-range evaluation: same matching symbols, terms
// within 1e-9 relative. Each session is tested twice: through a store cut at the session (the
// tail-read path) and as a historical as-of in the full store (read whole, cut at the session).
TEST(ScanTest, AsOfEqualsTheSameSessionOfTheRange) {
  TempStore full("asof_full");
  auto all = MakeSeries(8, 700);
  Fill(*full, all);
  const std::vector<std::string> rules_under_test = {
      "close > sma(close, 200) and rsi(close, 14) < 50",
      "ema(close, 20) > ema(close, 50) or macd(close, 12, 26, 9).hist > 0",
      "atr(14) > 0.9 * atr(30) and close > bbands(close, 20, 2, 2).middle",
      "weekly(rsi(close, 14)) > 45 and close > weekly(sma(close, 10))",
      "highest(high, 20) > close * 1.01 and volume > sma(volume, 20)",
  };
  const std::vector<size_t> rows = {699, 698, 650, 500, 420};
  for (const std::string& rule : rules_under_test) {
    auto program = Compile(rule, {"rsi(close, 14)"});
    ASSERT_NE(program, nullptr);
    std::vector<ScanMatch> range = DirectRange(all, program);
    for (size_t row : rows) {
      const Date d = all[0].dates[row];
      std::vector<ScanMatch> want;
      for (const ScanMatch& m : range) {
        if (m.date == d) want.push_back(m);
      }
      SCOPED_TRACE(rule + " as of " + d.ToString());
      ScanResult historical = MustScan(*full, {.program = program, .as_of = d});
      EXPECT_EQ(historical.as_of, d);
      EXPECT_TRUE(historical.skipped.empty());
      ExpectSameMatches(historical.matches, want, false);

      TempStore cut("asof_cut");
      for (const BarSeries& s : all) ASSERT_TRUE(cut->Replace(s.Slice(std::nullopt, d)).ok());
      ScanResult tail = MustScan(*cut, {.program = program});
      EXPECT_EQ(tail.as_of, d);
      ExpectSameMatches(tail.matches, want, false);
      if (program->window() != rules::kWindowAll && program->window() + 7 < int(row)) {
        EXPECT_LT(tail.bars_read, int64_t(8 * (row + 1))) << "the tail read read everything";
      }
    }
  }
}

// THE look-ahead test for weekly(...): for many days d, results on or before d are the same
// whether the bars after d exist, do not exist, or are wildly different.
TEST(ScanTest, WeeklyNeverSeesTheFuture) {
  auto all = MakeSeries(3, 260, 11);
  auto program = Compile("weekly(close) > weekly(sma(close, 5)) or weekly(rsi(close, 6)) < 40",
                         {"weekly(close)", "weekly(high)", "weekly(volume)"});
  ASSERT_NE(program, nullptr);
  TempStore full("weekly_full");
  Fill(*full, all);
  ScanRequest request{.program = program, .from = D(2000, 1, 1), .threads = 2};
  ScanResult base = MustScan(*full, request);
  ASSERT_FALSE(base.matches.empty());
  int checked = 0;
  for (size_t row = 120; row < 259; row += 4) {  // 4: every weekday in turn
    const Date d = all[0].dates[row];
    auto until_d = [&](const std::vector<ScanMatch>& v) {
      std::vector<ScanMatch> out;
      for (const ScanMatch& m : v) {
        if (m.date <= d) out.push_back(m);
      }
      return out;
    };
    SCOPED_TRACE("cut after " + d.ToString());
    TempStore cut("weekly_cut");
    TempStore altered("weekly_altered");
    for (const BarSeries& s : all) {
      ASSERT_TRUE(cut->Replace(s.Slice(std::nullopt, d)).ok());
      BarSeries wild = s;
      for (size_t i = row + 1; i < wild.size(); ++i) {
        double f = (i % 2 == 0) ? 7.5 : 0.1;
        wild.open[i] *= f;
        wild.close[i] *= f;
        wild.high[i] = std::max(wild.open[i], wild.close[i]) * 3;
        wild.low[i] = std::min(wild.open[i], wild.close[i]) / 3;
        wild.volume[i] *= 1000;
      }
      ASSERT_TRUE(altered->Replace(wild).ok());
    }
    std::vector<ScanMatch> want = until_d(base.matches);
    ExpectSameMatches(until_d(MustScan(*cut, request).matches), want, true);
    ExpectSameMatches(until_d(MustScan(*altered, request).matches), want, true);
    // As of d through a tail read equals the range on d.
    std::vector<ScanMatch> on_d;
    for (const ScanMatch& m : want) {
      if (m.date == d) on_d.push_back(m);
    }
    ExpectSameMatches(MustScan(*cut, {.program = program}).matches, on_d, false);
    ++checked;
  }
  EXPECT_GT(checked, 30);
}

// On every day, weekly(close) is the close of the last completed week: this week's last
// session's close on that session, the previous week's otherwise (never the week in progress).
TEST(ScanTest, WeekInProgressIsNeverVisible) {
  auto all = MakeSeries(1, 120, 3);
  const BarSeries& s = all[0];
  TempStore store("in_progress");
  Fill(*store, all);
  auto program = Compile("close > 0", {"weekly(close)"});
  ScanResult r = MustScan(*store, {.program = program, .from = D(2000, 1, 1)});
  ASSERT_EQ(r.matches.size(), s.size());
  int mid_week = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const Date d = s.dates[i];
    // The last daily bar of the last week that had ended by d.
    Date week_end = Nyse().IsLastSessionOfWeek(d) ? d : d.AddDays(-int(d.iso_weekday()));
    double expected = NAN;
    for (size_t j = 0; j <= i; ++j) {
      if (s.dates[j] <= week_end) expected = s.close[j];
    }
    if (!Nyse().IsLastSessionOfWeek(d)) ++mid_week;
    EXPECT_TRUE(Near(r.matches[i].extras[0], expected))
        << d.ToString() << ": " << r.matches[i].extras[0] << " vs " << expected;
  }
  EXPECT_GT(mid_week, 60);
}

TEST(ScanTest, SkipsWhatCannotBeScannedAndGoesOn) {
  TempStore store("skips");
  auto all = MakeSeries(2, 300);
  Fill(*store, all);
  StoreClosesOnly(*store, "IDX", all[0]);
  BarSeries stale = all[1].Slice(std::nullopt, all[1].dates[280]);
  stale.instrument.symbol = "OLD";
  ASSERT_TRUE(store->Replace(stale).ok());

  auto program = Compile("atr(14) > 0");
  ScanResult r = MustScan(
      *store, {.program = program, .symbols = {"S01", "NOPE", "IDX", "OLD", "S02", "S01"}});
  EXPECT_EQ(r.as_of, D(2026, 11, 27));
  ASSERT_EQ(r.skipped.size(), 3u);
  EXPECT_EQ(r.skipped[0], "NOPE: not in the store");
  EXPECT_THAT(r.skipped[1], HasSubstr("IDX: "));
  EXPECT_EQ(r.skipped[2], fmt::format("OLD: no bar on 2026-11-27 (last: {})", all[1].dates[280]));
  ASSERT_EQ(r.matches.size(), 2u);  // S01 once, S02
  EXPECT_EQ(r.matches[0].symbol, "S01");
  EXPECT_EQ(r.matches[1].symbol, "S02");

  // A close-only series is fine for a rule that reads closes only.
  ScanResult c = MustScan(*store, {.program = Compile("close > 0"), .symbols = {"IDX"}});
  EXPECT_TRUE(c.skipped.empty());
  EXPECT_EQ(c.matches.size(), 1u);
}

TEST(ScanTest, CorruptFileIsSkippedWithTheReason) {
  TempStore store("corrupt");
  Fill(*store, MakeSeries(2, 50));
  // Overwrite S02's file with garbage of the same name (and no tail file: see below).
  std::vector<marketdata::SeriesInfo> list = store->List();
  ASSERT_EQ(list.size(), 2u);
  fs::path file = store.dir() / "bars" / marketdata::SymbolFileName("S02");
  ASSERT_TRUE(fs::exists(file));
  fs::resize_file(file, 100);
  fs::path tails = store.dir() / "bars" / marketdata::internal::kTailFileName;
  const std::string tail_bytes = [&] {
    std::ifstream in(tails, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  ASSERT_TRUE(fs::remove(tails));
  ScanResult r = MustScan(*store, {.program = Compile("close > 0"), .as_of = D(2026, 11, 27)});
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_THAT(r.skipped[0], HasSubstr("S02: "));
  EXPECT_THAT(r.skipped[0], HasSubstr("truncated"));
  EXPECT_EQ(r.matches.size(), 1u);

  // With the tail file, the as-of scan is served the verified copy of the bars the store last
  // wrote for S02 (it does not open the bar file); every other read still reports the damage.
  std::ofstream(tails, std::ios::binary) << tail_bytes;
  ScanResult cached = MustScan(*store, {.program = Compile("close > 0")});
  EXPECT_TRUE(cached.skipped.empty());
  EXPECT_EQ(cached.matches.size(), 2u);
  ScanResult range = MustScan(*store, {.program = Compile("close > 0"), .from = D(2000, 1, 1)});
  ASSERT_EQ(range.skipped.size(), 1u);
  EXPECT_THAT(range.skipped[0], HasSubstr("truncated"));
}

// Forwards to a store and counts the reads of bar files (everything but the tail file).
class CountingStore final : public marketdata::BarStore {
 public:
  explicit CountingStore(const marketdata::BarStore& inner) : inner_(inner) {}
  Status Upsert(const BarSeries&) override { return Status::Internal("read-only"); }
  Status Replace(const BarSeries&) override { return Status::Internal("read-only"); }
  Status Remove(std::string_view) override { return Status::Internal("read-only"); }
  Result<std::unique_ptr<marketdata::SeriesView>> Read(std::string_view symbol) const override {
    ++file_reads;
    return inner_.Read(symbol);
  }
  Result<std::unique_ptr<marketdata::SeriesView>> ReadColumns(
      std::string_view symbol, marketdata::ColumnSet columns) const override {
    ++file_reads;
    return inner_.ReadColumns(symbol, columns);
  }
  Result<std::unique_ptr<marketdata::SeriesView>> ReadTail(std::string_view symbol,
                                                           marketdata::ColumnSet columns,
                                                           size_t rows) const override {
    ++file_reads;
    return inner_.ReadTail(symbol, columns, rows);
  }
  std::vector<marketdata::SeriesInfo> List() const override { return inner_.List(); }
  Result<marketdata::SeriesInfo> Info(std::string_view symbol) const override {
    return inner_.Info(symbol);
  }
  std::shared_ptr<const marketdata::SeriesTails> Tails() const override { return inner_.Tails(); }
  void BeginBatch() override {}
  Status EndBatch() override { return Status::Ok(); }

  mutable std::atomic<int> file_reads{0};

 private:
  const marketdata::BarStore& inner_;
};

std::string ReadFileBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void WriteFileBytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(ScanTest, AsOfWithTheTailFileEqualsWithoutIt) {
  const int n = 12;
  auto all = MakeSeries(n, 900, 21);
  TempStore cached("tails_on");
  Fill(*cached, all);
  TempStore plain("tails_off");
  Fill(*plain, all);
  ASSERT_TRUE(fs::remove(plain.dir() / "bars" / marketdata::internal::kTailFileName));
  ASSERT_EQ(plain->Tails(), nullptr);
  CountingStore counted(*cached);

  const std::vector<std::string> rules_under_test = {
      "close > sma(close, 200) and rsi(close, 14) < 50",
      "ema(close, 20) > ema(close, 50) or macd(close, 12, 26, 9).hist > 0",
      "weekly(rsi(close, 14)) > 45 and close > weekly(sma(close, 10))",
      "highest(high, 20) > close * 1.01 and volume > sma(volume, 20)",
      "bars_since(close > open) < 3",  // whole history (kWindowAll)
  };
  int tail_rules = 0;
  for (const std::string& rule : rules_under_test) {
    auto program = Compile(rule, {"rsi(close, 14)"});
    ASSERT_NE(program, nullptr);
    const int window = program->window();
    const bool fits =
        window != rules::kWindowAll && window + (program->needs_weekly() ? 7 : 0) <=
                                           static_cast<int>(marketdata::internal::kTailRows);
    tail_rules += fits;
    std::vector<ScanMatch> range = DirectRange(all, program);
    for (size_t row : {size_t{899}, size_t{898}, size_t{700}}) {
      const Date d = all[0].dates[row];
      SCOPED_TRACE(rule + " as of " + d.ToString());
      std::vector<ScanMatch> want;
      for (const ScanMatch& m : range) {
        if (m.date == d) want.push_back(m);
      }
      counted.file_reads = 0;
      // As of the last session both by default and by date.
      ScanRequest request{.program = program, .threads = 2};
      if (row != 899) request.as_of = d;
      ScanResult with = MustScan(counted, request);
      ScanResult without = MustScan(*plain, request);
      EXPECT_EQ(with.as_of, d);
      EXPECT_TRUE(with.skipped.empty());
      ExpectSameMatches(with.matches, without.matches, true);  // bit for bit
      ExpectSameMatches(with.matches, want, false);
      EXPECT_EQ(with.bars_read, without.bars_read);
      // The tail file serves the last session when the window fits; a historical as-of never
      // uses it (it reads the bar files, cut at the date).
      EXPECT_EQ(counted.file_reads.load(), row == 899 && fits ? 0 : n);
    }
  }
  // Windows: 450, 856 (EMA warm-up), 2261 (weekly), 20, all: two rules use the tail file.
  EXPECT_EQ(tail_rules, 2);
}

TEST(ScanTest, StaleOrDamagedTailFileGivesTheSameMatches) {
  const int n = 10;
  auto all = MakeSeries(n, 700, 5);
  TempStore store("tails_bad");
  for (const BarSeries& s : all) {
    ASSERT_TRUE(store->Replace(s.Slice(std::nullopt, s.dates[698])).ok());
  }
  const fs::path tails = store.dir() / "bars" / marketdata::internal::kTailFileName;
  const std::string older = ReadFileBytes(tails);  // up to the session before the last
  store->BeginBatch();
  for (const BarSeries& s : all)
    ASSERT_TRUE(store->Upsert(s.Slice(s.dates[699], std::nullopt)).ok());
  ASSERT_TRUE(store->EndBatch().ok());
  const std::string current = ReadFileBytes(tails);
  ASSERT_NE(older, current);

  TempStore plain("tails_ref");
  Fill(*plain, all);
  ASSERT_TRUE(fs::remove(plain.dir() / "bars" / marketdata::internal::kTailFileName));

  auto program = Compile("close > sma(close, 200) and rsi(close, 14) < 55", {"rsi(close, 14)"});
  const ScanResult want = MustScan(*plain, {.program = program});
  ASSERT_FALSE(want.matches.empty());
  ASSERT_EQ(want.as_of, all[0].dates[699]);
  CountingStore counted(*store);
  auto check = [&](const std::string& what, int file_reads) {
    SCOPED_TRACE(what);
    counted.file_reads = 0;
    ScanResult got = MustScan(counted, {.program = program});
    EXPECT_EQ(got.as_of, want.as_of);
    EXPECT_TRUE(got.skipped.empty());
    ExpectSameMatches(got.matches, want.matches, true);
    EXPECT_EQ(counted.file_reads.load(), file_reads);
  };
  check("current tail file", 0);

  WriteFileBytes(tails, older);  // an older copy restored: every entry is stale
  check("older tail file", n);

  // A byte of S03's last close: that symbol is read from its bar file.
  const size_t k = marketdata::internal::kTailRows;
  const size_t blocks = (128 + n * 192 + 63) / 64 * 64;
  const size_t close_of_s03 = blocks + n * k * 4 + 3 * n * k * 8 + 2 * k * 8;
  std::string damaged = current;
  damaged[close_of_s03 + (k - 1) * 8 + 2] ^= 0x40;
  WriteFileBytes(tails, damaged);
  check("damaged close of S03", 1);

  damaged = current;
  damaged.resize(damaged.size() / 2);
  WriteFileBytes(tails, damaged);
  check("truncated tail file", n);

  ASSERT_TRUE(store->RebuildTails().ok());
  check("rebuilt", 0);
}

TEST(ColumnsReadTest, FieldsDerivedFieldsAndIndicatorInputs) {
  using marketdata::Column;
  using marketdata::ColumnSet;
  EXPECT_EQ(*ColumnsRead("rsi(close) < 30"), (ColumnSet{Column::kClose}));
  EXPECT_EQ(*ColumnsRead("volume > 1.5 * sma(volume, 20) and close > 1"),
            (ColumnSet{Column::kClose, Column::kVolume}));
  EXPECT_EQ(*ColumnsRead("atr(14) > 1"), (ColumnSet{Column::kClose, Column::kHigh, Column::kLow}));
  EXPECT_EQ(*ColumnsRead("hl2 > 1"), (ColumnSet{Column::kClose, Column::kHigh, Column::kLow}));
  EXPECT_EQ(*ColumnsRead("ohlc4 > 1"),
            (ColumnSet{Column::kClose, Column::kOpen, Column::kHigh, Column::kLow}));
  std::vector<std::string> extras = {"median(turnover, 20)"};
  EXPECT_EQ(*ColumnsRead("weekly(close) > open", extras),
            (ColumnSet{Column::kClose, Column::kOpen, Column::kVolume}));
  auto bad = ColumnsRead("emaa(close) > 1");
  EXPECT_THAT(bad.status().message(), HasSubstr("unknown indicator 'emaa'"));
}

TEST(ScanTest, ReadingOnlyTheColumnsTheRuleNeedsChangesNothing) {
  TempStore store("columns");
  auto all = MakeSeries(5, 400);
  Fill(*store, all);
  const std::string rule = "close > sma(close, 50) and volume > 1.2 * sma(volume, 20)";
  auto program = Compile(rule);
  ScanRequest request{.program = program, .from = D(2000, 1, 1)};
  ScanResult every = MustScan(*store, request);
  request.columns = *ColumnsRead(rule);
  ScanResult some = MustScan(*store, request);
  ASSERT_FALSE(every.matches.empty());
  ExpectSameMatches(some.matches, every.matches, true);
  request.from.reset();
  ExpectSameMatches(MustScan(*store, request).matches,
                    MustScan(*store, {.program = program}).matches, true);
}

TEST(ScanTest, BadRequestsAreRefused) {
  TempStore store("bad");
  auto program = Compile("close > 0");
  EXPECT_EQ(Scan(*store, Nyse(), {}).status().message(), "scan: no rule given");
  EXPECT_EQ(
      Scan(*store, Nyse(), {.program = program, .as_of = D(2024, 1, 2), .from = D(2024, 1, 1)})
          .status()
          .message(),
      "scan: give either one session (as of) or a range, not both");
  EXPECT_EQ(Scan(*store, Nyse(), {.program = program, .from = D(2024, 2, 1), .to = D(2024, 1, 1)})
                .status()
                .message(),
            "scan: the range ends (2024-01-01) before it starts (2024-02-01)");
}

TEST(ScanTest, EmptyStoreGivesNothing) {
  TempStore store("empty");
  ScanResult r = MustScan(*store, {.program = Compile("close > 0")});
  EXPECT_TRUE(r.matches.empty());
  EXPECT_TRUE(r.skipped.empty());
  ScanResult named = MustScan(*store, {.program = Compile("close > 0"), .symbols = {"X"}});
  EXPECT_THAT(named.skipped, ElementsAre("X: not in the store"));
}

// NSE and NYSE sessions differ in 2026 (NSE trades on 3 July, closes on Friday 2 October), so
// weekly values of an NSE series depend on which calendar builds its weeks.
TEST(ScanTest, WithoutACalendarEachSymbolsWeeksFollowItsOwnExchange) {
  TempStore store("own_cal");
  const auto& nse = **calendar::ExchangeCalendar::ForExchange("NSE");
  auto nse_dates = marketdata::LastSessions(nse, D(2026, 11, 27), 200);
  ASSERT_TRUE(nse_dates.ok()) << nse_dates.status().ToString();
  BarSeries india =
      marketdata::SynthSeries("INFY", "NSE", *nse_dates, marketdata::SynthSymbolSeed(7, 9));
  Fill(*store, MakeSeries(2, 200));
  Fill(*store, {india});
  auto program = Compile("close > 0", {"weekly(close)"});
  ScanRequest all{.program = program, .from = D(2026, 1, 1)};
  auto own = Scan(*store, all);
  ASSERT_TRUE(own.ok()) << own.status().ToString();

  // What each exchange's calendar gives its own symbols, merged in the scanner's order.
  ScanRequest nyse_only = all;
  nyse_only.symbols = {"S01", "S02"};
  ScanRequest nse_only = all;
  nse_only.symbols = {"INFY"};
  std::vector<ScanMatch> want = MustScan(*store, nyse_only).matches;
  auto india_matches = Scan(*store, nse, nse_only);
  ASSERT_TRUE(india_matches.ok()) << india_matches.status().ToString();
  ASSERT_FALSE(india_matches->matches.empty());
  want.insert(want.end(), india_matches->matches.begin(), india_matches->matches.end());
  std::sort(want.begin(), want.end(), [](const ScanMatch& a, const ScanMatch& b) {
    return std::tie(a.date, a.symbol) < std::tie(b.date, b.symbol);
  });
  ExpectSameMatches(own->matches, want, /*exact=*/true);

  // NYSE's calendar for every symbol gives another answer: the test can tell them apart.
  auto nyse_for_all = Scan(*store, Nyse(), all);
  auto same = [](const std::vector<ScanMatch>& a, const std::vector<ScanMatch>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].date != b[i].date || a[i].symbol != b[i].symbol ||
          !Same(a[i].extras.at(0), b[i].extras.at(0))) {
        return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(!nyse_for_all.ok() || !same(nyse_for_all->matches, want));
}

}  // namespace
}  // namespace kairos::engine
