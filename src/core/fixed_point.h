#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/check.h"
#include "core/result.h"

namespace kairos {

// 128-bit integers for exact intermediate products (GCC/Clang extension).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// How a value that falls between two representable units is rounded. Stored values must not
// change.
enum class Rounding : uint8_t {
  kHalfEven = 0,  // ties to the even neighbour ("banker's"); the default for derived amounts
  kHalfUp = 1,    // ties away from zero, as on most broker contract notes
  kDown = 2,      // toward zero (truncate)
  kFloor = 3,     // toward -infinity
  kCeiling = 4,   // toward +infinity
};

// Divides n by d (d > 0) rounding as `mode` says. Exact for every int128 input.
Int128 DivideRounded(Int128 n, Int128 d, Rounding mode);

// A price as an integer number of ticks of 1e-8 currency units (kScale ticks per unit). Eight
// decimals hold every price an exchange quotes, including pre-2001 US sixteenths to 1/256.
class Price {
 public:
  static constexpr int kDecimals = 8;
  static constexpr int64_t kScale = 100'000'000;

  constexpr Price() = default;
  static constexpr Price FromRaw(int64_t ticks) { return Price(ticks); }
  // Exact decimal parse: "123.45", "-0.5", "1e3" is rejected (prices are written in decimals).
  // More than 8 decimals, an empty string or trailing text are InvalidArgument.
  static Result<Price> Parse(std::string_view text);
  // Nearest tick of a double (the one conversion from indicator space; STYLE.md #6).
  // InvalidArgument for NaN, infinity or magnitude beyond int64 ticks.
  static Result<Price> FromDouble(double value, Rounding mode = Rounding::kHalfEven);

  constexpr int64_t raw() const { return ticks_; }
  double ToDouble() const { return static_cast<double>(ticks_) / kScale; }
  // At least 2 decimals, trailing zeros beyond that dropped: "25.5625", "100.00", "-0.10".
  std::string ToString() const;
  // Rounds to a multiple of `tick` (in raw ticks, e.g. 5'000'000 for a 0.05 tick size).
  Price RoundToTick(int64_t tick_raw, Rounding mode) const;

  friend constexpr auto operator<=>(Price, Price) = default;
  Price operator+(Price o) const;
  Price operator-(Price o) const;

 private:
  constexpr explicit Price(int64_t t) : ticks_(t) {}
  int64_t ticks_ = 0;
};

// A number of shares or units: whole units only (fractional shares are not supported).
class Quantity {
 public:
  constexpr Quantity() = default;
  static constexpr Quantity FromUnits(int64_t units) { return Quantity(units); }
  // Exact integer parse; "10.5", "" and trailing text are InvalidArgument.
  static Result<Quantity> Parse(std::string_view text);

  constexpr int64_t units() const { return units_; }
  std::string ToString() const { return std::to_string(units_); }

  friend constexpr auto operator<=>(Quantity, Quantity) = default;
  Quantity operator+(Quantity o) const;
  Quantity operator-(Quantity o) const;
  Quantity operator-() const;

 private:
  constexpr explicit Quantity(int64_t u) : units_(u) {}
  int64_t units_ = 0;
};

// An ISO 4217 currency and the number of decimals of its minor unit (USD 2, INR 2, JPY 0).
class Currency {
 public:
  // The currencies kairos knows: USD, INR, EUR, GBP, JPY. NotFound otherwise.
  static Result<Currency> FromCode(std::string_view code);
  static Currency Usd();
  static Currency Inr();

  std::string_view code() const { return std::string_view(code_, 3); }
  int minor_digits() const { return minor_digits_; }
  int64_t minor_per_unit() const;  // 10^minor_digits

  friend bool operator==(const Currency& a, const Currency& b) { return a.code() == b.code(); }

 private:
  Currency(const char* code, int digits);
  char code_[3] = {'U', 'S', 'D'};
  int minor_digits_ = 2;
};

// An amount of money: an integer number of minor units (cents, paise) of one currency. Arithmetic
// is exact; overflow and mixing currencies are bugs (KAIROS_CHECK). Rounding happens only where an
// amount is derived (Notional, Percent) and is always stated by the caller.
class Money {
 public:
  Money() = default;
  Money(int64_t minor, Currency currency) : minor_(minor), currency_(currency) {}
  static Money Zero(Currency c) { return Money(0, c); }
  // Exact decimal parse in the currency's minor units: "1234.56" USD; "0.001" USD is
  // InvalidArgument (more decimals than the minor unit has).
  static Result<Money> Parse(std::string_view text, Currency currency);

  int64_t minor() const { return minor_; }
  const Currency& currency() const { return currency_; }
  // The amount with exactly minor_digits decimals: "1234.56", "-0.05", "1500" for JPY.
  std::string ToString() const;
  // "1234.56 USD".
  std::string ToStringWithCode() const;
  double ToDouble() const { return static_cast<double>(minor_) / currency_.minor_per_unit(); }

  Money operator+(const Money& o) const;
  Money operator-(const Money& o) const;
  Money operator-() const;
  Money& operator+=(const Money& o) { return *this = *this + o; }
  Money& operator-=(const Money& o) { return *this = *this - o; }
  Money operator*(int64_t k) const;
  // amount × numerator / denominator, rounded: fees as a rate (0.03 % = 3 / 10'000).
  // REQUIRES: denominator > 0.
  Money MulRatio(int64_t numerator, int64_t denominator, Rounding mode) const;

  friend bool operator==(const Money& a, const Money& b) {
    return a.currency_ == b.currency_ && a.minor_ == b.minor_;
  }
  // REQUIRES: same currency.
  friend std::strong_ordering operator<=>(const Money& a, const Money& b) {
    KAIROS_CHECK(a.currency_ == b.currency_)
        << "comparing " << a.currency_.code() << " with " << b.currency_.code();
    return a.minor_ <=> b.minor_;
  }

 private:
  int64_t minor_ = 0;
  Currency currency_ = Currency::Usd();
};

// The value of `qty` units at `price`, in `currency`'s minor units, rounded as `mode` says
// (one rounding of the exact product; no intermediate double).
Money Notional(Price price, Quantity qty, Currency currency, Rounding mode = Rounding::kHalfEven);

// Notional, or OutOfRange when the value does not fit 64-bit minor units. Only prices and
// quantities far beyond anything traded get there (a data error such as a price off by a factor
// of a million); the ledger and the paper broker report it, so no stored input aborts a run.
Result<Money> CheckedNotional(Price price, Quantity qty, Currency currency,
                              Rounding mode = Rounding::kHalfEven);

// a + b in minor units, or OutOfRange naming `what` when the sum does not fit 64 bits.
Result<int64_t> CheckedAdd(int64_t a, int64_t b, std::string_view what);

}  // namespace kairos
