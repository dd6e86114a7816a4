// The dane probe's judgement (probes/dane_probe.hpp) for what the integration test cannot set up
// with one server: records only a PKIX client would use, DANE-TA, an unsigned MX RRset, no TLS.
#include <doctest/doctest.h>

#include "probes/dane_probe.hpp"
#include "tests/unit/dane_certificates.hpp"

namespace smtpdoctor {
namespace {

struct Case {
  Case() {
    tls.peer_chain = {der_from_pem("leaf"), der_from_pem("ca")};
    tls.verified = true;
    tls.hostname_match = true;
    tls.verify_host = "mx.dane.test";
    evidence.target = {"mx.dane.test", 25, "127.0.0.1"};
    evidence.tlsa_name = "_25._tcp.mx.dane.test";
    evidence.tlsa.status = DnsStatus::ok;
    evidence.tlsa.dnssec = DnssecState::secure;
    evidence.mx_dnssec = DnssecState::secure;
    evidence.tls = &tls;
    evidence.tls_status = ProbeStatus::ok;
  }
  ProbeResult judge(std::vector<TlsaRecord> records) {
    evidence.tlsa.records = std::move(records);
    return judge_dane(evidence);
  }
  TlsInfo tls;
  DaneEvidence evidence;
  std::map<std::tuple<std::string, int, int>, std::string> table = expected();
};

std::string rules(const ProbeResult& result) {
  std::string out;
  for (const auto& d : result.diagnoses) out += d.rule + " ";
  return out;
}

}  // namespace

TEST_CASE(
    "a DANE-TA record for the CA the server sends is ok when the certificate names the host") {
  Case c;
  ProbeResult result = c.judge({tlsa(2, 0, 1, c.table[{"ca", 0, 1}])});
  CHECK(result.status == ProbeStatus::ok);
  CHECK(result.summary.find("DANE-TA record 2 0 1") == 0);
  CHECK(result.details["records"][0]["matched_depth"] == 1);
}

TEST_CASE("a DANE-TA match with a certificate for another name fails: senders check the name") {
  Case c;
  c.tls.hostname_match = false;
  ProbeResult result = c.judge({tlsa(2, 1, 1, c.table[{"ca", 1, 1}])});
  CHECK(result.status == ProbeStatus::fail);
  CHECK(rules(result) == "dane-ta-name-mismatch ");
  // The fix offers the DANE-EE record that needs no name.
  CHECK(result.diagnoses[0].fix.find("3 1 1 " + c.table[{"leaf", 1, 1}]) != std::string::npos);
}

TEST_CASE("only PKIX records: senders require TLS but cannot authenticate, a warning") {
  Case c;
  ProbeResult result = c.judge({tlsa(1, 1, 1, c.table[{"leaf", 1, 1}])});
  CHECK(result.status == ProbeStatus::warn);
  CHECK(result.summary.find("no TLSA record is usable for SMTP") == 0);
  CHECK(result.details["records"][0]["usable"] == false);
}

TEST_CASE("an unsigned MX RRset makes a mismatch a warning: no sender enforces it yet") {
  Case c;
  c.evidence.mx_dnssec = DnssecState::insecure;
  ProbeResult result = c.judge({tlsa(3, 1, 1, c.table[{"other", 1, 1}])});
  CHECK(result.status == ProbeStatus::warn);
  CHECK(rules(result) == "dane-mismatch ");
  CHECK(result.details["notes"][0].get<std::string>().find("RFC 7672 §2.2.1") != std::string::npos);
}

TEST_CASE("signed records and a failed TLS handshake: DANE senders defer, after tls's failure") {
  Case c;
  c.evidence.tls = nullptr;
  c.evidence.tls_status = ProbeStatus::fail;
  ProbeResult result = c.judge({tlsa(3, 1, 1, c.table[{"leaf", 1, 1}])});
  CHECK(result.status == ProbeStatus::fail);
  CHECK(result.consequence_of == ProbeId::tls);
  CHECK(rules(result) == "dane-without-tls ");
}

TEST_CASE("signed records and no tls probe: nothing to match, skipped") {
  Case c;
  c.evidence.tls = nullptr;
  c.evidence.tls_status = ProbeStatus::skip;
  c.evidence.tls_summary = "skipped: tcp failed";
  ProbeResult result = c.judge({tlsa(3, 1, 1, c.table[{"leaf", 1, 1}])});
  CHECK(result.status == ProbeStatus::skip);
  CHECK(result.skip_reason.find("the tls probe did not run") != std::string::npos);
}

TEST_CASE("a TLSA lookup that times out is a warning: senders defer to signed domains") {
  Case c;
  c.evidence.tlsa.status = DnsStatus::timeout;
  c.evidence.tlsa.dnssec = DnssecState::unknown;
  c.evidence.tlsa.detail = "TLSA lookup of _25._tcp.mx.dane.test: no answer";
  ProbeResult result = judge_dane(c.evidence);
  CHECK(result.status == ProbeStatus::warn);
  CHECK(result.summary == "TLSA lookup of _25._tcp.mx.dane.test: no answer");
  CHECK(result.details["notes"][0].get<std::string>().find("defers mail") != std::string::npos);
}

}  // namespace smtpdoctor
