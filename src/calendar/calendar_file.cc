// Parsing of calendar data files (data/calendars/*.toml) into a CalendarSpec.

#include <array>
#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "calendar/calendar_spec.h"

namespace kairos::calendar::internal {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2200;
constexpr std::array<std::string_view, 7> kWeekdayNames = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

// Reads typed values out of one TOML table and reports errors as "<source>: <key>: <what>".
class TableReader {
 public:
  TableReader(const toml::table& table, std::string_view source, std::string prefix)
      : table_(table), source_(source), prefix_(std::move(prefix)) {}

  std::string Key(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : fmt::format("{}.{}", prefix_, key);
  }
  Status Error(std::string_view key, std::string_view what) const {
    return Status::InvalidArgument(fmt::format("{}: {}: {}", source_, Key(key), what));
  }
  // An error about the table itself (its key is the prefix).
  Status TableError(std::string_view what) const {
    return Status::InvalidArgument(fmt::format("{}: {}: {}", source_, prefix_, what));
  }

  Status CheckKeys(std::initializer_list<std::string_view> allowed) const {
    for (auto&& [key, value] : table_) {
      bool known = false;
      for (std::string_view a : allowed) known = known || key.str() == a;
      if (!known) return Error(key.str(), "unknown key");
    }
    return Status::Ok();
  }

  bool Has(std::string_view key) const { return table_.contains(key); }

  Result<std::string> String(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Error(key, "missing");
    if (!node->is_string()) return Error(key, "expected a string, got " + TypeName(*node));
    return node->as_string()->get();
  }
  Result<std::optional<std::string>> OptionalString(std::string_view key) const {
    if (!Has(key)) return std::optional<std::string>();
    KAIROS_ASSIGN_OR_RETURN(std::string s, String(key));
    return std::optional<std::string>(std::move(s));
  }

  Result<int64_t> Integer(std::string_view key, int64_t min, int64_t max) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Error(key, "missing");
    if (!node->is_integer()) return Error(key, "expected an integer, got " + TypeName(*node));
    int64_t v = node->as_integer()->get();
    if (v < min || v > max) return Error(key, fmt::format("{} is not in {}..{}", v, min, max));
    return v;
  }
  Result<std::optional<int64_t>> OptionalInteger(std::string_view key, int64_t min,
                                                 int64_t max) const {
    if (!Has(key)) return std::optional<int64_t>();
    KAIROS_ASSIGN_OR_RETURN(int64_t v, Integer(key, min, max));
    return std::optional<int64_t>(v);
  }

  // A date as a TOML string "YYYY-MM-DD" or a TOML local date.
  Result<Date> DateValue(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Error(key, "missing");
    if (node->is_date()) {
      toml::date d = node->as_date()->get();
      if (!Date::IsValidYmd(d.year, d.month, d.day)) return Error(key, "not a valid date");
      return Date::FromYmd(d.year, d.month, d.day);
    }
    if (!node->is_string()) {
      return Error(key, "expected a date YYYY-MM-DD, got " + TypeName(*node));
    }
    const std::string& text = node->as_string()->get();
    Result<Date> d = Date::Parse(text);
    if (!d.ok()) return Error(key, fmt::format("expected a date YYYY-MM-DD, got \"{}\"", text));
    return *d;
  }

  // A clock time "HH:MM" (00:00..24:00) as minutes after midnight.
  Result<int> Minute(std::string_view key) const {
    KAIROS_ASSIGN_OR_RETURN(std::string text, String(key));
    auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    if (text.size() == 5 && digit(0) && digit(1) && text[2] == ':' && digit(3) && digit(4)) {
      int h = (text[0] - '0') * 10 + (text[1] - '0');
      int m = (text[3] - '0') * 10 + (text[4] - '0');
      if ((h < 24 && m < 60) || (h == 24 && m == 0)) return h * 60 + m;
    }
    return Error(key,
                 fmt::format("expected a time HH:MM between 00:00 and 24:00, got \"{}\"", text));
  }
  Result<std::optional<int>> OptionalMinute(std::string_view key) const {
    if (!Has(key)) return std::optional<int>();
    KAIROS_ASSIGN_OR_RETURN(int m, Minute(key));
    return std::optional<int>(m);
  }

