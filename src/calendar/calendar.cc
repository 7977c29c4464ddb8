#include "calendar/calendar.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include <date/tz.h>
#include <fmt/format.h>

#include "calendar/calendar_spec.h"
#include "calendar/embedded_calendars.h"
#include "core/check.h"

namespace kairos::calendar {
namespace {

using internal::CalendarSpec;
using internal::DatedEntry;
using internal::FormatMinute;

constexpr int16_t kWeekendReason = -1;

// A calendar built from a CalendarSpec. Inside the covered years every day is precomputed, so
// IsSession is an array lookup and Sessions/NextSession/PreviousSession binary-search a sorted
// vector of session dates. Outside them only the weekend rule applies.
class DataCalendar final : public ExchangeCalendar {
 public:
  static Result<std::unique_ptr<DataCalendar>> Build(const CalendarSpec& spec);

  std::string_view name() const override { return name_; }
  std::string_view time_zone() const override { return time_zone_name_; }
  const std::vector<std::string>& aliases() const { return aliases_; }
  // Marks a calendar built from the data file `name` embedded in the binary.
  void SetEmbedded(std::string_view name) {
    file_ = fmt::format("data/calendars/{}", name);
    embedded_ = true;
  }

  bool Covers(Date d) const override { return !has_range_ || (d >= first_ && d <= last_); }

  Status CheckCovers(Date from, Date to) const override {
    if (!Covers(from)) return Status::OutOfRange(NotCovered(from));
    if (!Covers(to)) return Status::OutOfRange(NotCovered(to));
    return Status::Ok();
  }

  bool IsSession(Date d) const override {
    if (!has_range_) return !IsWeekendDay(d);
    return InRange(d) && days_[Index(d)].session;
  }

  std::optional<std::string> ClosedReason(Date d) const override {
    if (InRange(d)) {
      const Day& day = days_[Index(d)];
      if (day.session) return std::nullopt;
      if (day.reason == kWeekendReason) return "weekend";
      return reasons_[static_cast<size_t>(day.reason)];
    }
    if (has_range_) return NotCovered(d);
    if (IsWeekendDay(d)) return "weekend";
    return std::nullopt;
  }

  Result<Session> SessionOf(Date d) const override {
    int open = open_minute_;
    int close = close_minute_;
    bool special = false;
    if (InRange(d)) {
      const Day& day = days_[Index(d)];
      if (!day.session) {
        return Status::NotFound(fmt::format("{} is not a {} session ({})", d, name_,
                                            day.reason == kWeekendReason
                                                ? std::string("weekend")
                                                : reasons_[static_cast<size_t>(day.reason)]));
      }
      open = day.open;
      close = day.close;
      special = day.special;
    } else if (has_range_) {
      return Status::OutOfRange(NotCovered(d));
    } else if (IsWeekendDay(d)) {
      return Status::NotFound(fmt::format("{} is not a {} session (weekend)", d, name_));
    }
    Session s;
    s.date = d;
    s.open = ToUtc(d, open);
    s.close = ToUtc(d, close);
    s.open_minute_local = open;
    s.close_minute_local = close;
    s.early_close = !special && close < close_minute_;
    s.special = special;
    return s;
  }

  Date NextSession(Date d) const override {
    Date x = d.AddDays(1);
    while (true) {
      if (!has_range_ || x > last_) {
        while (IsWeekendDay(x)) x = x.AddDays(1);
        return x;
      }
      if (x < first_) {
        if (!IsWeekendDay(x)) return x;
        x = x.AddDays(1);
        continue;
      }
      auto it = std::lower_bound(sessions_.begin(), sessions_.end(), x);
      if (it != sessions_.end()) return *it;
      x = last_.AddDays(1);
    }
  }

  Date PreviousSession(Date d) const override {
    Date x = d.AddDays(-1);
    while (true) {
      if (!has_range_ || x < first_) {
        while (IsWeekendDay(x)) x = x.AddDays(-1);
        return x;
      }
      if (x > last_) {
        if (!IsWeekendDay(x)) return x;
        x = x.AddDays(-1);
        continue;
      }
      auto it = std::upper_bound(sessions_.begin(), sessions_.end(), x);
      if (it != sessions_.begin()) return *std::prev(it);
      x = first_.AddDays(-1);
    }
  }

