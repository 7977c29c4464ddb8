# The trading day (issue 5, helper D2): signal book, selection and sizing, exits, and the
# clock-driven pipeline that ties the scanner, the order manager and the ledger together.
list(APPEND KAIROS_ENGINE_SRCS
  ${CMAKE_CURRENT_SOURCE_DIR}/signal_book.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/sizing.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/exits.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/trading_day.cc)
list(APPEND KAIROS_ENGINE_TESTS
  ${CMAKE_CURRENT_SOURCE_DIR}/signal_book_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/sizing_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/exits_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/trading_day_test.cc)
# -DKAIROS_D2_DEV=ON: a binary of just these tests (and the fakes) for quick local iteration.
if(KAIROS_D2_DEV)
  kairos_test(d2_engine_test
    SRCS ${CMAKE_CURRENT_SOURCE_DIR}/signal_book_test.cc ${CMAKE_CURRENT_SOURCE_DIR}/sizing_test.cc
         ${CMAKE_CURRENT_SOURCE_DIR}/exits_test.cc ${CMAKE_CURRENT_SOURCE_DIR}/testing/fakes.cc
         ${CMAKE_CURRENT_SOURCE_DIR}/trading_day_test.cc
    DEPS kairos_engine)
endif()
