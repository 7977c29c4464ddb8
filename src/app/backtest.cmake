# `kairos backtest` (issue 6): the backtest driver wired to the in-process store, the paper broker
# and the live SQLite store (read for a strategy by name and its universes, never written).
list(APPEND KAIROS_APP_SRCS backtest_command.cc)
list(APPEND KAIROS_APP_DEPS kairos_backtest kairos_engine kairos_adapters_sqlite
     kairos_adapters_memory kairos_adapters_sim_broker)
# `kairos backtest --walk-forward` (issue 6): folds of optimise-then-test over the sweep.
list(APPEND KAIROS_APP_SRCS walk_forward_command.cc)
