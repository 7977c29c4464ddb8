#include "core/status.h"

#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "core/result.h"

namespace kairos {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument(fmt::format("{} is not positive", v));
  return v;
}

Result<int> Doubled(int v) {
  KAIROS_ASSIGN_OR_RETURN(int p, ParsePositive(v));
  return p * 2;
}

Status CheckBoth(int a, int b) {
  KAIROS_RETURN_IF_ERROR(ParsePositive(a).status());
  KAIROS_RETURN_IF_ERROR(ParsePositive(b).status().WithContext("second"));
  return Status::Ok();
}

TEST(StatusTest, OkAndErrorsFormat) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().ToString(), "OK");
  Status s = Status::NotFound("symbol 'XYZ'");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not found: symbol 'XYZ'");
  EXPECT_EQ(s.WithContext("export").message(), "export: symbol 'XYZ'");
}

TEST(ResultTest, ValueAndPropagation) {
  EXPECT_EQ(*Doubled(21), 42);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "-1 is not positive");
  EXPECT_EQ(bad.value_or(7), 7);
  EXPECT_TRUE(CheckBoth(1, 2).ok());
  EXPECT_EQ(CheckBoth(1, -2).message(), "second: -2 is not positive");
  EXPECT_EQ(CheckBoth(0, -2).message(), "0 is not positive");
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> bad = Status::Internal("boom");
  EXPECT_DEATH((void)bad.value(), "Result::value\\(\\) on error: internal error: boom");
}

TEST(CheckDeathTest, BareCheckAndCheckWithMessage) {
  int x = 1;
  KAIROS_CHECK(x == 1);  // compiles without a message and passes
  EXPECT_DEATH(KAIROS_CHECK(x == 2), "check failed: x == 2");
  EXPECT_DEATH(KAIROS_CHECK(x == 3) << "x is " << x, "check failed: x == 3 x is 1");
}

TEST(ResultDeathTest, OkStatusIsNotAResult) {
  EXPECT_DEATH(
      {
        Result<int> r = Status::Ok();
        (void)r;
      },
      "cannot hold an OK status");
}

Result<std::vector<std::string>> Names() { return std::vector<std::string>{"alpha", "beta"}; }

// A range-for over a temporary Result's value must not read a destroyed vector (under ASan a
// reference into the temporary is a use after free).
TEST(ResultTest, TemporaryResultGivesItsValueAwayByValue) {
  static_assert(std::is_same_v<decltype(Names().value()), std::vector<std::string>>);
  static_assert(std::is_same_v<decltype(*Names()), std::vector<std::string>>);
  std::string joined;
  for (const std::string& n : Names().value()) joined += n;
  EXPECT_EQ(joined, "alphabeta");
}

}  // namespace
}  // namespace kairos
