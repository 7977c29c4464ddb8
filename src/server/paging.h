#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/http.h"
#include "server/router.h"

namespace kairos::server {

inline constexpr size_t kDefaultPageLimit = 100;
inline constexpr size_t kMaxPageLimit = 1000;

// The page a list request asks for: `limit` (1..1000, default 100) and `cursor` (the key of the
// last item of the previous page, as that page's next_cursor gave it).
struct Page {
  size_t limit = kDefaultPageLimit;
  std::optional<std::string> cursor;
};

// The query parameters of a list route: `filters`, then limit and cursor (for its Route::query and
// so the OpenAPI document).
std::vector<QueryParam> PageParams(std::vector<QueryParam> filters = {});

// The page of `request`, or 422 invalid for a limit that is not a whole number in 1..1000.
std::variant<Page, Response> ReadPage(const Request& request);

// The key of one item of a list: what a cursor names ("12" for an item with id 12).
using ItemKey = std::function<std::string(const nlohmann::ordered_json& item)>;

// {"items": [...], "next_cursor": "KEY" | null}: the items of `all` (an array in the list's order)
// after the one whose key is `page.cursor`, at most `page.limit` of them. A cursor naming no item
// is 422 invalid.
std::variant<nlohmann::ordered_json, Response> PageOf(const nlohmann::ordered_json& all,
                                                      const Page& page, const ItemKey& key);

// The key of items that have an "id".
std::string IdKey(const nlohmann::ordered_json& item);

}  // namespace kairos::server
