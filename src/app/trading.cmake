list(APPEND KAIROS_APP_SRCS trading_commands.cc)
