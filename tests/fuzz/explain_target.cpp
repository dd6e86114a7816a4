// `explain`'s scanner over pasted text (a bounce, a log, an error dialog), with the default caps
// and with tiny ones, and the helpers it is made of.
#include "core/diagnosis/explain.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

void scan(std::string_view input, const ExplainLimits& limits) {
  auto findings = explain_text(input, limits);
  SMTPDOCTOR_FUZZ_CHECK(findings.size() <= limits.max_findings);
  for (const auto& f : findings) {
    SMTPDOCTOR_FUZZ_CHECK(f.text.size() <= limits.max_finding_octets);
    SMTPDOCTOR_FUZZ_CHECK(!f.diagnosis.rule.empty());
  }
}

}  // namespace

void explain(std::string_view input) {
  scan(input, ExplainLimits{});
  scan(input, ExplainLimits{.max_input_octets = 256,
                            .max_findings = 2,
                            .max_finding_octets = 64,
                            .max_lines_per_finding = 2});

  if (auto reply = find_reply(input)) {
    SMTPDOCTOR_FUZZ_CHECK(reply->code == 0 || (reply->code >= 400 && reply->code <= 559));
    SMTPDOCTOR_FUZZ_CHECK(reply->code != 0 || reply->enhanced);
    SMTPDOCTOR_FUZZ_CHECK(reply->lines.size() == 1 && reply->lines[0].size() <= 1000);
  }
  infer_stage(input);

  // What reaches a terminal: no control characters, and no longer than asked (plus the "…").
  for (std::size_t max : {std::size_t(0), std::size_t(8), std::size_t(200)}) {
    std::string shown = printable_excerpt(input, max);
    SMTPDOCTOR_FUZZ_CHECK(shown.size() <= max + std::string_view("…").size());
    for (char c : shown) {
      auto u = static_cast<unsigned char>(c);
      SMTPDOCTOR_FUZZ_CHECK(u >= 0x20 && u != 0x7f);
    }
  }
}

}  // namespace smtpdoctor::fuzz
