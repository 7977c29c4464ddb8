list(APPEND KAIROS_INDICATOR_SRCS registry_group_a.cc)
