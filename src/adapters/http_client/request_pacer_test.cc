#include "adapters/http_client/request_pacer.h"

#include <gtest/gtest.h>

#include <thread>

namespace kairos::http {
namespace {

using std::chrono::milliseconds;

TEST(RequestPacer, TheRequestPastTheLimitWaitsForTheWindow) {
  std::chrono::nanoseconds slept{0};
  RequestPacer pacer(3, milliseconds(200), [&](std::chrono::nanoseconds d) {
    slept += d;
    std::this_thread::sleep_for(d);
  });
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) pacer.Acquire();
  EXPECT_EQ(slept.count(), 0);
  pacer.Acquire();
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(190));
  EXPECT_GT(slept.count(), 0);
}

TEST(RequestPacer, APauseHoldsEveryRequestAndZeroLimitIsOff) {
  std::chrono::nanoseconds slept{0};
  RequestPacer pacer(0, milliseconds(200), [&](std::chrono::nanoseconds d) {
    slept += d;
    std::this_thread::sleep_for(d);
  });
  for (int i = 0; i < 1000; ++i) pacer.Acquire();
  EXPECT_EQ(slept.count(), 0);
  pacer.Pause(milliseconds(100));
  pacer.Acquire();
  EXPECT_GE(slept, milliseconds(90));
}

}  // namespace
}  // namespace kairos::http
