// An MTA-STS policy file as https://mta-sts.DOMAIN/.well-known/mta-sts.txt serves it
// (core/dns/mta_sts.hpp), and each of its lines as an _mta-sts and a _smtp._tls TXT record.
#include "core/base/ascii.hpp"
#include "core/dns/mta_sts.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {

void mta_sts_policy(std::string_view input) {
  StsPolicy policy = parse_sts_policy(input);
  std::size_t lines = lines_of(input).size();
  for (const auto* problems : {&policy.errors, &policy.warnings})
    for (const auto& p : *problems) {
      SMTPDOCTOR_FUZZ_CHECK(p.line <= lines);
      SMTPDOCTOR_FUZZ_CHECK(!p.message.empty());
      for (char c : format_problem(p))
        SMTPDOCTOR_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 &&
                              static_cast<unsigned char>(c) < 0x7f);
    }
  if (policy.ok()) {
    SMTPDOCTOR_FUZZ_CHECK(policy.version == "STSv1" && policy.mode && policy.max_age);
    SMTPDOCTOR_FUZZ_CHECK(*policy.max_age <= kStsMaxAgeLimit);
    if (*policy.mode != StsMode::none) SMTPDOCTOR_FUZZ_CHECK(!policy.mx.empty());
  }
  for (const auto& pattern : policy.mx) {
    SMTPDOCTOR_FUZZ_CHECK(pattern == ascii::lower(pattern));
    // A pattern names the hosts it matches: itself, or one label in place of "*".
    std::string host = pattern.substr(0, 2) == "*." ? "mx" + pattern.substr(1) : pattern;
    SMTPDOCTOR_FUZZ_CHECK(mx_pattern_matches(pattern, host));
    SMTPDOCTOR_FUZZ_CHECK(mx_pattern_matches(pattern, ascii::upper(host) + "."));
    SMTPDOCTOR_FUZZ_CHECK(!mx_pattern_matches(pattern, "a.b." + host));
    SMTPDOCTOR_FUZZ_CHECK(matching_mx_pattern(policy.mx, host).has_value());
  }

  std::vector<TxtRecord> txt;
  for (auto line : lines_of(input)) {
    StsRecord sts = parse_sts_record(line);
    if (sts.ok()) {
      SMTPDOCTOR_FUZZ_CHECK(is_sts_record(line));
      SMTPDOCTOR_FUZZ_CHECK(!sts.id.empty() && sts.id.size() <= 32);
    }
    TlsRptRecord rpt = parse_tlsrpt_record(line);
    if (rpt.ok()) {
      SMTPDOCTOR_FUZZ_CHECK(is_tlsrpt_record(line));
      SMTPDOCTOR_FUZZ_CHECK(!rpt.rua.empty());
    }
    for (const auto& uri : rpt.rua)
      SMTPDOCTOR_FUZZ_CHECK(ascii::istarts_with(uri, "mailto:") ||
                            ascii::istarts_with(uri, "https://"));
    txt.push_back({std::string(line)});
  }
  auto sts = select_sts(txt);
  SMTPDOCTOR_FUZZ_CHECK(sts.record.has_value() == (sts.count > 0));
  if (sts.count > 1) SMTPDOCTOR_FUZZ_CHECK(!sts.record->ok());
  auto rpt = select_tlsrpt(txt);
  SMTPDOCTOR_FUZZ_CHECK(rpt.record.has_value() == (rpt.count > 0));
  if (rpt.count > 1) SMTPDOCTOR_FUZZ_CHECK(!rpt.record->ok());
}

}  // namespace smtpdoctor::fuzz
