// SPF and DMARC records as a domain publishes them: each input line is one TXT record, parsed on
// its own and the lines together as one name's TXT set.
#include "core/base/ascii.hpp"
#include "core/dns/mail_auth_records.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

void check_spf(const SpfRecord& spf, std::string_view text) {
  if (!is_spf_record(text)) SMTPDOCTOR_FUZZ_CHECK(!spf.ok());
  SMTPDOCTOR_FUZZ_CHECK(spf.dns_lookups >= 0);
  SMTPDOCTOR_FUZZ_CHECK(spf.mechanisms.size() <= 128 &&
                        spf.includes.size() <= spf.mechanisms.size());
  for (const auto& m : spf.mechanisms) {
    SMTPDOCTOR_FUZZ_CHECK(m.name == ascii::lower(m.name));
    spf_qualifier_name(m.qualifier);
  }
  if (spf.all) spf_qualifier_name(*spf.all);
}

void check_dmarc(const DmarcRecord& dmarc, std::string_view text) {
  if (!is_dmarc_record(text)) SMTPDOCTOR_FUZZ_CHECK(!dmarc.ok());
  SMTPDOCTOR_FUZZ_CHECK(dmarc.percent >= 0 && dmarc.percent <= 100);
  SMTPDOCTOR_FUZZ_CHECK(dmarc.aggregate_report_uris.size() <= 16);
  SMTPDOCTOR_FUZZ_CHECK(dmarc.failure_report_uris.size() <= 16);
  for (const auto& uri : dmarc.aggregate_report_uris)
    SMTPDOCTOR_FUZZ_CHECK(uri.find('@') != std::string::npos);
  dmarc_policy_name(dmarc.policy);
}

}  // namespace

void mail_auth_records(std::string_view input) {
  std::vector<TxtRecord> txt;
  for (auto line : lines_of(input)) {
    check_spf(parse_spf(line), line);
    check_dmarc(parse_dmarc(line), line);
    txt.push_back({std::string(line)});
  }
  // The whole input as one record too: a TXT record may hold line breaks.
  check_spf(parse_spf(input), input);
  check_dmarc(parse_dmarc(input), input);

  auto spf = select_spf(txt);
  SMTPDOCTOR_FUZZ_CHECK(spf.record.has_value() == (spf.count > 0));
  if (spf.count > 1) SMTPDOCTOR_FUZZ_CHECK(!spf.record->ok());
  auto dmarc = select_dmarc(txt);
  SMTPDOCTOR_FUZZ_CHECK(dmarc.record.has_value() == (dmarc.count > 0));
  if (dmarc.count > 1) SMTPDOCTOR_FUZZ_CHECK(!dmarc.record->ok());
}

}  // namespace smtpdoctor::fuzz
