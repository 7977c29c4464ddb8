// libFuzzer target: the CSV reader and format detection must neither crash, leak nor hit
// undefined behaviour on any input, and what they accept must satisfy the BarSeries contract.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/check.h"
#include "marketdata/csv_import.h"
#include "marketdata/export.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kairos::marketdata::ParseOptions options;
  options.file = "fuzz.csv";
  options.file_symbol = "FUZZ";
  options.max_errors = 50;
  kairos::marketdata::ParsedFile parsed = kairos::marketdata::ParseCsv(text, options);
  for (const kairos::marketdata::ParsedSeries& s : parsed.series) {
    const kairos::BarSeries& b = s.bars;
    KAIROS_CHECK(b.size() == s.lines.size() && b.close.size() == b.size()) << "columns";
    for (size_t i = 0; i < b.size(); ++i) {
      KAIROS_CHECK(b.close[i] > 0) << "close";
      if (i > 0) KAIROS_CHECK(b.dates[i - 1] < b.dates[i]) << "dates";
      if (!b.close_only) KAIROS_CHECK(b.low[i] <= b.open[i] && b.open[i] <= b.high[i]) << "range";
    }
    (void)kairos::marketdata::FindSuspectedSplits(b);
    // Whatever was accepted exports and parses back to the same bars.
    kairos::marketdata::ParseOptions again = options;
    again.file_symbol = b.instrument.symbol;
    again.exchange = b.instrument.exchange;
    kairos::marketdata::ParsedFile back =
        kairos::marketdata::ParseCsv(kairos::marketdata::FormatCsv(b), again);
    KAIROS_CHECK(back.errors.empty() && back.series.size() == (b.empty() ? 0u : 1u))
        << "export of accepted bars does not parse back";
    if (!b.empty()) {
      const kairos::BarSeries& r = back.series[0].bars;
      KAIROS_CHECK(r.dates == b.dates && r.close == b.close && r.open == b.open &&
                   r.high == b.high && r.low == b.low && r.volume == b.volume)
          << "round trip changed the bars";
    }
  }
  return 0;
}
