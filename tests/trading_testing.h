#pragma once
// The small market the end-to-end trading tests share: one symbol with a jump that the strategy
// "jump" (entry rule `close > 150`) signals on Friday 2024-03-01.
#include <string>

namespace kairos::testing {

// AAA on every session 2024-02-20 .. 2024-03-08 (no NYSE holiday in between): 100 flat, except
// a close of 160 on Fri 2024-03-01 (the entry rule `close > 150` matches) and Monday 2024-03-04
// opening at 161, closing 162.
inline std::string AaaCsv() {
  std::string csv = "Date,Open,High,Low,Close,Volume\n";
  const char* days[] = {"2024-02-20", "2024-02-21", "2024-02-22", "2024-02-23", "2024-02-26",
                        "2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-04",
                        "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"};
  for (const char* d : days) {
    std::string day = d;
    if (day == "2024-03-01") {
      csv += day + ",100,161,99,160,100000\n";
    } else if (day == "2024-03-04") {
      csv += day + ",161,163,160,162,100000\n";
    } else {
      csv += day + ",100,101,99,100,100000\n";
    }
  }
  return csv;
}

inline std::string JumpStrategy(const std::string& approval) {
  return "name = \"jump\"\n"
         "universe = [\"AAA\"]\n"
         "entry = \"close > 150\"\n"
         "approval = \"" +
         approval +
         "\"\n"
         "allocation = 10000\n"
         "sizing = { method = \"fixed_qty\", qty = 10 }\n"
         "max_positions = 1\n"
         "max_new_per_day = 1\n";
}

}  // namespace kairos::testing
