# `kairos strategy ...` and `kairos pnl ...` (issue 5): strategy files and P&L, stored in SQLite.
list(APPEND KAIROS_APP_SRCS strategy_command.cc)
list(APPEND KAIROS_APP_DEPS kairos_engine kairos_adapters_sqlite)
