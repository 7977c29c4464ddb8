#pragma once

// Internal to calendar/: the parsed form of a calendar data file, before the calendar is built.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"

namespace kairos::calendar::internal {

// What happens to a fixed-date holiday that falls on a weekend. Stored in data files by name.
enum class Observance {
  kNone,            // no day off
  kSundayToMonday,  // Sunday -> the Monday after; Saturday -> no day off (NYSE New Year's Day)
  kNearestWeekday,  // Saturday -> the Friday before; Sunday -> the Monday after
};

// A rule giving at most one date a year: a fixed month/day, the nth weekday of a month, or an
// offset from Easter Sunday; then `offset_days`, then the observance (fixed dates only).
struct DateRule {
  std::string key;   // "holiday_rules[2]", for error messages
  std::string name;  // "Thanksgiving Day"
  unsigned month = 0;
  unsigned day = 0;      // > 0: fixed-date rule
  unsigned weekday = 0;  // ISO 1..7 with nth: nth-weekday rule
  int nth = 0;           // 1..5, or -1 for the last one in the month
  std::optional<int> easter_offset;
  int offset_days = 0;
  Observance observance = Observance::kNone;
  uint8_t weekdays_mask = 0x7f;     // bit (iso_weekday - 1): the rule applies only on these days
  int from_year = 0;                // inclusive; 0 = unbounded
  int to_year = 0;                  // inclusive; 0 = unbounded
  std::optional<int> close_minute;  // early-close rules: overrides hours.early_close

  bool AppliesIn(int year) const {
    return (from_year == 0 || year >= from_year) && (to_year == 0 || year <= to_year);
  }
};

// One dated entry: a holiday, an early close, a late open or a special session.
struct DatedEntry {
  std::string key;  // "holidays[4]"
  Date date;
  std::string name;
  std::optional<int> open_minute;   // minutes after local midnight
  std::optional<int> close_minute;  // minutes after local midnight, up to 1440
};

struct CalendarSpec {
  std::string source;  // file name for error messages
  std::string name;
  std::vector<std::string> aliases;
  std::string time_zone;
  std::optional<int> first_year;  // both set, or neither (the calendar covers every date)
  std::optional<int> last_year;
  uint8_t weekend_mask = 0;  // bit (iso_weekday - 1)
  int open_minute = 0;
  int close_minute = 0;
  std::optional<int> early_close_minute;
  std::vector<DateRule> holiday_rules;
  std::vector<DateRule> early_close_rules;
  std::vector<DatedEntry> holidays;
  std::vector<DatedEntry> early_closes;
  std::vector<DatedEntry> late_opens;
  std::vector<DatedEntry> special_sessions;
};

// Parses and checks the structure of a data file (types, ranges, unknown keys). Errors are
// InvalidArgument "<source>: <key>: <what>".
Result<CalendarSpec> ParseCalendarSpec(std::string_view toml_text, std::string_view source);

// Easter Sunday of `year` in the Gregorian calendar.
Date EasterSunday(int year);

// The date `rule` gives in `year` (after the observance), or nullopt if it gives none (a fifth
// weekday that does not exist, a weekend day with no observance, a weekday outside
// weekdays_mask, a year outside from..to).
std::optional<Date> RuleDate(const DateRule& rule, int year);

// "HH:MM" for minutes after midnight (1440 -> "24:00").
std::string FormatMinute(int minute);

}  // namespace kairos::calendar::internal
