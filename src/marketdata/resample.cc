#include "marketdata/resample.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace kairos::marketdata {
namespace {

// Monday of d's ISO week.
Date WeekStart(Date d) { return d.AddDays(-static_cast<int32_t>(d.iso_weekday() - 1)); }

Status Validate(const BarSeries& s) {
  const size_t n = s.dates.size();
  auto check = [&](const char* name, size_t size, bool needed) -> Status {
    size_t want = needed ? n : 0;
    if (size == want) return Status::Ok();
    return Status::InvalidArgument(fmt::format("{}: daily column '{}' has {} values, expected {}",
                                               s.instrument.symbol, name, size, want));
  };
  KAIROS_RETURN_IF_ERROR(check("close", s.close.size(), true));
  KAIROS_RETURN_IF_ERROR(check("open", s.open.size(), !s.close_only));
  KAIROS_RETURN_IF_ERROR(check("high", s.high.size(), !s.close_only));
  KAIROS_RETURN_IF_ERROR(check("low", s.low.size(), !s.close_only));
  KAIROS_RETURN_IF_ERROR(check("volume", s.volume.size(), !s.close_only));
  for (size_t i = 1; i < n; ++i) {
    if (s.dates[i] <= s.dates[i - 1]) {
      return Status::InvalidArgument(
          fmt::format("{}: daily dates not strictly increasing at row {}: {} after {}",
                      s.instrument.symbol, i, s.dates[i], s.dates[i - 1]));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<WeeklyBars> ResampleWeekly(const BarSeries& daily, const calendar::ExchangeCalendar& cal) {
  KAIROS_RETURN_IF_ERROR(Validate(daily));
  WeeklyBars out;
  out.bars.instrument = daily.instrument;
  out.bars.close_only = daily.close_only;
  const size_t n = daily.size();
  size_t begin = 0;
  while (begin < n) {
    const Date monday = WeekStart(daily.dates[begin]);
    size_t end = begin + 1;
    while (end < n && WeekStart(daily.dates[end]) == monday) ++end;
    if (Status covered = cal.CheckCovers(daily.dates[begin], daily.dates[end - 1]); !covered.ok()) {
      return covered.WithContext(daily.instrument.symbol);
    }
    std::optional<Date> last_session = cal.LastSessionOfWeek(daily.dates[begin]);
    if (!last_session) {
      return Status::InvalidArgument(
          fmt::format("{}: daily bar on {} falls in a week with no {} session",
                      daily.instrument.symbol, daily.dates[begin], cal.name()));
    }
    Bar week;
    week.date = *last_session;
    week.close = daily.close[end - 1];
    if (!daily.close_only) {
      week.open = daily.open[begin];
      week.high = *std::max_element(daily.high.begin() + begin, daily.high.begin() + end);
      week.low = *std::min_element(daily.low.begin() + begin, daily.low.begin() + end);
      week.volume = 0;
      for (size_t i = begin; i < end; ++i) week.volume += daily.volume[i];
    }
    out.bars.Append(week);
    out.complete.push_back(daily.dates[end - 1] >= *last_session);
    begin = end;
  }
  return out;
}

Result<BarSeries> ToWeekly(const BarSeries& daily, const calendar::ExchangeCalendar& cal) {
  KAIROS_ASSIGN_OR_RETURN(WeeklyBars weekly, ResampleWeekly(daily, cal));
  return std::move(weekly.bars);
}

std::optional<size_t> LastCompletedWeek(const WeeklyBars& weekly) {
  for (size_t i = weekly.complete.size(); i > 0; --i) {
    if (weekly.complete[i - 1]) return i - 1;
  }
  return std::nullopt;
}

bool IsWeekComplete(Date last_data_day, const calendar::ExchangeCalendar& cal) {
  std::optional<Date> last_session = cal.LastSessionOfWeek(last_data_day);
  return last_session.has_value() && last_data_day >= *last_session;
}

}  // namespace kairos::marketdata
