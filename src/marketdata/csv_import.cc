#include "marketdata/csv_import.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/string_hash.h"
#include "marketdata/csv_reader.h"

namespace kairos::marketdata {

std::string_view CsvFormatName(CsvFormat format) {
  switch (format) {
    case CsvFormat::kOhlcv:
      return "ohlcv";
    case CsvFormat::kYahoo:
      return "yahoo";
    case CsvFormat::kDateClose:
      return "date-close";
    case CsvFormat::kLongClose:
      return "long-close";
    case CsvFormat::kLongOhlcv:
      return "long-ohlcv";
    case CsvFormat::kNseBhavcopy:
      return "nse-bhavcopy";
    case CsvFormat::kNseUdiff:
      return "nse-udiff";
  }
  return "unknown";
}

bool HasSymbolColumn(CsvFormat format) {
  return format == CsvFormat::kLongClose || format == CsvFormat::kLongOhlcv ||
         format == CsvFormat::kNseBhavcopy || format == CsvFormat::kNseUdiff;
}

std::string ImportIssue::ToString() const {
  if (line == 0) return fmt::format("{}: {}", file, reason);
  return fmt::format("{}:{}: {}", file, line, reason);
}

namespace {

class WeekendOnly final : public SessionFilter {
 public:
  std::optional<std::string> ClosedReason(std::string_view, Date d) const override {
    if (d.IsWeekend()) return std::string("weekend");
    return std::nullopt;
  }
  bool IsSession(std::string_view, Date d) const override { return !d.IsWeekend(); }
};

}  // namespace

const SessionFilter& WeekendFilter() {
  static const WeekendOnly kFilter;
  return kFilter;
}

namespace {

constexpr size_t kMaxSymbolLength = 32;

bool IsSymbolChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
         c == '^' || c == '&' || c == '=';
}

char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// Where the columns a format uses are; -1 when absent.
struct Layout {
  CsvFormat format = CsvFormat::kOhlcv;
  size_t fields = 0;  // header fields without a trailing empty one
  int symbol = -1, series = -1, date = -1, open = -1, high = -1, low = -1, close = -1, volume = -1,
      segment = -1, source = -1, instrument_type = -1;
  bool close_only() const {
    return format == CsvFormat::kDateClose || format == CsvFormat::kLongClose;
  }
};

std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 120;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

// The normalised names of a header's columns, without a trailing empty one.
class HeaderNames {
 public:
  // Refuses a header that names a column twice.
  static Result<HeaderNames> Of(const csv::FieldSplitter& header) {
    HeaderNames h;
    h.names_.reserve(header.size());
    for (size_t i = 0; i < header.size(); ++i) h.names_.push_back(csv::NormalizeName(header[i]));
    if (h.names_.size() > 1 && h.names_.back().empty()) {
      h.names_.pop_back();  // a trailing comma (NSE bhavcopy)
    }
    const std::vector<std::string>& names = h.names_;
    for (size_t i = 0; i < names.size(); ++i) {
      for (size_t j = i + 1; j < names.size(); ++j) {
        if (!names[i].empty() && names[i] == names[j]) {
          return Status::InvalidArgument(
              fmt::format("duplicate column '{}' in the header", header[j]));
        }
      }
    }
    return h;
  }

  size_t size() const { return names_.size(); }

  // The column's index, -1 when absent.
  int Find(std::string_view name) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return static_cast<int>(i);
    }
    return -1;
  }

  // Sets each slot to its column's index; refuses a header without one of them.
  Status Require(std::string_view format_name,
                 std::initializer_list<std::pair<int*, std::string_view>> columns) const {
    for (auto& [slot, name] : columns) {
      *slot = Find(name);
      if (*slot < 0) {
        return Status::InvalidArgument(
            fmt::format("{} header without a '{}' column", format_name, name));
      }
    }
    return Status::Ok();
  }

  // Open, high, low and volume: open, high and low come together or not at all, and volume only
  // with them.
  Status FindOhlv(Layout& l) const {
    l.open = Find("open");
    l.high = Find("high");
    l.low = Find("low");
    int present = (l.open >= 0) + (l.high >= 0) + (l.low >= 0);
    if (present != 0 && present != 3) {
      return Status::InvalidArgument("header has some but not all of open, high and low");
    }
    l.volume = Find("volume");
    if (l.open < 0 && l.volume >= 0) {
      return Status::InvalidArgument("header has volume but no open, high and low");
    }
    return Status::Ok();
  }

 private:
  std::vector<std::string> names_;
};

