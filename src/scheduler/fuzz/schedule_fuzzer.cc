// libFuzzer target: any bytes as a schedule (cron or at, split on the first newline into the
// expression and a time zone or calendar) must give a Schedule or a Status, never a crash; a
// schedule that parses must answer NextAfter with an instant strictly after the one asked.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scheduler/schedule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t nl = text.find('\n');
  std::string_view expr = text.substr(0, nl);
  std::string_view second = nl == std::string_view::npos ? "" : text.substr(nl + 1);
  kairos::scheduler::ScheduleSpec spec;
  if (expr.starts_with("open") || expr.starts_with("close")) {
    spec.at = std::string(expr);
    spec.calendar = second.empty() ? "NYSE" : std::string(second);
    spec.last_session_of_week = size % 2 == 1;
  } else {
    spec.cron = std::string(expr);
    spec.time_zone = std::string(second);
  }
  auto schedule = kairos::scheduler::Schedule::Parse(spec);
  if (!schedule.ok()) return 0;
  (void)schedule->Describe();
  kairos::Timestamp t = kairos::Timestamp::Parse("2024-03-10T06:30:00Z").value();
  for (int i = 0; i < 5; ++i) {
    std::optional<kairos::Timestamp> next = schedule->NextAfter(t);
    if (!next) break;
    if (!(*next > t)) __builtin_trap();
    t = *next;
  }
  return 0;
}
