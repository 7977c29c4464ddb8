#pragma once

// TA-Lib's default candle settings, as documented for its candlestick functions (shared by
// cdldoji.h, cdlhammer.h and cdlengulfing.h; not a registry entry).
//
// A setting compares a bar's feature with `factor` times the average "range" of the `period`
// bars before the bar it is evaluated on; with period 0 the bar's own range is used instead.
// The range is the real body |close - open|, the high - low range, or (kShadows) the sum of both
// shadows, which is then halved (an average shadow). The averages are running totals updated
// as TA-Lib does (add the entering range minus the leaving one), so every comparison gives the
// same answer as TA-Lib's, bit for bit.

#include <cmath>
#include <cstdint>

namespace kairos::indicators::kernel_util {

enum class CandleRangeType : uint8_t { kRealBody, kHighLow, kShadows };

struct CandleSetting {
  CandleRangeType range;
  int period;
  double factor;
};

// TA-Lib's defaults for the settings these patterns use.
inline constexpr CandleSetting kBodyDoji{CandleRangeType::kHighLow, 10, 0.1};
inline constexpr CandleSetting kBodyShort{CandleRangeType::kRealBody, 10, 1.0};
inline constexpr CandleSetting kShadowLong{CandleRangeType::kRealBody, 0, 1.0};
inline constexpr CandleSetting kShadowVeryShort{CandleRangeType::kHighLow, 10, 0.1};
inline constexpr CandleSetting kNear{CandleRangeType::kHighLow, 5, 0.2};

struct OhlcBar {
  double open = 0, high = 0, low = 0, close = 0;

  double RealBody() const { return std::fabs(close - open); }
  double UpperShadow() const { return high - (close >= open ? close : open); }
  double LowerShadow() const { return (close >= open ? open : close) - low; }
  double BodyTop() const { return close >= open ? close : open; }
  double BodyBottom() const { return close >= open ? open : close; }
  // 1 for a white (close >= open) bar, -1 for a black one.
  int Color() const { return close >= open ? 1 : -1; }
};

inline double CandleRange(CandleRangeType type, const OhlcBar& bar) {
  switch (type) {
    case CandleRangeType::kRealBody:
      return bar.RealBody();
    case CandleRangeType::kHighLow:
      return bar.high - bar.low;
    case CandleRangeType::kShadows:
      return bar.UpperShadow() + bar.LowerShadow();
  }
  return 0;
}

// The threshold of `setting` given the running total of its range over the `period` bars
// before `bar` (the bar the setting is evaluated on).
inline double CandleAverage(const CandleSetting& setting, double total, const OhlcBar& bar) {
  double average = setting.period != 0 ? total / setting.period : CandleRange(setting.range, bar);
  return setting.factor * average / (setting.range == CandleRangeType::kShadows ? 2.0 : 1.0);
}

// The last 16 bars, enough for every lookback here.
class BarHistory {
 public:
  void Push(const OhlcBar& bar) { bars_[count_++ & 15] = bar; }
  // REQUIRES: 0 <= ago < 16 and ago < count().
  const OhlcBar& Ago(int ago) const { return bars_[(count_ - 1 - ago) & 15]; }
  int64_t count() const { return count_; }

 private:
  OhlcBar bars_[16];
  int64_t count_ = 0;
};

}  // namespace kairos::indicators::kernel_util
