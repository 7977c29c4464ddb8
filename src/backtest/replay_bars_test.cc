#include "backtest/replay_bars.h"

#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "calendar/calendar.h"
#include "core/check.h"
#include "marketdata/bar_store.h"
#include "marketdata/synth.h"

namespace kairos::backtest {
namespace {

namespace fs = std::filesystem;

Date D(const char* text) { return *Date::Parse(text); }

const calendar::ExchangeCalendar& Nyse() {
  return **calendar::ExchangeCalendar::ForExchange("NYSE");
}

bool SameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

class ReplayBarsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("kairos_replay_bars_{}", ::getpid());
    fs::remove_all(dir_);
    auto store = marketdata::BarStore::Open(dir_, marketdata::BarStoreOptions{.sync = false});
    KAIROS_CHECK(store.ok()) << store.status().ToString();
    bars_ = std::move(*store);
    sessions_ = Nyse().Sessions(D("2024-01-02"), D("2024-06-28"));
    // Cents and whole volumes (kept as integers) ...
    cents_ = marketdata::SynthSeries("CTS", "NYSE", sessions_, 11);
    ASSERT_TRUE(bars_->Replace(cents_).ok());
    // ... and values no integer of 10^-k units reproduces (kept as doubles).
    odd_ = cents_;
    odd_.instrument.symbol = "ODD";
    for (size_t i = 0; i < odd_.close.size(); ++i) {
      odd_.open[i] = odd_.open[i] / 3.0;
      odd_.high[i] = odd_.high[i] / 3.0 + 1;
      odd_.low[i] = odd_.low[i] / 7.0;
      odd_.close[i] = odd_.close[i] / 3.0 + 0.5;
      odd_.volume[i] = odd_.volume[i] + 0.25;
    }
    odd_.close[5] = 1e12 / 7;  // too big for 32 bits at any scale
    ASSERT_TRUE(bars_->Replace(odd_).ok());
    BarSeries closes;
    closes.instrument = {"IDX", "NYSE"};
    closes.close_only = true;
    closes.dates = cents_.dates;
    closes.close = cents_.close;
    ASSERT_TRUE(bars_->Replace(closes).ok());
  }
  void TearDown() override {
    bars_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::unique_ptr<marketdata::BarStore> bars_;
  std::vector<Date> sessions_;
  BarSeries cents_, odd_;
};

// Every bar and close the run covers comes back bit for bit, whichever way a column is kept.
TEST_F(ReplayBarsTest, GivesBackTheStoredBarsBitForBit) {
  const Date from = D("2024-02-01"), to = D("2024-05-31");
  ReplayBars kept(*bars_, from, to);
  for (const BarSeries* s : {&cents_, &odd_}) {
    for (size_t i = 0; i < s->dates.size(); ++i) {
      const Date d = s->dates[i];
      auto bar = kept.BarOn(s->instrument.symbol, d);
      ASSERT_TRUE(bar.ok()) << bar.status().ToString();
      auto close = kept.Close(s->instrument.symbol, d, false);
      if (d < from || d > to) {
        if (d > to) {
          EXPECT_FALSE(bar->has_value());
        }
        continue;
      }
      ASSERT_TRUE(bar->has_value()) << d.ToString();
      EXPECT_TRUE(SameBits((*bar)->open, s->open[i]));
      EXPECT_TRUE(SameBits((*bar)->high, s->high[i]));
      EXPECT_TRUE(SameBits((*bar)->low, s->low[i]));
      EXPECT_TRUE(SameBits((*bar)->close, s->close[i]));
      EXPECT_TRUE(SameBits((*bar)->volume, s->volume[i]));
      ASSERT_TRUE(close.ok());
      ASSERT_TRUE(close->has_value());
      EXPECT_TRUE(SameBits(**close, s->close[i]));
    }
  }
  // Integers where exact: the cents series costs about half of the doubles it replaces.
  ReplayBars only_cents(*bars_, from, to);
  ASSERT_TRUE(only_cents.BarOn("CTS", from).ok());
  const size_t rows = Nyse().Sessions(from, to).size() + 1;
  EXPECT_LT(only_cents.bytes_kept(), rows * (4 + 5 * 4) + 6 * 64);
  ReplayBars only_odd(*bars_, from, to);
  ASSERT_TRUE(only_odd.BarOn("ODD", from).ok());
  EXPECT_GE(only_odd.bytes_kept(), rows * (4 + 5 * 8));
}

// "At or before" the first session reaches back to the last bar before the run, which is kept;
// nothing before that is.
TEST_F(ReplayBarsTest, KeepsTheLastBarBeforeTheRunAndNothingEarlier) {
  const Date from = D("2024-02-01"), to = D("2024-05-31");
  ReplayBars kept(*bars_, from, to);
  auto weekend = kept.Close("CTS", D("2024-02-04"), true);  // a Sunday: Friday's close
  ASSERT_TRUE(weekend.ok());
  EXPECT_EQ(**weekend,
            cents_.close[std::find(cents_.dates.begin(), cents_.dates.end(), D("2024-02-02")) -
                         cents_.dates.begin()]);
  auto before = kept.Close("CTS", D("2024-01-31"), true);  // the last bar before `from`
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(before->has_value());
  EXPECT_EQ(**before,
            cents_.close[std::find(cents_.dates.begin(), cents_.dates.end(), D("2024-01-31")) -
                         cents_.dates.begin()]);
  auto earlier = kept.Close("CTS", D("2024-01-30"), true);
  ASSERT_FALSE(earlier.ok());
  EXPECT_EQ(earlier.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(earlier.status().message(),
            "CTS: the close on 2024-01-30 is before the bars kept for the run "
            "(2024-02-01..2024-05-31)");
  auto not_a_bar = kept.Close("CTS", D("2024-02-04"), false);
  ASSERT_TRUE(not_a_bar.ok());
  EXPECT_FALSE(not_a_bar->has_value());
  // A run starting before the series has nothing before it, and says so with nullopt.
  ReplayBars early(*bars_, D("2023-06-01"), to);
  auto none = early.Close("CTS", D("2023-12-29"), true);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(ReplayBarsTest, UnknownAndCloseOnlySymbols) {
  ReplayBars kept(*bars_, D("2024-02-01"), D("2024-05-31"));
  auto bar = kept.BarOn("NOPE", D("2024-02-01"));
  ASSERT_TRUE(bar.ok());
  EXPECT_FALSE(bar->has_value());
  auto close = kept.Close("NOPE", D("2024-02-01"), false);
  ASSERT_FALSE(close.ok());
  EXPECT_EQ(close.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(close.status().message(), "no bars stored for 'NOPE'");
  // Closes only: nothing to fill at, but closes to mark with.
  auto idx_bar = kept.BarOn("IDX", D("2024-02-01"));
  ASSERT_TRUE(idx_bar.ok());
  EXPECT_FALSE(idx_bar->has_value());
  auto idx_close = kept.Close("IDX", D("2024-02-01"), false);
  ASSERT_TRUE(idx_close.ok());
  ASSERT_TRUE(idx_close->has_value());
  EXPECT_EQ(**idx_close, kept.Close("CTS", D("2024-02-01"), false)->value());
}

// A series handed over by a scan that read it is kept as if read here, and not read again.
TEST_F(ReplayBarsTest, KeepTakesASeriesAlreadyRead) {
  const Date from = D("2024-02-01"), to = D("2024-05-31");
  ReplayBars read_here(*bars_, from, to);
  ReplayBars handed(*bars_, from, to);
  auto view = bars_->Read("ODD");
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(handed.Kept("ODD"));
  handed.Keep("ODD", **view);
  EXPECT_TRUE(handed.Kept("ODD"));
  ASSERT_TRUE(read_here.BarOn("ODD", from).ok());  // read here, before the change below
  // Changing the store now shows that neither reads the series again.
  BarSeries changed = cents_;
  changed.instrument.symbol = "ODD";
  ASSERT_TRUE(bars_->Replace(changed).ok());
  for (Date d : Nyse().Sessions(from, to)) {
    auto a = read_here.BarOn("ODD", d);
    auto b = handed.BarOn("ODD", d);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->has_value(), b->has_value());
    if (!a->has_value()) continue;
    EXPECT_TRUE(SameBits((*a)->close, (*b)->close));
    EXPECT_TRUE(SameBits((*a)->volume, (*b)->volume));
  }
}

}  // namespace
}  // namespace kairos::backtest
