#include "marketdata/csv_reader.h"

#include <charconv>
#include <cstring>
#include <system_error>

namespace kairos::marketdata::csv {

std::string_view StripBom(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

std::optional<std::string_view> LineReader::Next() {
  if (done_) return std::nullopt;
  if (rest_.empty()) {
    done_ = true;
    return std::nullopt;
  }
  ++line_number_;
  const void* nl = std::memchr(rest_.data(), '\n', rest_.size());
  std::string_view line;
  if (nl == nullptr) {
    line = rest_;
    rest_ = {};
    done_ = true;
  } else {
    size_t n = static_cast<size_t>(static_cast<const char*>(nl) - rest_.data());
    line = rest_.substr(0, n);
    rest_.remove_prefix(n + 1);
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

Status FieldSplitter::Split(std::string_view line) {
  size_ = 0;
  size_t pos = 0;
  const size_t n = line.size();
  while (true) {
    if (size_ == kMaxFields) return Status::InvalidArgument("more than 64 fields");
    // Skip leading blanks to see whether the field is quoted.
    size_t start = pos;
    while (start < n && IsSpace(line[start])) ++start;
    if (start < n && line[start] == '"') {
      size_t i = start + 1;
      while (true) {
        const void* q = i < n ? std::memchr(line.data() + i, '"', n - i) : nullptr;
        if (q == nullptr) return Status::InvalidArgument("unterminated quoted field");
        size_t at = static_cast<size_t>(static_cast<const char*>(q) - line.data());
        if (at + 1 < n && line[at + 1] == '"') {  // a doubled quote inside the field
          i = at + 2;
          continue;
        }
        fields_[size_++] = line.substr(start + 1, at - start - 1);
        size_t after = at + 1;
        while (after < n && IsSpace(line[after])) ++after;
        if (after == n) return Status::Ok();
        if (line[after] != ',') return Status::InvalidArgument("text after a closing quote");
        pos = after + 1;
        break;
      }
      continue;
    }
    const void* comma = pos < n ? std::memchr(line.data() + pos, ',', n - pos) : nullptr;
    if (comma == nullptr) {
      fields_[size_++] = Trim(line.substr(pos));
      return Status::Ok();
    }
    size_t at = static_cast<size_t>(static_cast<const char*>(comma) - line.data());
    fields_[size_++] = Trim(line.substr(pos, at - pos));
    pos = at + 1;
  }
}

namespace {

// Exact powers of ten as doubles (10^22 is the largest that is exact).
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<double> ParseNumber(std::string_view field) {
  // Fast path for plain decimals ("-123.4567"): with at most 2^53 as the integer of all digits
  // and at most 22 decimals, both m and 10^k are exact doubles and m / 10^k is correctly
  // rounded, so the result is what from_chars gives (Clinger's fast path).
  const char* p = field.data();
  const char* end = p + field.size();
  bool negative = false;
  if (p != end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  uint64_t m = 0;
  int digits = 0;
  int decimals = 0;
  while (p != end && IsDigit(*p) && digits < 19) {
    m = m * 10 + static_cast<uint64_t>(*p++ - '0');
    ++digits;
  }
  if (p != end && *p == '.') {
    ++p;
    while (p != end && IsDigit(*p) && digits < 19) {
      m = m * 10 + static_cast<uint64_t>(*p++ - '0');
      ++digits;
      ++decimals;
    }
  }
  if (p == end && digits > 0 && m <= (uint64_t{1} << 53) && decimals <= 22) {
    double v = static_cast<double>(m) / kPow10[decimals];
    return negative ? -v : v;
  }
  // Everything else (exponents, long mantissas, inf, nan) goes to from_chars, which takes no '+'.
  if (!field.empty() && field.front() == '+') {
    field.remove_prefix(1);
    if (!field.empty() && field.front() == '-') return std::nullopt;
  }
  if (field.empty() || field.front() == '+') return std::nullopt;
  double v = 0;
  auto [stop, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  // from_chars reports out-of-range values (1e999) as an error: not a number we can store.
  if (ec != std::errc() || stop != field.data() + field.size()) return std::nullopt;
  return v;
}

namespace {

bool Digits(std::string_view s, int& out) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::optional<Date> MakeDate(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  if (!Date::IsValidYmd(y, static_cast<unsigned>(m), static_cast<unsigned>(d))) return std::nullopt;
  return Date::FromYmd(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<Date> ParseIsoDate(std::string_view f) {
  if (f.size() != 10 || f[4] != '-' || f[7] != '-') return std::nullopt;
  int y, m, d;
  if (!Digits(f.substr(0, 4), y) || !Digits(f.substr(5, 2), m) || !Digits(f.substr(8, 2), d)) {
    return std::nullopt;
  }
  return MakeDate(y, m, d);
}

std::optional<Date> ParseDayMonYear(std::string_view f) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  if (f.size() != 11 || f[2] != '-' || f[6] != '-') return std::nullopt;
  int y, d;
  if (!Digits(f.substr(0, 2), d) || !Digits(f.substr(7, 4), y)) return std::nullopt;
  const char mon[3] = {Lower(f[3]), Lower(f[4]), Lower(f[5])};
  for (int m = 0; m < 12; ++m) {
    if (std::memcmp(mon, kMonths[m], 3) == 0) return MakeDate(y, m + 1, d);
  }
  return std::nullopt;
}

bool IsMissing(std::string_view f) {
  if (f.empty()) return true;
  if (f.size() > 4) return false;
  char buf[4];
  for (size_t i = 0; i < f.size(); ++i) buf[i] = Lower(f[i]);
  std::string_view s(buf, f.size());
  return s == "na" || s == "n/a" || s == "null";
}

std::string NormalizeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    char l = Lower(c);
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) out.push_back(l);
  }
  return out;
}

}  // namespace kairos::marketdata::csv
