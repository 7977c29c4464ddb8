# The in-product indicator benchmark (`kairos bench indicators`); owned by the bench harness.
list(APPEND KAIROS_INDICATOR_SRCS bench_suite.cc)
