#include "core/date.h"

#include <charconv>
#include <limits>

namespace kairos {
namespace {

using std::chrono::year_month_day;

year_month_day Ymd(Date d) { return year_month_day(d.ToSysDays()); }

// Parses exactly `n` ASCII digits at text[pos..pos+n).
bool Digits(std::string_view text, size_t pos, size_t n, int* out) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

bool Date::IsValidYmd(int year, unsigned month, unsigned day) {
  return year_month_day{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)}
      .ok();
}

Date Date::FromYmd(int year, unsigned month, unsigned day) {
  year_month_day ymd{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  KAIROS_CHECK(ymd.ok()) << "invalid date " << year << "-" << month << "-" << day;
  return FromSysDays(std::chrono::sys_days(ymd));
}

Result<Date> Date::Parse(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4, &y) ||
      !Digits(text, 5, 2, &m) || !Digits(text, 8, 2, &d)) {
    return Status::InvalidArgument(fmt::format("'{}' is not a date (expected YYYY-MM-DD)", text));
  }
  if (!IsValidYmd(y, static_cast<unsigned>(m), static_cast<unsigned>(d))) {
    return Status::InvalidArgument(fmt::format("'{}' is not a day of the calendar", text));
  }
  return FromYmd(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

int Date::year() const { return static_cast<int>(Ymd(*this).year()); }
unsigned Date::month() const { return static_cast<unsigned>(Ymd(*this).month()); }
unsigned Date::day() const { return static_cast<unsigned>(Ymd(*this).day()); }
unsigned Date::iso_weekday() const { return std::chrono::weekday(ToSysDays()).iso_encoding(); }

std::string Date::ToString() const {
  year_month_day ymd = Ymd(*this);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

Date Timestamp::UtcDate() const {
  return Date::FromSysDays(std::chrono::floor<std::chrono::days>(ToSysTime()));
}

std::string Timestamp::ToString() const {
  auto tp = ToSysTime();
  auto day = std::chrono::floor<std::chrono::days>(tp);
  int64_t ns_of_day = (tp - day).count();
  int64_t secs = ns_of_day / 1'000'000'000;
  int64_t frac = ns_of_day % 1'000'000'000;
  std::string out = fmt::format("{}T{:02}:{:02}:{:02}", Date::FromSysDays(day).ToString(),
                                secs / 3600, (secs / 60) % 60, secs % 60);
  if (frac != 0) out += fmt::format(".{:09}", frac);
  out += 'Z';
  return out;
}

Result<Timestamp> Timestamp::Parse(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a UTC timestamp (expected YYYY-MM-DDTHH:MM:SS[.f]Z)", text));
  };
  if (text.size() < 20 || text.back() != 'Z' || text[10] != 'T') return bad();
  auto date = Date::Parse(text.substr(0, 10));
  if (!date.ok()) return bad();
  int h = 0, m = 0, s = 0;
  if (!Digits(text, 11, 2, &h) || text[13] != ':' || !Digits(text, 14, 2, &m) || text[16] != ':' ||
      !Digits(text, 17, 2, &s) || h > 23 || m > 59 || s > 59) {
    return bad();
  }
  int64_t frac = 0;
  std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return bad();
    for (size_t i = 1; i < rest.size(); ++i) {
      if (rest[i] < '0' || rest[i] > '9') return bad();
      frac = frac * 10 + (rest[i] - '0');
    }
    for (size_t i = rest.size(); i < 10; ++i) frac *= 10;
  }
  // A Timestamp holds int64 nanoseconds since 1970: 1677-09-22 .. 2262-04-10 whole days.
  constexpr int64_t kDayNs = 86'400'000'000'000LL;
  constexpr int64_t kFirstDay = -(std::numeric_limits<int64_t>::max() / kDayNs);
  constexpr int64_t kLastDay = std::numeric_limits<int64_t>::max() / kDayNs - 1;
  if (date->days() < kFirstDay || date->days() > kLastDay) {
    return Status::OutOfRange(fmt::format(
        "'{}' is outside the timestamps kairos holds (1677-09-22 .. 2262-04-10)", text));
  }
  int64_t ns = static_cast<int64_t>(date->days()) * kDayNs +
               (h * 3600LL + m * 60LL + s) * 1'000'000'000LL + frac;
  return Timestamp::FromNanos(ns);
}

}  // namespace kairos
