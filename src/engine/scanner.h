#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "domain/bar.h"
#include "marketdata/bar_store.h"
#include "rules/evaluator.h"

namespace kairos::engine {

// The market scanner: a compiled rule over many symbols, symbols spread over a worker
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
  // The columns the program reads (ColumnsRead of its rule and extras): a scan that needs close
  // and volume then reads and verifies 3 of the 6 columns of an OHLCV file. nullopt: every
  // column when program->needs_ohlcv(), else close.
  std::optional<marketdata::ColumnSet> columns;
};

// The bar columns that `rule` and `extras` read (fields, derived fields such as turnover, and
// the inputs indicators read themselves, like atr's high/low/close); close is always included.
// The rule's diagnostic if it does not compile.
Result<marketdata::ColumnSet> ColumnsRead(std::string_view rule,
                                          std::span<const std::string> extras = {});

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
  Date as_of;  // as-of mode: the session scanned (the last one in the store if not given)
  int64_t bars_read = 0;
};

// Runs a scan. Modes:
//  - as of one session D (request.as_of, else the last session of any requested symbol): reads
//    only the last program->window() bars (from the store's tail file, BarStore::Tails, when
//    it is current and holds enough rows; else BarStore::ReadTail per symbol; everything when
//    the window is rules::kWindowAll or the series is shorter) and evaluates the last one. A symbol
//    without a bar on D is skipped ("XYZ: no bar on 2026-11-27 (last: 2026-11-20)"). When D is
//    before a symbol's last bar (a historical as-of) the whole series is read and cut at D.
//  - a range (from and/or to): reads every bar up to `to`, evaluates them all (each bar sees
//    only its past) and keeps matches with from <= date <= to.
// An empty request.symbols means every symbol in the store. Symbols that cannot be scanned
// (unknown, corrupt file, close-only data for a rule reading high/low) are listed in `skipped`
// and the scan goes on; a bad request (no program, as_of together with from/to, from > to) is
// InvalidArgument. Matches are sorted by date, then symbol, whatever the thread count.
// Weekly bars (program->needs_weekly()) come from marketdata::ResampleWeekly over `cal`; see
// BuildWeekly.
Result<ScanResult> Scan(const marketdata::BarStore& store, const calendar::ExchangeCalendar& cal,
                        const ScanRequest& request);

// The same, each symbol's weekly bars built over the calendar of its own exchange
// (ExchangeCalendar::ForExchange of the stored instrument's exchange); a weekly rule skips a
// symbol whose exchange has no calendar.
Result<ScanResult> Scan(const marketdata::BarStore& store, const ScanRequest& request);

// One symbol of a range scan as ScanRangeEach hands it over, valid during the sink call only.
struct RangeRows {
  size_t index = 0;  // the symbol's position in request.symbols (first occurrence)
  std::string_view symbol;
  std::span<const Date> dates;     // every bar read, up to `to` (those before `from` included)
  std::span<const double> close;   // the same rows
  std::span<const uint8_t> match;  // the same rows: 1 where the rule held
  size_t first = 0;                // the first row on or after `from`
  // TermValue(term, row) / ExtraValue(extra, row) of any row (NaN where undefined).
  const rules::Evaluator* values = nullptr;
  // The whole series as read: the columns request.columns named (or the rule's), every row.
  const marketdata::SeriesView* view = nullptr;
};
// Called from the scan's worker threads, concurrently for different symbols, once per symbol
// that was scanned and has rows in the range.
using RangeSink = std::function<void(const RangeRows&)>;

// A range scan (request.from/to set, no as_of) that hands each symbol's evaluated rows to `sink`
// instead of collecting ScanMatch objects: a backtest keeps what it needs of every bar in a
// compact form, where millions of ScanMatch would cost more than the evaluation. Evaluates
// exactly what Scan does in range mode. Returns the skipped symbols' reasons as
// (index in request.symbols, reason), by index; errors as Scan.
Result<std::vector<std::pair<size_t, std::string>>> ScanRangeEach(
    const marketdata::BarStore& store, const calendar::ExchangeCalendar& cal,
    const ScanRequest& request, const RangeSink& sink);

// The weekly bars a daily series shows to weekly(...) (rules::WeeklyColumns).
struct WeeklyData {
  BarSeries bars;                       // ResampleWeekly of the daily bars (see BuildWeekly)
  std::vector<int32_t> last_completed;  // per daily bar: the last weekly bar complete that day
  rules::WeeklyColumns columns() const;
};

// Builds `out` from daily bars (dates and the columns in `daily`; open/high/low/volume may be
// empty for a close-only view). A week is complete on daily bar i when dates[i] is on or after
// the week's last session on `cal` (the date ResampleWeekly gives its weekly bar), so the week
// in progress is never visible and nothing after day i is consulted. A daily bar dated after its
// week's last session (a bar on a non-session day) is left out of the weekly bars: including
// it would change a week already shown as complete, i.e. let a later bar change a past result.
// InvalidArgument from ResampleWeekly (a bar in a week with no session on `cal`).
Status BuildWeekly(std::span<const Date> dates, const rules::BarColumns& daily,
                   const calendar::ExchangeCalendar& cal, WeeklyData* out);

}  // namespace kairos::engine
