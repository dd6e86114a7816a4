// SPF and DMARC summaries, tried on records real domains publish and on the mistakes people make.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "core/dns/mail_auth_records.hpp"

using namespace smtpdoctor;

namespace {

bool mentions(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
    return line.find(needle) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("Google's SPF record: one include, softfail for everyone else") {
  auto spf = parse_spf("v=spf1 include:_spf.google.com ~all");
  CHECK(spf.ok());
  CHECK(spf.warnings.empty());
  REQUIRE(spf.mechanisms.size() == 2);
  CHECK(spf.mechanisms[0].name == "include");
  CHECK(spf.mechanisms[0].value == "_spf.google.com");
  CHECK(spf.includes == std::vector<std::string>{"_spf.google.com"});
  REQUIRE(spf.all.has_value());
  CHECK(*spf.all == SpfQualifier::softfail);
  CHECK(spf.dns_lookups == 1);
}

TEST_CASE("an SPF record with addresses, a, mx and a hard fail is valid and costs two lookups") {
  auto spf = parse_spf(
      "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.7 ip6:2001:db8::/32 a mx:mail.example.org/28 "
      "a:example.org//64 -all");
  CHECK(spf.ok());
  CHECK(spf.warnings.empty());
  CHECK(spf.dns_lookups == 3);
  CHECK(*spf.all == SpfQualifier::fail);
  CHECK(spf.mechanisms[2].value == "2001:db8::/32");
}

TEST_CASE("redirect= counts as a lookup and stands in for 'all'") {
  auto spf = parse_spf("v=spf1 redirect=_spf.example.org");
  CHECK(spf.ok());
  CHECK(spf.redirect == "_spf.example.org");
  CHECK_FALSE(spf.all.has_value());
  CHECK(spf.dns_lookups == 1);
  CHECK(spf.warnings.empty());
}

TEST_CASE("more than ten DNS-querying terms warns that receivers will permerror") {
  std::string text = "v=spf1";
  for (int i = 0; i < 11; ++i) text += " include:spf" + std::to_string(i) + ".example.org";
  text += " -all";
  auto spf = parse_spf(text);
  CHECK(spf.ok());
  CHECK(spf.dns_lookups == 11);
  CHECK(mentions(spf.warnings, "11 DNS-querying terms"));
  CHECK(mentions(spf.warnings, "permerror"));

  auto ten = parse_spf(
      "v=spf1 a mx include:a.example include:b.example include:c.example "
      "include:d.example include:e.example include:f.example "
      "include:g.example exists:%{i}.h.example -all");
  CHECK(ten.dns_lookups == 10);
  CHECK_FALSE(mentions(ten.warnings, "DNS-querying"));
}

TEST_CASE("SPF records that let anyone send, or say nothing, are warned about") {
  CHECK(mentions(parse_spf("v=spf1 +all").warnings, "any server"));
  CHECK(mentions(parse_spf("v=spf1 all").warnings, "any server"));
  CHECK(mentions(parse_spf("v=spf1 a ?all").warnings, "no protection"));
  CHECK(mentions(parse_spf("v=spf1 mx").warnings, "no 'all'"));
  CHECK(mentions(parse_spf("v=spf1 -all mx").warnings, "after 'all'"));
  CHECK(mentions(parse_spf("v=spf1 ptr -all").warnings, "ptr"));
  CHECK(mentions(parse_spf("v=spf1").warnings, "no servers"));
}

TEST_CASE("SPF syntax errors are listed, each one a permerror") {
  CHECK(mentions(parse_spf("v=spf1 ip4:192.0.2.300 -all").errors, "invalid ip4 network"));
  CHECK(mentions(parse_spf("v=spf1 ip4:192.0.2.0/33 -all").errors, "invalid ip4 network"));
  CHECK(mentions(parse_spf("v=spf1 ip6:2001:db8::/129 -all").errors, "invalid ip6 network"));
  CHECK(mentions(parse_spf("v=spf1 include -all").errors, "needs ':domain'"));
  CHECK(mentions(parse_spf("v=spf1 a/40 -all").errors, "prefix length"));
  CHECK(mentions(parse_spf("v=spf1 ipv4:192.0.2.1 -all").errors, "unknown mechanism"));
  CHECK(mentions(parse_spf("v=spf1 -all:foo").errors, "no argument"));
  CHECK(mentions(parse_spf("v=spf1 redirect=a.example redirect=b.example").errors,
                 "more than one 'redirect='"));
  CHECK(mentions(parse_spf("v=spf10 -all").errors, "not an SPF record"));
  auto two = parse_spf("v=spf1 include:bad..example ip4:x -all");
  CHECK(two.errors.size() == 2);
}

TEST_CASE("mechanism names and the version are case-insensitive; unknown modifiers are ignored") {
  auto spf = parse_spf("V=SPF1 IP4:192.0.2.1 MX -ALL foo=bar");
  CHECK(spf.ok());
  CHECK(spf.mechanisms[1].name == "mx");
  CHECK(*spf.all == SpfQualifier::fail);
}

TEST_CASE("only TXT records starting 'v=spf1' count, and two of them are an error") {
  std::vector<TxtRecord> txts = {{"google-site-verification=xyz"},
                                 {"v=spf1 include:_spf.google.com ~all"}};
  auto one = select_spf(txts);
  CHECK(one.count == 1);
  REQUIRE(one.record.has_value());
  CHECK(one.record->ok());

  txts.push_back({"v=spf1 -all"});
  auto two = select_spf(txts);
  CHECK(two.count == 2);
  CHECK(mentions(two.record->errors, "exactly one"));

  CHECK(select_spf({{"v=spf1x"}, {"hello"}}).count == 0);
  CHECK_FALSE(is_spf_record("v=spf1x -all"));
  CHECK(is_spf_record("v=spf1"));
}

TEST_CASE("a DMARC reject policy with aggregate reports") {
  auto dmarc = parse_dmarc("v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.org");
  CHECK(dmarc.ok());
  CHECK(dmarc.warnings.empty());
  CHECK(dmarc.policy == DmarcPolicy::reject);
  CHECK_FALSE(dmarc.subdomain_policy.has_value());
  CHECK(dmarc.percent == 100);
  CHECK(dmarc.aggregate_report_uris ==
        std::vector<std::string>{"mailto:dmarc-reports@example.org"});
}

TEST_CASE("every DMARC tag of a full record is read") {
  auto dmarc = parse_dmarc(
      "v=DMARC1; p=quarantine; sp=reject; pct=25; adkim=s; aspf=r; "
      "rua=mailto:a@example.org,mailto:b@example.net!10m; ruf=mailto:f@example.org; fo=1;");
  CHECK(dmarc.ok());
  CHECK(dmarc.policy == DmarcPolicy::quarantine);
  CHECK(dmarc.subdomain_policy == DmarcPolicy::reject);
  CHECK(dmarc.percent == 25);
  CHECK(dmarc.strict_dkim_alignment);
  CHECK_FALSE(dmarc.strict_spf_alignment);
  CHECK(dmarc.aggregate_report_uris.size() == 2);
  CHECK(dmarc.failure_report_uris.size() == 1);
  CHECK(mentions(dmarc.warnings, "25% of failing mail only"));
}

TEST_CASE("a monitoring-only DMARC policy without reports is valid but warned about") {
  auto dmarc = parse_dmarc("v=DMARC1; p=none");
  CHECK(dmarc.ok());
  CHECK(mentions(dmarc.warnings, "only monitors"));
  CHECK(mentions(dmarc.warnings, "no 'rua='"));
}

TEST_CASE("broken DMARC records say why receivers ignore them") {
  CHECK(mentions(parse_dmarc("v=DMARC1; p=block").errors, "none, quarantine or reject"));
  CHECK(mentions(parse_dmarc("v=DMARC1; p=reject; pct=150").errors, "0 to 100"));
  CHECK(mentions(parse_dmarc("v=DMARC1; rua=mailto:x@example.org").warnings, "as p=none"));
  CHECK(mentions(parse_dmarc("v=DMARC1; sp=reject").errors, "no 'p=' policy"));
  CHECK(mentions(parse_dmarc("p=reject; v=DMARC1").errors, "not a DMARC record"));
  CHECK(
      mentions(parse_dmarc("v=DMARC1; p=reject; rua=dmarc@example.org").warnings, "not a mailto:"));
  CHECK(mentions(parse_dmarc("v=DMARC1; p=reject; adkim=x").errors, "r or s"));
}

TEST_CASE("two DMARC records mean no DMARC at all") {
  auto selection = select_dmarc({{"v=DMARC1; p=reject"}, {"v=DMARC1; p=none"}, {"other"}});
  CHECK(selection.count == 2);
  REQUIRE(selection.record.has_value());
  CHECK(mentions(selection.record->errors, "apply none"));
  CHECK(select_dmarc({{"v=spf1 -all"}}).count == 0);
}
