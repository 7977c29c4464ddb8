# Trading day cross-module tests (issue 5, helper D2): the engine over the real SQLite store, the
# paper broker and a bar store (trading_test), and the trading commands end to end
# (trading_cli_test, running the kairos binary like cli_test).
kairos_test(trading_test
  SRCS trading_test.cc
  DEPS kairos_app)

kairos_test(trading_cli_test
  SRCS trading_cli_test.cc
  DEPS kairos_core)
if(TARGET trading_cli_test)
  add_dependencies(trading_cli_test kairos)
  target_compile_definitions(trading_cli_test PRIVATE KAIROS_BIN="$<TARGET_FILE:kairos>")
endif()
