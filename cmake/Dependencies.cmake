# Every dependency comes from Debian's packages. A missing one stops configure with the
# apt-get line that installs it, so a fresh machine is one command away from building.
set(SMTPDOCTOR_APT_LINE
    "apt-get install -y cmake ninja-build g++ libcli11-dev libasio-dev libssl-dev libc-ares-dev nlohmann-json3-dev doctest-dev")

macro(smtpdoctor_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "smtpdoctor needs ${what} (Debian package ${package}).\n"
                        "Install everything with:\n  ${SMTPDOCTOR_APT_LINE}")
  endif()
endmacro()

find_package(Threads REQUIRED)
find_package(OpenSSL 3 QUIET)
smtpdoctor_require(OpenSSL_FOUND "OpenSSL 3" libssl-dev)

find_package(PkgConfig QUIET)
smtpdoctor_require(PkgConfig_FOUND "pkg-config" pkg-config)
pkg_check_modules(CARES QUIET IMPORTED_TARGET libcares)
smtpdoctor_require(CARES_FOUND "c-ares" libc-ares-dev)

find_package(CLI11 QUIET CONFIG)
smtpdoctor_require(CLI11_FOUND "CLI11" libcli11-dev)
find_package(nlohmann_json 3 QUIET CONFIG)
smtpdoctor_require(nlohmann_json_FOUND "nlohmann/json" nlohmann-json3-dev)

find_path(ASIO_INCLUDE_DIR asio.hpp)
if(ASIO_INCLUDE_DIR)
  set(ASIO_FOUND TRUE)
endif()
smtpdoctor_require(ASIO_FOUND "standalone Asio" libasio-dev)
add_library(asio_headers INTERFACE)
target_include_directories(asio_headers SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
# Asio is compiled once, in core/net/asio_impl.cpp, instead of in every translation unit.
target_compile_definitions(asio_headers INTERFACE ASIO_SEPARATE_COMPILATION ASIO_NO_DEPRECATED)
target_link_libraries(asio_headers INTERFACE Threads::Threads OpenSSL::SSL OpenSSL::Crypto)
# g++ 12 reports Asio's coroutine frame allocator as mismatched new/delete when optimising: a
# false positive (the frame's operator new and delete are a matching pair in awaitable.hpp).
target_compile_options(asio_headers INTERFACE -Wno-mismatched-new-delete)

# The tests need more than the binary does (doctest, Python 3 and the real peers). Building only
# the product, as the README's first command does, needs none of it: -DSMTPDOCTOR_TESTS=OFF.
if(SMTPDOCTOR_TESTS)
  find_package(doctest QUIET CONFIG)
  # Debian's python3 first: .ci/install-deps installs the test modules (python3-jsonschema) for
  # it, whatever other interpreter is first on PATH.
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3)
  endif()
  find_package(Python3 QUIET COMPONENTS Interpreter)
  if(NOT doctest_FOUND OR NOT Python3_FOUND)
    message(FATAL_ERROR "The tests need doctest and Python 3 (and real peers to talk to).\n"
                        "Install everything the tests need with:\n  bash .ci/install-deps\n"
                        "or build without the tests: -DSMTPDOCTOR_TESTS=OFF")
  endif()
endif()
