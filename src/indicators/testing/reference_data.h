#pragma once

// Test-only loaders for the shared TA-Lib reference data (/work/shared/reference, see its README).
//
//   auto bars = LoadOhlcv(ReferencePath("sp500.csv"));          // Result<OhlcvSeries>
//   auto ref = LoadReference(ReferencePath("sp500_talib.csv"));  // Result<ReferenceTable>
//   std::span<const double> expected = ref->Column("rsi_14");    // empty cells are NaN
//   EXPECT_TRUE(MatchesReference(actual, expected, 1e-9));        // testing/compare.h
//
// Only test binaries define KAIROS_SHARED_DIR, so compile these files as test sources
// (KAIROS_INDICATOR_TESTS), never into the indicators library.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kairos::indicators::testing {

// The OHLCV columns of one input file, in file order.
struct OhlcvSeries {
  std::vector<std::string> dates;  // "YYYY-MM-DD" as in the file
  std::vector<double> open, high, low, close, volume;
  size_t size() const { return close.size(); }
};

// Column-wise numbers of a `X_talib.csv` file; an empty cell is NaN.
struct ReferenceTable {
  std::vector<std::string> dates;
  std::vector<std::string> names;  // column names without "date"
  std::vector<std::vector<double>> columns;
  size_t size() const { return dates.size(); }
  bool Has(std::string_view name) const;
  // REQUIRES: Has(name) (a missing column is a bug in the test; it aborts with the name).
  std::span<const double> Column(std::string_view name) const;
};

// KAIROS_SHARED_DIR "/reference/" + file_name.
std::string ReferencePath(std::string_view file_name);

// Reads "Date,Open,High,Low,Close,Volume" (header quotes allowed).
Result<OhlcvSeries> LoadOhlcv(const std::string& path);
Result<ReferenceTable> LoadReference(const std::string& path);

// The two shared data sets: {"sp500", "ttrc"}; "<name>.csv" and "<name>_talib.csv" exist for each.
inline constexpr std::string_view kReferenceSets[] = {"sp500", "ttrc"};

}  // namespace kairos::indicators::testing
