#include <cmath>

#include <gtest/gtest.h>

#include "indicators/testing/compare.h"
#include "indicators/testing/random_data.h"
#include "indicators/testing/reference_data.h"

namespace kairos::indicators::testing {
namespace {

TEST(ReferenceDataTest, LoadsBothSetsAligned) {
  for (std::string_view set : kReferenceSets) {
    auto bars = LoadOhlcv(ReferencePath(std::string(set) + ".csv"));
    ASSERT_TRUE(bars.ok()) << bars.status().ToString();
    auto ref = LoadReference(ReferencePath(std::string(set) + "_talib.csv"));
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    ASSERT_EQ(bars->size(), ref->size());
    EXPECT_EQ(bars->dates, ref->dates);
    EXPECT_TRUE(ref->Has("sma_20"));
    EXPECT_TRUE(std::isnan(ref->Column("sma_20")[18]));
    EXPECT_FALSE(std::isnan(ref->Column("sma_20")[19]));
  }
}

TEST(ReferenceDataTest, MissingFileIsAnError) {
  EXPECT_FALSE(LoadOhlcv(ReferencePath("no_such_file.csv")).ok());
}

TEST(RandomDataTest, DeterministicAndCoherent) {
  OhlcvSeries a = RandomOhlcv(500, 3);
  OhlcvSeries b = RandomOhlcv(500, 3);
  EXPECT_EQ(a.close, b.close);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_LE(a.low[i], std::min(a.open[i], a.close[i]));
    EXPECT_GE(a.high[i], std::max(a.open[i], a.close[i]));
    EXPECT_GT(a.volume[i], 0);
  }
  size_t total = 0;
  for (size_t len : ChunkSizes(1000, 5, 10)) {
    EXPECT_GE(len, 1u);
    EXPECT_LE(len, 10u);
    total += len;
  }
  EXPECT_EQ(total, 1000u);
}

TEST(CompareTest, DetectsWarmupAndValueDifferences) {
  double nan = std::nan("");
  std::vector<double> e = {nan, 1.0, 2.0};
  EXPECT_TRUE(MatchesReference(std::vector<double>{nan, 1.0, 2.0}, e, 0));
  EXPECT_FALSE(MatchesReference(std::vector<double>{0.0, 1.0, 2.0}, e, 1e-9));
  EXPECT_FALSE(MatchesReference(std::vector<double>{nan, nan, 2.0}, e, 1e-9));
  EXPECT_FALSE(MatchesReference(std::vector<double>{nan, 1.0, 2.1}, e, 1e-9));
  EXPECT_TRUE(MatchesReference(std::vector<double>{nan, 1.0, 2.0 + 1e-12}, e, 1e-9));
}

}  // namespace
}  // namespace kairos::indicators::testing
