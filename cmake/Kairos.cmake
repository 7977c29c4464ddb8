# kairos_library(NAME SRCS ... DEPS ...): one module = one static library target `kairos_NAME`.
# Headers are included from the source root: #include "core/status.h".
function(kairos_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(kairos_${name} STATIC ${ARG_SRCS})
  target_include_directories(kairos_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(kairos_${name} PUBLIC ${ARG_DEPS})
  target_compile_options(kairos_${name} PRIVATE ${KAIROS_WARNINGS})
endfunction()

# kairos_test(NAME SRCS ... DEPS ...): a GoogleTest binary registered with CTest.
function(kairos_test name)
  if(NOT KAIROS_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${KAIROS_WARNINGS})
  target_compile_definitions(${name} PRIVATE
    KAIROS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    KAIROS_SHARED_DIR="${KAIROS_SHARED_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "KAIROS_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# kairos_binary_test(NAME SRCS ... DEPS ...): a kairos_test that also runs the kairos binary
# (KAIROS_BIN), which it is built after.
function(kairos_binary_test name)
  kairos_test(${name} ${ARGN})
  if(TARGET ${name})
    add_dependencies(${name} kairos)
    target_compile_definitions(${name} PRIVATE KAIROS_BIN="$<TARGET_FILE:kairos>")
  endif()
endfunction()

# kairos_fuzzer(NAME SRCS ... DEPS ...): a libFuzzer target, built only in the `fuzz` preset.
function(kairos_fuzzer name)
  if(NOT KAIROS_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(fuzzers ${name})
endfunction()
