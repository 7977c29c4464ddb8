#include "core/ranking.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace kairos {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> Sorted(std::vector<double> v, RankOrder order) {
  std::stable_sort(v.begin(), v.end(),
                   [&](double a, double b) { return CompareRanks(a, b, order) < 0; });
  return v;
}

TEST(CompareRanksTest, HighestFirstPutsNaNLast) {
  std::vector<double> v = Sorted({2, kNaN, -1, 5, kNaN, 0}, RankOrder::kHighestFirst);
  EXPECT_EQ(v[0], 5);
  EXPECT_EQ(v[1], 2);
  EXPECT_EQ(v[2], 0);
  EXPECT_EQ(v[3], -1);
  EXPECT_TRUE(std::isnan(v[4]) && std::isnan(v[5]));
}

TEST(CompareRanksTest, LowestFirstAlsoPutsNaNLast) {
  std::vector<double> v = Sorted({2, kNaN, -1, 5, 0}, RankOrder::kLowestFirst);
  EXPECT_EQ(v[0], -1);
  EXPECT_EQ(v[1], 0);
  EXPECT_EQ(v[2], 2);
  EXPECT_EQ(v[3], 5);
  EXPECT_TRUE(std::isnan(v[4]));
}

TEST(CompareRanksTest, EqualValuesAndTwoNaNsAreTiesForTheCaller) {
  EXPECT_EQ(CompareRanks(1.5, 1.5, RankOrder::kHighestFirst), std::weak_ordering::equivalent);
  EXPECT_EQ(CompareRanks(kNaN, kNaN, RankOrder::kLowestFirst), std::weak_ordering::equivalent);
  EXPECT_EQ(CompareRanks(-kNaN, kNaN, RankOrder::kHighestFirst), std::weak_ordering::equivalent);
}

TEST(CompareRanksTest, InfinitiesAreNumbers) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(CompareRanks(kInf, 1, RankOrder::kHighestFirst), std::weak_ordering::less);
  EXPECT_EQ(CompareRanks(-kInf, kNaN, RankOrder::kHighestFirst), std::weak_ordering::less);
  EXPECT_EQ(CompareRanks(-kInf, 1, RankOrder::kLowestFirst), std::weak_ordering::less);
}

}  // namespace
}  // namespace kairos