Result<Layout> NseUdiffLayout(const HeaderNames& h, Layout l) {
  l.format = CsvFormat::kNseUdiff;
  KAIROS_RETURN_IF_ERROR(h.Require("NSE UDiFF", {{&l.date, "traddt"},
                                                 {&l.segment, "sgmt"},
                                                 {&l.source, "src"},
                                                 {&l.instrument_type, "fininstrmtp"},
                                                 {&l.symbol, "tckrsymb"},
                                                 {&l.series, "sctysrs"},
                                                 {&l.open, "opnpric"},
                                                 {&l.high, "hghpric"},
                                                 {&l.low, "lwpric"},
                                                 {&l.close, "clspric"},
                                                 {&l.volume, "ttltradgvol"}}));
  return l;
}

Result<Layout> NseBhavcopyLayout(const HeaderNames& h, Layout l) {
  l.format = CsvFormat::kNseBhavcopy;
  KAIROS_RETURN_IF_ERROR(h.Require("NSE bhavcopy", {{&l.symbol, "symbol"},
                                                    {&l.series, "series"},
                                                    {&l.open, "open"},
                                                    {&l.high, "high"},
                                                    {&l.low, "low"},
                                                    {&l.close, "close"},
                                                    {&l.volume, "tottrdqty"},
                                                    {&l.date, "timestamp"}}));
  return l;
}

// symbol,date,close[,open,high,low[,volume]] in any order.
Result<Layout> LongLayout(const HeaderNames& h, Layout l) {
  KAIROS_RETURN_IF_ERROR(
      h.Require("long", {{&l.symbol, "symbol"}, {&l.date, "date"}, {&l.close, "close"}}));
  KAIROS_RETURN_IF_ERROR(h.FindOhlv(l));
  l.format = l.open >= 0 ? CsvFormat::kLongOhlcv : CsvFormat::kLongClose;
  return l;
}

// One symbol's file: Date,Close or Date,Open,High,Low,Close[,Adj Close][,Volume].
Result<Layout> DatedLayout(const HeaderNames& h, Layout l) {
  KAIROS_RETURN_IF_ERROR(h.Require("Yahoo/Stooq", {{&l.date, "date"}, {&l.close, "close"}}));
  KAIROS_RETURN_IF_ERROR(h.FindOhlv(l));
  if (l.open < 0) {
    l.format = CsvFormat::kDateClose;
  } else {
    l.format = h.Find("adjclose") >= 0 ? CsvFormat::kYahoo : CsvFormat::kOhlcv;
  }
  return l;
}

Result<Layout> DetectLayout(const csv::FieldSplitter& header, std::string_view header_line) {
  KAIROS_ASSIGN_OR_RETURN(const HeaderNames h, HeaderNames::Of(header));
  Layout l;
  l.fields = h.size();
  if (h.Find("tckrsymb") >= 0 && h.Find("sgmt") >= 0) return NseUdiffLayout(h, l);
  if (h.Find("series") >= 0 && h.Find("timestamp") >= 0) return NseBhavcopyLayout(h, l);
  if (h.Find("symbol") >= 0) return LongLayout(h, l);
  if (h.Find("date") >= 0) return DatedLayout(h, l);
  return Status::InvalidArgument(fmt::format(
      "unrecognised header '{}': expected Date,Open,High,Low,Close[,Adj Close][,Volume], "
      "Date,Close, symbol,date,close[,...] or an NSE bhavcopy (old or UDiFF)",
      Excerpt(header_line)));
}

// The rows of one file being parsed.
class FileParser {
 public:
  FileParser(const ParseOptions& options, ParsedFile& out)
      : options_(options),
        out_(out),
        sessions_(options.sessions != nullptr ? *options.sessions : WeekendFilter()) {}

