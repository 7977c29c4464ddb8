# Strategy files (TOML -> StrategySpec) and P&L analytics (round trips, monthly, metrics).
list(APPEND KAIROS_ENGINE_SRCS strategy_file.cc analytics.cc)
list(APPEND KAIROS_ENGINE_TESTS strategy_file_test.cc analytics_test.cc)
