#include "core/string_hash.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace kairos {
namespace {

TEST(StringHashTest, AnyStringTypeHashesTheSame) {
  StringHash h;
  const std::string s = "RELIANCE";
  EXPECT_EQ(h(s), h(std::string_view("RELIANCE")));
  EXPECT_EQ(h(s), h("RELIANCE"));
}

TEST(StringMapTest, LooksUpByStringViewAndLiteral) {
  StringMap<int> m;
  m["AAPL"] = 1;
  m.emplace("MSFT", 2);
  std::string_view key = "AAPL";
  ASSERT_NE(m.find(key), m.end());
  EXPECT_EQ(m.find(key)->second, 1);
  EXPECT_EQ(m.count("MSFT"), 1u);
  EXPECT_EQ(m.find(std::string_view("IBM")), m.end());
  StringSet set = {"A", "B"};
  EXPECT_TRUE(set.contains(std::string_view("B")));
}

}  // namespace
}  // namespace kairos
