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

Result<Layout> DetectLayout(const csv::FieldSplitter& header, std::string_view header_line) {
  std::vector<std::string> names;
  names.reserve(header.size());
  for (size_t i = 0; i < header.size(); ++i) names.push_back(csv::NormalizeName(header[i]));
  size_t count = names.size();
  if (count > 1 && names.back().empty()) --count;  // a trailing comma (NSE bhavcopy)
  for (size_t i = 0; i < count; ++i) {
    for (size_t j = i + 1; j < count; ++j) {
      if (!names[i].empty() && names[i] == names[j]) {
        return Status::InvalidArgument(
            fmt::format("duplicate column '{}' in the header", header[j]));
      }
    }
  }
  auto find = [&](std::string_view name) -> int {
    for (size_t i = 0; i < count; ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  };
  Layout l;
  l.fields = count;
  auto require = [&](std::string_view format_name,
                     std::initializer_list<std::pair<int*, std::string_view>> columns) -> Status {
    for (auto& [slot, name] : columns) {
      *slot = find(name);
      if (*slot < 0) {
        return Status::InvalidArgument(
            fmt::format("{} header without a '{}' column", format_name, name));
      }
    }
    return Status::Ok();
  };
  // open, high and low come together or not at all.
  auto ohl = [&]() -> Status {
    l.open = find("open");
    l.high = find("high");
    l.low = find("low");
    int present = (l.open >= 0) + (l.high >= 0) + (l.low >= 0);
    if (present != 0 && present != 3) {
      return Status::InvalidArgument("header has some but not all of open, high and low");
    }
    return Status::Ok();
  };

  if (find("tckrsymb") >= 0 && find("sgmt") >= 0) {
    l.format = CsvFormat::kNseUdiff;
    KAIROS_RETURN_IF_ERROR(require("NSE UDiFF", {{&l.date, "traddt"},
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
  if (find("series") >= 0 && find("timestamp") >= 0) {
    l.format = CsvFormat::kNseBhavcopy;
    KAIROS_RETURN_IF_ERROR(require("NSE bhavcopy", {{&l.symbol, "symbol"},
                                                    {&l.series, "series"},
                                                    {&l.open, "open"},
                                                    {&l.high, "high"},
                                                    {&l.low, "low"},
                                                    {&l.close, "close"},
                                                    {&l.volume, "tottrdqty"},
                                                    {&l.date, "timestamp"}}));
    return l;
  }
  if (find("symbol") >= 0) {
    KAIROS_RETURN_IF_ERROR(
        require("long", {{&l.symbol, "symbol"}, {&l.date, "date"}, {&l.close, "close"}}));
    KAIROS_RETURN_IF_ERROR(ohl());
    l.volume = find("volume");
    if (l.open < 0 && l.volume >= 0) {
      return Status::InvalidArgument("header has volume but no open, high and low");
    }
    l.format = l.open >= 0 ? CsvFormat::kLongOhlcv : CsvFormat::kLongClose;
    return l;
  }
  if (find("date") >= 0) {
    KAIROS_RETURN_IF_ERROR(require("Yahoo/Stooq", {{&l.date, "date"}, {&l.close, "close"}}));
    KAIROS_RETURN_IF_ERROR(ohl());
    l.volume = find("volume");
    if (l.open < 0 && l.volume >= 0) {
      return Status::InvalidArgument("header has volume but no open, high and low");
    }
    if (l.open < 0) {
      l.format = CsvFormat::kDateClose;
    } else {
      l.format = find("adjclose") >= 0 ? CsvFormat::kYahoo : CsvFormat::kOhlcv;
    }
    return l;
  }
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
  void ParseRow(int64_t line_number);
  size_t SeriesIndex(std::string_view symbol, std::string_view exchange);

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
  std::optional<std::string_view> header;
  while ((header = lines.Next()) && csv::IsBlank(*header)) {
  }
  if (!header) {
    out_.errors.push_back({options_.file, 0, "empty file: no header line"});
    return;
  }
  if (header->size() > kMaxCsvLineBytes) {
    out_.errors.push_back({options_.file, lines.line_number(), LineTooLong()});
    return;
  }
  if (Status s = fields_.Split(*header); !s.ok()) {
    out_.errors.push_back({options_.file, lines.line_number(), "bad header: " + s.message()});
    return;
  }
  Result<Layout> layout = DetectLayout(fields_, *header);
  if (!layout.ok()) {
    out_.errors.push_back({options_.file, lines.line_number(), layout.status().message()});
    return;
  }
  layout_ = *layout;
  out_.format = layout_.format;
  default_exchange_ = options_.exchange.value_or(
      layout_.format == CsvFormat::kNseBhavcopy ? std::string("NSE") : std::string("NYSE"));
  if (!HasSymbolColumn(layout_.format)) {
    file_symbol_ = UpperCase(options_.symbol.value_or(options_.file_symbol));
    if (!IsValidSymbol(file_symbol_)) {
      out_.errors.push_back(
          {options_.file, 0,
           fmt::format("bad symbol '{}' (from {}; allowed: 1 to 32 of A-Z 0-9 . - _ ^ & =)",
                       Excerpt(file_symbol_),
                       options_.symbol ? "the symbol option" : "the file name")});
      return;
    }
  }
  if (!HasSymbolColumn(layout_.format)) {
    // One series: reserve a bar per remaining line, so the columns never grow and copy.
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
  std::optional<std::string> only_symbol;
  if (options_.symbol && HasSymbolColumn(layout_.format)) only_symbol = UpperCase(*options_.symbol);

  while (std::optional<std::string_view> line = lines.Next()) {
    if (csv::IsBlank(*line)) continue;
    ++out_.rows_read;
    const int64_t ln = lines.line_number();
    if (line->size() > kMaxCsvLineBytes) {
      Error(ln, LineTooLong());
      continue;
    }
    if (Status s = fields_.Split(*line); !s.ok()) {
      Error(ln, s.message());
      continue;
    }
    size_t n = fields_.size();
    if (n == layout_.fields + 1 && fields_[n - 1].empty()) --n;  // a trailing comma
    if (n != layout_.fields) {
      Error(ln, fmt::format("expected {} fields, got {}", layout_.fields, n));
      continue;
    }
    if (only_symbol) {
      std::string_view raw = fields_[static_cast<size_t>(layout_.symbol)];
      bool same = raw.size() == only_symbol->size();
      for (size_t i = 0; same && i < raw.size(); ++i) same = Upper(raw[i]) == (*only_symbol)[i];
      if (!same) {
        ++out_.rows_other_symbols;
        continue;
      }
    }
    ParseRow(ln);
  }

  // The series reserved up front stays out if no row of it was good.
  std::erase_if(out_.series, [](const ParsedSeries& s) { return s.bars.empty(); });

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

void FileParser::ParseRow(int64_t ln) {
  const Layout& l = layout_;
  auto field = [&](int column) { return fields_[static_cast<size_t>(column)]; };

  // Rows of other segments are skipped before any check.
  if (l.format == CsvFormat::kNseBhavcopy || l.format == CsvFormat::kNseUdiff) {
    std::string_view series = field(l.series);
    bool keep = series == "EQ";
    if (l.format == CsvFormat::kNseUdiff) {
      keep = keep && field(l.segment) == "CM" && field(l.instrument_type) == "STK";
    }
    if (!keep) {
      ++out_.rows_other_series;
      if (other_series_.size() < 20 && !series.empty()) other_series_.emplace(series);
      return;
    }
  }

  // The symbol, upper-cased, in a small buffer (no allocation per row).
  std::array<char, kMaxSymbolLength> symbol_buffer;
  std::string_view symbol;
  if (l.symbol >= 0) {
    std::string_view raw = field(l.symbol);
    if (raw.empty()) return Error(ln, "empty symbol");
    if (raw.size() > kMaxSymbolLength) {
      return Error(ln, fmt::format("bad symbol '{}' (longer than 32 characters)", Excerpt(raw)));
    }
    for (size_t i = 0; i < raw.size(); ++i) symbol_buffer[i] = Upper(raw[i]);
    symbol = std::string_view(symbol_buffer.data(), raw.size());
    if (!IsValidSymbol(symbol)) {
      return Error(ln, fmt::format("bad symbol '{}' (allowed: A-Z 0-9 . - _ ^ & =)", raw));
    }
  } else {
    symbol = file_symbol_;
  }
  // Messages of multi-symbol formats name the symbol.
  auto fail = [&](std::string reason) {
    if (l.symbol >= 0) reason = fmt::format("{}: {}", symbol, reason);
    Error(ln, std::move(reason));
  };

  std::string_view date_text = field(l.date);
  std::optional<Date> date = l.format == CsvFormat::kNseBhavcopy ? csv::ParseDayMonYear(date_text)
                                                                 : csv::ParseIsoDate(date_text);
  if (!date) {
    return fail(fmt::format("cannot parse date '{}' (expected {})", Excerpt(date_text),
                            l.format == CsvFormat::kNseBhavcopy ? "DD-MON-YYYY" : "YYYY-MM-DD"));
  }

  std::string_view exchange = default_exchange_;
  if (l.format == CsvFormat::kNseUdiff) {
    exchange = field(l.source);
    if (exchange != "NSE" && exchange != "BSE") {
      return fail(fmt::format("unknown Src '{}' (expected NSE or BSE)", Excerpt(exchange)));
    }
  }

  const bool close_only = l.close_only();
  if (csv::IsMissing(field(l.close)) ||
      (!close_only && (csv::IsMissing(field(l.open)) || csv::IsMissing(field(l.high)) ||
                       csv::IsMissing(field(l.low))))) {
    if (out_.rows_no_data++ == 0) first_no_data_line_ = ln;
    return;
  }

  Bar bar;
  bar.date = *date;
  // Parses a price: a finite, positive number.
  auto price = [&](int column, std::string_view name, double& out) -> bool {
    std::string_view text = field(column);
    std::optional<double> v = csv::ParseNumber(text);
    if (!v) {
      fail(fmt::format("cannot parse {} '{}' as a number", name, Excerpt(text)));
      return false;
    }
    if (!std::isfinite(*v)) {
      fail(fmt::format("{} {} is not finite", name, text));
      return false;
    }
    if (*v <= 0) {
      fail(fmt::format("{} {} is not positive", name, text));
      return false;
    }
    out = *v;
    return true;
  };
  if (!close_only) {
    if (!price(l.open, "open", bar.open) || !price(l.high, "high", bar.high) ||
        !price(l.low, "low", bar.low)) {
      return;
    }
  }
  if (!price(l.close, "close", bar.close)) return;
  if (!close_only && l.volume >= 0 && csv::IsMissing(field(l.volume))) {
    if (l.format == CsvFormat::kNseBhavcopy || l.format == CsvFormat::kNseUdiff) {
      return fail("volume is empty (an NSE bhavcopy always has one)");
    }
    if (rows_empty_volume_++ == 0) first_empty_volume_line_ = ln;
  } else if (!close_only && l.volume >= 0) {
    std::string_view text = field(l.volume);
    std::optional<double> v = csv::ParseNumber(text);
    if (!v) return fail(fmt::format("cannot parse volume '{}' as a number", Excerpt(text)));
    if (!std::isfinite(*v)) return fail(fmt::format("volume {} is not finite", text));
    if (*v < 0) return fail(fmt::format("volume {} is negative", text));
    bar.volume = *v == 0 ? 0 : *v;  // -0 becomes 0
  }
  if (!close_only) {
    if (bar.high < bar.low) {
      return fail(fmt::format("high {} is below low {}", field(l.high), field(l.low)));
    }
    if (bar.open < bar.low || bar.open > bar.high) {
      return fail(fmt::format("open {} is outside low {} .. high {}", field(l.open), field(l.low),
                              field(l.high)));
    }
    if (bar.close < bar.low || bar.close > bar.high) {
      return fail(fmt::format("close {} is outside low {} .. high {}", field(l.close), field(l.low),
                              field(l.high)));
    }
  }

  if (!sessions_.IsSession(exchange, bar.date)) {
    if (Status covered = sessions_.CheckCovers(exchange, bar.date); !covered.ok()) {
      return fail(covered.message());
    }
    return fail(fmt::format("{} is not a {} session ({})", bar.date, exchange,
                            sessions_.ClosedReason(exchange, bar.date).value_or("closed")));
  }

  ParsedSeries& s = out_.series[SeriesIndex(symbol, exchange)];
  if (s.bars.instrument.exchange != exchange) {
    return fail(fmt::format("exchange {} differs from {} on line {}", exchange,
                            s.bars.instrument.exchange, s.lines.front()));
  }
  if (!s.bars.dates.empty()) {
    Date last = s.bars.dates.back();
    if (bar.date == last) {
      return fail(fmt::format("duplicated date {} (first on line {})", bar.date, s.lines.back()));
    }
    if (bar.date < last) {
      return fail(fmt::format("date {} is out of order (after {} on line {})", bar.date, last,
                              s.lines.back()));
    }
  }
  s.bars.Append(bar);
  s.lines.push_back(static_cast<int32_t>(ln));
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
