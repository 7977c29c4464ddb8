#include "core/fixed_point.h"

#include <cmath>
#include <limits>

#include <fmt/core.h>

namespace kairos {
namespace {

constexpr int64_t kPow10[] = {1,
                              10,
                              100,
                              1'000,
                              10'000,
                              100'000,
                              1'000'000,
                              10'000'000,
                              100'000'000,
                              1'000'000'000,
                              10'000'000'000,
                              100'000'000'000,
                              1'000'000'000'000,
                              10'000'000'000'000,
                              100'000'000'000'000,
                              1'000'000'000'000'000,
                              1'000'000'000'000'000'000};

bool FitsInt64(Int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

int64_t Checked(Int128 v, const char* what) {
  KAIROS_CHECK(FitsInt64(v)) << what << " overflows int64";
  return static_cast<int64_t>(v);
}

// Parses an optionally signed decimal "123.4500" into value × 10^decimals exactly. Digits beyond
// `decimals` are accepted only when they are zeros.
Result<int64_t> ParseScaled(std::string_view text, int decimals, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("'{}' is not a valid {}: {}", text, what, why));
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  Int128 value = 0;
  int int_digits = 0, frac_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
    value = value * 10 + (text[i] - '0');
    if (value > std::numeric_limits<int64_t>::max()) return bad("too large");
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (frac_digits < decimals) {
        value = value * 10 + (text[i] - '0');
        ++frac_digits;
      } else if (text[i] != '0') {
        return bad(fmt::format("more than {} decimal places", decimals));
      }
    }
  }
  if (i != text.size()) return bad("unexpected character");
  if (int_digits == 0 && frac_digits == 0) return bad("no digits");
  value *= kPow10[decimals - frac_digits];
  if (value > std::numeric_limits<int64_t>::max()) return bad("too large");
  return static_cast<int64_t>(negative ? -value : value);
}

// Formats value / 10^decimals with at least `min_decimals` decimals.
std::string FormatScaled(int64_t value, int decimals, int min_decimals) {
  bool negative = value < 0;
  UInt128 mag = negative ? -static_cast<Int128>(value) : value;
  uint64_t scale = static_cast<uint64_t>(kPow10[decimals]);
  uint64_t whole = static_cast<uint64_t>(mag / scale);
  uint64_t frac = static_cast<uint64_t>(mag % scale);
  std::string out = negative ? "-" : "";
  out += std::to_string(whole);
  if (decimals == 0) return out;
  std::string digits = fmt::format("{:0{}}", frac, decimals);
  size_t keep = digits.size();
  while (keep > static_cast<size_t>(min_decimals) && digits[keep - 1] == '0') --keep;
  if (keep > 0) out += "." + digits.substr(0, keep);
  return out;
}

}  // namespace

Int128 DivideRounded(Int128 n, Int128 d, Rounding mode) {
  KAIROS_CHECK(d > 0) << "DivideRounded needs a positive divisor";
  Int128 q = n / d;  // truncated toward zero
  Int128 r = n % d;  // same sign as n
  if (r == 0) return q;
  int sign = n < 0 ? -1 : 1;
  Int128 twice = (r < 0 ? -r : r) * 2;
  switch (mode) {
    case Rounding::kDown:
      return q;
    case Rounding::kFloor:
      return sign < 0 ? q - 1 : q;
    case Rounding::kCeiling:
      return sign > 0 ? q + 1 : q;
    case Rounding::kHalfUp:
      return twice >= d ? q + sign : q;
    case Rounding::kHalfEven:
      if (twice > d || (twice == d && (q % 2) != 0)) return q + sign;
      return q;
  }
  return q;
}

Result<Price> Price::Parse(std::string_view text) {
  KAIROS_ASSIGN_OR_RETURN(int64_t ticks, ParseScaled(text, kDecimals, "price"));
  return Price(ticks);
}

Result<Price> Price::FromDouble(double value, Rounding mode) {
  if (!std::isfinite(value) || std::fabs(value) * kScale >= 9.2e18) {
    return Status::InvalidArgument(fmt::format("{} cannot be a price", value));
  }
  // The common case without text: below 1e6 a double's ulp is under 1.2e-10, so at most one
  // number of whole ticks (a grid of 1e-8) has `value` as its nearest double, and when one
  // does it is also what the shortest decimal text below parses to. The division is correctly
  // rounded, so it gives exactly the double that text parses to.
  if (std::fabs(value) < 1e6) {
    const int64_t ticks = std::llround(value * static_cast<double>(kScale));
    if (static_cast<double>(ticks) / static_cast<double>(kScale) == value) return Price(ticks);
  }
  // The shortest decimal text of a double is the value a person wrote ("25.5625", "0.1"), so
  // parsing it exactly avoids binary-fraction artefacts such as 0.1 -> 0.09999999.
  std::string text = fmt::format("{}", value);
  if (text.find_first_of("eE") == std::string::npos) {
    auto exact = ParseScaled(text, kDecimals, "price");
    if (exact.ok()) return Price(*exact);
  }
  long double scaled = static_cast<long double>(value) * kScale;
  long double whole = std::trunc(scaled);
  long double frac = scaled - whole;
  Int128 n = static_cast<Int128>(whole);
  // Re-express the fraction on a fine grid so DivideRounded can apply the mode.
  constexpr int64_t kGrid = 1'000'000;
  n = n * kGrid + static_cast<Int128>(std::llround(frac * kGrid));
  return Price(Checked(DivideRounded(n, kGrid, mode), "price"));
}