  void Run(std::string_view text);

 private:
  void Error(int64_t line, std::string reason) {
    ++out_.rows_bad;
    if (out_.errors.size() < options_.max_errors) {
      out_.errors.push_back({options_.file, line, std::move(reason)});
    }
  }
  // The steps of Run, in order.
  bool ReadHeader(csv::LineReader& lines);
  bool SetFileSymbol();
  void ReserveFileSeries(std::string_view text);
  bool SplitRow(std::string_view line, int64_t line_number);
  bool IsSymbol(std::string_view symbol);
  void AddSummary();

  void ParseRow(int64_t line_number);
  size_t SeriesIndex(std::string_view symbol, std::string_view exchange);

  // The steps of ParseRow, in order. Each returns false (or nothing) after recording the row as
  // bad or skipped, so the row goes no further.
  struct Row {
    int64_t line;
    std::string_view symbol;
  };
  std::string_view Field(int column) { return fields_[static_cast<size_t>(column)]; }
  void Fail(const Row& row, std::string reason);
  bool IsOtherSeries();
  std::optional<std::string_view> ReadSymbol(int64_t line);
  std::optional<Date> ReadDate(const Row& row);
  std::optional<std::string_view> ReadExchange(const Row& row);
  bool IsNoData(int64_t line);
  bool ReadPrice(const Row& row, int column, std::string_view name, double& out);
  bool ReadPrices(const Row& row, Bar& bar);
  bool ReadVolume(const Row& row, Bar& bar);
  bool CheckRange(const Row& row, const Bar& bar);
  bool CheckSession(const Row& row, std::string_view exchange, Date date);
  void Append(const Row& row, std::string_view exchange, const Bar& bar);

  const ParseOptions& options_;
  ParsedFile& out_;
  const SessionFilter& sessions_;
  Layout layout_;
  csv::FieldSplitter fields_;
  std::string default_exchange_;
  std::string file_symbol_;  // formats without a symbol column
  StringMap<size_t> index_;
  size_t last_index_ = SIZE_MAX;
  int64_t first_no_data_line_ = 0;
  int64_t rows_empty_volume_ = 0;  // rows kept with volume 0 because the field was empty
  int64_t first_empty_volume_line_ = 0;
  std::set<std::string> other_series_;
  std::array<char, kMaxSymbolLength> symbol_buffer_;  // the current row's symbol, upper-cased
};

size_t FileParser::SeriesIndex(std::string_view symbol, std::string_view exchange) {
  if (last_index_ != SIZE_MAX && out_.series[last_index_].bars.instrument.symbol == symbol) {
    return last_index_;
  }
  auto it = index_.find(symbol);
  if (it != index_.end()) return last_index_ = it->second;
  ParsedSeries s;
  s.bars.instrument = {std::string(symbol), std::string(exchange)};
  s.bars.close_only = layout_.close_only();
  out_.series.push_back(std::move(s));
  index_.emplace(std::string(symbol), out_.series.size() - 1);
  return last_index_ = out_.series.size() - 1;
}

std::string LineTooLong() {
  return fmt::format("line longer than {} KiB (not a CSV file of bars?)", kMaxCsvLineBytes >> 10);
}

void FileParser::Run(std::string_view text) {
  csv::LineReader lines(csv::StripBom(text));
  if (!ReadHeader(lines)) return;
  if (!HasSymbolColumn(layout_.format)) {
    if (!SetFileSymbol()) return;
    ReserveFileSeries(text);
  }
  std::optional<std::string> only_symbol;
  if (options_.symbol && HasSymbolColumn(layout_.format)) only_symbol = UpperCase(*options_.symbol);
  while (std::optional<std::string_view> line = lines.Next()) {
    if (csv::IsBlank(*line)) continue;
    ++out_.rows_read;
    const int64_t ln = lines.line_number();
    if (!SplitRow(*line, ln)) continue;
    if (only_symbol && !IsSymbol(*only_symbol)) {
      ++out_.rows_other_symbols;
      continue;
    }
    ParseRow(ln);
  }
  // The series reserved up front stays out if no row of it was good.
  std::erase_if(out_.series, [](const ParsedSeries& s) { return s.bars.empty(); });
  AddSummary();
}

