# `kairos strategy ...` and `kairos pnl ...` end to end (issue 5, helper F): the kairos binary
# against a fresh home; P&L rows are written through the SQLite store as the trading day would.
kairos_test(strategy_cli_test
  SRCS strategy_cli_test.cc
  DEPS kairos_engine kairos_adapters_sqlite)
if(TARGET strategy_cli_test)
  add_dependencies(strategy_cli_test kairos)
  target_compile_definitions(strategy_cli_test PRIVATE KAIROS_BIN="$<TARGET_FILE:kairos>")
endif()
