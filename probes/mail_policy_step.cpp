// Step 3b of `check`: the mail transport security policy of a mail domain — the mta_sts and
// tlsrpt probes (probes/mta_sts_probe.hpp). After the ports, because MTA-STS is judged against
// the certificates the tls probe saw on the MX hosts. Like the dns probe, it needs a resolver of
// our own: under --offline only when --dns-server names one (the policy host is then resolved by
// that server, and only what it answers is contacted).
#include <algorithm>
#include <asio/awaitable.hpp>

#include "core/base/ascii.hpp"
#include "core/dns/dns_name.hpp"
#include "probes/check_steps.hpp"
#include "probes/mta_sts_probe.hpp"

namespace smtpdoctor {
namespace {

constexpr std::array<ProbeId, 2> kPolicyProbes{ProbeId::mta_sts, ProbeId::tlsrpt};

std::string not_selected(const CheckOptions& options, ProbeId id) {
  return options.skip.count(id) ? "--skip " + std::string(probe_name(id))
                                : std::string("not selected by --only");
}

ProbeResult skipped(ProbeId id, const std::string& host, std::string reason) {
  ProbeResult r;
  r.id = id;
  r.target.host = host;
  r.status = ProbeStatus::skip;
  r.skip_reason = std::move(reason);
  r.summary = "skipped: " + r.skip_reason;
  return r;
}

// Why the policy probes cannot run for this target at all; empty when they can.
std::string not_applicable(const CheckRun& run) {
  const CheckOptions& options = run.options;
  if (options.target.is_ip_literal) return "the target is an IP address, not a mail domain";
  if (options.submission)
    return "--submission checks the outgoing server; the policy is for mail to the domain";
  if (run.mail_domain && !*run.mail_domain)
    return options.target.host + " is looked up as a server's name, not a mail domain";
  if (!run.mail_domain) {
    // The dns step did not run: the target's form alone says what it is (see find_mail_hosts).
    const bool named_server = !options.target.from_address && !options.target_text.empty() &&
                              options.target_text != options.target.host;
    if (!options.target.from_address && (options.target.port || named_server))
      return "the target is a server's name, not a mail domain";
  }
  if (options.offline && options.mail_path.dns_servers.empty())
    return "--offline: no resolver of our own (name one with --dns-server to check the policy)";
  if (!run.resolver) return "cannot start the resolver: " + run.resolver_error;
  if (run.control.stopped()) return run.control.stop_reason();
  return {};
}

// The ports whose certificates MTA-STS judges: 25, which senders use, when it was checked;
// otherwise every port asked for (a test server on a high port, --port 2525).
bool judged_port(const CheckOptions& options, std::uint16_t port) {
  const bool has_25 =
      std::find(options.ports.begin(), options.ports.end(), 25) != options.ports.end();
  return !has_25 || port == 25;
}

MxTlsCheck mx_tls_check(const PortOutcome& outcome) {
  MxTlsCheck check;
  check.host = outcome.plan.host;
  check.port = outcome.plan.port;
  if (outcome.tls) {
    const TlsInfo& tls = *outcome.tls;
    if (!ascii::iequals(without_trailing_dot(tls.verify_host), without_trailing_dot(check.host))) {
      check.problem = "the tls probe checked the certificate for " + tls.verify_host +
                      " (--tls-sni/--tls-verify-name), not for the MX name";
      return check;
    }
    check.state = tls.verified ? MxTlsCheck::State::verified : MxTlsCheck::State::failed;
    if (!tls.verified) check.problem = verification_problem(tls);
    return check;
  }
  if (!outcome.tcp) {
    check.problem = "the tls probe did not run";
  } else if (*outcome.tcp != TcpOutcome::connected) {
    check.problem = "the port could not be reached";
  } else if (!outcome.plan.implicit_tls() && outcome.before_tls && !outcome.before_tls->starttls) {
    check.state = MxTlsCheck::State::no_starttls;
  } else {
    check.problem = "the TLS handshake did not complete; the tls probe says why";
  }
  return check;
}

}  // namespace

asio::awaitable<void> check_mail_policy(CheckRun& run) {
  const CheckOptions& options = run.options;
  const std::string& domain = options.target.host;
  std::string reason = not_applicable(run);
  const bool want_sts = options.wants(ProbeId::mta_sts);
  const bool want_rpt = options.wants(ProbeId::tlsrpt);
  if (!reason.empty() || (!want_sts && !want_rpt)) {
    for (ProbeId id : kPolicyProbes) {
      run.add(skipped(id, domain, options.wants(id) ? reason : not_selected(options, id)));
    }
    co_return;
  }
  Resolver& resolver = *run.resolver;

  if (!want_sts) {
    run.add(skipped(ProbeId::mta_sts, domain, not_selected(options, ProbeId::mta_sts)));
  } else {
    MtaStsProbeOptions sts;
    sts.domain = domain;
    sts.ca_file = options.ca_file;
    sts.family = options.family;
    if (options.timeout) sts.timeout = *options.timeout;
    sts.control = &run.control;
    MtaStsEvidence evidence = co_await gather_mta_sts(resolver, sts);
    if (run.mail_domain) {
      // The dns step's exchangers, and what the ports said of each.
      std::vector<std::string> mx;
      for (const auto& host : run.hosts) mx.push_back(host.host);
      if (!run.transport_skip_reason.empty()) mx.clear();
      evidence.mx_hosts = std::move(mx);
      for (const auto& outcome : run.ports)
        if (judged_port(options, outcome.plan.port))
          evidence.mx_tls.push_back(mx_tls_check(outcome));
      if (evidence.mx_tls.empty()) evidence.mx_tls_missing = "no MX port was checked";
    } else {
      // No dns step (--skip dns): the MX names from our own look-up; the ports walked were the
      // target itself, not the exchangers, so no certificate speaks for them.
      auto mx = co_await resolver.mx(domain);
      if (mx.status == DnsStatus::ok) {
        std::vector<std::string> names;
        for (const auto& record : mx.records)
          if (!record.is_null()) names.push_back(without_trailing_dot(record.exchange));
        evidence.mx_hosts = std::move(names);
      }
      evidence.mx_tls_missing = "the dns probe did not run, so the MX hosts were not walked";
    }
    run.add(judge_mta_sts(evidence));
  }

  if (!want_rpt) {
    run.add(skipped(ProbeId::tlsrpt, domain, not_selected(options, ProbeId::tlsrpt)));
  } else if (run.control.stopped()) {
    run.add(skipped(ProbeId::tlsrpt, domain, run.control.stop_reason()));
  } else {
    auto txt = co_await resolver.txt("_smtp._tls." + domain);
    run.add(judge_tlsrpt(domain, txt.status, txt.records));
  }
}

}  // namespace smtpdoctor
