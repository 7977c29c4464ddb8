#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "engine/scanner.h"

namespace kairos::app {

// `kairos scan` as functions, for the command and the HTTP API's POST /api/v1/scan.

struct ScanArgs {
  std::string rule;
  std::string universe;  // a stored universe's members
  std::string symbols;   // "A,B,C"
  std::string date, from, to;
  std::string rank;
  int limit = 0;
  int threads = 0;
};

// The rule first (its diagnostic is the error), then the range and the symbols: a stored
// universe's members (NotFound naming it), `symbols`, or every stored symbol.
Result<engine::ScanRequest> BuildScanRequest(const ScanArgs& args,
                                             const std::filesystem::path& home);

// Within a date: with a rank, rank descending, an undefined rank last, then symbol; with a
// limit, the first `limit` matches of each date.
void RankAndLimit(const ScanArgs& args, std::vector<engine::ScanMatch>& matches);

// The matches as `kairos scan --format json` prints them: {date, symbol, one key per term of the
// rule, rank when `ranked`}, exact numbers, null for none.
nlohmann::ordered_json MatchesJson(const engine::ScanResult& result, bool ranked);

}  // namespace kairos::app
