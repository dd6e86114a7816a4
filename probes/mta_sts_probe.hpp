// The mail transport security policy probes of a mail domain, run after the ports (the step
// check_mail_policy in probes/check_steps.hpp):
//
//   mta_sts  the _mta-sts TXT record (RFC 8461 §3.1), the policy fetched from
//            https://mta-sts.DOMAIN/.well-known/mta-sts.txt (§3.3: certificate verified for
//            mta-sts.DOMAIN, no redirect, 64 KiB, text/plain), parsed (§3.2), then checked the
//            way a sender applies it (§4, §5): every MX host must match an mx pattern and present
//            a certificate that verifies for its own MX name — what the tls probe saw on port
//            25 (or the ports asked for). Enforce: a failure; testing: a warning; none: a note.
//   tlsrpt   the _smtp._tls TXT record (RFC 8460 §3): syntax, and where reports go.
//
// The I/O (DNS, the HTTPS GET) is in run_*; what it found is judged by the pure functions below.
#pragma once

#include <asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dns/mta_sts.hpp"
#include "core/dns/resolver.hpp"
#include "core/net/https_get.hpp"
#include "core/report/report.hpp"

namespace smtpdoctor {

// What the tls probe learned about one MX host's port, as MTA-STS reads it.
struct MxTlsCheck {
  enum class State {
    verified,     // STARTTLS and a certificate that verifies for the MX name
    failed,       // a certificate that does not verify for the MX name (problem says why)
    no_starttls,  // the server offers no STARTTLS
    not_checked,  // the port was not reached or the tls probe did not run (problem says why)
  };
  std::string host;
  std::uint16_t port = 25;
  State state = State::not_checked;
  std::string problem;
};

// Everything the mta_sts probe found, for judge_mta_sts.
struct MtaStsEvidence {
  std::string domain;
  DnsStatus txt_status = DnsStatus::error;
  std::vector<TxtRecord> txt;  // at _mta-sts.DOMAIN
  // Set when a policy fetch was attempted: the policy host's lookup and the GET.
  std::optional<DnsStatus> policy_host_status;
  std::optional<HttpsGetResult> fetch;
  // The MX hosts of the domain (nullopt: not known, the cross-check is skipped) and what the tls
  // probe saw on each of their ports.
  std::optional<std::vector<std::string>> mx_hosts;
  std::vector<MxTlsCheck> mx_tls;
  std::string mx_tls_missing;  // why no MX certificate was looked at, when mx_tls is empty
};

inline constexpr const char* kStsPolicyPath = "/.well-known/mta-sts.txt";
std::string sts_policy_host(const std::string& domain);  // "mta-sts." + domain
std::string sts_policy_url(const std::string& domain);

struct MtaStsProbeOptions {
  std::string domain;
  std::string ca_file;
  IpFamily family = IpFamily::any;
  std::chrono::milliseconds timeout{10000};
  RunControl* control = nullptr;
};

// The DNS and HTTPS half: fills everything but the MX fields of the evidence.
asio::awaitable<MtaStsEvidence> gather_mta_sts(Resolver& resolver, MtaStsProbeOptions options);

// The mta_sts result: status, summary, details, diagnoses.
ProbeResult judge_mta_sts(const MtaStsEvidence& evidence);

// The tlsrpt result from the _smtp._tls TXT answer.
ProbeResult judge_tlsrpt(const std::string& domain, DnsStatus status,
                         const std::vector<TxtRecord>& txt);

}  // namespace smtpdoctor
