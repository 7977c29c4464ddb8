# CSV import and export (included by CMakeLists.txt): sources of kairos_marketdata, their tests
# and the CSV fuzzer.
target_sources(kairos_marketdata PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/csv_reader.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/csv_import.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/import.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/export.cc)
target_link_libraries(kairos_marketdata PUBLIC Threads::Threads)

kairos_test(marketdata_import_test
  SRCS csv_reader_test.cc csv_import_test.cc import_test.cc export_test.cc
  DEPS kairos_marketdata)

kairos_fuzzer(csv_fuzzer
  SRCS fuzz/csv_fuzzer.cc
  DEPS kairos_marketdata)
