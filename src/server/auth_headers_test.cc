#include <gtest/gtest.h>

#include "server/auth.h"

namespace kairos::server {
namespace {

TEST(AuthHeadersTest, CookieValueFindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(CookieValue("kairos_session=abc", "kairos_session"), "abc");
  EXPECT_EQ(CookieValue("a=1; kairos_session=abc; b=2", "kairos_session"), "abc");
  EXPECT_EQ(CookieValue("a=1;kairos_session=\"abc\"", "kairos_session"), "abc");
  EXPECT_EQ(CookieValue("xkairos_session=abc", "kairos_session"), std::nullopt);
  EXPECT_EQ(CookieValue("kairos_session", "kairos_session"), std::nullopt);
  EXPECT_EQ(CookieValue("", "kairos_session"), std::nullopt);
  EXPECT_EQ(CookieValue("kairos_session=", "kairos_session"), "");
}

TEST(AuthHeadersTest, BearerTokenTakesOnlyTheBearerScheme) {
  EXPECT_EQ(BearerToken("Bearer kairos_x"), "kairos_x");
  EXPECT_EQ(BearerToken("bearer  kairos_x "), "kairos_x");
  EXPECT_EQ(BearerToken("Basic YWxpY2U6cHc="), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer "), std::nullopt);
  EXPECT_EQ(BearerToken("Bearerkairos_x"), std::nullopt);
}

TEST(AuthHeadersTest, AccountNamesAreShortAndPlain) {
  EXPECT_TRUE(ValidAccountName("alice"));
  EXPECT_TRUE(ValidAccountName("ci-bot_2.prod"));
  EXPECT_FALSE(ValidAccountName(""));
  EXPECT_FALSE(ValidAccountName("-alice"));
  EXPECT_FALSE(ValidAccountName("al ice"));
  EXPECT_FALSE(ValidAccountName("alice\n"));
  EXPECT_FALSE(ValidAccountName(std::string(65, 'a')));
  EXPECT_TRUE(ValidAccountName(std::string(64, 'a')));
}

TEST(AuthHeadersTest, LockoutStartsAtTheFifthFailureAndDoublesToFifteenMinutes) {
  EXPECT_EQ(LockoutAfter(4), 0);
  EXPECT_EQ(LockoutAfter(5), 1'000'000'000);
  EXPECT_EQ(LockoutAfter(6), 2'000'000'000);
  EXPECT_EQ(LockoutAfter(7), 4'000'000'000);
  EXPECT_EQ(LockoutAfter(14), 512'000'000'000);
  EXPECT_EQ(LockoutAfter(15), 900'000'000'000);
  EXPECT_EQ(LockoutAfter(1000), 900'000'000'000);
}

}  // namespace
}  // namespace kairos::server