// The first line that is not blank, as the layout of the rows; false after recording why not.
bool FileParser::ReadHeader(csv::LineReader& lines) {
  std::optional<std::string_view> header;
  while ((header = lines.Next()) && csv::IsBlank(*header)) {
  }
  if (!header) {
    out_.errors.push_back({options_.file, 0, "empty file: no header line"});
    return false;
  }
  if (header->size() > kMaxCsvLineBytes) {
    out_.errors.push_back({options_.file, lines.line_number(), LineTooLong()});
    return false;
  }
  if (Status s = fields_.Split(*header); !s.ok()) {
    out_.errors.push_back({options_.file, lines.line_number(), "bad header: " + s.message()});
    return false;
  }
  Result<Layout> layout = DetectLayout(fields_, *header);
  if (!layout.ok()) {
    out_.errors.push_back({options_.file, lines.line_number(), layout.status().message()});
    return false;
  }
  layout_ = *layout;
  out_.format = layout_.format;
  default_exchange_ = options_.exchange.value_or(
      layout_.format == CsvFormat::kNseBhavcopy ? std::string("NSE") : std::string("NYSE"));
  return true;
}

// Formats without a symbol column: the symbol option's, else the file name's; false after
// recording that it is not a valid symbol.
bool FileParser::SetFileSymbol() {
  file_symbol_ = UpperCase(options_.symbol.value_or(options_.file_symbol));
  if (IsValidSymbol(file_symbol_)) return true;
  out_.errors.push_back(
      {options_.file, 0,
       fmt::format("bad symbol '{}' (from {}; allowed: 1 to 32 of A-Z 0-9 . - _ ^ & =)",
                   Excerpt(file_symbol_),
                   options_.symbol ? "the symbol option" : "the file name")});
  return false;
}

// One series: reserve a bar per remaining line, so the columns never grow and copy.
void FileParser::ReserveFileSeries(std::string_view text) {
  ParsedSeries& s = out_.series[SeriesIndex(file_symbol_, default_exchange_)];
  size_t rows = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  s.bars.dates.reserve(rows);
  s.bars.close.reserve(rows);
  s.lines.reserve(rows);
  if (!s.bars.close_only) {
    for (auto* column : {&s.bars.open, &s.bars.high, &s.bars.low, &s.bars.volume}) {
      column->reserve(rows);
    }
  }
}

// Splits a data line into fields_; false after recording it as bad (too long, badly quoted, or
// not as many fields as the header).
bool FileParser::SplitRow(std::string_view line, int64_t ln) {
  if (line.size() > kMaxCsvLineBytes) {
    Error(ln, LineTooLong());
    return false;
  }
  if (Status s = fields_.Split(line); !s.ok()) {
    Error(ln, s.message());
    return false;
  }
  size_t n = fields_.size();
  if (n == layout_.fields + 1 && fields_[n - 1].empty()) --n;  // a trailing comma
  if (n != layout_.fields) {
    Error(ln, fmt::format("expected {} fields, got {}", layout_.fields, n));
    return false;
  }
  return true;
}

// Whether the row's symbol field is `symbol` (upper-case), ignoring the field's case.
bool FileParser::IsSymbol(std::string_view symbol) {
  std::string_view raw = Field(layout_.symbol);
  bool same = raw.size() == symbol.size();
  for (size_t i = 0; same && i < raw.size(); ++i) same = Upper(raw[i]) == symbol[i];
  return same;
}

