# libFuzzer target for strategy files (outside input), run briefly by `make test`.
kairos_fuzzer(strategy_fuzzer
  SRCS fuzz/strategy_fuzzer.cc
  DEPS kairos_engine)
