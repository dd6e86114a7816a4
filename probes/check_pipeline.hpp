// `check` from options to Report: the pipeline reads top to bottom.
//
//   1. internet, dns   (their own issue; for now skipped with the reason)
//   2. the hosts to walk: a MailHostFinder — the seam where the dns probe will supply the MX
//      exchangers; today target_host_only(), the target host resolved by the client
//   3. every (host, port) conversation at once on one io_context, so the run takes as long as
//      the slowest port, not the sum; --deadline and SIGINT/SIGTERM cancel whatever is in flight
//   4. cross-port findings: STARTTLS offered on one port of a host and not on another
//      (STARTTLS stripping), port 25 filtered while submission connects, a middlebox's SMTP
//      inspection
//   5. the Report; the caller renders it and takes its exit code
#pragma once

#include <asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/report.hpp"
#include "probes/check_options.hpp"
#include "probes/port_conversation.hpp"

namespace smtpdoctor {

// Step 1–2, the seam for the dns probe (its own issue): finds the mail hosts whose ports
// `check` walks, in the order to report them, and reports the internet/dns probes it ran.
struct MailHost {
  std::string host;     // name (SNI, certificate check, report) or address literal
  std::string address;  // resolved already by the dns step; empty: the client resolves `host`
};
struct MailHosts {
  std::vector<MailHost> hosts;
  std::vector<ProbeResult> results;  // internet, dns (skips with their reasons today)
  // When there are no hosts to walk (null MX, the domain does not resolve): the reason the
  // transport probes are reported as skipped.
  std::string transport_skip_reason;
};
using MailHostFinder = std::function<asio::awaitable<MailHosts>(const CheckOptions& options)>;

// Today's finder: the target host itself, which the SMTP client resolves with the system
// resolver (never in tests: they use address literals); internet and dns are skipped with the
// reason. The dns probe replaces it (CheckHooks::find_mail_hosts) with one that returns the MX
// exchangers in preference order — or the implicit MX (RFC 5321 §5.1) — resolved on the same
// io_context, plus its own and the internet probe's results.
asio::awaitable<MailHosts> target_host_only(const CheckOptions& options);

// The ports to check on one host, with their roles.
std::vector<PortPlan> port_plans(const CheckOptions& options, const std::vector<MailHost>& hosts);

struct CheckHooks {
  // Called on the io thread each time a probe finishes (for the progress line).
  std::function<void(const ProbeResult& result, std::size_t done, std::size_t total)> on_probe;
  // Steps 1–2; empty: target_host_only.
  MailHostFinder find_mail_hosts;
  // After step 4: findings of later issues that need every port's outcome (the dns issue's
  // port-25 verdict, egress identity ...).
  std::function<void(Report& report, const std::vector<PortOutcome>& outcomes)> after_ports;
};

// Runs the whole check. Never throws for network trouble: that is in the report.
Report run_check(const CheckOptions& options, const CheckHooks& hooks = {});

// Findings that need more than one port (step 4), added to the report and to the probes
// concerned. Pure, for tests.
void add_cross_port_findings(Report& report, const std::vector<PortOutcome>& outcomes);

}  // namespace smtpdoctor
