# Group A (moving averages, bands, extremes, volume): sources and tests. Included by
# CMakeLists.txt; paths are relative to src/indicators.
list(APPEND KAIROS_INDICATOR_SRCS
  registry_group_a.cc
  ad.cc
  bbands.cc
  dema.cc
  ema.cc
  kama.cc
  linearreg.cc
  macd.cc
  max.cc
  min.cc
  mom.cc
  obv.cc
  roc.cc
  sma.cc
  stddev.cc
  tema.cc
  trima.cc
  wma.cc)

# Shared test helpers (both groups use them): compiled into the test binary only.
list(APPEND KAIROS_INDICATOR_TESTS
  testing/reference_data.cc
  testing/random_data.cc
  testing/compare.cc
  testing/testing_test.cc
  group_a_reference_test.cc
  group_a_test.cc)
