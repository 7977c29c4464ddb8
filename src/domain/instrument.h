#pragma once

#include <string>

namespace kairos {

// A tradable symbol and the exchange it trades on. The exchange names the trading calendar
// ("NYSE", "NSE", "WEEKDAYS"; see calendar/calendar.h for aliases such as NASDAQ).
struct Instrument {
  std::string symbol;    // upper-case ticker as the exchange writes it: "AAPL", "RELIANCE"
  std::string exchange;  // "NYSE", "NSE", ...

  friend bool operator==(const Instrument&, const Instrument&) = default;
};

}  // namespace kairos
