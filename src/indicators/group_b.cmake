# Group B (momentum, volatility, trend, candlesticks): sources and tests. Included by
# CMakeLists.txt; paths are relative to src/indicators.
list(APPEND KAIROS_INDICATOR_SRCS
  registry_group_b.cc
  rsi.cc
  trange.cc
  atr.cc
  natr.cc
  plus_di.cc
  minus_di.cc
  adx.cc
  stoch.cc
  stochrsi.cc
  cci.cc
  mfi.cc
  willr.cc
  aroon.cc
  sar.cc
  cdlengulfing.cc
  cdldoji.cc
  cdlhammer.cc
  supertrend.cc)

list(APPEND KAIROS_INDICATOR_TESTS
  group_b_reference_test.cc
  group_b_test.cc
  group_b_slow_test.cc
  supertrend_test.cc)
