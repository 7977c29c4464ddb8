#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "domain/instrument.h"

namespace kairos {

// One daily (or weekly) bar. Prices in the instrument's currency units as doubles: bars feed
// indicators and rules, which work in double (STYLE.md #6); the ledger converts a price to a
// fixed-point Price once, at the edge. Volume in shares (units traded).
struct Bar {
  Date date;
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  double volume = 0;

  friend bool operator==(const Bar&, const Bar&) = default;
};

// The bars of one instrument, column by column, dates strictly increasing.
// A close-only series (a source that publishes only closes) keeps `open`, `high`, `low` and
// `volume` empty: nothing is invented.
struct BarSeries {
  Instrument instrument;
  bool close_only = false;
  std::vector<Date> dates;
  std::vector<double> open, high, low, close, volume;

  size_t size() const { return dates.size(); }
  bool empty() const { return dates.empty(); }
  // REQUIRES: i < size() and !close_only.
  Bar bar(size_t i) const { return {dates[i], open[i], high[i], low[i], close[i], volume[i]}; }
  void Append(const Bar& b) {
    dates.push_back(b.date);
    if (!close_only) {
      open.push_back(b.open);
      high.push_back(b.high);
      low.push_back(b.low);
      volume.push_back(b.volume);
    }
    close.push_back(b.close);
  }

  // The bars with from <= date <= to (either bound optional), same instrument and kind.
  BarSeries Slice(std::optional<Date> from, std::optional<Date> to) const {
    size_t b = from ? std::lower_bound(dates.begin(), dates.end(), *from) - dates.begin() : 0;
    size_t e = to ? std::upper_bound(dates.begin(), dates.end(), *to) - dates.begin() : size();
    BarSeries out{instrument, close_only, {}, {}, {}, {}, {}, {}};
    if (b >= e) return out;
    auto cut = [&](const std::vector<double>& v) {
      return v.empty() ? v : std::vector<double>(v.begin() + b, v.begin() + e);
    };
    out.dates.assign(dates.begin() + b, dates.begin() + e);
    out.open = cut(open);
    out.high = cut(high);
    out.low = cut(low);
    out.close = cut(close);
    out.volume = cut(volume);
    return out;
  }
};

}  // namespace kairos
