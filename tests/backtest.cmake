# The backtest wired to SQLite and the paper broker (issue 6): the S&P 500 cross-check, parity with
# the paper trading day, timing honesty, byte-identical reports.
kairos_test(backtest_test
  SRCS backtest_test.cc
  DEPS kairos_backtest kairos_engine kairos_marketdata kairos_adapters_sqlite
       kairos_adapters_memory kairos_adapters_sim_broker)
if(TARGET backtest_test)
  add_dependencies(backtest_test kairos)
  target_compile_definitions(backtest_test PRIVATE KAIROS_BIN="$<TARGET_FILE:kairos>")
endif()
