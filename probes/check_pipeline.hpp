// `check` from options to Report: the pipeline reads top to bottom.
//
//   1. internet, dns   (their own issue; for now skipped with the reason)
//   2. the hosts to walk: exchanger_hosts() — the seam where the dns probe will supply the MX
//      exchangers; today the target host itself, resolved by the client
//   3. every (host, port) conversation at once on one io_context, so the run takes as long as
//      the slowest port, not the sum; --deadline and SIGINT/SIGTERM cancel whatever is in flight
//   4. cross-port findings: STARTTLS offered on one port of a host and not on another
//      (STARTTLS stripping), port 25 filtered while submission connects, a middlebox's SMTP
//      inspection
//   5. the Report; the caller renders it and takes its exit code
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/report.hpp"
#include "probes/check_options.hpp"
#include "probes/port_conversation.hpp"

namespace smtpdoctor {

// The mail hosts whose ports `check` walks, in the order to report them. The dns probe will
// replace this with the exchangers of the target domain's MX records in preference order (or the
// implicit MX, RFC 5321 §5.1) resolved through its own resolver; until then it is the target
// host, which the SMTP client resolves with the system resolver (never in tests: they use
// address literals).
std::vector<std::string> exchanger_hosts(const CheckOptions& options);

// The ports to check on one host, with their roles.
std::vector<PortPlan> port_plans(const CheckOptions& options,
                                 const std::vector<std::string>& hosts);

struct CheckHooks {
  // Called on the io thread each time a probe finishes (for the progress line).
  std::function<void(const ProbeResult& result, std::size_t done, std::size_t total)> on_probe;
};

// Runs the whole check. Never throws for network trouble: that is in the report.
Report run_check(const CheckOptions& options, const CheckHooks& hooks = {});

// Findings that need more than one port (step 4), added to the report and to the probes
// concerned. Pure, for tests.
void add_cross_port_findings(Report& report, const std::vector<PortOutcome>& outcomes);

}  // namespace smtpdoctor
