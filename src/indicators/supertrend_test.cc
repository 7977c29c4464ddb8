// SUPERTREND on 12 hand-computed bars (period 3, multiplier 1), the definition in
// README.md ("SUPERTREND"), plus the typed API.

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "indicators/supertrend.h"

namespace kairos::indicators {
namespace {

TEST(SupertrendTest, HandComputedBars) {
  const std::vector<double> high = {10, 11, 12, 13, 14, 16, 17, 16, 15, 13, 12, 14};
  const std::vector<double> low = {8, 9, 10, 11, 12, 13, 15, 14, 12, 10, 9, 11};
  const std::vector<double> close = {9, 10, 11, 12, 13, 15.5, 16, 14.5, 12.5, 10.5, 9.5, 13.5};
  // True ranges from bar 1: 2 2 2 2 3 2 2 3 3 3 4.5. ATR(3): bar 3 = 2, then (atr * 2 + tr) / 3:
  // 2, 7/3, 20/9, 58/27, 197/81, 637/243, 2003/729, 14573/4374. hl2 from bar 3:
  // 12, 13, 14.5, 16, 15, 13.5, 11.5, 10.5, 12.5.
  //  bar 3: bands 14 / 10, first bar: down, 14.
  //  bar 4: basic 15 / 11; upper keeps 14 (15 is not below it, close 12 was not above it);
  //         lower 11; close 13 <= 14: still down, 14.
  //  bar 5: basic 14.5 + 7/3 / 14.5 - 7/3; upper keeps 14; lower 12.1667;
  //         close 15.5 > 14: turns up, 14.5 - 7/3.
  //  bar 6: basic 16 + 20/9 / 16 - 20/9; upper takes 18.22 (prev close 15.5 > 14);
  //         lower 13.78; close 16 >= lower: up, 16 - 20/9.
  //  bar 7: basic lower 15 - 58/27 = 12.85 is below 13.78: lower keeps 16 - 20/9; up.
  //  bar 8: basic upper 13.5 + 197/81 = 15.93 < 17.15: taken; close 12.5 < 13.78: turns down,
  //         13.5 + 197/81.
  //  bar 9: upper 11.5 + 637/243 (below); down.
  //  bar 10: upper 10.5 + 2003/729 (below); down.
  //  bar 11: basic upper 15.83 is above 13.25 and prev close 9.5 is not: upper keeps
  //          10.5 + 2003/729 = 13.2476; close 13.5 > 13.2476: turns up; lower = basic
  //          12.5 - 14573/4374 = 9.168 (above the previous 8.88), so 9.168.
  const double nan = std::nan("");
  const std::vector<double> want_st = {nan,
                                       nan,
                                       nan,
                                       14,
                                       14,
                                       14.5 - 7.0 / 3,
                                       16 - 20.0 / 9,
                                       16 - 20.0 / 9,
                                       13.5 + 197.0 / 81,
                                       11.5 + 637.0 / 243,
                                       10.5 + 2003.0 / 729,
                                       12.5 - 14573.0 / 4374};
  const std::vector<double> want_dir = {nan, nan, nan, -1, -1, 1, 1, 1, -1, -1, -1, 1};
  std::vector<double> st(12), dir(12);
  ASSERT_TRUE(Supertrend(high, low, close, 3, 1.0, st, dir).ok());
  for (size_t i = 0; i < 12; ++i) {
    SCOPED_TRACE(i);
    if (std::isnan(want_st[i])) {
      EXPECT_TRUE(std::isnan(st[i]));
      EXPECT_TRUE(std::isnan(dir[i]));
    } else {
      EXPECT_NEAR(st[i], want_st[i], 1e-12);
      EXPECT_EQ(dir[i], want_dir[i]);
    }
  }
  // The typed stream gives the same numbers.
  auto stream = SupertrendStream::Create(3, 1.0);
  ASSERT_TRUE(stream.ok());
  for (size_t i = 0; i < 12; ++i) {
    stream->Update(high[i], low[i], close[i]);
    EXPECT_EQ(stream->ready(), i >= 3);
    if (stream->ready()) {
      EXPECT_EQ(stream->value(0), st[i]);
      EXPECT_EQ(stream->value(1), dir[i]);
    }
  }
  EXPECT_EQ(SupertrendLookback(3, 1.0), 3);
}

TEST(SupertrendTest, InvalidParamsAreErrors) {
  std::vector<double> x(5, 1.0), out(5), dir(5);
  EXPECT_FALSE(Supertrend(x, x, x, 0, 3, out, dir).ok());
  EXPECT_FALSE(Supertrend(x, x, x, 10, -1, out, dir).ok());
  EXPECT_FALSE(Supertrend(x, x, x, 10, std::nan(""), out, dir).ok());
  EXPECT_FALSE(SupertrendStream::Create(0, 3).ok());
  EXPECT_EQ(SupertrendLookback(0, 3), -1);
  std::vector<double> short_out(4);
  EXPECT_FALSE(Supertrend(x, x, x, 2, 3, short_out, dir).ok());
}

}  // namespace
}  // namespace kairos::indicators
