# `kairos scan` and `kairos universe` (issue 4): the scanner and universes, persisted in SQLite.
list(APPEND KAIROS_APP_SRCS scan_command.cc)
list(APPEND KAIROS_APP_DEPS kairos_engine kairos_adapters_sqlite)
