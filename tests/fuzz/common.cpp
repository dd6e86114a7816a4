#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {

std::vector<std::string_view> lines_of(std::string_view input) {
  std::vector<std::string_view> lines;
  while (!input.empty()) {
    auto nl = input.find('\n');
    lines.push_back(input.substr(0, nl));
    if (nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
  return lines;
}

}  // namespace smtpdoctor::fuzz
