// The mta_sts and tlsrpt judgements from what the look-ups, the policy fetch and the tls probe
// found: the verdict by mode, the diagnosis naming the host, the notes for what was not checked.
#include <doctest/doctest.h>

#include <string>

#include "probes/mta_sts_probe.hpp"

using namespace smtpdoctor;

namespace {

MtaStsEvidence evidence_with(const std::string& policy_body, int status = 200,
                             const std::string& content_type = "text/plain") {
  MtaStsEvidence e;
  e.domain = "example.org";
  e.txt_status = DnsStatus::ok;
  e.txt = {{"v=spf1 -all"}, {"v=STSv1; id=42"}};
  e.policy_host_status = DnsStatus::ok;
  HttpsGetResult fetch;
  HttpResponse response;
  response.status = status;
  response.reason = status == 200 ? "OK" : "Moved";
  if (!content_type.empty()) response.headers.push_back({"content-type", content_type});
  response.body = policy_body;
  fetch.response = response;
  e.fetch = fetch;
  e.mx_hosts = std::vector<std::string>{"mx1.example.org", "mx2.example.org"};
  e.mx_tls = {{"mx1.example.org", 25, MxTlsCheck::State::verified, ""},
              {"mx2.example.org", 25, MxTlsCheck::State::failed,
               "the certificate is issued for other.example, not mx2.example.org"}};
  return e;
}

const std::string kEnforce = "version: STSv1\nmode: enforce\nmx: *.example.org\nmax_age: 604800\n";

bool notes_mention(const ProbeResult& r, const std::string& text) {
  if (!r.details.contains("notes")) return false;
  for (const auto& n : r.details["notes"])
    if (n.get<std::string>().find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("enforce: an MX whose certificate does not verify fails, naming the host") {
  ProbeResult r = judge_mta_sts(evidence_with(kEnforce));
  CHECK(r.id == ProbeId::mta_sts);
  CHECK(r.status == ProbeStatus::fail);
  REQUIRE(r.diagnoses.size() == 1);
  CHECK(r.diagnoses[0].rule == "mta-sts-tls-enforce");
  CHECK(r.diagnoses[0].cause.find("In enforce mode, senders will refuse to deliver to "
                                  "mx2.example.org: its certificate does not match") == 0);
  CHECK(r.summary.find("1 of 2 MX hosts") != std::string::npos);
}

TEST_CASE("testing: the same is a warning; none: a note only") {
  auto testing = evidence_with("version: STSv1\nmode: testing\nmx: *.example.org\nmax_age: 86400");
  ProbeResult t = judge_mta_sts(testing);
  CHECK(t.status == ProbeStatus::warn);
  CHECK(t.diagnoses.at(0).rule == "mta-sts-tls-testing");
  ProbeResult n = judge_mta_sts(evidence_with("version: STSv1\nmode: none\nmax_age: 86400"));
  CHECK(n.status == ProbeStatus::ok);
  CHECK(n.diagnoses.empty());
  CHECK(notes_mention(n, "mode none"));
}

TEST_CASE("an MX outside every pattern, no STARTTLS, and ports not checked") {
  auto e = evidence_with("version: STSv1\nmode: enforce\nmx: mx1.example.org\nmax_age: 86400");
  e.mx_tls[1].state = MxTlsCheck::State::no_starttls;
  ProbeResult r = judge_mta_sts(e);
  CHECK(r.status == ProbeStatus::fail);
  REQUIRE(r.diagnoses.size() == 2);
  CHECK(r.diagnoses[0].rule == "mta-sts-mx-not-listed");
  CHECK(r.diagnoses[1].cause.find("it offers no STARTTLS") != std::string::npos);

  auto unchecked = evidence_with(kEnforce);
  unchecked.mx_tls[1] = {"mx2.example.org", 25, MxTlsCheck::State::not_checked,
                         "the port could not be reached"};
  ProbeResult u = judge_mta_sts(unchecked);
  CHECK(u.status == ProbeStatus::ok);
  CHECK(notes_mention(u, "mx2.example.org:25: certificate not checked"));
  CHECK(u.summary.find("1 of 2 MX hosts listed with a valid certificate") != std::string::npos);

  auto walked_nothing = evidence_with(kEnforce);
  walked_nothing.mx_tls.clear();
  walked_nothing.mx_tls_missing = "the dns probe did not run";
  ProbeResult w = judge_mta_sts(walked_nothing);
  CHECK(w.summary.find("0 of 2 MX hosts listed with a valid certificate (certificates not "
                       "checked)") != std::string::npos);
}

TEST_CASE("no record, a redirect, the wrong Content-Type, two records") {
  MtaStsEvidence none;
  none.domain = "example.org";
  none.txt_status = DnsStatus::nxdomain;
  ProbeResult n = judge_mta_sts(none);
  CHECK(n.status == ProbeStatus::ok);
  CHECK(n.summary == "no MTA-STS policy (no _mta-sts TXT record)");

  ProbeResult redirect = judge_mta_sts(evidence_with("", 301));
  CHECK(redirect.status == ProbeStatus::fail);
  CHECK(redirect.diagnoses.at(0).rule == "mta-sts-policy-unavailable");

  ProbeResult html = judge_mta_sts(evidence_with(kEnforce, 200, "text/html; charset=utf-8"));
  CHECK(html.status == ProbeStatus::fail);
  CHECK(html.summary.find("served as \"text/html\", not text/plain") != std::string::npos);

  auto two = evidence_with(kEnforce);
  two.txt.push_back({"v=STSv1; id=43"});
  ProbeResult t = judge_mta_sts(two);
  CHECK(t.status == ProbeStatus::fail);
  CHECK(t.diagnoses.at(0).rule == "mta-sts-record-invalid");
}

TEST_CASE("tlsrpt: valid, invalid, absent") {
  auto ok = judge_tlsrpt("example.org", DnsStatus::ok, {{"v=TLSRPTv1; rua=mailto:r@example.org"}});
  CHECK(ok.status == ProbeStatus::ok);
  CHECK(ok.summary == "reports go to mailto:r@example.org");
  auto bad = judge_tlsrpt("example.org", DnsStatus::ok, {{"v=TLSRPTv1; rua=r@example.org"}});
  CHECK(bad.status == ProbeStatus::warn);
  CHECK(bad.diagnoses.at(0).category == Category::tls_reporting);
  auto none = judge_tlsrpt("example.org", DnsStatus::nodata, {});
  CHECK(none.status == ProbeStatus::ok);
  CHECK(none.summary.find("no TLS-RPT record") == 0);
}
