// dane: DANE for SMTP (RFC 7672). For each MX host and port with the mx role, the TLSA records
// at _PORT._tcp.HOST with their DNSSEC state, matched against the certificate chain the tls
// probe saw; and the MX RRset's own DNSSEC state, since senders apply DANE only to MX hosts
// found through a signed MX lookup (RFC 7672 §2.2.1).
//
// The DNSSEC state is the AD bit of the resolver the run uses (--dns-server, else the system's):
// the way Postfix and Exim learn it, so the report says what those senders would conclude when
// they sit behind the same resolver. A resolver that does not validate never sets AD, and its
// "insecure" then means only "not validated here".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/dns/dns_records.hpp"
#include "core/net/tls_client.hpp"
#include "core/report/report.hpp"

namespace smtpdoctor {

// Everything the judgement reads for one (MX host, port).
struct DaneEvidence {
  ProbeTarget target;     // the tls probe's target: host, port, address
  std::string tlsa_name;  // "_25._tcp.mx.example.org"
  DnsAnswer<TlsaRecord> tlsa;
  // The MX RRset's state when the host is one of the target domain's MX hosts; nullopt when the
  // host was named directly (no MX lookup stands between the sender and it).
  std::optional<DnssecState> mx_dnssec;
  const TlsInfo* tls = nullptr;           // the handshake's facts; nullptr: no TLS session was made
  std::optional<ProbeStatus> tls_status;  // the tls probe's status; nullopt: it did not report
  std::string tls_summary;                // its summary, to say why there was no session
  // Set when the port's conversation never reached TLS because an earlier probe failed: the
  // dane result is skipped with the same reason, as a consequence of that probe.
  std::optional<ProbeId> consequence_of;
  std::string skip_reason;
};

// The dane probe's result for one (host, port): pure, for tests.
ProbeResult judge_dane(const DaneEvidence& evidence);

}  // namespace smtpdoctor
