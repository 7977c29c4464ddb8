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

# kairos_library(NAME SRCS ... DEPS ...): one module = one static library target `kairos_NAME`,
# with its headers exposed as kairos_module_headers describes.
function(kairos_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(kairos_${name} STATIC ${ARG_SRCS})
  kairos_module_headers(kairos_${name} PUBLIC)
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