  Result<unsigned> Weekday(std::string_view key, const toml::node& node) const {
    if (!node.is_string()) return Error(key, "expected a weekday name, got " + TypeName(node));
    const std::string& text = node.as_string()->get();
    for (size_t i = 0; i < kWeekdayNames.size(); ++i) {
      if (text == kWeekdayNames[i]) return static_cast<unsigned>(i + 1);
    }
    return Error(key, fmt::format("unknown weekday \"{}\" (expected Monday..Sunday)", text));
  }

  // An array of weekday names as a bit mask (bit iso_weekday - 1).
  Result<uint8_t> WeekdayMask(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Error(key, "missing");
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(key, "expected an array of weekday names");
    uint8_t mask = 0;
    for (size_t i = 0; i < array->size(); ++i) {
      KAIROS_ASSIGN_OR_RETURN(unsigned wd, Weekday(fmt::format("{}[{}]", key, i), *array->get(i)));
      mask |= static_cast<uint8_t>(1u << (wd - 1));
    }
    return mask;
  }

  Result<std::vector<std::string>> StringArray(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return Error(key, "missing");
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(key, "expected an array of strings, got " + TypeName(*node));
    std::vector<std::string> out;
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node* item = array->get(i);
      if (!item->is_string()) {
        return Error(fmt::format("{}[{}]", key, i), "expected a string, got " + TypeName(*item));
      }
      out.push_back(item->as_string()->get());
    }
    return out;
  }

  // The tables of an array of tables `key` (absent: none).
  Result<std::vector<const toml::table*>> Tables(std::string_view key) const {
    std::vector<const toml::table*> out;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      return Error(key, "expected an array of tables ([[" + std::string(key) + "]]), got " +
                            TypeName(*node));
    }
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::table* t = array->get(i)->as_table();
      if (t == nullptr) {
        return Error(fmt::format("{}[{}]", key, i),
                     "expected a table, got " + TypeName(*array->get(i)));
      }
      out.push_back(t);
    }
    return out;
  }

  const toml::table& table() const { return table_; }
  std::string_view source() const { return source_; }

 private:
  const toml::table& table_;
  std::string_view source_;
  std::string prefix_;
};

// The date part of a rule: exactly one of a fixed day (with month), the nth weekday (with month)
// or an offset from Easter Sunday.
Status ParseRuleDate(const TableReader& r, DateRule& rule) {
  const bool fixed = r.Has("day");
  const bool nth_weekday = r.Has("weekday") || r.Has("nth");
  const bool easter = r.Has("easter_offset");
  if (int(fixed) + int(nth_weekday) + int(easter) != 1) {
    return r.TableError(
        "give exactly one of: day (with month), weekday and nth (with month), "
        "easter_offset");
  }
  if (fixed || nth_weekday) {
    KAIROS_ASSIGN_OR_RETURN(int64_t month, r.Integer("month", 1, 12));
    rule.month = static_cast<unsigned>(month);
  } else if (r.Has("month")) {
    return r.Error("month", "not allowed with easter_offset");
  }
  if (fixed) {
    KAIROS_ASSIGN_OR_RETURN(int64_t day, r.Integer("day", 1, 31));
    rule.day = static_cast<unsigned>(day);
    if (!Date::IsValidYmd(2000, rule.month, rule.day)) {  // 2000 is a leap year
      return r.Error("day", fmt::format("month {} has no day {}", rule.month, rule.day));
    }
  }
  if (nth_weekday) {
    const toml::node* wd = r.table().get("weekday");
    if (wd == nullptr) return r.Error("weekday", "missing (nth needs a weekday)");
    KAIROS_ASSIGN_OR_RETURN(rule.weekday, r.Weekday(r.Key("weekday"), *wd));
    KAIROS_ASSIGN_OR_RETURN(int64_t nth, r.Integer("nth", -1, 5));
    if (nth == 0) return r.Error("nth", "must be 1..5 or -1 (the last)");
    rule.nth = static_cast<int>(nth);
  }
  if (easter) {
    KAIROS_ASSIGN_OR_RETURN(int64_t off, r.Integer("easter_offset", -100, 100));
    rule.easter_offset = static_cast<int>(off);
  }
  return Status::Ok();
}

// The observance of a fixed-date rule (absent: the rule's default).
Status ParseObservance(const TableReader& r, DateRule& rule) {
  KAIROS_ASSIGN_OR_RETURN(std::optional<std::string> observance, r.OptionalString("observance"));
  if (!observance.has_value()) return Status::Ok();
  if (!r.Has("day")) return r.Error("observance", "only fixed-date rules (month and day) have one");
  if (*observance == "none") {
    rule.observance = Observance::kNone;
  } else if (*observance == "sunday_to_monday") {
    rule.observance = Observance::kSundayToMonday;
  } else if (*observance == "nearest_weekday") {
    rule.observance = Observance::kNearestWeekday;
  } else {
    return r.Error("observance",
                   fmt::format("unknown observance \"{}\" (expected none, sunday_to_monday, "
                               "nearest_weekday)",
                               *observance));
  }
  return Status::Ok();
}

