#pragma once

#include <cstdio>
#include <ostream>
#include <string>

#include "core/status.h"
#include "domain/bar.h"

// `kairos data export`: bars as CSV, the exchange format out (FORMATS.md).
namespace kairos::marketdata {

// The CSV text of `bars`: the header "date,open,high,low,close,volume" and one line per bar, or
// "date,close" for a close-only series (nothing is invented for the missing columns). Dates are
// YYYY-MM-DD; numbers are in the shortest form that reads back as the same double ("63.4375",
// "1455.219971", "53077800"), so export -> import round-trips exactly. Lines end in "\n".
// REQUIRES: the columns of `bars` have consistent sizes.
std::string FormatCsv(const BarSeries& bars);

// FormatCsv written to a stream or FILE (in chunks, without building the whole text).
// IOError if the write fails.
Status ExportCsv(const BarSeries& bars, std::ostream& out);
Status ExportCsv(const BarSeries& bars, std::FILE* out);

}  // namespace kairos::marketdata
