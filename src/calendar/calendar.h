#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"

namespace kairos::calendar {

// One trading session of an exchange, as instants (UTC) and as exchange-local clock times.
struct Session {
  Date date;
  Timestamp open;
  Timestamp close;
  int open_minute_local = 0;   // minutes after local midnight: 09:30 -> 570
  int close_minute_local = 0;  // 16:00 -> 960, early close 13:00 -> 780
  bool early_close = false;    // closes before the regular time (NYSE 13:00 days)
  bool special = false;        // an extra session on a non-trading day (NSE Diwali Muhurat)
};

// A data-driven exchange calendar: weekend and holiday rules plus one-off closures, early closes
// and special sessions, read from the exchange's data file in data/calendars/. Immutable and
// thread-safe once built.
//
// Coverage: the data file states the years it covers (WEEKDAYS covers every date). A calendar
// knows nothing outside them, so there no date is a session: IsSession() is false,
// ClosedReason() and SessionOf() say the date is not covered (which years are, and how to add
// one), and Sessions() lists only covered sessions. Commands that take dates from a user check
// them first with CheckCovers(), which gives the same message as an error.
class ExchangeCalendar {
 public:
  // "NYSE", "NSE", "WEEKDAYS" and aliases (NASDAQ, AMEX, ARCA -> NYSE; BSE -> NSE), any case.
  // NotFound with the list of known names otherwise.
  static Result<const ExchangeCalendar*> ForExchange(std::string_view name);
  static std::vector<std::string> Names();

  virtual ~ExchangeCalendar() = default;
  virtual std::string_view name() const = 0;       // canonical: "NYSE"
  virtual std::string_view time_zone() const = 0;  // IANA: "America/New_York"
  virtual bool Covers(Date d) const = 0;
  // OK if every date from..to is covered; otherwise OutOfRange naming the first uncovered date,
  // the covered years and how to add a year, e.g. "1900-01-01 is outside the years the NYSE
  // calendar covers (1990-2028); to add years, extend data/calendars/nyse.toml as
  // src/calendar/README.md (\"Adding a year\") describes and rebuild".
  virtual Status CheckCovers(Date from, Date to) const;
  Status CheckCovers(Date d) const { return CheckCovers(d, d); }
  virtual bool IsSession(Date d) const = 0;
  // Why d is not a session ("weekend", "Thanksgiving Day", "Hurricane Sandy"); nullopt if it is.
  virtual std::optional<std::string> ClosedReason(Date d) const = 0;
  // NotFound if d is not a session; OutOfRange (the CheckCovers message) if d is not covered.
  virtual Result<Session> SessionOf(Date d) const = 0;

  // The first session strictly after / before d. Beyond the covered years there is none; these
  // then return the next / previous weekday (by the weekend rule), which is not a session, so
  // that they stay total: a caller that goes on to SessionOf() gets the coverage error.
  virtual Date NextSession(Date d) const = 0;
  virtual Date PreviousSession(Date d) const = 0;
  // Sessions with from <= date <= to, in order; covered dates only (see CheckCovers).
  virtual std::vector<Date> Sessions(Date from, Date to) const = 0;
  // The last session of d's week (Monday..Sunday) / month; nullopt if that week/month has none.
  virtual std::optional<Date> LastSessionOfWeek(Date d) const = 0;
  virtual std::optional<Date> LastSessionOfMonth(Date d) const = 0;
  bool IsLastSessionOfWeek(Date d) const { return LastSessionOfWeek(d) == d; }
  bool IsLastSessionOfMonth(Date d) const { return LastSessionOfMonth(d) == d; }
};

// Builds a calendar from the text of a data file (the format of data/calendars/*.toml, described
// in src/calendar/README.md). `source` names the file in error messages. A malformed file is
// InvalidArgument with a message "<source>: <key>: <what>", e.g.
// "nyse.toml: holidays[3].date: expected a date YYYY-MM-DD, got \"2024-13-01\"".
Result<std::unique_ptr<ExchangeCalendar>> ParseCalendar(std::string_view toml_text,
                                                        std::string_view source);
// Reads and parses a calendar data file; NotFound if it cannot be opened. The built-in calendars
// (ForExchange) are embedded in the binary at build time and need no file.
Result<std::unique_ptr<ExchangeCalendar>> LoadCalendarFile(const std::string& path);

// One line of `kairos calendar sessions`: the date and the local open and close times,
// "2024-11-29,09:30,13:00".
std::string FormatSessionLine(const Session& session);

}  // namespace kairos::calendar