  std::vector<Date> Sessions(Date from, Date to) const override {
    std::vector<Date> out;
    if (from > to) return out;
    auto weekdays = [&](Date a, Date b) {
      for (Date x = a; x <= b; x = x.AddDays(1)) {
        if (!IsWeekendDay(x)) out.push_back(x);
      }
    };
    if (!has_range_) {
      weekdays(from, to);
      return out;
    }
    if (to >= first_ && from <= last_) {
      auto lo = std::lower_bound(sessions_.begin(), sessions_.end(), std::max(from, first_));
      auto hi = std::upper_bound(sessions_.begin(), sessions_.end(), std::min(to, last_));
      out.insert(out.end(), lo, hi);
    }
    return out;
  }

  std::optional<Date> LastSessionOfWeek(Date d) const override {
    Date monday = d.AddDays(-static_cast<int32_t>(d.iso_weekday() - 1));
    Date last = PreviousSession(monday.AddDays(7));
    if (last < monday) return std::nullopt;
    return last;
  }

  std::optional<Date> LastSessionOfMonth(Date d) const override {
    using namespace std::chrono;
    Date first = Date::FromYmd(d.year(), d.month(), 1);
    Date next_first = Date::FromSysDays(
        sys_days(year_month_day(std::chrono::year(d.year()), std::chrono::month(d.month()),
                                std::chrono::day(1)) +
                 months(1)));
    Date last = PreviousSession(next_first);
    if (last < first) return std::nullopt;
    return last;
  }

 private:
  // One day of the covered range.
  struct Day {
    bool session = false;
    bool special = false;  // a special session on a day that is otherwise closed
    int16_t open = 0;      // minutes after local midnight, when session
    int16_t close = 0;
    int16_t reason = kWeekendReason;  // index into reasons_ when closed
  };

  // The steps of Build, in the order they apply: a later step sees the days the earlier ones
  // made (an early close needs a session, a special session needs a closed day).
  Status SetIdentity(const CalendarSpec& spec);
  Status CheckNoDatedEntries(const CalendarSpec& spec) const;
  Status CoverYears(const CalendarSpec& spec);
  void ApplyHolidayRules(const CalendarSpec& spec);
  Status ApplyHolidays(const CalendarSpec& spec);
  Status ApplyEarlyCloseRules(const CalendarSpec& spec);
  Status ApplyEarlyCloses(const CalendarSpec& spec);
  Status ApplyLateOpens(const CalendarSpec& spec);
  Status ApplySpecialSessions(const CalendarSpec& spec);
  void ListSessions();

  // Refuses a date listed twice in one list of entries (`seen` holds that list's dates so far).
  using SeenDates = std::unordered_map<int32_t, const DatedEntry*>;
  Status CheckListedOnce(SeenDates& seen, const DatedEntry& e) const;
  Day& DayAt(Date d) { return days_[Index(d)]; }
  bool InRange(Date d) const { return has_range_ && d >= first_ && d <= last_; }
  size_t Index(Date d) const { return static_cast<size_t>(d - first_); }
  bool IsWeekendDay(Date d) const { return (weekend_mask_ >> (d.iso_weekday() - 1)) & 1u; }

  Timestamp ToUtc(Date d, int minute) const {
    auto local = date::local_days(date::days(d.days())) + std::chrono::minutes(minute);
    // Session times never fall in a DST gap or overlap in the supported zones; `earliest` makes
    // the conversion total anyway (no exception).
    auto utc = tz_->to_sys(local, date::choose::earliest);
    return Timestamp::FromSeconds(
        std::chrono::duration_cast<std::chrono::seconds>(utc.time_since_epoch()).count());
  }

  int16_t AddReason(const std::string& name) {
    auto it = std::find(reasons_.begin(), reasons_.end(), name);
    if (it != reasons_.end()) return static_cast<int16_t>(it - reasons_.begin());
    reasons_.push_back(name);
    return static_cast<int16_t>(reasons_.size() - 1);
  }

  Status Error(const DatedEntry& e, std::string_view what) const {
    return Status::InvalidArgument(fmt::format("{}: {}.date: {}", source_, e.key, what));
  }
  // Why an uncovered date cannot be answered, and where to add its year.
  std::string NotCovered(Date d) const {
    return fmt::format(
        "{} is outside the years the {} calendar covers ({}-{}); to add years, extend {} as "
        "src/calendar/README.md (\"Adding a year\") describes{}",
        d, name_, first_.year(), last_.year(), file_, embedded_ ? " and rebuild" : "");
  }
  std::string Describe(Date d) const {
    std::optional<std::string> reason = ClosedReason(d);
    return reason ? *reason : "a session";
  }

