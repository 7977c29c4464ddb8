# Processes on one home: the trading and bar store locks, readers that never write, parallel
# trading runs against a sequential one (concurrency_cli_test), and run-day killed at random
# points again and again (crash_loop_cli_test). Both run the kairos binary.
foreach(test concurrency_cli_test crash_loop_cli_test)
  kairos_test(${test}
    SRCS ${test}.cc
    DEPS kairos_core)
  if(TARGET ${test})
    add_dependencies(${test} kairos)
    target_compile_definitions(${test} PRIVATE KAIROS_BIN="$<TARGET_FILE:kairos>")
  endif()
endforeach()
