#pragma once

#include <string>

#include "core/result.h"
#include "domain/bar.h"

namespace kairos::app {

// Reads one symbol's bars from a CSV file in any format the importer knows (for `kairos ta`).
// Dates are not checked against an exchange calendar: the file may be any dated series. Any bad
// row is an error listing the first few problems as "file:line: reason".
Result<BarSeries> ReadOhlcvFile(const std::string& path);

}  // namespace kairos::app
