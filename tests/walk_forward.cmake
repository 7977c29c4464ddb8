# `kairos backtest --walk-forward` end to end (issue 6): known choices on a tiny bar store,
# stitched files, determinism, refusals with exact text and no files.
kairos_test(walk_forward_cli_test
  SRCS walk_forward_cli_test.cc
  DEPS kairos_core kairos_calendar kairos_domain kairos_marketdata fmt::fmt)
if(TARGET walk_forward_cli_test)
  add_dependencies(walk_forward_cli_test kairos)
  target_compile_definitions(walk_forward_cli_test PRIVATE KAIROS_BIN="$<TARGET_FILE:kairos>")
endif()
