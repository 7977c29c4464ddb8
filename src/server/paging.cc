#include "server/paging.h"

#include <charconv>

#include <fmt/format.h>

namespace kairos::server {

std::vector<QueryParam> PageParams(std::vector<QueryParam> filters) {
  filters.push_back(
      {"limit", fmt::format("Items per page, 1..{} (default {})", kMaxPageLimit, kDefaultPageLimit),
       "integer"});
  filters.push_back({"cursor", "next_cursor of the previous page"});
  return filters;
}

std::variant<Page, Response> ReadPage(const Request& request) {
  Page page;
  if (auto limit = request.Query("limit")) {
    size_t value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 ||
        value > kMaxPageLimit) {
      return Error(422, "invalid",
                   fmt::format("limit must be a whole number from 1 to {}", kMaxPageLimit),
                   nlohmann::json{{"field", "limit"}});
    }
    page.limit = value;
  }
  if (auto cursor = request.Query("cursor")) page.cursor = *cursor;
  return page;
}

std::variant<nlohmann::ordered_json, Response> PageOf(const nlohmann::ordered_json& all,
                                                      const Page& page, const ItemKey& key) {
  size_t start = 0;
  if (page.cursor) {
    bool found = false;
    for (size_t i = 0; i < all.size(); ++i) {
      if (key(all[i]) == *page.cursor) {
        start = i + 1, found = true;
        break;
      }
    }
    if (!found) {
      return Error(422, "invalid", "the cursor names no item of this list",
                   nlohmann::json{{"field", "cursor"}});
    }
  }
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  size_t end = std::min(all.size(), start + page.limit);
  for (size_t i = start; i < end; ++i) items.push_back(all[i]);
  nlohmann::ordered_json next = end < all.size() && end > start
                                    ? nlohmann::ordered_json(key(all[end - 1]))
                                    : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["items"] = std::move(items);
  out["next_cursor"] = std::move(next);
  return out;
}

std::string IdKey(const nlohmann::ordered_json& item) {
  const auto& id = item.at("id");
  return id.is_string() ? id.get<std::string>() : id.dump();
}

}  // namespace kairos::server