// The years a rule applies in: from and to, each optional (0: unbounded).
Status ParseRuleYears(const TableReader& r, DateRule& rule) {
  KAIROS_ASSIGN_OR_RETURN(std::optional<int64_t> from,
                          r.OptionalInteger("from", kMinYear, kMaxYear));
  KAIROS_ASSIGN_OR_RETURN(std::optional<int64_t> to, r.OptionalInteger("to", kMinYear, kMaxYear));
  rule.from_year = static_cast<int>(from.value_or(0));
  rule.to_year = static_cast<int>(to.value_or(0));
  if (from && to && *from > *to) {
    return r.Error("to", fmt::format("{} is before from = {}", *to, *from));
  }
  return Status::Ok();
}

Result<DateRule> ParseRule(const TableReader& r, bool early_close) {
  std::initializer_list<std::string_view> holiday_keys = {
      "name",        "month",      "day",      "weekday", "nth", "easter_offset",
      "offset_days", "observance", "weekdays", "from",    "to"};
  std::initializer_list<std::string_view> early_keys = {
      "name",        "month",      "day",      "weekday", "nth", "easter_offset",
      "offset_days", "observance", "weekdays", "from",    "to",  "close"};
  KAIROS_RETURN_IF_ERROR(r.CheckKeys(early_close ? early_keys : holiday_keys));
  DateRule rule;
  rule.key = r.Key("");
  rule.key.pop_back();  // drop the trailing '.'
  KAIROS_ASSIGN_OR_RETURN(rule.name, r.String("name"));
  KAIROS_RETURN_IF_ERROR(ParseRuleDate(r, rule));
  KAIROS_ASSIGN_OR_RETURN(std::optional<int64_t> offset, r.OptionalInteger("offset_days", -31, 31));
  rule.offset_days = static_cast<int>(offset.value_or(0));
  KAIROS_RETURN_IF_ERROR(ParseObservance(r, rule));
  if (r.Has("weekdays")) {
    KAIROS_ASSIGN_OR_RETURN(rule.weekdays_mask, r.WeekdayMask("weekdays"));
  }
  KAIROS_RETURN_IF_ERROR(ParseRuleYears(r, rule));
  if (early_close) {
    KAIROS_ASSIGN_OR_RETURN(rule.close_minute, r.OptionalMinute("close"));
  }
  return rule;
}

enum class EntryKind { kHoliday, kEarlyClose, kLateOpen, kSpecialSession };

Result<DatedEntry> ParseEntry(const TableReader& r, EntryKind kind) {
  switch (kind) {
    case EntryKind::kHoliday:
      KAIROS_RETURN_IF_ERROR(r.CheckKeys({"date", "name"}));
      break;
    case EntryKind::kEarlyClose:
      KAIROS_RETURN_IF_ERROR(r.CheckKeys({"date", "name", "close"}));
      break;
    case EntryKind::kLateOpen:
      KAIROS_RETURN_IF_ERROR(r.CheckKeys({"date", "name", "open"}));
      break;
    case EntryKind::kSpecialSession:
      KAIROS_RETURN_IF_ERROR(r.CheckKeys({"date", "name", "open", "close"}));
      break;
  }
  DatedEntry e;
  e.key = r.Key("");
  e.key.pop_back();
  KAIROS_ASSIGN_OR_RETURN(e.date, r.DateValue("date"));
  KAIROS_ASSIGN_OR_RETURN(e.name, r.String("name"));
  if (kind == EntryKind::kLateOpen || kind == EntryKind::kSpecialSession) {
    KAIROS_ASSIGN_OR_RETURN(e.open_minute, r.Minute("open"));
  }
  if (kind == EntryKind::kSpecialSession) {
    KAIROS_ASSIGN_OR_RETURN(e.close_minute, r.Minute("close"));
    if (*e.open_minute >= *e.close_minute) {
      return r.Error("close", fmt::format("{} is not after open {}", FormatMinute(*e.close_minute),
                                          FormatMinute(*e.open_minute)));
    }
  }
  if (kind == EntryKind::kEarlyClose) {
    KAIROS_ASSIGN_OR_RETURN(e.close_minute, r.OptionalMinute("close"));
  }
  return e;
}

