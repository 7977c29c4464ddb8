# The market scanner and named universes (issue 4).
list(APPEND KAIROS_ENGINE_SRCS
  ${CMAKE_CURRENT_SOURCE_DIR}/scanner.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/universe.cc)
list(APPEND KAIROS_ENGINE_TESTS
  ${CMAKE_CURRENT_SOURCE_DIR}/scanner_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/universe_test.cc)
