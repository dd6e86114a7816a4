// The steps of one target's `check`, in the order probes/check_pipeline.cpp runs them. Each is a
// coroutine (or a pure function) over the shared CheckRun: it reads the typed results of the
// steps before it and adds its probe results and diagnoses to the report.
#pragma once

#include <asio/awaitable.hpp>
#include <vector>

#include "core/diagnosis/port25_verdict.hpp"
#include "probes/check_run.hpp"
#include "probes/credentials_probe.hpp"
#include "probes/dns_probe.hpp"

namespace smtpdoctor {

// 1. Can this machine reach the outside at all (skipped with --offline).
asio::awaitable<void> check_internet(CheckRun& run);
// 2. The hosts to walk: the target domain's exchangers in preference order (up to --mx-limit),
//    the implicit MX, or the target host itself; or why there are none (null MX, DNS failure).
asio::awaitable<void> find_mail_hosts(CheckRun& run);
// 3. Every (host, port) conversation at once, so the run takes as long as the slowest port.
asio::awaitable<void> walk_ports(CheckRun& run);
// 3b. The mail domain's transport security policy: MTA-STS (against the MX certificates the
//     ports showed) and TLS-RPT (probes/mta_sts_probe.hpp).
asio::awaitable<void> check_mail_policy(CheckRun& run);
// 3c. DANE (RFC 7672): each MX host's TLSA records, with their DNSSEC state, against the
//     certificate chain its tls probe saw (probes/dane_probe.cpp).
asio::awaitable<void> check_dane(CheckRun& run);
// 4. Findings that need more than one port: STARTTLS stripping, a middlebox.
void add_cross_port_findings(CheckRun& run);
// 5. Is outbound port 25 blocked by our network, or is the server not listening — asking
//    well-known reference MX hosts when only they can tell (never with --offline).
asio::awaitable<void> judge_port25(CheckRun& run);
// 6. The address we send from, as the servers echoed it: PTR and DNS blocklists.
asio::awaitable<void> check_egress(CheckRun& run);
// 7. One name-consistency finding per mail host: banner, EHLO, PTR and certificate names.
void add_name_consistency(CheckRun& run);
// 8. When SMTP AUTH refused the login and --pop/--imap was given, the same login there.
asio::awaitable<void> compare_credentials(CheckRun& run);

// Pure pieces, for tests.

// The address of `exchanger` to connect to in `family`; empty: none of that family.
std::string pick_address(const Exchanger& exchanger, IpFamily family);
// The ports to check on each host, with their roles.
std::vector<PortPlan> port_plans(const CheckOptions& options, const std::vector<MailHost>& hosts);
// The tcp outcome of every port that ran, as the port-25 verdict reads them.
std::vector<PortAttempt> port_attempts(const std::vector<PortOutcome>& outcomes);
// SMTP AUTH's result: ok, rejected, or not tried (no credentials, no AUTH offered).
SmtpLogin smtp_login_from(const std::vector<PortOutcome>& outcomes);
// Adds the verdicts `evidence` supports, except what the tcp probe said already.
void add_port25_verdicts(CheckRun& run, const Port25Evidence& evidence);

}  // namespace smtpdoctor
