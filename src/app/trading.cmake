# Trading commands (issue 5, helper D2): run-day, signals, orders, fills, positions, halt, resume,
# and the paper-mode wiring (SQLite store + bar store + paper broker).
list(APPEND KAIROS_APP_SRCS trading_commands.cc paper_wiring.cc)
list(APPEND KAIROS_APP_DEPS kairos_engine kairos_adapters_sqlite kairos_adapters_sim_broker)
