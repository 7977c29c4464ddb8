#pragma once

// Internal to calendar/: the data files of data/calendars/, compiled into the library so that
// the binary works from any directory. Generated from embedded_calendars.cc.in at configure time.

#include <span>
#include <string_view>

namespace kairos::calendar::internal {

struct EmbeddedFile {
  std::string_view name;  // "nyse.toml"
  std::string_view text;  // the file's contents
};

std::span<const EmbeddedFile> EmbeddedCalendarFiles();

}  // namespace kairos::calendar::internal
