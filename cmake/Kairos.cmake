# kairos_module_headers(TARGET SCOPE): the include directory of one module. Headers are included
# by their path under src/ (#include "engine/order_manager.h"), yet a target should see only the
# headers of the modules it links. So each module gets its own include root in the build tree,
# build/include/<target>/, holding one symbolic link <path under src> -> the module's folder; the
# root is a PUBLIC (or INTERFACE) include directory of the module's target. A file then finds the
# headers of its own module and of the modules its target links, directly or through their PUBLIC
# dependencies, and no others: the link graph enforces the layering tools/check_layering.sh checks.
function(kairos_module_headers target scope)
  file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}/src" "${CMAKE_CURRENT_SOURCE_DIR}")
  set(root "${CMAKE_BINARY_DIR}/include/${target}")
  cmake_path(GET rel PARENT_PATH parent)
  file(MAKE_DIRECTORY "${root}/${parent}")
  file(REMOVE "${root}/${rel}")  # the link only, never what it points to
  file(CREATE_LINK "${CMAKE_CURRENT_SOURCE_DIR}" "${root}/${rel}" SYMBOLIC)
  target_include_directories(${target} ${scope} "${root}")
endfunction()

# Precompiled headers: the standard library headers most files include, fmt and, for tests,
# GoogleTest are parsed once per build instead of once per file (about a second of every test
# file's compile time). Two shared precompiled headers, each built by its own small target that
# every library (kairos_pch) or test (kairos_test_pch) reuses; a library never sees GoogleTest.
# A reusing target may add compile definitions, never change the compile options, which
# KAIROS_WARNINGS and the global flags keep the same. KAIROS_PCH=OFF builds without them (to
# check that each file includes what it uses). It is off by default under a ccache launcher: ccache
# caches no compile that reads a precompiled header (unless its sloppiness allows it), and a warm
# cache saves more than the precompiled headers do.
set(kairos_pch_default ON)
if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
  set(kairos_pch_default OFF)
endif()
option(KAIROS_PCH "Precompile the common standard library, fmt and GoogleTest headers"
       ${kairos_pch_default})
set(KAIROS_PCH_HEADERS
  <algorithm> <array> <chrono> <cmath> <cstdint> <filesystem> <functional> <limits> <map>
  <memory> <mutex> <optional> <set> <span> <string> <string_view> <unordered_map> <utility>
  <vector> <fmt/format.h>)

# kairos_pch_target(NAME HEADERS ... DEPS ...): an object library of one empty file whose only
# product is the precompiled header other targets reuse (REUSE_FROM NAME).
function(kairos_pch_target name)
  cmake_parse_arguments(ARG "" "" "HEADERS;DEPS" ${ARGN})
  set(anchor "${CMAKE_BINARY_DIR}/${name}.cc")
  file(CONFIGURE OUTPUT "${anchor}" CONTENT "// The unit that builds the precompiled header.\n")
  add_library(${name} OBJECT "${anchor}")
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_options(${name} PRIVATE ${KAIROS_WARNINGS})
  target_precompile_headers(${name} PRIVATE ${ARG_HEADERS})
endfunction()

# Test code itself is compiled at -O1 in an optimised build: the code under test keeps the build's
# optimisation (-O3 in release), while each test file, heavy with GoogleTest's macros, compiles in
# about 60% of the time it takes at -O3.
set(KAIROS_TEST_OPTIMIZE "$<$<CONFIG:Release,RelWithDebInfo>:-O1>")

if(KAIROS_PCH)
  kairos_pch_target(kairos_pch HEADERS ${KAIROS_PCH_HEADERS} DEPS fmt::fmt)
  if(KAIROS_BUILD_TESTS)
    kairos_pch_target(kairos_test_pch
      HEADERS ${KAIROS_PCH_HEADERS} <fstream> <sstream> <gmock/gmock.h> <gtest/gtest.h>
      DEPS fmt::fmt GTest::gmock GTest::gtest)
    target_compile_options(kairos_test_pch PRIVATE ${KAIROS_TEST_OPTIMIZE})
  endif()
endif()

# kairos_use_pch(TARGET PCH): TARGET compiles with the precompiled header of PCH, if enabled.
function(kairos_use_pch target pch)
  if(TARGET ${pch})
    target_precompile_headers(${target} REUSE_FROM ${pch})
  endif()
endfunction()

# kairos_library(NAME SRCS ... DEPS ...): one module = one static library target `kairos_NAME`,
# with its headers exposed as kairos_module_headers describes.
function(kairos_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(kairos_${name} STATIC ${ARG_SRCS})
  kairos_module_headers(kairos_${name} PUBLIC)
  target_link_libraries(kairos_${name} PUBLIC ${ARG_DEPS})
  target_compile_options(kairos_${name} PRIVATE ${KAIROS_WARNINGS})
  kairos_use_pch(kairos_${name} kairos_pch)
endfunction()

# kairos_test(NAME SRCS ... DEPS ... [COST N]): a GoogleTest binary registered with CTest, one
# CTest test per test case. COST orders a parallel ctest run where no timings of an earlier run
# exist (a fresh build): tests of a higher cost start first, so long ones do not run alone at the
# end; among equal costs, in the order the binary lists them.
function(kairos_test name)
  if(NOT KAIROS_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "COST" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${KAIROS_WARNINGS} ${KAIROS_TEST_OPTIMIZE})
  target_compile_definitions(${name} PRIVATE
    KAIROS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    KAIROS_SHARED_DIR="${KAIROS_SHARED_DIR}")
  kairos_use_pch(${name} kairos_test_pch)
  set(properties ENVIRONMENT "KAIROS_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  if(ARG_COST)
    list(APPEND properties COST ${ARG_COST})
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${properties})
endfunction()

# kairos_binary_test(NAME SRCS ... DEPS ...): a kairos_test that also runs the kairos binary
# (KAIROS_BIN), which it is built after. Its tests start processes, the slowest kind (above all
# under the sanitizers), so they start before the other tests (COST).
function(kairos_binary_test name)
  kairos_test(${name} COST 10 ${ARGN})
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