  std::string name_;
  std::string time_zone_name_;
  std::string source_;
  std::string file_;       // the data file to extend: "data/calendars/nyse.toml" or a path
  bool embedded_ = false;  // built into the binary: a change needs a rebuild
  std::vector<std::string> aliases_;
  const date::time_zone* tz_ = nullptr;
  uint8_t weekend_mask_ = 0;
  int open_minute_ = 0;
  int close_minute_ = 0;
  bool has_range_ = false;
  Date first_;
  Date last_;
  std::vector<Day> days_;       // one per date in [first_, last_]
  std::vector<Date> sessions_;  // sorted sessions in [first_, last_]
  std::vector<std::string> reasons_;
};

// The entry lists that give dates, in the order Build applies them.
std::array<const std::vector<DatedEntry>*, 4> EntryLists(const CalendarSpec& spec) {
  return {&spec.holidays, &spec.early_closes, &spec.late_opens, &spec.special_sessions};
}

Status DataCalendar::SetIdentity(const CalendarSpec& spec) {
  name_ = spec.name;
  time_zone_name_ = spec.time_zone;
  source_ = spec.source;
  file_ = spec.source;
  aliases_ = spec.aliases;
  try {
    tz_ = date::locate_zone(spec.time_zone);
  } catch (const std::exception&) {
    return Status::InvalidArgument(
        fmt::format("{}: time_zone: unknown time zone \"{}\"", spec.source, spec.time_zone));
  }
  weekend_mask_ = spec.weekend_mask;
  open_minute_ = spec.open_minute;
  close_minute_ = spec.close_minute;
  return Status::Ok();
}

// Without a covered year range only the weekend rule applies: rules and dated entries are refused.
Status DataCalendar::CheckNoDatedEntries(const CalendarSpec& spec) const {
  if (!spec.holiday_rules.empty() || !spec.early_close_rules.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: first_year: missing (rules need a covered year range)", spec.source));
  }
  for (const auto* list : EntryLists(spec)) {
    if (!list->empty()) {
      return Error(list->front(),
                   "dated entries need a covered year range "
                   "(first_year, last_year)");
    }
  }
  return Status::Ok();
}

// Every day of the covered years with the regular hours, weekends closed; refuses an entry
// dated outside them.
Status DataCalendar::CoverYears(const CalendarSpec& spec) {
  has_range_ = true;
  first_ = Date::FromYmd(*spec.first_year, 1, 1);
  last_ = Date::FromYmd(*spec.last_year, 12, 31);
  days_.resize(static_cast<size_t>(last_ - first_ + 1));
  for (Date d = first_; d <= last_; d = d.AddDays(1)) {
    Day& day = DayAt(d);
    if (!IsWeekendDay(d)) {
      day.session = true;
      day.open = static_cast<int16_t>(spec.open_minute);
      day.close = static_cast<int16_t>(spec.close_minute);
    }
  }
  for (const auto* list : EntryLists(spec)) {
    for (const DatedEntry& e : *list) {
      if (!InRange(e.date)) {
        return Error(e, fmt::format("{} is outside the covered years {}..{}", e.date,
                                    *spec.first_year, *spec.last_year));
      }
    }
  }
  return Status::Ok();
}

Status DataCalendar::CheckListedOnce(SeenDates& seen, const DatedEntry& e) const {
  if (auto [it, inserted] = seen.emplace(e.date.days(), &e); !inserted) {
    return Error(e, fmt::format("{} is listed twice (also {})", e.date, it->second->key));
  }
  return Status::Ok();
}

// Holidays: rules, then the explicit list (whose names win).
void DataCalendar::ApplyHolidayRules(const CalendarSpec& spec) {
  for (const internal::DateRule& rule : spec.holiday_rules) {
    int16_t reason = AddReason(rule.name);
    for (int year = *spec.first_year; year <= *spec.last_year; ++year) {
      std::optional<Date> d = internal::RuleDate(rule, year);
      if (!d || !InRange(*d)) continue;
      Day& day = DayAt(*d);
      day.session = false;
      day.reason = reason;
    }
  }
}

Status DataCalendar::ApplyHolidays(const CalendarSpec& spec) {
  SeenDates seen;
  for (const DatedEntry& e : spec.holidays) {
    KAIROS_RETURN_IF_ERROR(CheckListedOnce(seen, e));
    Day& day = DayAt(e.date);
    day.session = false;
    day.reason = AddReason(e.name);
  }
  return Status::Ok();
}

// Early closes: rules skip days that are not sessions; explicit entries must be sessions.
Status DataCalendar::ApplyEarlyCloseRules(const CalendarSpec& spec) {
  for (const internal::DateRule& rule : spec.early_close_rules) {
    std::optional<int> close = rule.close_minute ? rule.close_minute : spec.early_close_minute;
    if (!close) {
      return Status::InvalidArgument(fmt::format(
          "{}: {}: no close time (give close here or hours.early_close)", spec.source, rule.key));
    }
    if (*close <= spec.open_minute || *close >= spec.close_minute) {
      return Status::InvalidArgument(
          fmt::format("{}: {}.close: {} is not between the open {} and the regular close {}",
                      spec.source, rule.key, FormatMinute(*close), FormatMinute(spec.open_minute),
                      FormatMinute(spec.close_minute)));
    }
    for (int year = *spec.first_year; year <= *spec.last_year; ++year) {
      std::optional<Date> d = internal::RuleDate(rule, year);
      if (!d || !InRange(*d)) continue;
      Day& day = DayAt(*d);
      if (day.session) day.close = static_cast<int16_t>(*close);
    }
  }
  return Status::Ok();
}

Status DataCalendar::ApplyEarlyCloses(const CalendarSpec& spec) {
  SeenDates seen;
  for (const DatedEntry& e : spec.early_closes) {
    KAIROS_RETURN_IF_ERROR(CheckListedOnce(seen, e));
    Day& day = DayAt(e.date);
    if (!day.session) {
      return Error(e, fmt::format("{} is not a session ({})", e.date, Describe(e.date)));
    }
    std::optional<int> close = e.close_minute ? e.close_minute : spec.early_close_minute;
    if (!close) {
      return Status::InvalidArgument(fmt::format(
          "{}: {}.close: missing (and there is no hours.early_close)", spec.source, e.key));
    }
    if (*close <= day.open || *close >= spec.close_minute) {
      return Status::InvalidArgument(fmt::format(
          "{}: {}.close: {} is not between the open {} and the regular close {}", spec.source,
          e.key, FormatMinute(*close), FormatMinute(day.open), FormatMinute(spec.close_minute)));
    }
    day.close = static_cast<int16_t>(*close);
  }
  return Status::Ok();
}

Status DataCalendar::ApplyLateOpens(const CalendarSpec& spec) {
  SeenDates seen;
  for (const DatedEntry& e : spec.late_opens) {
    KAIROS_RETURN_IF_ERROR(CheckListedOnce(seen, e));
    Day& day = DayAt(e.date);
    if (!day.session) {
      return Error(e, fmt::format("{} is not a session ({})", e.date, Describe(e.date)));
    }
    if (*e.open_minute <= spec.open_minute || *e.open_minute >= day.close) {
      return Status::InvalidArgument(fmt::format(
          "{}: {}.open: {} is not between the regular open {} and the close {}", spec.source, e.key,
          FormatMinute(*e.open_minute), FormatMinute(spec.open_minute), FormatMinute(day.close)));
    }
    day.open = static_cast<int16_t>(*e.open_minute);
  }
  return Status::Ok();
}

Status DataCalendar::ApplySpecialSessions(const CalendarSpec& spec) {
  SeenDates seen;
  for (const DatedEntry& e : spec.special_sessions) {
    KAIROS_RETURN_IF_ERROR(CheckListedOnce(seen, e));
    Day& day = DayAt(e.date);
    if (day.session) {
      return Error(e, fmt::format("{} is already a regular session", e.date));
    }
    day.session = true;
    day.special = true;
    day.open = static_cast<int16_t>(*e.open_minute);
    day.close = static_cast<int16_t>(*e.close_minute);
  }
  return Status::Ok();
}

void DataCalendar::ListSessions() {
  for (Date d = first_; d <= last_; d = d.AddDays(1)) {
    if (DayAt(d).session) sessions_.push_back(d);
  }
}

Result<std::unique_ptr<DataCalendar>> DataCalendar::Build(const CalendarSpec& spec) {
  auto cal = std::make_unique<DataCalendar>();
  KAIROS_RETURN_IF_ERROR(cal->SetIdentity(spec));
  if (!spec.first_year.has_value()) {
    KAIROS_RETURN_IF_ERROR(cal->CheckNoDatedEntries(spec));
    return cal;
  }
  KAIROS_RETURN_IF_ERROR(cal->CoverYears(spec));
  cal->ApplyHolidayRules(spec);
  KAIROS_RETURN_IF_ERROR(cal->ApplyHolidays(spec));
  KAIROS_RETURN_IF_ERROR(cal->ApplyEarlyCloseRules(spec));
  KAIROS_RETURN_IF_ERROR(cal->ApplyEarlyCloses(spec));
  KAIROS_RETURN_IF_ERROR(cal->ApplyLateOpens(spec));
  KAIROS_RETURN_IF_ERROR(cal->ApplySpecialSessions(spec));
  cal->ListSessions();
  return cal;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The built-in calendars, parsed once from the embedded data files.
struct Registry {
  Status status;
  std::vector<std::unique_ptr<DataCalendar>> calendars;
  std::map<std::string, const DataCalendar*> by_name;  // canonical names and aliases, upper case
  std::vector<std::string> aliases;                    // sorted
};

Registry BuildRegistry() {
  Registry r;
  for (const internal::EmbeddedFile& file : internal::EmbeddedCalendarFiles()) {
    Result<CalendarSpec> spec = internal::ParseCalendarSpec(file.text, file.name);
    Result<std::unique_ptr<DataCalendar>> cal =
        spec.ok() ? DataCalendar::Build(*spec)
                  : Result<std::unique_ptr<DataCalendar>>(spec.status());
    if (!cal.ok()) {
      r.status = Status::Internal("embedded calendar data: " + cal.status().message());
      return r;
    }
    (*cal)->SetEmbedded(file.name);
    const DataCalendar* c = cal->get();
    r.by_name[Upper(c->name())] = c;
    for (const std::string& alias : c->aliases()) {
      r.by_name[Upper(alias)] = c;
      r.aliases.push_back(Upper(alias));
    }
    r.calendars.push_back(std::move(cal).value());
  }
  std::sort(r.aliases.begin(), r.aliases.end());
  return r;
}

const Registry& GetRegistry() {
  static const Registry* registry = new Registry(BuildRegistry());
  return *registry;
}

}  // namespace

Status ExchangeCalendar::CheckCovers(Date from, Date to) const {
  for (Date d : {from, to}) {
    if (!Covers(d)) {
      return Status::OutOfRange(
          fmt::format("{} is outside the years the {} calendar covers", d, name()));
    }
  }
  return Status::Ok();
}

Result<const ExchangeCalendar*> ExchangeCalendar::ForExchange(std::string_view name) {
  const Registry& r = GetRegistry();
  if (!r.status.ok()) return r.status;
  auto it = r.by_name.find(Upper(name));
  if (it == r.by_name.end()) {
    return Status::NotFound(fmt::format("unknown exchange \"{}\"; known: {} (aliases: {})", name,
                                        fmt::join(Names(), ", "), fmt::join(r.aliases, ", ")));
  }
  return static_cast<const ExchangeCalendar*>(it->second);
}

std::vector<std::string> ExchangeCalendar::Names() {
  std::vector<std::string> names;
  for (const auto& c : GetRegistry().calendars) names.emplace_back(c->name());
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::unique_ptr<ExchangeCalendar>> ParseCalendar(std::string_view toml_text,
                                                        std::string_view source) {
  KAIROS_ASSIGN_OR_RETURN(CalendarSpec spec, internal::ParseCalendarSpec(toml_text, source));
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<DataCalendar> cal, DataCalendar::Build(spec));
  return std::unique_ptr<ExchangeCalendar>(std::move(cal));
}

Result<std::unique_ptr<ExchangeCalendar>> LoadCalendarFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("{}: cannot open calendar file", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError(fmt::format("{}: read failed", path));
  return ParseCalendar(text.str(), path);
}

std::string FormatSessionLine(const Session& session) {
  return fmt::format("{},{},{}", session.date, FormatMinute(session.open_minute_local),
                     FormatMinute(session.close_minute_local));
}

}  // namespace kairos::calendar