// The file's warnings (rows skipped or stored with volume 0) and the count of bad rows beyond
// those listed.
void FileParser::AddSummary() {
  if (out_.rows_read == 0) out_.warnings.push_back({options_.file, 0, "no data rows"});
  if (out_.rows_no_data > 0) {
    out_.warnings.push_back({options_.file, first_no_data_line_,
                             fmt::format("{} row{} without data (empty, NA or null prices) skipped",
                                         out_.rows_no_data, out_.rows_no_data == 1 ? "" : "s")});
  }
  if (rows_empty_volume_ > 0) {
    out_.warnings.push_back(
        {options_.file, first_empty_volume_line_,
         fmt::format("{} row{} with an empty volume (empty, NA or null) stored with volume 0",
                     rows_empty_volume_, rows_empty_volume_ == 1 ? "" : "s")});
  }
  if (out_.rows_other_series > 0) {
    std::string names;
    for (const std::string& s : other_series_) names += (names.empty() ? "" : ", ") + s;
    if (layout_.format == CsvFormat::kNseUdiff) {
      out_.warnings.push_back(
          {options_.file, 0,
           fmt::format("{} rows other than segment CM, type STK, series EQ skipped",
                       out_.rows_other_series)});
    } else {
      out_.warnings.push_back({options_.file, 0,
                               fmt::format("{} rows of series other than EQ skipped ({})",
                                           out_.rows_other_series, names)});
    }
  }
  if (static_cast<size_t>(out_.rows_bad) > out_.errors.size()) {
    out_.errors.push_back(
        {options_.file, 0,
         fmt::format("{} more bad rows not listed", out_.rows_bad - out_.errors.size())});
  }
}

// Messages of multi-symbol formats name the symbol.
void FileParser::Fail(const Row& row, std::string reason) {
  if (layout_.symbol >= 0) reason = fmt::format("{}: {}", row.symbol, reason);
  Error(row.line, std::move(reason));
}

// Rows of other segments are skipped before any check.
bool FileParser::IsOtherSeries() {
  const Layout& l = layout_;
  if (l.format != CsvFormat::kNseBhavcopy && l.format != CsvFormat::kNseUdiff) return false;
  std::string_view series = Field(l.series);
  bool keep = series == "EQ";
  if (l.format == CsvFormat::kNseUdiff) {
    keep = keep && Field(l.segment) == "CM" && Field(l.instrument_type) == "STK";
  }
  if (keep) return false;
  ++out_.rows_other_series;
  if (other_series_.size() < 20 && !series.empty()) other_series_.emplace(series);
  return true;
}

// The symbol, upper-cased, in a small buffer (no allocation per row); the file's symbol in
// formats without a symbol column.
std::optional<std::string_view> FileParser::ReadSymbol(int64_t ln) {
  if (layout_.symbol < 0) return file_symbol_;
  std::string_view raw = Field(layout_.symbol);
  if (raw.empty()) {
    Error(ln, "empty symbol");
    return std::nullopt;
  }
  if (raw.size() > kMaxSymbolLength) {
    Error(ln, fmt::format("bad symbol '{}' (longer than 32 characters)", Excerpt(raw)));
    return std::nullopt;
  }
  for (size_t i = 0; i < raw.size(); ++i) symbol_buffer_[i] = Upper(raw[i]);
  std::string_view symbol(symbol_buffer_.data(), raw.size());
  if (!IsValidSymbol(symbol)) {
    Error(ln, fmt::format("bad symbol '{}' (allowed: A-Z 0-9 . - _ ^ & =)", raw));
    return std::nullopt;
  }
  return symbol;
}

std::optional<Date> FileParser::ReadDate(const Row& row) {
  const bool bhavcopy = layout_.format == CsvFormat::kNseBhavcopy;
  std::string_view text = Field(layout_.date);
  std::optional<Date> date = bhavcopy ? csv::ParseDayMonYear(text) : csv::ParseIsoDate(text);
  if (!date) {
    Fail(row, fmt::format("cannot parse date '{}' (expected {})", Excerpt(text),
                          bhavcopy ? "DD-MON-YYYY" : "YYYY-MM-DD"));
  }
  return date;
}

// The Src column of a UDiFF file, else the file's exchange.
std::optional<std::string_view> FileParser::ReadExchange(const Row& row) {
  if (layout_.format != CsvFormat::kNseUdiff) return std::string_view(default_exchange_);
  std::string_view exchange = Field(layout_.source);
  if (exchange != "NSE" && exchange != "BSE") {
    Fail(row, fmt::format("unknown Src '{}' (expected NSE or BSE)", Excerpt(exchange)));
    return std::nullopt;
  }
  return exchange;
}

