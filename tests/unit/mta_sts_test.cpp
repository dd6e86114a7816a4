// MTA-STS (RFC 8461) and TLS-RPT (RFC 8460): the TXT records, the policy file and mx matching,
// on what domains publish and the mistakes their administrators make, each problem with the line
// it is on.
#include <doctest/doctest.h>

#include <string>

#include "core/dns/mta_sts.hpp"

using namespace smtpdoctor;

namespace {

std::string all_errors(const StsPolicy& policy) {
  std::string out;
  for (const auto& e : policy.errors) out += format_problem(e) + "\n";
  return out;
}

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("the _mta-sts record: v=STSv1 first, one id of 1-32 letters and digits") {
  auto good = parse_sts_record("v=STSv1; id=20260101T000000;");
  CHECK(good.ok());
  CHECK(good.id == "20260101T000000");
  CHECK(parse_sts_record("v=STSv1;id=abc").ok());
  CHECK(parse_sts_record("v=STSv1; id=abc; ext=1").ok());

  auto no_id = parse_sts_record("v=STSv1;");
  REQUIRE_FALSE(no_id.ok());
  CHECK(has(no_id.errors.front(), "no id"));
  CHECK_FALSE(parse_sts_record("v=STSv1; id=2026-01-01").ok());  // '-' is not allowed
  CHECK_FALSE(parse_sts_record("v=STSv1; id=" + std::string(33, 'a')).ok());
  CHECK_FALSE(parse_sts_record("v=STSv1; id=a; id=b").ok());
  CHECK_FALSE(parse_sts_record("v=STSv1; id=a;; x=1").ok());
  CHECK_FALSE(parse_sts_record("v=STSv2; id=a").ok());
  CHECK_FALSE(parse_sts_record(" v=STSv1; id=a").ok());  // found by fuzz_mta_sts_policy
  CHECK_FALSE(parse_tlsrpt_record(" v=TLSRPTv1; rua=mailto:a@b.example").ok());

  CHECK(is_sts_record("v=STSv1; id=1"));
  CHECK_FALSE(is_sts_record("v=spf1 -all"));
}

TEST_CASE("several v=STSv1 records mean no policy; other TXT records are ignored") {
  std::vector<TxtRecord> one{{"v=spf1 -all"}, {"v=STSv1; id=1"}};
  auto s = select_sts(one);
  CHECK(s.count == 1);
  CHECK(s.record->ok());
  std::vector<TxtRecord> two{{"v=STSv1; id=1"}, {"v=STSv1; id=2"}};
  auto d = select_sts(two);
  CHECK(d.count == 2);
  CHECK_FALSE(d.record->ok());
  CHECK(select_sts({{"hello"}}).count == 0);
}

TEST_CASE("a valid policy file, CRLF or LF, with mx patterns and a wildcard") {
  auto p = parse_sts_policy(
      "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmx: *.Example.NET\r\n"
      "max_age: 604800\r\n");
  CHECK(p.ok());
  CHECK(p.version == "STSv1");
  CHECK(p.mode == StsMode::enforce);
  CHECK(p.max_age == 604800u);
  REQUIRE(p.mx.size() == 2);
  CHECK(p.mx[1] == "*.example.net");
  CHECK(p.warnings.empty());

  auto lf = parse_sts_policy("version: STSv1\nmode: testing\nmx: mx.example.org\nmax_age: 86400\n");
  CHECK(lf.ok());
  CHECK(lf.mode == StsMode::testing);
  auto none = parse_sts_policy("version: STSv1\nmode: none\nmax_age: 86400");
  CHECK(none.ok());  // mode none needs no mx
}

TEST_CASE("policy syntax errors name their line and what is wrong") {
  auto mode =
      parse_sts_policy("version: STSv1\nmode: enforcing\nmx: mx.example.org\nmax_age: 86400\n");
  REQUIRE_FALSE(mode.ok());
  CHECK(has(all_errors(mode), "line 2: mode must be enforce, testing or none, not \"enforcing\""));

  auto version = parse_sts_policy("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 86400");
  CHECK(has(all_errors(version), "line 1: version must be STSv1"));

  auto age = parse_sts_policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999");
  CHECK(has(all_errors(age), "line 4: max_age 99999999 is more than 31557600"));
  auto age_text = parse_sts_policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1w");
  CHECK(has(all_errors(age_text), "line 4: max_age must be a number of seconds"));

  auto colon = parse_sts_policy("version: STSv1\nmode enforce\nmx: a.example\nmax_age: 86400");
  CHECK(has(all_errors(colon), "line 2: not a \"key: value\" line"));
  CHECK(has(all_errors(colon), "no mode field"));

  auto space = parse_sts_policy("version : STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400");
  CHECK(has(all_errors(space), "line 1: white space before ':'"));

  auto upper = parse_sts_policy("version: STSv1\nMode: enforce\nmx: a.example\nmax_age: 86400");
  CHECK(has(all_errors(upper), "line 2: field names are lower case"));

  auto wildcard =
      parse_sts_policy("version: STSv1\nmode: enforce\nmx: mx.*.example\nmax_age: 86400");
  CHECK(has(all_errors(wildcard), "line 3: the mx pattern \"mx.*.example\" has a '*'"));
  auto bare = parse_sts_policy("version: STSv1\nmode: enforce\nmx: localhost\nmax_age: 86400");
  CHECK(has(all_errors(bare), "not a fully qualified host name"));

  auto no_mx = parse_sts_policy("version: STSv1\nmode: enforce\nmax_age: 86400\n");
  CHECK(has(all_errors(no_mx), "lists no mx"));
  auto empty = parse_sts_policy("");
  CHECK(empty.errors.size() == 3);  // version, mode and max_age missing
  auto html = parse_sts_policy("<html><body>Not found</body></html>\n");
  CHECK(has(all_errors(html), "line 1: not a \"key: value\" line"));
}

TEST_CASE("policy warnings: duplicates, unknown fields, a short max_age") {
  auto p = parse_sts_policy(
      "version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\nmax_age: 3600\nfoo: bar\n");
  CHECK(p.ok());
  CHECK(p.mode == StsMode::enforce);  // the first one counts
  REQUIRE(p.warnings.size() == 3);
  CHECK(p.warnings[0].line == 3);
  CHECK(has(p.warnings[1].message, "under a day"));
  CHECK(has(p.warnings[2].message, "unknown field \"foo\""));
}

TEST_CASE("mx patterns: exact names and one-label wildcards, case-insensitive") {
  CHECK(mx_pattern_matches("mx.example.org", "MX.example.org."));
  CHECK_FALSE(mx_pattern_matches("mx.example.org", "mx2.example.org"));
  CHECK(mx_pattern_matches("*.example.org", "mx1.example.org"));
  CHECK_FALSE(mx_pattern_matches("*.example.org", "a.b.example.org"));
  CHECK_FALSE(mx_pattern_matches("*.example.org", "example.org"));
  CHECK_FALSE(mx_pattern_matches("*.example.org", "mxexample.org"));
  CHECK(matching_mx_pattern({"a.example", "*.example.org"}, "mx.example.org") == "*.example.org");
  CHECK_FALSE(matching_mx_pattern({"a.example"}, "b.example").has_value());
}

TEST_CASE("the TLS-RPT record: v=TLSRPTv1 and rua with mailto: and https: URIs") {
  auto good = parse_tlsrpt_record(
      "v=TLSRPTv1; rua=mailto:tlsrpt@example.org, https://reports.example.org/v1");
  CHECK(good.ok());
  REQUIRE(good.rua.size() == 2);
  CHECK(good.rua[1] == "https://reports.example.org/v1");

  auto ftp = parse_tlsrpt_record("v=TLSRPTv1; rua=ftp://example.org/x");
  REQUIRE_FALSE(ftp.ok());
  CHECK(has(ftp.errors.front(), "neither mailto: nor https:"));
  CHECK(has(parse_tlsrpt_record("v=TLSRPTv1;").errors.front(), "no rua"));
  CHECK_FALSE(parse_tlsrpt_record("v=TLSRPTv1; rua=mailto:nobody").ok());
  CHECK_FALSE(parse_tlsrpt_record("v=TLSRPTv1; rua=https:///path").ok());
  CHECK_FALSE(
      parse_tlsrpt_record("v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d.example").ok());
  CHECK(select_tlsrpt(
            {{"v=TLSRPTv1; rua=mailto:a@b.example"}, {"v=TLSRPTv1; rua=mailto:c@d.example"}})
            .record->errors.size() == 1);
}
