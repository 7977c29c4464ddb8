list(APPEND KAIROS_APP_SRCS strategy_command.cc)
