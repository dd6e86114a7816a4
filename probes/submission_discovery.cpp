#include "probes/submission_discovery.hpp"

#include <algorithm>
#include <chrono>

#include "core/dns/resolver.hpp"
#include "core/net/concurrently.hpp"
#include "probes/check_steps.hpp"
#include "probes/dns_probe.hpp"
#include "probes/port_session.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

using Clock = std::chrono::steady_clock;

std::string without_dot(std::string name) {
  if (name.size() > 1 && name.back() == '.') name.pop_back();
  return name;
}

std::string security_name(PortRole role) {
  return role == PortRole::implicit_tls ? "SSL/TLS" : "STARTTLS";
}

// A failed look-up, as opposed to an answer that there are no such records.
bool lookup_failed(DnsStatus status) {
  return status != DnsStatus::ok && status != DnsStatus::nodata && status != DnsStatus::nxdomain;
}

template <typename T>
asio::awaitable<void> store(asio::awaitable<DnsAnswer<T>> lookup, DnsAnswer<T>& out) {
  out = co_await std::move(lookup);
}

asio::awaitable<void> probe_host(Resolver& resolver, DnsProbeOptions options,
                                 DnsProbeOutcome& out) {
  out = co_await run_dns_probe(resolver, std::move(options));
}

Details srv_json(const DnsAnswer<SrvRecord>& answer) {
  Details j = Details::object();
  j["status"] = dns_status_name(answer.status);
  j["records"] = Details::array();
  for (const auto& r : answer.records)
    j["records"].push_back(
        {{"priority", r.priority}, {"weight", r.weight}, {"port", r.port}, {"target", r.target}});
  return j;
}

ProbeResult domain_result(const std::string& domain) {
  ProbeResult r;
  r.id = ProbeId::dns;
  r.target.host = domain;
  return r;
}

void skip_discovery(CheckRun& run, std::string reason) {
  ProbeResult r = domain_result(run.options.target.host);
  r.status = ProbeStatus::skip;
  r.skip_reason = reason;
  r.summary = "skipped: " + reason;
  run.transport_skip_reason = "--submission could not look for a server: " + reason;
  run.add(std::move(r));
}

void not_found(ProbeResult& r, const std::string& domain, const std::string& names) {
  r.status = ProbeStatus::fail;
  Evidence ev;
  ev.stage = Stage::resolve;
  ev.finding = Finding::submission_not_found;
  ev.add_fact("domain", domain);
  ev.add_fact("names", names);
  r.diagnoses.push_back(diagnose(ev));
}

std::string list_servers(const std::vector<SubmissionServer>& servers) {
  std::string out;
  for (const auto& s : servers) {
    if (!out.empty()) out += ", ";
    out += s.host + ":" + std::to_string(s.port) + " (" + security_name(s.role) + ")";
  }
  return out;
}

}  // namespace

std::vector<SubmissionServer> servers_from_srv(const std::string& domain,
                                               const DnsAnswer<SrvRecord>& submissions,
                                               const DnsAnswer<SrvRecord>& submission) {
  struct Candidate {
    SrvRecord record;
    PortRole role;
  };
  std::vector<Candidate> all;
  for (const auto& r : submissions.records)
    if (!r.is_null()) all.push_back({r, PortRole::implicit_tls});
  for (const auto& r : submission.records)
    if (!r.is_null()) all.push_back({r, PortRole::submission});
  std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    if (a.record.priority != b.record.priority) return a.record.priority < b.record.priority;
    bool a_tls = a.role == PortRole::implicit_tls, b_tls = b.role == PortRole::implicit_tls;
    if (a_tls != b_tls) return a_tls;
    return a.record.weight > b.record.weight;
  });
  std::vector<SubmissionServer> servers;
  for (const auto& c : all) {
    std::string host = without_dot(c.record.target);
    bool seen = std::any_of(servers.begin(), servers.end(), [&](const SubmissionServer& s) {
      return s.port == c.record.port && s.host == host;
    });
    if (seen || c.record.port == 0) continue;
    std::string service = c.role == PortRole::implicit_tls ? "_submissions" : "_submission";
    servers.push_back({host, c.record.port, c.role, "SRV record " + service + "._tcp." + domain});
  }
  return servers;
}

