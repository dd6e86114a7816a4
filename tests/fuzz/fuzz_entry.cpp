// libFuzzer's entry point for one target; CMake compiles this file once per target with
// SMTPDOCTOR_FUZZ_TARGET set to the target's function (fuzz_targets.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  smtpdoctor::fuzz::SMTPDOCTOR_FUZZ_TARGET(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
