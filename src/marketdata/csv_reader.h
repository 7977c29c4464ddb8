#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/status.h"

// The low-level CSV layer of the importers: lines, fields, numbers and dates, without allocating.
// Pure functions of their input; thread-safe.
namespace kairos::marketdata::csv {

// Returns `text` without a leading UTF-8 byte order mark.
std::string_view StripBom(std::string_view text);

// Splits text into lines ending in "\n" or "\r\n" (a last line without a terminator counts).
// Quoted fields spanning lines are not supported: market data never has them.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}
  // The next line without its terminator, or nullopt at the end of the text.
  std::optional<std::string_view> Next();
  // 1-based number of the line last returned by Next() (0 before the first call).
  int64_t line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  int64_t line_number_ = 0;
  bool done_ = false;
};

// Whether a line holds nothing but spaces, tabs and carriage returns.
bool IsBlank(std::string_view line);

// Splits one line into comma-separated fields, keeping views into the line. Each field is trimmed
// of spaces and tabs; a field in double quotes loses its quotes (a doubled quote inside stays
// doubled: no field kairos reads may contain a quote). Reusable: Split() overwrites the fields.
class FieldSplitter {
 public:
  static constexpr size_t kMaxFields = 64;

  // InvalidArgument ("unterminated quoted field", "text after a closing quote",
  // "more than 64 fields") on malformed lines; the fields are then unspecified.
  Status Split(std::string_view line);
  size_t size() const { return size_; }
  // REQUIRES: i < size().
  std::string_view operator[](size_t i) const { return fields_[i]; }

 private:
  std::array<std::string_view, kMaxFields> fields_;
  size_t size_ = 0;
};

// Parses a whole field as a double with std::from_chars (locale-free; the nearest double to the
// decimal text, so printing it back with the shortest round-trip form gives the same number).
// Accepts an optional leading '+', exponents, and "inf"/"nan" (callers reject non-finite values
// with their own message). nullopt if any character is left over or the field is empty.
std::optional<double> ParseNumber(std::string_view field);

// Parses exactly "YYYY-MM-DD" (a real calendar day).
std::optional<Date> ParseIsoDate(std::string_view field);
// Parses "DD-MON-YYYY" with an English month abbreviation in any case ("02-JAN-2019").
std::optional<Date> ParseDayMonYear(std::string_view field);

// Whether a field says "no value": empty, "NA", "N/A" or "null" (any case).
bool IsMissing(std::string_view field);

// A header name reduced to ASCII lower-case letters and digits: "Adj Close" -> "adjclose".
std::string NormalizeName(std::string_view name);

}  // namespace kairos::marketdata::csv
