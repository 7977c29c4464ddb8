#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kairos {

// A calendar day with no time zone: a trading day (session date) of some exchange.
// Stored as days since 1970-01-01 (proleptic Gregorian). Only calendar/ turns a Date into
// instants, through an exchange's time zone (STYLE.md #7).
class Date {
 public:
  constexpr Date() = default;  // 1970-01-01
  static constexpr Date FromDays(int32_t days_since_epoch) { return Date(days_since_epoch); }
  // REQUIRES: a valid civil date (checked: aborts otherwise; use Parse for user input).
  static Date FromYmd(int year, unsigned month, unsigned day);
  // Parses exactly "YYYY-MM-DD". Anything else (other separators, trailing text, 2023-02-30)
  // is InvalidArgument.
  static Result<Date> Parse(std::string_view text);
  // Whether y-m-d is a real day, e.g. false for 2023-02-29.
  static bool IsValidYmd(int year, unsigned month, unsigned day);

  constexpr int32_t days() const { return days_; }
  int year() const;
  unsigned month() const;  // 1..12
  unsigned day() const;    // 1..31
  // ISO weekday: 1 = Monday … 7 = Sunday.
  unsigned iso_weekday() const;
  bool IsWeekend() const { return iso_weekday() >= 6; }

  constexpr Date AddDays(int32_t n) const { return Date(days_ + n); }
  std::chrono::sys_days ToSysDays() const {
    return std::chrono::sys_days(std::chrono::days(days_));
  }
  static Date FromSysDays(std::chrono::sys_days d) {
    return Date(static_cast<int32_t>(d.time_since_epoch().count()));
  }

  // "YYYY-MM-DD".
  std::string ToString() const;

  friend constexpr auto operator<=>(Date, Date) = default;
  friend constexpr int32_t operator-(Date a, Date b) { return a.days_ - b.days_; }

 private:
  constexpr explicit Date(int32_t days) : days_(days) {}
  int32_t days_ = 0;
};

// An instant: nanoseconds since 1970-01-01T00:00:00 UTC (STYLE.md #7).
class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp FromNanos(int64_t ns) { return Timestamp(ns); }
  static constexpr Timestamp FromSeconds(int64_t s) { return Timestamp(s * 1'000'000'000); }
  static Timestamp FromSysTime(std::chrono::sys_time<std::chrono::nanoseconds> t) {
    return Timestamp(t.time_since_epoch().count());
  }

  constexpr int64_t nanos() const { return ns_; }
  std::chrono::sys_time<std::chrono::nanoseconds> ToSysTime() const {
    return std::chrono::sys_time<std::chrono::nanoseconds>(std::chrono::nanoseconds(ns_));
  }
  // The UTC calendar day this instant falls on.
  Date UtcDate() const;
  // ISO 8601 in UTC: "2024-11-29T18:00:00Z" (fraction shown only when non-zero).
  std::string ToString() const;
  // Parses ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS[.fffffffff]Z".
  static Result<Timestamp> Parse(std::string_view text);

  friend constexpr auto operator<=>(Timestamp, Timestamp) = default;

 private:
  constexpr explicit Timestamp(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

}  // namespace kairos

template <>
struct std::hash<kairos::Date> {
  size_t operator()(kairos::Date d) const noexcept { return std::hash<int32_t>()(d.days()); }
};

template <>
struct fmt::formatter<kairos::Date> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(kairos::Date d, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(d.ToString(), ctx);
  }
};
