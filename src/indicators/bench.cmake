# The in-product indicator benchmark (`kairos bench indicators`) and its functional test;
# owned by the bench harness. Speed itself is measured in bench/, never asserted in a test.
list(APPEND KAIROS_INDICATOR_SRCS bench_suite.cc)
list(APPEND KAIROS_INDICATOR_TESTS bench_suite_test.cc)
