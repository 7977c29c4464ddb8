#include "scheduler/schedule.h"

#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/core.h>

namespace kairos::scheduler {

namespace {

using std::chrono::seconds;
using LocalSeconds = date::local_time<seconds>;
using SysSeconds = date::sys_time<seconds>;

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kMaxOffsetSeconds = 12 * 3600;
// How far ahead NextAfter looks. A cron expression that parses matches within 28 years (a
// weekday pattern of the Gregorian calendar repeats by then); a sessions_only schedule whose
// cron instants never fall on a session, on a calendar without an end, gives up here.
constexpr int kMaxYearsAhead = 50;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

std::vector<std::string_view> SplitWhitespace(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<int> ParseSmallInt(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// ---- Cron fields ---------------------------------------------------------------------------

struct FieldInfo {
  const char* name;
  int min;
  int max;
  const std::array<const char*, 12>* names;  // names[i] is value names_base + i
  int names_base;
};

constexpr std::array<const char*, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 12> kDayNames = {"SUN", "MON", "TUE", "WED", "THU", "FRI",
                                                   "SAT", "",    "",    "",    "",    ""};

enum FieldIndex { kSecond, kMinute, kHour, kDayOfMonth, kMonth, kDayOfWeek, kFieldCount };

constexpr std::array<FieldInfo, kFieldCount> kFields = {{
    {"second", 0, 59, nullptr, 0},
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day-of-month", 1, 31, nullptr, 0},
    {"month", 1, 12, &kMonthNames, 1},
    {"day-of-week", 0, 7, &kDayNames, 0},
}};

class FieldParser {
 public:
  FieldParser(const FieldInfo& info, int position) : info_(info), position_(position) {}

  Result<uint64_t> Parse(std::string_view text) const {
    uint64_t bits = 0;
    for (std::string_view item : Split(text, ',')) {
      KAIROS_ASSIGN_OR_RETURN(uint64_t b, ParseItem(item));
      bits |= b;
    }
    return bits;
  }

 private:
  Status Error(std::string_view what) const {
    return Status::InvalidArgument(
        fmt::format("cron: field {} ({}): {}", position_, info_.name, what));
  }

  Result<int> Value(std::string_view s) const {
    if (info_.names != nullptr) {
      for (size_t i = 0; i < info_.names->size(); ++i) {
        std::string_view name = (*info_.names)[i];
        if (name.empty() || name.size() != s.size()) continue;
        bool same = true;
        for (size_t k = 0; k < s.size(); ++k) {
          if (std::toupper(static_cast<unsigned char>(s[k])) != name[k]) same = false;
        }
        if (same) return info_.names_base + static_cast<int>(i);
      }
    }
    std::optional<int> v = ParseSmallInt(s);
    if (!v) {
      return Error(
          fmt::format("expected a number{}, got \"{}\"", info_.names ? " or a name" : "", s));
    }
    if (*v < info_.min || *v > info_.max) {
      return Error(fmt::format("{} is out of {}-{}", *v, info_.min, info_.max));
    }
    return *v;
  }

  Result<uint64_t> ParseItem(std::string_view item) const {
    if (item.empty()) return Error("empty list item");
    std::string_view range = item;
    int step = 1;
    size_t slash = item.find('/');
    if (slash != std::string_view::npos) {
      range = item.substr(0, slash);
      std::string_view step_text = item.substr(slash + 1);
      std::optional<int> s = ParseSmallInt(step_text);
      if (!s) return Error(fmt::format("expected a step number after /, got \"{}\"", step_text));
      if (*s < 1) return Error(fmt::format("step {} must be at least 1", *s));
      step = *s;
    }
    int lo = info_.min;
    int hi = info_.max;
    if (range != "*") {
      size_t dash = range.find('-');
      KAIROS_ASSIGN_OR_RETURN(lo, Value(range.substr(0, dash)));
      if (dash != std::string_view::npos) {
        KAIROS_ASSIGN_OR_RETURN(hi, Value(range.substr(dash + 1)));
        if (info_.max == 7 && hi == 0) hi = 7;  // day-of-week MON-SUN: Sunday ends the week
        if (hi < lo) return Error(fmt::format("range {} goes backwards", range));
      } else if (slash == std::string_view::npos) {
        hi = lo;
      }
    }
    uint64_t bits = 0;
    for (int v = lo; v <= hi; v += step) bits |= uint64_t{1} << v;
    return bits;
  }

  const FieldInfo& info_;
  int position_;
};

// The first set bit at or after `from`, or -1.
int NextBit(uint64_t bits, int from) {
  if (from >= 64) return -1;
  uint64_t rest = bits >> from;
  return rest == 0 ? -1 : from + std::countr_zero(rest);
}

int DaysInMonth(int year, unsigned month) {
  return static_cast<int>(static_cast<unsigned>(
      date::year_month_day_last(date::year(year), date::month_day_last(date::month(month))).day()));
}

struct Cron {
  std::array<uint64_t, kFieldCount> bits{};
  bool dom_star = true;
  bool dow_star = true;

  bool DayMatches(unsigned day, unsigned weekday) const {
    bool dom = (bits[kDayOfMonth] >> day) & 1u;
    bool dow = (bits[kDayOfWeek] >> weekday) & 1u;
    return (dom_star || dow_star) ? (dom && dow) : (dom || dow);
  }

  // The first (hour, minute, second) of a day at or after the given one, as seconds of the day.
  std::optional<int> NextTime(int h, int m, int s) const {
    for (int hh = NextBit(bits[kHour], h); hh >= 0; hh = NextBit(bits[kHour], hh + 1)) {
      int m0 = hh == h ? m : 0;
      for (int mm = NextBit(bits[kMinute], m0); mm >= 0; mm = NextBit(bits[kMinute], mm + 1)) {
        int s0 = (hh == h && mm == m) ? s : 0;
        int ss = NextBit(bits[kSecond], s0);
        if (ss >= 0) return hh * 3600 + mm * 60 + ss;
      }
    }
    return std::nullopt;
  }

  // The first matching local time at or after `from`, skipping whole months, days and hours.
  std::optional<LocalSeconds> NextMatch(LocalSeconds from) const {
    date::local_days day = date::floor<date::days>(from);
    int sod = static_cast<int>((from - day).count());
    int limit_year = int(date::year_month_day(day).year()) + kMaxYearsAhead;
    while (true) {
      date::year_month_day ymd(day);
      if (int(ymd.year()) > limit_year) return std::nullopt;
      unsigned month = unsigned(ymd.month());
      if (!((bits[kMonth] >> month) & 1u)) {
        day = date::local_days((ymd.year() / ymd.month() / 1) + date::months(1));
        sod = 0;
        continue;
      }
      unsigned weekday = date::weekday(day).c_encoding();
      if (DayMatches(unsigned(ymd.day()), weekday)) {
        if (auto t = NextTime(sod / 3600, sod / 60 % 60, sod % 60)) {
          return LocalSeconds(day) + seconds(*t);
        }
      }
      day += date::days(1);
      sod = 0;
    }
  }
};

// Refuses a day-of-month that none of the months has ("0 0 30 2 *"), which would never run.
Status CheckSomeDateMatches(const Cron& cron, std::string_view dom_text,
                            std::string_view month_text) {
  if (cron.dom_star == cron.dow_star) return Status::Ok();  // OR rule, or every day
  if (!cron.dom_star && cron.dow_star) {
    for (unsigned m = 1; m <= 12; ++m) {
      if (!((cron.bits[kMonth] >> m) & 1u)) continue;
      int last = DaysInMonth(2024, m);  // a leap year: 29 February exists
      if (NextBit(cron.bits[kDayOfMonth], 1) <= last) return Status::Ok();
    }
    return Status::InvalidArgument(fmt::format(
        "cron: no date matches: day-of-month {} never occurs in month {}", dom_text, month_text));
  }
  return Status::Ok();
}

Result<Cron> ParseCron(std::string_view text) {
  std::vector<std::string_view> fields = SplitWhitespace(text);
  if (fields.size() != 5 && fields.size() != 6) {
    return Status::InvalidArgument(fmt::format(
        "cron: expected 5 fields (minute hour day-of-month month day-of-week) or 6 with a "
        "leading second, got {}",
        fields.size()));
  }
  Cron cron;
  cron.bits[kSecond] = 1;  // second 0 unless a seconds field is given
  size_t first = fields.size() == 6 ? kSecond : kMinute;
  for (size_t i = 0; i < fields.size(); ++i) {
    size_t f = first + i;
    FieldParser parser(kFields[f], static_cast<int>(i + 1));
    KAIROS_ASSIGN_OR_RETURN(cron.bits[f], parser.Parse(fields[i]));
  }
  if ((cron.bits[kDayOfWeek] >> 7) & 1u) cron.bits[kDayOfWeek] |= 1u;  // 7 = Sunday = 0
  cron.dom_star = fields[fields.size() - 3].front() == '*';
  cron.dow_star = fields[fields.size() - 1].front() == '*';
  KAIROS_RETURN_IF_ERROR(
      CheckSomeDateMatches(cron, fields[fields.size() - 3], fields[fields.size() - 2]));
  return cron;
}

// ---- Session-relative times ----------------------------------------------------------------

enum class Anchor { kOpen, kClose };

struct At {
  Anchor anchor = Anchor::kOpen;
  int64_t offset_s = 0;
  std::string text;  // canonical: "close+20m"
};

std::string FormatOffset(int64_t s) {
  if (s == 0) return "";
  std::string out = s < 0 ? "-" : "+";
  int64_t a = s < 0 ? -s : s;
  if (a >= 3600) out += fmt::format("{}h", a / 3600);
  if (a % 3600 >= 60) out += fmt::format("{}m", a % 3600 / 60);
  if (a % 60 != 0) out += fmt::format("{}s", a % 60);
  return out;
}

Result<At> ParseAt(std::string_view raw) {
  std::string_view text = Trim(raw);
  At at;
  std::string_view rest;
  if (text.starts_with("open")) {
    at.anchor = Anchor::kOpen;
    rest = text.substr(4);
  } else if (text.starts_with("close")) {
    at.anchor = Anchor::kClose;
    rest = text.substr(5);
  } else {
    return Status::InvalidArgument(fmt::format(
        "at: expected open or close, then an optional offset such as +20m or -1h30m; got \"{}\"",
        raw));
  }
  std::string_view anchor_name = at.anchor == Anchor::kOpen ? "open" : "close";
  if (!rest.empty()) {
    if (rest[0] != '+' && rest[0] != '-') {
      return Status::InvalidArgument(
          fmt::format("at: expected + or - after {}, got \"{}\"", anchor_name, rest));
    }
    int sign = rest[0] == '-' ? -1 : 1;
    std::string_view d = rest.substr(1);
    auto bad = [&] {
      return Status::InvalidArgument(
          fmt::format("at: bad offset \"{}\": expected a duration such as 20m, 1h30m or 90s", d));
    };
    if (d.empty()) return bad();
    int64_t total = 0;
    size_t i = 0;
    while (i < d.size()) {
      size_t start = i;
      while (i < d.size() && d[i] >= '0' && d[i] <= '9') ++i;
      if (i == start || i == d.size() || i - start > 6) return bad();
      int64_t n = 0;
      for (size_t k = start; k < i; ++k) n = n * 10 + (d[k] - '0');
      char unit = d[i++];
      if (unit == 'h') {
        total += n * 3600;
      } else if (unit == 'm') {
        total += n * 60;
      } else if (unit == 's') {
        total += n;
      } else {
        return bad();
      }
    }
    if (total > kMaxOffsetSeconds) {
      return Status::InvalidArgument(
          fmt::format("at: offset {} is more than 12h from the {}", d, anchor_name));
    }
    at.offset_s = sign * total;
  }
  at.text = std::string(anchor_name) + FormatOffset(at.offset_s);
  return at;
}

}  // namespace

// ---- Schedule ------------------------------------------------------------------------------

struct Schedule::Impl {
  std::optional<Cron> cron;
  std::optional<At> at;
  std::string cron_text;  // fields joined by one space
  std::string zone_name;
  const date::time_zone* zone = nullptr;  // of the cron fields
  const calendar::ExchangeCalendar* calendar = nullptr;
  const date::time_zone* calendar_zone = nullptr;
  bool sessions_only = false;
  bool last_session_of_week = false;

  std::optional<Timestamp> CronNextAfter(Timestamp t) const;
  std::optional<Timestamp> SessionsOnlyNextAfter(Timestamp t) const;
  std::optional<Timestamp> AtNextAfter(Timestamp t) const;
  Date CalendarDate(Timestamp t) const;
  Timestamp CalendarMidnight(Date d) const;
};

namespace {

SysSeconds FloorSeconds(Timestamp t) {
  int64_t ns = t.nanos();
  int64_t s = ns / kNanosPerSecond;
  if (ns % kNanosPerSecond < 0) --s;
  return SysSeconds(seconds(s));
}

Timestamp FromSys(SysSeconds s) { return Timestamp::FromSeconds(s.time_since_epoch().count()); }

// The instant a local time names: the first occurrence when it occurs twice, the end of the gap
// when a DST change skips it.
SysSeconds ToInstant(const date::time_zone* zone, LocalSeconds local) {
  date::local_info info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) return info.second.begin;
  return SysSeconds((local - info.first.offset).time_since_epoch());
}

Result<const date::time_zone*> LocateZone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return Status::InvalidArgument(fmt::format("time_zone: unknown time zone \"{}\"", name));
  }
}

}  // namespace

