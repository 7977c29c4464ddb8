#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "marketdata/bar_store.h"
#include "rules/evaluator.h"

namespace kairos::engine {

// The market scanner (issue 4): a compiled rule over many symbols, symbols spread over a worker
// pool, one rules::Evaluator per worker.
struct ScanRequest {
  std::shared_ptr<const rules::Program> program;
  std::vector<std::string> symbols;  // upper case; unknown ones are reported in `skipped`
  // Exactly one mode: `as_of` (the daily scan: only the bars program->window() needs are read)
  // or a range [from, to] (every session, each bar seeing only its past). Neither: as of the
  // last session in the store.
  std::optional<Date> as_of;
  std::optional<Date> from, to;
  int threads = 0;  // 0: std::thread::hardware_concurrency()
};

struct ScanMatch {
  Date date;
  std::string symbol;
  std::vector<double> terms;   // program->terms() order
  std::vector<double> extras;  // program extras order (e.g. the rank expression)
  double close = 0;            // the bar's close
};

struct ScanResult {
  std::vector<rules::Term> terms;
  std::vector<ScanMatch> matches;  // by date, then symbol
  // "ABC: not in the store", "XYZ: closes only, the rule reads high/low"
  std::vector<std::string> skipped;
  Date as_of;          // as-of mode: the session scanned (the last one in the store if not given)
  int64_t bars_read = 0;
};

// Weekly bars come from marketdata::ResampleWeekly over `cal`.
Result<ScanResult> Scan(const marketdata::BarStore& store, const calendar::ExchangeCalendar& cal,
                        const ScanRequest& request);

}  // namespace kairos::engine
