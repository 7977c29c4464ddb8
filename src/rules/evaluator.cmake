# The evaluator (whole-series evaluation of bound rules): sources and tests. Included by
# CMakeLists.txt; paths are relative to src/rules.
list(APPEND KAIROS_RULES_SRCS evaluator.cc evaluator_kernels.cc evaluator_window.cc)
list(APPEND KAIROS_RULES_TESTS
  eval_cases_test.cc
  evaluator_test.cc
  evaluator_data_test.cc
  # The indicator module's loader of the shared real data (a test-only source, not a library).
  ../indicators/testing/reference_data.cc)
