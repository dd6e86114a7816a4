// The EHLO reply's keywords: from a reply the parser accepted (what the client sees), and from
// the input's lines taken as reply lines directly (anything a line may hold after parsing).
#include <algorithm>

#include "core/base/ascii.hpp"
#include "core/smtp/capabilities.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

template <typename T>
bool unique(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  return std::adjacent_find(values.begin(), values.end()) == values.end();
}

void check(const Reply& ehlo) {
  Capabilities caps = parse_capabilities(ehlo);
  SMTPDOCTOR_FUZZ_CHECK(unique(caps.auth) && unique(caps.keywords));
  for (const auto& mechanism : caps.auth) {
    SMTPDOCTOR_FUZZ_CHECK(!mechanism.empty() && mechanism == ascii::upper(mechanism));
    SMTPDOCTOR_FUZZ_CHECK(caps.has_auth(mechanism));
  }
  for (const auto& keyword : caps.keywords) {
    SMTPDOCTOR_FUZZ_CHECK(!keyword.empty() && keyword == ascii::upper(keyword));
    capability_meaning(keyword);
  }
  SMTPDOCTOR_FUZZ_CHECK(caps.keywords.size() + 1 <= std::max<std::size_t>(ehlo.lines.size(), 1));
  SMTPDOCTOR_FUZZ_CHECK(caps.unknown.size() + 1 <= std::max<std::size_t>(ehlo.lines.size(), 1));
  if (caps.size) SMTPDOCTOR_FUZZ_CHECK(caps.size_advertised);
  if (auto limit = caps.size_limit()) SMTPDOCTOR_FUZZ_CHECK(*limit > 0 && limit == caps.size);
  SMTPDOCTOR_FUZZ_CHECK(caps.greeting_domain.find_first_of(" \t") == std::string::npos);
  for (const auto& line : ehlo.lines) capability_meaning(line);
}

}  // namespace

void capabilities(std::string_view input) {
  if (auto parsed = parse_reply(input)) check(*parsed);
  Reply raw;
  raw.code = 250;
  for (auto line : lines_of(input)) raw.lines.emplace_back(line);
  check(raw);
}

}  // namespace smtpdoctor::fuzz
