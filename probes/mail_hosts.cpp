// Steps 1 and 2 of `check`: can we reach the outside, and which mail hosts to walk. The internet
// probe runs unless --offline; the dns probe runs unless the target is an address literal or no
// resolver may be used (--offline without --dns-server). With no dns step the target host itself
// is walked, resolved by the SMTP client.
#include <asio/awaitable.hpp>

#include "core/dns/resolver.hpp"
#include "probes/check_steps.hpp"
#include "probes/dns_probe.hpp"
#include "probes/internet_probe.hpp"
#include "probes/submission_discovery.hpp"

namespace smtpdoctor {
namespace {

ProbeResult skip_result(ProbeId id, const std::string& host, std::string reason) {
  ProbeResult r;
  r.id = id;
  r.target.host = host;
  r.status = ProbeStatus::skip;
  r.skip_reason = std::move(reason);
  r.summary = "skipped: " + r.skip_reason;
  return r;
}

std::string not_selected(const CheckOptions& options, ProbeId id) {
  return options.skip.count(id) ? "--skip " + std::string(probe_name(id))
                                : std::string("not selected by --only");
}

}  // namespace

std::string pick_address(const Exchanger& e, IpFamily family) {
  for (const auto& a : e.addresses) {
    bool v6 = a.address.find(':') != std::string::npos;
    if (family == IpFamily::any || (family == IpFamily::v6) == v6) return a.address;
  }
  return {};
}

asio::awaitable<void> check_internet(CheckRun& run) {
  const CheckOptions& options = run.options;
  const std::string& host = options.target.host;
  if (!options.wants(ProbeId::internet)) {
    run.add(skip_result(ProbeId::internet, host, not_selected(options, ProbeId::internet)));
    co_return;
  }
  if (options.offline) {
    run.add(skip_result(ProbeId::internet, host,
                        "--offline: nothing outside the named target is contacted"));
    co_return;
  }
  if (!run.resolver) {
    run.add(
        skip_result(ProbeId::internet, host, "cannot start the resolver: " + run.resolver_error));
    co_return;
  }
  if (run.control.stopped()) {
    run.add(skip_result(ProbeId::internet, host, run.control.stop_reason()));
    co_return;
  }
  const MailPathOptions& mail_path = options.mail_path;
  InternetProbeOptions internet;
  if (!mail_path.reachability_targets.empty()) internet.targets = mail_path.reachability_targets;
  if (!mail_path.reachability_name.empty()) internet.name = mail_path.reachability_name;
  if (options.timeout) internet.connect_timeout = *options.timeout;
  internet.control = &run.control;
  auto outcome = co_await run_internet_probe(*run.resolver, internet);
  run.internet_ok = outcome.connects();
  run.add(std::move(outcome.result));
}

asio::awaitable<void> find_mail_hosts(CheckRun& run) {
  const CheckOptions& options = run.options;
  if (options.submission) {
    co_await find_submission_servers(run);
    co_return;
  }
  const std::string& host = options.target.host;
  // Without a dns step the target itself is walked, resolved by the SMTP client.
  run.hosts = {MailHost{host, ""}};
  if (!options.wants(ProbeId::dns)) {
    run.add(skip_result(ProbeId::dns, host, not_selected(options, ProbeId::dns)));
    co_return;
  }
  if (options.target.is_ip_literal) {
    run.add(skip_result(ProbeId::dns, host, "the target is an IP address: no MX to look up"));
    co_return;
  }
  if (options.offline && options.mail_path.dns_servers.empty()) {
    run.add(skip_result(ProbeId::dns, host,
                        "--offline: no resolver of our own (name one with --dns-server to "
                        "check DNS)"));
    co_return;
  }
  if (!run.resolver) {
    ProbeResult failed;
    failed.id = ProbeId::dns;
    failed.target.host = host;
    failed.status = ProbeStatus::fail;
    failed.summary = "cannot start the resolver: " + run.resolver_error;
    run.add(std::move(failed));
    co_return;
  }
  if (run.control.stopped()) {
    run.add(skip_result(ProbeId::dns, host, run.control.stop_reason()));
    co_return;
  }
  // user@domain is a mail domain; a host with a port, or one named by --server (the target text
  // is then something else, e.g. the user@domain recipient), is a server's name; a bare name is
  // a mail domain when it has MX records, else a server's name.
  const bool named_server =
      !options.target.from_address && !options.target_text.empty() && options.target_text != host;
  DnsProbeOptions dns;
  dns.domain = host;
  dns.mx_limit = options.mail_path.mx_limit;
  dns.mail_domain = options.target.from_address || (!options.target.port && !named_server);
  auto outcome = co_await run_dns_probe(*run.resolver, dns);
  if (!options.target.from_address && dns.mail_domain && outcome.mx_status == DnsStatus::nodata) {
    dns.mail_domain = false;
    outcome = co_await run_dns_probe(*run.resolver, dns);
  }
  run.mail_domain = dns.mail_domain;
  for (const auto& e : outcome.exchangers)
    for (const auto& a : e.addresses) run.ptr_names.push_back({a.address, a.ptr_names});
  run.hosts.clear();
  if (!outcome.deliverable) {
    for (const auto& r : outcome.results)
      if (r.status == ProbeStatus::fail) {
        run.transport_skip_reason = "dns failed: " + r.summary;
        break;
      }
    if (run.transport_skip_reason.empty()) run.transport_skip_reason = "dns failed";
  } else {
    for (const auto& e : outcome.exchangers)
      run.hosts.push_back({e.host, pick_address(e, options.family)});
  }
  for (auto& r : outcome.results) run.add(std::move(r));
}

}  // namespace smtpdoctor
