#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "calendar/calendar.h"
#include "core/result.h"
#include "domain/bar.h"

namespace kairos::marketdata {

// Weekly bars with, per bar, whether its week is complete.
struct WeeklyBars {
  BarSeries bars;
  // complete[i]: the daily data reaches the last session of bars' week i (per the calendar).
  // Only such bars are final; "the last completed week" is the last i with complete[i].
  std::vector<bool> complete;
};

// Groups daily bars by exchange week (Monday..Sunday) into one bar per week that has data:
// first open, highest high, lowest low, last close, summed volume. A close-only series gives a
// close-only weekly series (last close). Instrument is copied.
//
// Dating: every weekly bar is dated by the calendar's last session of its week, also when the
// data stops earlier (a week still in progress, or a gap): the date names the week, it does not
// say the week is over; ask `complete` for that. Example: Thanksgiving week 2024 on NYSE is
// dated Friday 2024-11-29; the Good Friday week of 2024 is dated Thursday 2024-03-28.
// A daily bar on a non-session day still counts toward its week.
//
// InvalidArgument: dates not strictly increasing, columns of unequal length, or a daily bar in
// a week that has no session at all on the calendar. OutOfRange: a daily bar on a date the
// calendar does not cover ("SYMBOL: " and the calendar's message).
Result<WeeklyBars> ResampleWeekly(const BarSeries& daily, const calendar::ExchangeCalendar& cal);

// ResampleWeekly(...).bars.
Result<BarSeries> ToWeekly(const BarSeries& daily, const calendar::ExchangeCalendar& cal);

// The index of the last bar whose week is complete ("the last completed week"); nullopt if none.
std::optional<size_t> LastCompletedWeek(const WeeklyBars& weekly);

// Whether the week holding `last_data_day` is complete when the data ends on that day: true
// iff last_data_day is on or after the week's last session.
bool IsWeekComplete(Date last_data_day, const calendar::ExchangeCalendar& cal);

}  // namespace kairos::marketdata
