// Issue 5 inside `check`: the steps around the transport probes, as two calls for
// probes/check_pipeline.cpp.
//
//   1. before the ports: plan_mail_path() runs the internet probe (unless --offline) and the
//      dns probe, and says which hosts (and addresses) the transport probes walk — the target
//      domain's exchangers in preference order, up to --mx-limit — or why they cannot run
//      (null MX, the domain does not resolve);
//   2. after the ports: add_mail_path_findings() adds what needs their outcomes — the port-25
//      verdict, the egress address echoed by the servers (PTR, DNS blocklists), one
//      name-consistency finding per exchanger, and the POP3/IMAP credential comparison when
//      SMTP AUTH refused the login and --pop/--imap was given.
//
// Each runs on its own io_context and is bounded by the resolver's and the connects' deadlines.
#pragma once

#include <asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/port25_verdict.hpp"
#include "core/report.hpp"
#include "probes/check_options.hpp"
#include "probes/credentials_probe.hpp"
#include "probes/mail_path_options.hpp"
#include "probes/port_conversation.hpp"

namespace smtpdoctor {

struct MailPathHost {
  std::string host;     // the exchanger's name (SNI, certificate check, report)
  std::string address;  // the address our resolver found for it; empty: let the client resolve
};

struct MailPathPlan {
  // internet, then dns (domain first, then each exchanger). Always one result per probe at least:
  // a probe that did not run is there as a skip with the reason (--offline, --skip, IP target).
  std::vector<ProbeResult> results;
  // The hosts to walk. Empty: keep the pipeline's own choice (the target host).
  std::vector<MailPathHost> hosts;
  // Non-empty: the transport probes cannot run (null MX, DNS failure); skip them with this.
  std::string transport_skip_reason;
  std::optional<bool> internet_ok;  // nullopt: the internet probe did not run
  // address -> PTR names, from the dns probe, for the name-consistency finding.
  std::vector<std::pair<std::string, std::vector<std::string>>> ptr_names;
};

// Step 1 on the caller's io_context (for CheckHooks::find_mail_hosts), and the same on an
// io_context of its own.
asio::awaitable<MailPathPlan> find_mail_path(const CheckOptions& options,
                                             const MailPathOptions& mail_path);
MailPathPlan plan_mail_path(const CheckOptions& options, const MailPathOptions& mail_path);

void add_mail_path_findings(Report& report, const std::vector<PortOutcome>& outcomes,
                            const MailPathPlan& plan, const CheckOptions& options,
                            const MailPathOptions& mail_path);

// Pure pieces of step 2, for tests.

// The tcp outcomes of every port, as the port-25 verdict reads them.
std::vector<PortAttempt> port_attempts(const std::vector<PortOutcome>& outcomes);
// SMTP AUTH's result in the auth probe: ok, rejected, or not tried (no credentials, no AUTH).
SmtpLogin smtp_login_from(const std::vector<PortOutcome>& outcomes);

}  // namespace smtpdoctor