// first_year and last_year: both or neither (neither: the calendar's years are not bounded here).
Status ParseYears(const TableReader& top, CalendarSpec& spec) {
  KAIROS_ASSIGN_OR_RETURN(std::optional<int64_t> first,
                          top.OptionalInteger("first_year", kMinYear, kMaxYear));
  KAIROS_ASSIGN_OR_RETURN(std::optional<int64_t> last,
                          top.OptionalInteger("last_year", kMinYear, kMaxYear));
  if (first.has_value() != last.has_value()) {
    return top.Error(first ? "last_year" : "first_year",
                     "missing (give both first_year and last_year, or neither)");
  }
  if (first && *first > *last) {
    return top.Error("last_year", fmt::format("{} is before first_year {}", *last, *first));
  }
  if (first) {
    spec.first_year = static_cast<int>(*first);
    spec.last_year = static_cast<int>(*last);
  }
  return Status::Ok();
}

// The [hours] table: open before close, and an early close between them.
Status ParseHours(const TableReader& top, CalendarSpec& spec) {
  const toml::node* hours_node = top.table().get("hours");
  if (hours_node == nullptr) return top.Error("hours", "missing");
  if (!hours_node->is_table()) {
    return top.Error("hours", "expected a table, got " + TypeName(*hours_node));
  }
  TableReader hours(*hours_node->as_table(), top.source(), "hours");
  KAIROS_RETURN_IF_ERROR(hours.CheckKeys({"open", "close", "early_close"}));
  KAIROS_ASSIGN_OR_RETURN(spec.open_minute, hours.Minute("open"));
  KAIROS_ASSIGN_OR_RETURN(spec.close_minute, hours.Minute("close"));
  if (spec.open_minute >= spec.close_minute) {
    return hours.Error("close",
                       fmt::format("{} is not after open {}", FormatMinute(spec.close_minute),
                                   FormatMinute(spec.open_minute)));
  }
  KAIROS_ASSIGN_OR_RETURN(spec.early_close_minute, hours.OptionalMinute("early_close"));
  if (spec.early_close_minute && (*spec.early_close_minute <= spec.open_minute ||
                                  *spec.early_close_minute >= spec.close_minute)) {
    return hours.Error("early_close", fmt::format("{} is not between open {} and close {}",
                                                  FormatMinute(*spec.early_close_minute),
                                                  FormatMinute(spec.open_minute),
                                                  FormatMinute(spec.close_minute)));
  }
  return Status::Ok();
}

// [[holiday_rules]] then [[early_close_rules]].
Status ParseRules(const TableReader& top, CalendarSpec& spec) {
  for (bool early : {false, true}) {
    std::string_view list = early ? "early_close_rules" : "holiday_rules";
    KAIROS_ASSIGN_OR_RETURN(std::vector<const toml::table*> tables, top.Tables(list));
    for (size_t i = 0; i < tables.size(); ++i) {
      TableReader r(*tables[i], top.source(), fmt::format("{}[{}]", list, i));
      KAIROS_ASSIGN_OR_RETURN(DateRule rule, ParseRule(r, early));
      (early ? spec.early_close_rules : spec.holiday_rules).push_back(std::move(rule));
    }
  }
  return Status::Ok();
}

// The dated lists: holidays, early closes, late opens and special sessions.
Status ParseEntries(const TableReader& top, CalendarSpec& spec) {
  struct EntryList {
    std::string_view key;
    EntryKind kind;
    std::vector<DatedEntry>* out;
  };
  for (const EntryList& list :
       {EntryList{"holidays", EntryKind::kHoliday, &spec.holidays},
        EntryList{"early_closes", EntryKind::kEarlyClose, &spec.early_closes},
        EntryList{"late_opens", EntryKind::kLateOpen, &spec.late_opens},
        EntryList{"special_sessions", EntryKind::kSpecialSession, &spec.special_sessions}}) {
    KAIROS_ASSIGN_OR_RETURN(std::vector<const toml::table*> tables, top.Tables(list.key));
    for (size_t i = 0; i < tables.size(); ++i) {
      TableReader r(*tables[i], top.source(), fmt::format("{}[{}]", list.key, i));
      KAIROS_ASSIGN_OR_RETURN(DatedEntry e, ParseEntry(r, list.kind));
      list.out->push_back(std::move(e));
    }
  }
  return Status::Ok();
}

