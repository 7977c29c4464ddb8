# Missed sessions end to end: run-day catching up the sessions not run since the last one, with
# the audit log read back through the SQLite store.
kairos_test(missed_sessions_cli_test
  SRCS missed_sessions_cli_test.cc
  DEPS kairos_core kairos_adapters_sqlite)
if(TARGET missed_sessions_cli_test)
  add_dependencies(missed_sessions_cli_test kairos)
  target_compile_definitions(missed_sessions_cli_test PRIVATE KAIROS_BIN="$<TARGET_FILE:kairos>")
endif()
