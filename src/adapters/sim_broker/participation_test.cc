#include "adapters/sim_broker/participation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kairos::sim_broker {
namespace {

TEST(ParticipationTest, ZeroParticipationMeansNoLimit) {
  EXPECT_EQ(VolumeCap(1000, 0), std::numeric_limits<int64_t>::max());
}

TEST(ParticipationTest, CapIsTheFlooredShareOfTheBarsVolume) {
  EXPECT_EQ(VolumeCap(1000, 0.1), 100);
  EXPECT_EQ(VolumeCap(1005, 0.1), 100);
  EXPECT_EQ(VolumeCap(1000, 1), 1000);
}

TEST(ParticipationTest, NoVolumeOrANonFiniteShareTakesNothing) {
  EXPECT_EQ(VolumeCap(0, 0.1), 0);
  EXPECT_EQ(VolumeCap(5, 0.1), 0);
  EXPECT_EQ(VolumeCap(std::nan(""), 0.1), 0);
  EXPECT_EQ(VolumeCap(std::numeric_limits<double>::infinity(), 0.1), 0);
}

}  // namespace
}  // namespace kairos::sim_broker