std::vector<std::string> usual_submission_names(const std::string& domain) {
  return {"smtp." + domain, "mail." + domain};
}

asio::awaitable<void> find_submission_servers(CheckRun& run) {
  const CheckOptions& options = run.options;
  const std::string domain = options.target.host;
  run.hosts.clear();
  if (!options.wants(ProbeId::dns)) {
    skip_discovery(run, "the dns probe is not selected, and --submission needs it");
    co_return;
  }
  if (options.offline && options.mail_path.dns_servers.empty()) {
    skip_discovery(run, "--offline: no resolver of our own (name one with --dns-server)");
    co_return;
  }
  if (!run.resolver) {
    ProbeResult failed = domain_result(domain);
    failed.status = ProbeStatus::fail;
    failed.summary = "cannot start the resolver: " + run.resolver_error;
    run.transport_skip_reason = "dns failed: " + failed.summary;
    run.add(std::move(failed));
    co_return;
  }
  if (run.control.stopped()) {
    skip_discovery(run, run.control.stop_reason());
    co_return;
  }
  Resolver& resolver = *run.resolver;
  const auto start = Clock::now();
  ProbeResult r = domain_result(domain);

  // 1. RFC 6186: both services at once.
  DnsAnswer<SrvRecord> implicit, starttls;
  {
    std::vector<asio::awaitable<void>> lookups;
    lookups.push_back(store(resolver.srv("_submissions._tcp." + domain), implicit));
    lookups.push_back(store(resolver.srv("_submission._tcp." + domain), starttls));
    co_await run_concurrently(std::move(lookups));
  }
  Details srv = Details::object();
  srv["_submissions._tcp." + domain] = srv_json(implicit);
  srv["_submission._tcp." + domain] = srv_json(starttls);
  r.details["srv"] = std::move(srv);
  std::vector<SubmissionServer> servers = servers_from_srv(domain, implicit, starttls);

  if (servers.empty()) {
    const DnsAnswer<SrvRecord>& broken = lookup_failed(implicit.status) ? implicit : starttls;
    const bool explicitly_none = implicit.ok() && starttls.ok();  // only "." targets
    if (lookup_failed(broken.status)) {
      // Not knowing is not "there are none": say the look-up failed instead of guessing names.
      r.status = ProbeStatus::fail;
      r.summary = "the SRV look-up for the submission server failed: " +
                  std::string(dns_status_name(broken.status)) +
                  (broken.detail.empty() ? "" : " (" + broken.detail + ")");
      r.diagnoses.push_back(dns_lookup_diagnosis(broken.status, r.summary));
    } else if (explicitly_none) {
      r.summary = "the SRV records of " + domain +
                  " say it offers no submission service (target \".\", RFC 6186 §3.4)";
      not_found(r, domain, "none tried: the domain says there is no such service");
    } else {
      // 2. No SRV: the names providers conventionally use, those that exist.
      std::vector<std::string> names = usual_submission_names(domain);
      std::vector<DnsAnswer<AddressRecord>> v4(names.size()), v6(names.size());
      std::vector<asio::awaitable<void>> lookups;
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (options.family != IpFamily::v6) lookups.push_back(store(resolver.a(names[i]), v4[i]));
        if (options.family != IpFamily::v4)
          lookups.push_back(store(resolver.aaaa(names[i]), v6[i]));
      }
      co_await run_concurrently(std::move(lookups));
      std::string tried;
      for (std::size_t i = 0; i < names.size(); ++i) {
        tried += (tried.empty() ? "" : ", ") + names[i];
        if (!v4[i].ok() && !v6[i].ok()) continue;
        for (auto port : options.ports)
          servers.push_back({names[i], port, options.role_of(port),
                             "the usual name " + names[i] + " (no SRV records)"});
      }
      add_note(r,
               "no _submissions._tcp or _submission._tcp SRV records (RFC 6186): mail programs "
               "that look for them will not find the server by themselves");
      if (servers.empty()) {
        r.summary = "no SRV records, and none of the usual names exists (" + tried + ")";
        not_found(r, domain, tried);
      } else {
        r.summary = "no SRV records (RFC 6186); trying the usual names: " + list_servers(servers);
      }
    }
  } else {
    r.summary = "submission servers from SRV records: " + list_servers(servers);
  }
  Details found = Details::array();
  for (const auto& s : servers)
    found.push_back({{"host", s.host},
                     {"port", s.port},
                     {"security", security_name(s.role)},
                     {"found_by", s.found_by}});
  r.details["submission_servers"] = std::move(found);
  r.duration = elapsed_since(start);
  if (servers.empty()) {
    run.transport_skip_reason = "no submission server found: " + r.summary;
    run.add(std::move(r));
    co_return;
  }
  run.add(std::move(r));

  // 3. Each host's addresses (and PTR), all at once; the ports stay the ones found for it.
  std::vector<std::string> hosts;
  for (const auto& s : servers)
    if (std::find(hosts.begin(), hosts.end(), s.host) == hosts.end()) hosts.push_back(s.host);
  std::vector<DnsProbeOutcome> outcomes(hosts.size());
  {
    std::vector<asio::awaitable<void>> lookups;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      DnsProbeOptions dns;
      dns.domain = hosts[i];
      dns.mail_domain = false;
      lookups.push_back(probe_host(resolver, std::move(dns), outcomes[i]));
    }
    co_await run_concurrently(std::move(lookups));
  }
  std::string unresolved;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    DnsProbeOutcome& outcome = outcomes[i];
    for (const auto& e : outcome.exchangers)
      for (const auto& a : e.addresses) run.ptr_names.push_back({a.address, a.ptr_names});
    std::string address =
        outcome.exchangers.empty() ? "" : pick_address(outcome.exchangers.front(), options.family);
    if (outcome.deliverable && !address.empty()) {
      MailHost host{hosts[i], address, {}};
      for (const auto& s : servers)
        if (s.host == hosts[i]) host.ports.push_back({s.port, s.role, s.found_by});
      run.hosts.push_back(std::move(host));
    } else {
      unresolved += (unresolved.empty() ? "" : ", ") + hosts[i];
    }
    for (auto& result : outcome.results) run.add(std::move(result));
  }
  if (run.hosts.empty()) run.transport_skip_reason = "dns failed: no address for " + unresolved;
}

