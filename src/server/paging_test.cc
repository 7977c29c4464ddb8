#include "server/paging.h"

#include <gtest/gtest.h>

namespace kairos::server {
namespace {

nlohmann::ordered_json Items(int n) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (int i = 1; i <= n; ++i) all.push_back({{"id", i}});
  return all;
}

Request WithQuery(std::vector<std::pair<std::string, std::string>> query) {
  Request r;
  r.query = std::move(query);
  return r;
}

TEST(PagingTest, PagesWalkTheWholeListOnceThroughTheirCursors) {
  auto all = Items(5);
  Page page{2, std::nullopt};
  std::vector<int> seen;
  for (int guard = 0; guard < 10; ++guard) {
    auto result = PageOf(all, page, IdKey);
    ASSERT_TRUE(std::holds_alternative<nlohmann::ordered_json>(result));
    const auto& json = std::get<nlohmann::ordered_json>(result);
    for (const auto& item : json["items"]) seen.push_back(item["id"]);
    if (json["next_cursor"].is_null()) break;
    page.cursor = json["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(PagingTest, ALimitOutsideOneToAThousandIs422) {
  for (std::string bad : {"0", "1001", "-1", "ten", "5x", ""}) {
    auto page = ReadPage(WithQuery({{"limit", bad}}));
    ASSERT_TRUE(std::holds_alternative<Response>(page)) << bad;
    EXPECT_EQ(std::get<Response>(page).status, 422) << bad;
  }
  auto page = ReadPage(WithQuery({{"limit", "1000"}}));
  ASSERT_TRUE(std::holds_alternative<Page>(page));
  EXPECT_EQ(std::get<Page>(page).limit, 1000u);
}

TEST(PagingTest, ACursorNamingNoItemIs422) {
  auto result = PageOf(Items(3), Page{2, "99"}, IdKey);
  ASSERT_TRUE(std::holds_alternative<Response>(result));
  EXPECT_EQ(std::get<Response>(result).status, 422);
}

}  // namespace
}  // namespace kairos::server
