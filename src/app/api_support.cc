#include "app/api_support.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "domain/trading.h"
#include "rules/diagnostic.h"

namespace kairos::app {

server::Response TablePage(const server::Request& request, const Table& table,
                           const server::ItemKey& key) {
  auto page = server::ReadPage(request);
  if (auto* error = std::get_if<server::Response>(&page)) return std::move(*error);
  auto body = server::PageOf(TableJson(table), std::get<server::Page>(page), key);
  if (auto* error = std::get_if<server::Response>(&body)) return std::move(*error);
  return server::Json(std::get<nlohmann::ordered_json>(body));
}

server::Response TablePage(const server::Request& request, const Result<Table>& table,
                           const server::ItemKey& key) {
  if (!table.ok()) return server::ErrorFrom(table.status());
  return TablePage(request, *table, key);
}

server::ItemKey KeyOf(std::vector<std::string> fields) {
  return [fields = std::move(fields)](const nlohmann::ordered_json& item) {
    std::string key;
    for (const std::string& f : fields) {
      if (!key.empty()) key += '/';
      key += CellText(item, f.c_str());
    }
    return key;
  };
}

std::string CellText(const nlohmann::ordered_json& item, const char* column) {
  const auto& cell = item.at(column);
  return cell.is_string() ? cell.get<std::string>() : cell.dump();
}

std::variant<DateRange, server::Response> ReadDateRange(const server::Request& request) {
  DateRange range;
  for (auto [name, bound] : {std::pair{"from", &range.from}, std::pair{"to", &range.to}}) {
    auto text = request.Query(name);
    if (!text) continue;
    auto date = Date::Parse(*text);
    if (!date.ok()) {
      return server::Error(422, "invalid",
                           fmt::format("{}: expected a date YYYY-MM-DD, got '{}'", name, *text),
                           nlohmann::json{{"field", name}});
    }
    *bound = *date;
  }
  if (range.from && range.to && *range.to < *range.from) {
    return server::Error(
        422, "invalid",
        fmt::format("to {} is before from {}", range.to->ToString(), range.from->ToString()),
        nlohmann::json{{"field", "to"}});
  }
  return range;
}

Status AuditMutation(ports::Store& store, const ports::Clock& clock, const server::Request& request,
                     std::string_view action, std::string_view subject,
                     const nlohmann::json& detail) {
  AuditEntry entry;
  entry.time_ns = clock.NowNs();
  entry.actor = request.Actor();
  entry.action = std::string(action);
  entry.subject = std::string(subject);
  entry.detail = detail.is_null() ? "" : detail.dump();
  return store.audit().Append(entry);
}

nlohmann::json DiagnosticsJson(std::string_view message) {
  nlohmann::json out = nlohmann::json::array();
  for (const rules::Diagnostic& d : rules::ParseDiagnostics(message)) {
    out.push_back({{"line", std::max(d.line, 1)},
                   {"column", std::max(d.column, 1)},
                   {"message", d.message},
                   {"hint", d.hint}});
  }
  if (out.empty()) {
    out.push_back({{"line", 1}, {"column", 1}, {"message", message}, {"hint", ""}});
  }
  return out;
}

server::Response DiagnosticsError(const Status& status) {
  std::string_view message = status.message();
  return server::Error(422, "invalid", message.substr(0, message.find('\n')),
                       DiagnosticsJson(message));
}

}  // namespace kairos::app