std::optional<MailProgramSettings> mail_program_settings(const CheckRun& run) {
  if (!run.options.submission) return std::nullopt;
  MailProgramSettings settings;
  const PortOutcome* best = nullptr;
  const PortOutcome* insecure = nullptr;
  for (const auto& port : run.ports) {
    bool greeted =
        port.tcp == TcpOutcome::connected && port.greeting && port.greeting->reply.code == 220;
    if (!greeted) continue;
    if (!port.tls || !port.tls->verified) {
      if (!insecure) insecure = &port;
      continue;
    }
    if (port.login && !port.login->accepted) continue;  // this server refused the login
    if (!best || (port.login && !best->login)) best = &port;
    if (port.login) break;  // a proven login: nothing better to find
  }
  if (!best) {
    settings.note = insecure ? "No server found worked with verified TLS (" + insecure->plan.host +
                                   ":" + std::to_string(insecure->plan.port) +
                                   " answered, without it): see the findings above before "
                                   "sending a password to it."
                             : "No server found worked: see the findings above.";
    return settings;
  }
  settings.found = true;
  settings.server = best->plan.host;
  settings.port = best->plan.port;
  settings.security = security_name(best->plan.role);
  for (const auto& host : run.hosts)
    for (const auto& p : host.ports)
      if (host.host == best->plan.host && p.port == best->plan.port) settings.found_by = p.found_by;
  settings.login_tested = best->login.has_value();
  if (settings.login_tested)
    settings.user_name = run.options.auth_user;
  else
    settings.note =
        "The login was not tested: give --auth-user (and --password-env or --password-file) to "
        "prove the user name; most providers want the full email address.";
  return settings;
}

}  // namespace smtpdoctor
