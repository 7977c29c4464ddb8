#pragma once

// The TA-Lib peer: the same ten cases as indicators::StandardBenchCases(), called through TA-Lib's
// C API on the same columns. Built only when tools/peer/build_talib.sh has produced
// build/peer/talib (KAIROS_HAVE_TALIB); otherwise FindTaLibCase() always returns nullptr.

#include <span>
#include <string_view>

#include "indicators/bench_suite.h"

#if KAIROS_HAVE_TALIB
#include <ta_libc.h>
#endif

namespace kairos::bench {

// Runs one TA-Lib function over rows [0, n) of `d` with the parameters its label names (moving
// averages inside are simple: TA_MAType_SMA). TA-Lib writes `out_count` values starting at
// out[k][0]; they belong to input rows out_begin.. out_begin + out_count - 1. Returns false if
// TA-Lib reported an error.
using TaLibFn = bool (*)(const indicators::OhlcvColumns& d, int n, std::span<double* const> out,
                         int& out_begin, int& out_count);

struct TaLibCase {
  std::string_view label;  // as in StandardBenchCases()
  int outputs;
  TaLibFn run;
};

#if KAIROS_HAVE_TALIB

inline bool TaLibAvailable() { return true; }

inline void TaLibInit() {
  static const bool initialized = TA_Initialize() == TA_SUCCESS;
  (void)initialized;
}

inline const TaLibCase* FindTaLibCase(std::string_view label) {
  using indicators::OhlcvColumns;
  using Out = std::span<double* const>;
  static const TaLibCase kCases[] = {
      {"sma_20", 1,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_SMA(0, n - 1, d.close.data(), 20, &b, &c, o[0]) == TA_SUCCESS;
       }},
      {"ema_20", 1,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_EMA(0, n - 1, d.close.data(), 20, &b, &c, o[0]) == TA_SUCCESS;
       }},
      {"rsi_14", 1,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_RSI(0, n - 1, d.close.data(), 14, &b, &c, o[0]) == TA_SUCCESS;
       }},
      {"macd_12_26_9", 3,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_MACD(0, n - 1, d.close.data(), 12, 26, 9, &b, &c, o[0], o[1], o[2]) ==
                TA_SUCCESS;
       }},
      {"bbands_20_2", 3,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_BBANDS(0, n - 1, d.close.data(), 20, 2.0, 2.0, TA_MAType_SMA, &b, &c, o[0], o[1],
                          o[2]) == TA_SUCCESS;
       }},
      {"atr_14", 1,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_ATR(0, n - 1, d.high.data(), d.low.data(), d.close.data(), 14, &b, &c, o[0]) ==
                TA_SUCCESS;
       }},
      {"adx_14", 1,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_ADX(0, n - 1, d.high.data(), d.low.data(), d.close.data(), 14, &b, &c, o[0]) ==
                TA_SUCCESS;
       }},
      {"stoch_14_3_3", 2,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_STOCH(0, n - 1, d.high.data(), d.low.data(), d.close.data(), 14, 3,
                         TA_MAType_SMA, 3, TA_MAType_SMA, &b, &c, o[0], o[1]) == TA_SUCCESS;
       }},
      {"max_20", 1,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_MAX(0, n - 1, d.close.data(), 20, &b, &c, o[0]) == TA_SUCCESS;
       }},
      {"stddev_20", 1,
       [](const OhlcvColumns& d, int n, Out o, int& b, int& c) {
         return TA_STDDEV(0, n - 1, d.close.data(), 20, 1.0, &b, &c, o[0]) == TA_SUCCESS;
       }},
  };
  TaLibInit();
  for (const TaLibCase& c : kCases) {
    if (c.label == label) return &c;
  }
  return nullptr;
}

#else

inline bool TaLibAvailable() { return false; }
inline const TaLibCase* FindTaLibCase(std::string_view) { return nullptr; }

#endif

}  // namespace kairos::bench
