#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "core/date.h"
#include "core/result.h"
#include "ports/clock.h"
#include "ports/store.h"
#include "server/http.h"
#include "server/paging.h"
#include "server/router.h"

namespace kairos::app {

// What the resource handlers of the HTTP API share.

// One page of `table`'s rows as the matching CLI command prints them with --format json
// (TableJson), keyed by `key`; or the 422 of a bad limit or cursor.
server::Response TablePage(const server::Request& request, const Table& table,
                           const server::ItemKey& key);

// The same of a table that may have failed to load: its error as ErrorFrom gives it.
server::Response TablePage(const server::Request& request, const Result<Table>& table,
                           const server::ItemKey& key);

// The key of an item made of its `fields` joined by '/' ("2024-03-01/sma_cross").
server::ItemKey KeyOf(std::vector<std::string> fields);

// The cell `column` of a TableJson item as text (a cursor key): a number as JSON prints it.
std::string CellText(const nlohmann::ordered_json& item, const char* column);

// ?from=&to= (YYYY-MM-DD, both optional, from <= to), or the 422 naming the bad one.
struct DateRange {
  std::optional<Date> from, to;
  bool Contains(Date d) const { return (!from || *from <= d) && (!to || d <= *to); }
};
std::variant<DateRange, server::Response> ReadDateRange(const server::Request& request);

// An audit row for a mutation of the API: actor request.Actor(), the time of `clock`, detail
// the JSON `detail` ({"before":…,"after":…} where there is a before; "" when null).
Status AuditMutation(ports::Store& store, const ports::Clock& clock, const server::Request& request,
                     std::string_view action, std::string_view subject,
                     const nlohmann::json& detail = nullptr);

// The problems of a rule's or a strategy file's error message as data:
// [{"line","column","message","hint"}] (rules::ParseDiagnostics), never empty; a problem without
// a position is placed at 1:1.
nlohmann::json DiagnosticsJson(std::string_view message);

// The 422 of a rule or strategy text with errors: its diagnostics as data
// ({"code":"invalid","message":…,"details":[{"line","column","message","hint"}]}).
server::Response DiagnosticsError(const Status& status);

}  // namespace kairos::app