std::optional<Timestamp> Schedule::Impl::CronNextAfter(Timestamp t) const {
  SysSeconds floor = FloorSeconds(t);
  LocalSeconds from = zone->to_local(floor) + seconds(1);
  // Local times map to instants in order (a skipped time to the gap's end, a repeated one to
  // its first occurrence), so the answer is the first match whose instant is after t; only
  // the matches inside a repeated hour can be at or before t.
  while (true) {
    std::optional<LocalSeconds> local = cron->NextMatch(from);
    if (!local) return std::nullopt;
    Timestamp instant = FromSys(ToInstant(zone, *local));
    if (instant > t) return instant;
    from = *local + seconds(1);
  }
}

Date Schedule::Impl::CalendarDate(Timestamp t) const {
  LocalSeconds local = calendar_zone->to_local(FloorSeconds(t));
  return Date::FromDays(
      static_cast<int32_t>(date::floor<date::days>(local).time_since_epoch().count()));
}

Timestamp Schedule::Impl::CalendarMidnight(Date d) const {
  LocalSeconds local(date::local_days(date::days(d.days())));
  return FromSys(ToInstant(calendar_zone, local));
}

std::optional<Timestamp> Schedule::Impl::SessionsOnlyNextAfter(Timestamp t) const {
  const int64_t limit = t.nanos() + kMaxYearsAhead * 366LL * 86400 * kNanosPerSecond;
  while (true) {
    std::optional<Timestamp> c = CronNextAfter(t);
    if (!c || c->nanos() > limit) return std::nullopt;
    Date d = CalendarDate(*c);
    if (!calendar->Covers(d)) return std::nullopt;
    if (calendar->IsSession(d)) return c;
    Date next = calendar->NextSession(d);
    if (!calendar->Covers(next)) return std::nullopt;
    t = Timestamp::FromNanos(CalendarMidnight(next).nanos() - 1);
  }
}

