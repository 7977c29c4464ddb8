list(APPEND KAIROS_APP_SRCS scan_command.cc)
