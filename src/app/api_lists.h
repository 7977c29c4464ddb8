#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "core/result.h"
#include "server/http.h"
#include "server/paging.h"

// What the resources of the HTTP API share: lists answered as the CLI prints them, and the
// diagnostics of a rule or strategy file as data.
namespace kairos::app {

// The page `request` asks for (limit, cursor) of TableJson(table): the items are exactly what
// the CLI's `--format json` prints for the same table. A failed `table` is its HTTP error.
server::Response TablePage(const server::Request& request, const Result<Table>& table,
                           const server::ItemKey& key);

// The key of an item made of its `fields` joined by '/' ("2024-03-01/sma_cross").
server::ItemKey KeyOf(std::vector<std::string> fields);

// The problems of a checker's message, one per line "[FILE:]LINE:COL: MESSAGE" (the lines after
// each, the source line and its caret, are skipped), as [{"line","column","message","hint"}];
// the hint is what follows " — " in the message ("did you mean 'ema'?"), else "". `file_name`
// is the prefix of each problem line ("" for a rule's own diagnostics). A message without such a
// line is one problem at 1:1, the whole message: the answer always names at least one.
nlohmann::json DiagnosticsOf(std::string_view message, std::string_view file_name);

}  // namespace kairos::app
