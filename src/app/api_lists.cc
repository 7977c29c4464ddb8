#include "app/api_lists.h"

#include <charconv>
#include <utility>
#include <variant>

namespace kairos::app {
namespace {

// "12:5: text" at the start of `line`: the line, the column and where the text starts.
bool ReadPosition(std::string_view line, int& l, int& c, size_t& rest) {
  auto number = [&](size_t& at, int& out) {
    auto [end, ec] = std::from_chars(line.data() + at, line.data() + line.size(), out);
    if (ec != std::errc() || end == line.data() + at) return false;
    at = static_cast<size_t>(end - line.data());
    return at < line.size() && line[at] == ':';
  };
  size_t at = 0;
  if (!number(at, l)) return false;
  ++at;
  if (!number(at, c)) return false;
  ++at;
  if (at < line.size() && line[at] == ' ') ++at;
  rest = at;
  return true;
}

}  // namespace

server::Response TablePage(const server::Request& request, const Result<Table>& table,
                           const server::ItemKey& key) {
  if (!table.ok()) return server::ErrorFrom(table.status());
  auto page = server::ReadPage(request);
  if (auto* error = std::get_if<server::Response>(&page)) return std::move(*error);
  auto body = server::PageOf(TableJson(*table), std::get<server::Page>(page), key);
  if (auto* error = std::get_if<server::Response>(&body)) return std::move(*error);
  return server::Json(std::get<nlohmann::ordered_json>(body));
}

server::ItemKey KeyOf(std::vector<std::string> fields) {
  return [fields = std::move(fields)](const nlohmann::ordered_json& item) {
    std::string key;
    for (const std::string& f : fields) {
      if (!key.empty()) key += '/';
      const auto& v = item.at(f);
      key += v.is_string() ? v.get<std::string>() : v.dump();
    }
    return key;
  };
}

nlohmann::json DiagnosticsOf(std::string_view message, std::string_view file_name) {
  constexpr std::string_view kHintMark = " \u2014 ";
  nlohmann::json out = nlohmann::json::array();
  std::string prefix = file_name.empty() ? "" : std::string(file_name) + ":";
  bool first = true;
  for (size_t pos = 0; pos <= message.size();) {
    size_t nl = message.find('\n', pos);
    std::string_view line =
        message.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? message.size() + 1 : nl + 1;
    // A rule's message has one problem, on its first line; a file's, one per line it prefixes.
    bool candidate = prefix.empty() ? first : line.starts_with(prefix);
    first = false;
    if (!candidate) continue;
    line.remove_prefix(prefix.size());
    int l = 0, c = 0;
    size_t rest = 0;
    if (!ReadPosition(line, l, c, rest)) continue;
    std::string_view text = line.substr(rest);
    std::string_view hint;
    if (size_t mark = text.find(kHintMark); mark != std::string_view::npos) {
      hint = text.substr(mark + kHintMark.size());
      text = text.substr(0, mark);
    }
    out.push_back({{"line", l}, {"column", c}, {"message", text}, {"hint", hint}});
  }
  if (out.empty()) out.push_back({{"line", 1}, {"column", 1}, {"message", message}, {"hint", ""}});
  return out;
}

}  // namespace kairos::app
