# The kairos home (which commands may create it, read-only homes) and untrusted input at the
# command line's edge (non-regular files, size limits, money limits, control characters), end to
# end: the kairos binary against fresh homes.
foreach(name home_cli_test input_cli_test)
  kairos_test(${name}
    SRCS ${name}.cc
    DEPS kairos_engine kairos_adapters_sqlite)
  if(TARGET ${name})
    add_dependencies(${name} kairos)
    target_compile_definitions(${name} PRIVATE KAIROS_BIN="$<TARGET_FILE:kairos>")
  endif()
endforeach()