std::optional<Timestamp> Schedule::Impl::AtNextAfter(Timestamp t) const {
  int64_t offset_ns = at->offset_s * kNanosPerSecond;
  Date d = CalendarDate(Timestamp::FromNanos(t.nanos() - offset_ns)).AddDays(-1);
  if (!calendar->IsSession(d)) d = calendar->NextSession(d);
  while (true) {
    Result<calendar::Session> s = calendar->SessionOf(d);
    if (!s.ok()) return std::nullopt;  // past the covered years
    Timestamp anchor = at->anchor == Anchor::kOpen ? s->open : s->close;
    Timestamp instant = Timestamp::FromNanos(anchor.nanos() + offset_ns);
    if (instant > t && (!last_session_of_week || calendar->IsLastSessionOfWeek(d))) {
      return instant;
    }
    d = calendar->NextSession(d);
  }
}

Result<Schedule> Schedule::Parse(const ScheduleSpec& spec) {
  auto impl = std::make_shared<Impl>();
  bool has_cron = !Trim(spec.cron).empty();
  bool has_at = !Trim(spec.at).empty();
  if (has_cron == has_at) {
    return Status::InvalidArgument(has_cron ? "schedule: give cron or at, not both"
                                            : "schedule: give cron or at");
  }
  if (!spec.calendar.empty()) {
    Result<const calendar::ExchangeCalendar*> cal =
        calendar::ExchangeCalendar::ForExchange(spec.calendar);
    if (!cal.ok()) return cal.status().WithContext("calendar");
    impl->calendar = *cal;
    KAIROS_ASSIGN_OR_RETURN(impl->calendar_zone,
                            LocateZone(std::string(impl->calendar->time_zone())));
  }
  if (has_at) {
    if (impl->calendar == nullptr) {
      return Status::InvalidArgument("at: needs a calendar (an exchange such as NYSE or NSE)");
    }
    if (spec.sessions_only) {
      return Status::InvalidArgument(
          "sessions_only: applies to cron schedules (an at schedule runs on sessions only)");
    }
    if (!spec.time_zone.empty()) {
      return Status::InvalidArgument(
          "time_zone: applies to cron schedules (an at schedule follows its calendar)");
    }
    KAIROS_ASSIGN_OR_RETURN(impl->at, ParseAt(spec.at));
    impl->last_session_of_week = spec.last_session_of_week;
    return Schedule(std::move(impl));
  }
  if (spec.last_session_of_week) {
    return Status::InvalidArgument("last_session_of_week: applies to at schedules");
  }
  if (spec.sessions_only && impl->calendar == nullptr) {
    return Status::InvalidArgument("sessions_only: needs a calendar (an exchange such as NYSE)");
  }
  KAIROS_ASSIGN_OR_RETURN(impl->cron, ParseCron(spec.cron));
  std::vector<std::string_view> fields = SplitWhitespace(spec.cron);
  for (std::string_view f : fields) {
    if (!impl->cron_text.empty()) impl->cron_text += ' ';
    impl->cron_text += f;
  }
  impl->zone_name = !spec.time_zone.empty() ? spec.time_zone
                    : impl->calendar        ? std::string(impl->calendar->time_zone())
                                            : "UTC";
  KAIROS_ASSIGN_OR_RETURN(impl->zone, LocateZone(impl->zone_name));
  impl->sessions_only = spec.sessions_only;
  return Schedule(std::move(impl));
}

