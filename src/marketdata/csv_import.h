#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "domain/bar.h"

// The pure parse layer of the CSV importer: text in, per-symbol bars and precise issues out.
// No files, no store, no threads: the fuzzer, the benchmarks and ImportPaths (import.h) call it.
namespace kairos::marketdata {

// The formats ParseCsv recognises from the header (FORMATS.md). Header names are compared in
// lower case with everything but letters and digits removed ("Adj Close" = "adjclose"); columns
// the format does not use are ignored.
enum class CsvFormat {
  kOhlcv,        // Date,Open,High,Low,Close[,Volume] (Stooq and similar): one symbol per file
  kYahoo,        // Date,Open,High,Low,Close,Adj Close,Volume: Close is used, Adj Close ignored
  kDateClose,    // Date,Close: one symbol per file, close-only
  kLongClose,    // symbol,date,close: close-only
  kLongOhlcv,    // symbol,date,open,high,low,close[,adjclose][,volume]
  kNseBhavcopy,  // SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,...,TOTTRDQTY,...,TIMESTAMP[,...]
  kNseUdiff,     // TradDt,BizDt,Sgmt,Src,FinInstrmTp,...,TckrSymb,SctySrs,... (34 columns)
};
std::string_view CsvFormatName(CsvFormat format);  // "ohlcv", "yahoo", ..., "nse-udiff"
// Whether the file names its symbols in a column (else the symbol comes from the file name).
bool HasSymbolColumn(CsvFormat format);

// A problem with one line of one file.
struct ImportIssue {
  std::string file;
  int64_t line = 0;  // 1-based; 0 when the issue is about the whole file
  std::string reason;

  // "file:line: reason", or "file: reason" when line is 0.
  std::string ToString() const;
  friend bool operator==(const ImportIssue&, const ImportIssue&) = default;
};

// Which days an exchange trades. Implementations must be thread-safe.
class SessionFilter {
 public:
  virtual ~SessionFilter() = default;
  // nullopt if d is a session of `exchange`, else the reason it is not ("weekend",
  // "Thanksgiving Day").
  virtual std::optional<std::string> ClosedReason(std::string_view exchange, Date d) const = 0;
  // The same question without the reason (the per-row check, so it should be cheap).
  virtual bool IsSession(std::string_view exchange, Date d) const {
    return !ClosedReason(exchange, d).has_value();
  }  // OutOfRange if the exchange's calendar does not cover d (no session is known there), with a
  // message saying which years it covers and how to add one; asked only of rows that are no
  // session.
  virtual Status CheckCovers(std::string_view /*exchange*/, Date /*d*/) const {
    return Status::Ok();
  }
};
// Knows only the weekend rule (Saturday and Sunday are closed everywhere).
const SessionFilter& WeekendFilter();

// The longest line a CSV file of bars may have: a row is under 200 bytes and the widest header a
// few KiB, so a longer line means the file is something else; it is reported, not stored.
inline constexpr size_t kMaxCsvLineBytes = size_t{64} << 10;  // 64 KiB

struct ParseOptions {
  std::string file;         // how issues name the file
  std::string file_symbol;  // the symbol of formats without a symbol column (file stem)
  // Formats without a symbol column: the symbol to use instead of file_symbol. Formats with one:
  // keep only this symbol's rows (the others are counted in rows_other_symbols).
  std::optional<std::string> symbol;
  // The exchange of every format except UDiFF (whose Src column names it). When not given:
  // "NSE" for the old NSE bhavcopy, "NYSE" for all others.
  std::optional<std::string> exchange;
  const SessionFilter* sessions = nullptr;  // nullptr: WeekendFilter()
  size_t max_errors = 1000;                 // errors listed per file; all are counted
};

// The accepted rows of one symbol, with the line each bar came from.
struct ParsedSeries {
  BarSeries bars;
  std::vector<int32_t> lines;
};

struct ParsedFile {
  std::optional<CsvFormat> format;  // nullopt if the header was not recognised
  // Rows that passed every check, by symbol in order of first appearance; dates strictly
  // increasing. When errors is not empty the caller decides whether to keep them (--skip-bad).
  std::vector<ParsedSeries> series;
  std::vector<ImportIssue> errors;
  std::vector<ImportIssue> warnings;
  int64_t rows_read = 0;           // data lines: not the header, not blank lines
  int64_t rows_bad = 0;            // rows with an error (errors lists at most max_errors)
  int64_t rows_no_data = 0;        // skipped: prices empty, NA or null (a day without data)
  int64_t rows_other_series = 0;   // skipped bhavcopy rows that are not EQ (UDiFF: CM/STK/EQ)
  int64_t rows_other_symbols = 0;  // skipped: not ParseOptions::symbol
};

// Volume: a format without a volume column gives volume 0 (index files have none); close-only
// formats keep no volume at all. Where the volume column is optional (Yahoo, Stooq, long files) an
// empty / NA / null volume is stored as 0 with a warning naming the file, the first such line
// and the count; in an NSE bhavcopy (old or UDiFF), which always has one, it is a row error.
//
// Parses one CSV file's text (UTF-8 BOM, CRLF, quoted fields and blank lines accepted) and checks
// every row: the field count, the symbol, the date (a session of the symbol's exchange, strictly
// after the previous row of the same symbol), the numbers (finite, prices positive, volume not
// negative), and low <= open, close <= high. Each bad row gives one error; it is never stored.
// Messages of formats with a symbol column start with "SYMBOL: ".
ParsedFile ParseCsv(std::string_view text, const ParseOptions& options);

// Whether a symbol is acceptable: 1 to 32 characters of A-Z 0-9 . - _ ^ & = (after upper-casing).
bool IsValidSymbol(std::string_view symbol);
std::string UpperCase(std::string_view s);

// A close-to-close move that looks like an unadjusted split: ratio * k within 6 % of 1 for a
// split k = 2:1, 3:1, 3:2, 4:1, 5:1, 10:1 or a reverse split 1:2, 1:3, 2:3, 1:4, 1:5, 1:10 (12 %
// when more than 4 calendar days lie between the bars, e.g. across a market closure). Closes
// alone cannot tell a split from a crash of the same size: this is a warning for a person.
struct SuspectedSplit {
  size_t index = 0;   // the bar after the jump; index - 1 is the bar before
  double ratio = 0;   // close[index] / close[index - 1]
  std::string split;  // "2:1", "1:2", "3:2", ...
};
// REQUIRES: closes positive.
std::vector<SuspectedSplit> FindSuspectedSplits(const BarSeries& bars);
// "close 75.76 on 2001-09-10 then 33.99 on 2001-09-17 (x0.449): an unadjusted 2:1 split?"
std::string DescribeSplit(const BarSeries& bars, const SuspectedSplit& split);

}  // namespace kairos::marketdata
