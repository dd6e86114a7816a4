# smtpdoctor_unit_test(NAME SOURCES ... LIBS ...): a doctest executable registered with ctest
# under the "unit" label.
# doctest's main() is compiled once and shared by every test binary.
add_library(smtpdoctor_test_main STATIC ${PROJECT_SOURCE_DIR}/tests/unit/test_main.cpp)
target_link_libraries(smtpdoctor_test_main PUBLIC doctest::doctest)

function(smtpdoctor_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  list(REMOVE_ITEM T_SOURCES unit/test_main.cpp)
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(${name} PRIVATE ${T_LIBS} smtpdoctor_test_main)
  target_compile_definitions(${name} PRIVATE
    SMTPDOCTOR_SOURCE_DIR="${PROJECT_SOURCE_DIR}" SMTPDOCTOR_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 300)
endfunction()

# smtpdoctor_integration_test(NAME COMMAND ...): a script-driven test with real peers, labelled
# "integration". It gets the smtpdoctor binary and the source dir in the environment.
function(smtpdoctor_integration_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "COMMAND" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  # Memory bounds asserted by the tests are for the binary users run; a sanitizer build says so,
  # so that they can allow for its shadow memory.
  set(sanitized 0)
  if(SMTPDOCTOR_SANITIZE)
    set(sanitized 1)
  endif()
  # 77: every case was skipped because its peers cannot run here (tests/peers/testing.py).
  set_tests_properties(${name} PROPERTIES LABELS integration TIMEOUT ${T_TIMEOUT} SKIP_RETURN_CODE 77
    ENVIRONMENT "SMTPDOCTOR=$<TARGET_FILE:smtpdoctor>;SMTPDOCTOR_SOURCE_DIR=${PROJECT_SOURCE_DIR};SMTPDOCTOR_BINARY_DIR=${PROJECT_BINARY_DIR};SMTPDOCTOR_SANITIZED=${sanitized}")
endfunction()
