#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "domain/bar.h"
#include "marketdata/bar_store.h"
#include "marketdata/csv_import.h"

// `kairos data import`: CSV files and directories into the bar store, validated against the
// exchange calendars. The formats and row checks are those of csv_import.h.
namespace kairos::marketdata {

struct ImportOptions {
  // Files without a symbol column: the symbol of every file (instead of the upper-cased file
  // stem). Files with one: import only this symbol.
  std::optional<std::string> symbol;
  // The exchange (and so the calendar) of every format except NSE UDiFF, whose Src column names
  // NSE or BSE. When not given: "NSE" for old NSE bhavcopies, "NYSE" for everything else.
  // Must be a name calendar::ExchangeCalendar::ForExchange knows.
  std::optional<std::string> exchange;
  // false: a file with any bad row stores nothing. true: its good rows are stored; the bad ones
  // are still listed in ImportReport::errors.
  bool skip_bad = false;
  int threads = 2;                    // files parsed in parallel
  size_t max_errors_per_file = 1000;  // listed; all are counted in rows_bad
};

// What was stored for one symbol by this import.
struct SymbolReport {
  std::string exchange;
  bool close_only = false;
  int64_t bars = 0;  // bars stored (new or replacing stored dates)
  Date first;
  Date last;
};

struct ImportReport {
  int64_t files = 0;
  // Files with errors of which nothing was stored: without skip_bad every file with an error,
  // with skip_bad those whose every row was bad.
  int64_t files_rejected = 0;
  int64_t rows_read = 0;  // data lines of all files (not headers, not blank lines)
  int64_t rows_stored = 0;
  int64_t rows_bad = 0;
  int64_t rows_no_data = 0;        // empty / NA / null prices: a day without data, skipped
  int64_t rows_other_series = 0;   // bhavcopy rows that are not EQ equities, skipped
  int64_t rows_other_symbols = 0;  // rows of symbols other than ImportOptions::symbol
  std::map<std::string, SymbolReport> symbols;  // the symbols stored, by symbol
  std::vector<ImportIssue> errors;  // bad rows and files; non-empty means the CLI exits 1
  // No-data rows, skipped series, suspected splits, and sessions without a bar inside a symbol's
  // range (only where the calendar covers the day).
  std::vector<ImportIssue> warnings;
  // OK, or the store failure that ended the import early (a full disk, an I/O error): the
  // fields above still say what was stored before it.
  Status stopped;

  bool ok() const { return errors.empty() && stopped.ok(); }
  // "2 files, 350 rows read, 340 stored for 2 symbols, 1 bad, 9 without data, 1 warning".
  std::string Summary() const;
};

// The files `paths` stand for, in order: a file is itself; a directory gives the regular files
// directly inside it whose extension is .csv (any case), sorted by name. A file named twice
// (directly or through its directory) is listed once. NotFound for a path that
// does not exist; InvalidArgument for a directory without CSV files.
Result<std::vector<std::filesystem::path>> ListImportFiles(
    std::span<const std::filesystem::path> paths);

// The bars an import would store, per symbol (sorted by symbol), and the report without
// `symbols`/`rows_stored` filled. Reads and parses the files on options.threads threads; touches
// no store. Errors: the paths (see ListImportFiles) or an unknown options.exchange (NotFound).
struct ImportedSeries {
  BarSeries bars;
  std::string file;  // the (first) file the bars came from, for messages
};
struct ParsedImport {
  ImportReport report;
  std::vector<ImportedSeries> series;
};
Result<ParsedImport> ParsePaths(std::span<const std::filesystem::path> paths,
                                const ImportOptions& options);

// ParsePaths, then BarStore::Upsert of every series inside one BeginBatch()/EndBatch(). A symbol
// the store refuses with InvalidArgument (e.g. close-only against stored OHLCV bars) is an error in
// the report and stores nothing; any other store failure (a full disk) ends the import: the
// report's `stopped` holds it, and the report says what was stored before it (the symbols before
// the failing one, in symbol order). Errors: those of ParsePaths.
Result<ImportReport> ImportPaths(BarStore& store, std::span<const std::filesystem::path> paths,
                                 const ImportOptions& options);

}  // namespace kairos::marketdata
