// libFuzzer target: any bytes as a calendar data file must give a calendar or a Status, never a
// crash or an exception; a calendar that parses must answer queries.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "calendar/calendar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cal = kairos::calendar::ParseCalendar(text, "fuzz.toml");
  if (!cal.ok()) return 0;
  const auto& c = **cal;
  kairos::Date from = kairos::Date::FromYmd(2023, 12, 25);
  for (kairos::Date d : c.Sessions(from, from.AddDays(14))) {
    auto s = c.SessionOf(d);
    if (!s.ok() || s->open > s->close) __builtin_trap();
    (void)kairos::calendar::FormatSessionLine(*s);
  }
  (void)c.NextSession(from);
  (void)c.PreviousSession(from);
  (void)c.LastSessionOfWeek(from);
  (void)c.LastSessionOfMonth(from);
  (void)c.ClosedReason(from);
  return 0;
}