Result<CalendarSpec> ParseTable(const toml::table& root, std::string_view source) {
  TableReader top(root, source, "");
  KAIROS_RETURN_IF_ERROR(
      top.CheckKeys({"name", "aliases", "time_zone", "first_year", "last_year", "weekend", "hours",
                     "holiday_rules", "early_close_rules", "holidays", "early_closes", "late_opens",
                     "special_sessions"}));
  CalendarSpec spec;
  spec.source = std::string(source);
  KAIROS_ASSIGN_OR_RETURN(spec.name, top.String("name"));
  if (spec.name.empty()) return top.Error("name", "must not be empty");
  if (top.Has("aliases")) {
    KAIROS_ASSIGN_OR_RETURN(spec.aliases, top.StringArray("aliases"));
  }
  KAIROS_ASSIGN_OR_RETURN(spec.time_zone, top.String("time_zone"));
  KAIROS_RETURN_IF_ERROR(ParseYears(top, spec));
  KAIROS_ASSIGN_OR_RETURN(spec.weekend_mask, top.WeekdayMask("weekend"));
  if (spec.weekend_mask == 0x7f) return top.Error("weekend", "every day is a weekend day");
  KAIROS_RETURN_IF_ERROR(ParseHours(top, spec));
  KAIROS_RETURN_IF_ERROR(ParseRules(top, spec));
  KAIROS_RETURN_IF_ERROR(ParseEntries(top, spec));
  return spec;
}

// The nth (1..5, or -1 = last) ISO weekday of a month, or nullopt when the month has no such day.
std::optional<Date> NthWeekday(int year, unsigned month, unsigned weekday, int nth) {
  if (nth > 0) {
    Date first = Date::FromYmd(year, month, 1);
    int shift = (static_cast<int>(weekday) - static_cast<int>(first.iso_weekday()) + 7) % 7;
    Date d = first.AddDays(shift + 7 * (nth - 1));
    if (d.month() != month) return std::nullopt;
    return d;
  }
  using namespace std::chrono;
  Date last = Date::FromSysDays(sys_days(
      year_month_day_last(std::chrono::year(year), month_day_last(std::chrono::month(month)))));
  int shift = (static_cast<int>(last.iso_weekday()) - static_cast<int>(weekday) + 7) % 7;
  return last.AddDays(-shift);
}

}  // namespace

std::string FormatMinute(int minute) {
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

Date EasterSunday(int year) {
  // The anonymous Gregorian computus (Meeus/Jones/Butcher), valid for every Gregorian year.
  int a = year % 19;
  int b = year / 100;
  int c = year % 100;
  int d = b / 4;
  int e = b % 4;
  int f = (b + 8) / 25;
  int g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4;
  int k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31;
  int day = (h + l - 7 * m + 114) % 31 + 1;
  return Date::FromYmd(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::optional<Date> RuleDate(const DateRule& rule, int year) {
  if (!rule.AppliesIn(year)) return std::nullopt;
  std::optional<Date> d;
  if (rule.easter_offset.has_value()) {
    d = EasterSunday(year).AddDays(*rule.easter_offset);
  } else if (rule.day > 0) {
    if (!Date::IsValidYmd(year, rule.month, rule.day)) return std::nullopt;  // Feb 29
    d = Date::FromYmd(year, rule.month, rule.day);
  } else {
    d = NthWeekday(year, rule.month, rule.weekday, rule.nth);
  }
  if (!d.has_value()) return std::nullopt;
  d = d->AddDays(rule.offset_days);
  if (rule.day > 0) {
    unsigned wd = d->iso_weekday();
    switch (rule.observance) {
      case Observance::kNone:
        break;
      case Observance::kSundayToMonday:
        if (wd == 6) return std::nullopt;
        if (wd == 7) d = d->AddDays(1);
        break;
      case Observance::kNearestWeekday:
        if (wd == 6) d = d->AddDays(-1);
        if (wd == 7) d = d->AddDays(1);
        break;
    }
  }
  if ((rule.weekdays_mask & (1u << (d->iso_weekday() - 1))) == 0) return std::nullopt;
  return d;
}

Result<CalendarSpec> ParseCalendarSpec(std::string_view toml_text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}: line {}, column {}: {}", source,
                                               e.source().begin.line, e.source().begin.column,
                                               e.description()));
  }
  return ParseTable(root, source);
}

}  // namespace kairos::calendar::internal