std::string Price::ToString() const { return FormatScaled(ticks_, kDecimals, 2); }

Price Price::RoundToTick(int64_t tick_raw, Rounding mode) const {
  KAIROS_CHECK(tick_raw > 0) << "tick size must be positive";
  return Price(Checked(DivideRounded(ticks_, tick_raw, mode) * tick_raw, "price"));
}

Price Price::operator+(Price o) const {
  return Price(Checked(static_cast<Int128>(ticks_) + o.ticks_, "price"));
}
Price Price::operator-(Price o) const {
  return Price(Checked(static_cast<Int128>(ticks_) - o.ticks_, "price"));
}

Result<Quantity> Quantity::Parse(std::string_view text) {
  KAIROS_ASSIGN_OR_RETURN(int64_t units, ParseScaled(text, 0, "quantity"));
  return Quantity(units);
}
Quantity Quantity::operator+(Quantity o) const {
  return Quantity(Checked(static_cast<Int128>(units_) + o.units_, "quantity"));
}
Quantity Quantity::operator-(Quantity o) const {
  return Quantity(Checked(static_cast<Int128>(units_) - o.units_, "quantity"));
}
Quantity Quantity::operator-() const {
  return Quantity(Checked(-static_cast<Int128>(units_), "quantity"));
}

Currency::Currency(const char* code, int digits) : minor_digits_(digits) {
  for (int i = 0; i < 3; ++i) code_[i] = code[i];
}

Result<Currency> Currency::FromCode(std::string_view code) {
  static const struct {
    const char* code;
    int digits;
  } kKnown[] = {{"USD", 2}, {"INR", 2}, {"EUR", 2}, {"GBP", 2}, {"JPY", 0}};
  for (const auto& k : kKnown) {
    if (code == k.code) return Currency(k.code, k.digits);
  }
  return Status::NotFound(
      fmt::format("unknown currency '{}' (known: USD, INR, EUR, GBP, JPY)", code));
}

Currency Currency::Usd() { return Currency("USD", 2); }
Currency Currency::Inr() { return Currency("INR", 2); }
int64_t Currency::minor_per_unit() const { return kPow10[minor_digits_]; }

Result<Money> Money::Parse(std::string_view text, Currency currency) {
  KAIROS_ASSIGN_OR_RETURN(int64_t minor, ParseScaled(text, currency.minor_digits(),
                                                     fmt::format("{} amount", currency.code())));
  return Money(minor, currency);
}

std::string Money::ToString() const {
  return FormatScaled(minor_, currency_.minor_digits(), currency_.minor_digits());
}
std::string Money::ToStringWithCode() const {
  return fmt::format("{} {}", ToString(), currency_.code());
}

Money Money::operator+(const Money& o) const {
  KAIROS_CHECK(currency_ == o.currency_)
      << "adding " << o.currency_.code() << " to " << currency_.code();
  return Money(Checked(static_cast<Int128>(minor_) + o.minor_, "money"), currency_);
}
Money Money::operator-(const Money& o) const {
  KAIROS_CHECK(currency_ == o.currency_)
      << "subtracting " << o.currency_.code() << " from " << currency_.code();
  return Money(Checked(static_cast<Int128>(minor_) - o.minor_, "money"), currency_);
}
Money Money::operator-() const {
  return Money(Checked(-static_cast<Int128>(minor_), "money"), currency_);
}
Money Money::operator*(int64_t k) const {
  return Money(Checked(static_cast<Int128>(minor_) * k, "money"), currency_);
}
Money Money::MulRatio(int64_t numerator, int64_t denominator, Rounding mode) const {
  Int128 n = static_cast<Int128>(minor_) * numerator;
  return Money(Checked(DivideRounded(n, denominator, mode), "money"), currency_);
}

namespace {

// price x qty in `currency`'s minor units, exactly (price.raw() is in 1e-8 units; minor units are
// 10^-digits: divide by 10^(8 - digits)). Never overflows: |raw x units| < 2^126.
Int128 ExactNotional(Price price, Quantity qty, Currency currency, Rounding mode) {
  Int128 exact = static_cast<Int128>(price.raw()) * qty.units();
  return DivideRounded(exact, kPow10[Price::kDecimals - currency.minor_digits()], mode);
}

}  // namespace

Money Notional(Price price, Quantity qty, Currency currency, Rounding mode) {
  return Money(Checked(ExactNotional(price, qty, currency, mode), "notional"), currency);
}

Result<Money> CheckedNotional(Price price, Quantity qty, Currency currency, Rounding mode) {
  Int128 v = ExactNotional(price, qty, currency, mode);
  if (!FitsInt64(v)) {
    return Status::OutOfRange(fmt::format(
        "the value of {} units at {} {} is beyond the ledger's 64-bit range: a price or "
        "quantity this large is a data error",
        qty.units(), price.ToString(), currency.code()));
  }
  return Money(static_cast<int64_t>(v), currency);
}

Result<int64_t> CheckedAdd(int64_t a, int64_t b, std::string_view what) {
  Int128 v = static_cast<Int128>(a) + b;
  if (!FitsInt64(v)) {
    return Status::OutOfRange(
        fmt::format("{} is beyond the ledger's 64-bit range: a price or quantity this large is "
                    "a data error",
                    what));
  }
  return static_cast<int64_t>(v);
}

}  // namespace kairos
