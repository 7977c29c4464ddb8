#pragma once

#include <vector>

#include "calendar/calendar.h"
#include "core/date.h"

namespace kairos::engine {

// The calendar's sessions over a span that grows as asked (sessions run forward), so that
// counting the sessions a position was held is two searches, not a list per position and day.
class SessionIndex {
 public:
  explicit SessionIndex(const calendar::ExchangeCalendar& cal) : cal_(cal) {}

  // The sessions after `entry` up to and including `session` (0 when entry >= session).
  int SessionsHeld(Date entry, Date session);

 private:
  const calendar::ExchangeCalendar& cal_;
  std::vector<Date> sessions_;  // the calendar's sessions over [from_, to_]
  bool known_ = false;
  Date from_, to_;
};

}  // namespace kairos::engine
