// `check --submission user@example.org`: which server should this address's mail program send
// through? RFC 6186 SRV records first (_submissions._tcp for implicit TLS, _submission._tcp for
// STARTTLS; RFC 8314 §5.1 prefers the first), else the names providers conventionally use
// (smtp.DOMAIN, mail.DOMAIN) on the submission ports — the report says which. The servers found
// replace the MX hosts for the transport probes; afterwards mail_program_settings() turns what
// worked into the settings block.
#pragma once

#include <asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dns/dns_records.hpp"
#include "core/report/report.hpp"
#include "probes/check_run.hpp"

namespace smtpdoctor {

struct SubmissionServer {
  std::string host;  // without the trailing dot
  std::uint16_t port = 0;
  PortRole role = PortRole::submission;  // implicit_tls for _submissions, STARTTLS otherwise
  std::string found_by;  // "SRV record _submissions._tcp.example.org", "the usual name ..."
};

// The servers two SRV answers name, in the order to try them: by priority across both services
// (RFC 6186 §3.4), implicit TLS first among equals (RFC 8314 §5.1), then by weight; "." targets
// (the service is not offered) left out, and each host:port once.
std::vector<SubmissionServer> servers_from_srv(const std::string& domain,
                                               const DnsAnswer<SrvRecord>& submissions,
                                               const DnsAnswer<SrvRecord>& submission);

// smtp.DOMAIN and mail.DOMAIN, the names to try when no SRV record exists.
std::vector<std::string> usual_submission_names(const std::string& domain);

// Step 2 with --submission, in place of find_mail_hosts: one dns result for the domain saying
// what was found and how, one per host found (its addresses), and run.hosts with each host's
// own ports.
asio::awaitable<void> find_submission_servers(CheckRun& run);

// The settings block: the first server (in the order found) whose connection, greeting and
// verified TLS worked, preferring one whose login was proven; nullopt without --submission.
std::optional<MailProgramSettings> mail_program_settings(const CheckRun& run);

}  // namespace smtpdoctor