std::optional<Timestamp> Schedule::NextAfter(Timestamp t) const {
  // Instants representable with room for the look-ahead: 1800-01-01 to 2200-01-01.
  constexpr int64_t kFirstNs = -5'364'662'400LL * kNanosPerSecond;
  constexpr int64_t kLastNs = 7'258'118'400LL * kNanosPerSecond;
  if (t.nanos() >= kLastNs) return std::nullopt;
  if (t.nanos() < kFirstNs) t = Timestamp::FromNanos(kFirstNs);
  if (impl_->at) return impl_->AtNextAfter(t);
  if (impl_->sessions_only) return impl_->SessionsOnlyNextAfter(t);
  return impl_->CronNextAfter(t);
}

std::string Schedule::Describe() const {
  if (impl_->at) {
    return fmt::format("at {} {}{}", impl_->at->text, impl_->calendar->name(),
                       impl_->last_session_of_week ? " last_session_of_week" : "");
  }
  std::string out = fmt::format("cron {} {}", impl_->cron_text, impl_->zone_name);
  if (impl_->sessions_only) out += fmt::format(" sessions_only {}", impl_->calendar->name());
  return out;
}

const calendar::ExchangeCalendar* Schedule::calendar() const { return impl_->calendar; }

}  // namespace kairos::scheduler