// A row with a missing price is counted as without data, not as bad.
bool FileParser::IsNoData(int64_t ln) {
  const Layout& l = layout_;
  if (csv::IsMissing(Field(l.close)) ||
      (!l.close_only() && (csv::IsMissing(Field(l.open)) || csv::IsMissing(Field(l.high)) ||
                           csv::IsMissing(Field(l.low))))) {
    if (out_.rows_no_data++ == 0) first_no_data_line_ = ln;
    return true;
  }
  return false;
}

// Parses a price: a finite, positive number.
bool FileParser::ReadPrice(const Row& row, int column, std::string_view name, double& out) {
  std::string_view text = Field(column);
  std::optional<double> v = csv::ParseNumber(text);
  if (!v) {
    Fail(row, fmt::format("cannot parse {} '{}' as a number", name, Excerpt(text)));
    return false;
  }
  if (!std::isfinite(*v)) {
    Fail(row, fmt::format("{} {} is not finite", name, text));
    return false;
  }
  if (*v <= 0) {
    Fail(row, fmt::format("{} {} is not positive", name, text));
    return false;
  }
  out = *v;
  return true;
}

bool FileParser::ReadPrices(const Row& row, Bar& bar) {
  const Layout& l = layout_;
  if (!l.close_only()) {
    if (!ReadPrice(row, l.open, "open", bar.open) || !ReadPrice(row, l.high, "high", bar.high) ||
        !ReadPrice(row, l.low, "low", bar.low)) {
      return false;
    }
  }
  return ReadPrice(row, l.close, "close", bar.close);
}

// An empty volume is stored as 0 (with a warning), except in an NSE bhavcopy.
bool FileParser::ReadVolume(const Row& row, Bar& bar) {
  const Layout& l = layout_;
  if (l.close_only() || l.volume < 0) return true;
  std::string_view text = Field(l.volume);
  if (csv::IsMissing(text)) {
    if (l.format == CsvFormat::kNseBhavcopy || l.format == CsvFormat::kNseUdiff) {
      Fail(row, "volume is empty (an NSE bhavcopy always has one)");
      return false;
    }
    if (rows_empty_volume_++ == 0) first_empty_volume_line_ = row.line;
    return true;
  }
  std::optional<double> v = csv::ParseNumber(text);
  std::string reason;
  if (!v) {
    reason = fmt::format("cannot parse volume '{}' as a number", Excerpt(text));
  } else if (!std::isfinite(*v)) {
    reason = fmt::format("volume {} is not finite", text);
  } else if (*v < 0) {
    reason = fmt::format("volume {} is negative", text);
  } else {
    bar.volume = *v == 0 ? 0 : *v;  // -0 becomes 0
    return true;
  }
  Fail(row, std::move(reason));
  return false;
}

// Open and close lie within low .. high.
bool FileParser::CheckRange(const Row& row, const Bar& bar) {
  const Layout& l = layout_;
  if (l.close_only()) return true;
  std::string reason;
  if (bar.high < bar.low) {
    reason = fmt::format("high {} is below low {}", Field(l.high), Field(l.low));
  } else if (bar.open < bar.low || bar.open > bar.high) {
    reason = fmt::format("open {} is outside low {} .. high {}", Field(l.open), Field(l.low),
                         Field(l.high));
  } else if (bar.close < bar.low || bar.close > bar.high) {
    reason = fmt::format("close {} is outside low {} .. high {}", Field(l.close), Field(l.low),
                         Field(l.high));
  } else {
    return true;
  }
  Fail(row, std::move(reason));
  return false;
}

bool FileParser::CheckSession(const Row& row, std::string_view exchange, Date date) {
  if (sessions_.IsSession(exchange, date)) return true;
  if (Status covered = sessions_.CheckCovers(exchange, date); !covered.ok()) {
    Fail(row, covered.message());
    return false;
  }
  Fail(row, fmt::format("{} is not a {} session ({})", date, exchange,
                        sessions_.ClosedReason(exchange, date).value_or("closed")));
  return false;
}

