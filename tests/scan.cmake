# `kairos scan` and `kairos universe` end to end (issue 4).
kairos_test(scan_cli_test
  SRCS scan_cli_test.cc
  DEPS kairos_core)
if(TARGET scan_cli_test)
  add_dependencies(scan_cli_test kairos)
  target_compile_definitions(scan_cli_test PRIVATE KAIROS_BIN="$<TARGET_FILE:kairos>")
endif()