// Appends the bar to its series, which must be on the same exchange and end before its date.
void FileParser::Append(const Row& row, std::string_view exchange, const Bar& bar) {
  ParsedSeries& s = out_.series[SeriesIndex(row.symbol, exchange)];
  if (s.bars.instrument.exchange != exchange) {
    return Fail(row, fmt::format("exchange {} differs from {} on line {}", exchange,
                                 s.bars.instrument.exchange, s.lines.front()));
  }
  if (!s.bars.dates.empty()) {
    Date last = s.bars.dates.back();
    if (bar.date == last) {
      return Fail(row,
                  fmt::format("duplicated date {} (first on line {})", bar.date, s.lines.back()));
    }
    if (bar.date < last) {
      return Fail(row, fmt::format("date {} is out of order (after {} on line {})", bar.date, last,
                                   s.lines.back()));
    }
  }
  s.bars.Append(bar);
  s.lines.push_back(static_cast<int32_t>(row.line));
}

void FileParser::ParseRow(int64_t ln) {
  if (IsOtherSeries()) return;
  std::optional<std::string_view> symbol = ReadSymbol(ln);
  if (!symbol) return;
  const Row row{ln, *symbol};
  std::optional<Date> date = ReadDate(row);
  if (!date) return;
  std::optional<std::string_view> exchange = ReadExchange(row);
  if (!exchange || IsNoData(ln)) return;
  Bar bar;
  bar.date = *date;
  if (!ReadPrices(row, bar) || !ReadVolume(row, bar) || !CheckRange(row, bar)) return;
  if (!CheckSession(row, *exchange, bar.date)) return;
  Append(row, *exchange, bar);
}

}  // namespace

bool IsValidSymbol(std::string_view symbol) {
  if (symbol.empty() || symbol.size() > kMaxSymbolLength) return false;
  for (char c : symbol) {
    if (!IsSymbolChar(c)) return false;
  }
  return true;
}

std::string UpperCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Upper(c);
  return out;
}

ParsedFile ParseCsv(std::string_view text, const ParseOptions& options) {
  ParsedFile out;
  FileParser(options, out).Run(text);
  return out;
}

namespace {

struct SplitFactor {
  double factor;  // old close / new close
  const char* name;
};
constexpr SplitFactor kSplitFactors[] = {
    {2, "2:1"},   {3, "3:1"},       {1.5, "3:2"},     {4, "4:1"},    {5, "5:1"},   {10, "10:1"},
    {0.5, "1:2"}, {1.0 / 3, "1:3"}, {2.0 / 3, "2:3"}, {0.25, "1:4"}, {0.2, "1:5"}, {0.1, "1:10"},
};
// How far ratio * factor may be from 1: a day's real move on top of the split. Wider across a
// gap of more than a weekend (a market closure such as 2001-09-11..14).
constexpr double kSplitTolerance = 0.06;
constexpr double kSplitToleranceAfterGap = 0.12;
constexpr int32_t kGapDays = 4;

}  // namespace

std::vector<SuspectedSplit> FindSuspectedSplits(const BarSeries& bars) {
  std::vector<SuspectedSplit> out;
  for (size_t i = 1; i < bars.close.size(); ++i) {
    double ratio = bars.close[i] / bars.close[i - 1];
    double tolerance =
        bars.dates[i] - bars.dates[i - 1] > kGapDays ? kSplitToleranceAfterGap : kSplitTolerance;
    for (const SplitFactor& f : kSplitFactors) {
      if (std::fabs(ratio * f.factor - 1) <= tolerance) {
        out.push_back({i, ratio, f.name});
        break;
      }
    }
  }
  return out;
}

std::string DescribeSplit(const BarSeries& bars, const SuspectedSplit& split) {
  size_t i = split.index;
  return fmt::format("{}: close {} on {} then {} on {} (x{:.3f}): an unadjusted {} split?",
                     bars.instrument.symbol, bars.close[i - 1], bars.dates[i - 1], bars.close[i],
                     bars.dates[i], split.ratio, split.split);
}

}  // namespace kairos::marketdata
