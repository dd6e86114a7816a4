#include "probes/mail_path.hpp"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <exception>
#include <set>

#include "core/egress_identity.hpp"
#include "core/resolver.hpp"
#include "core/tcp_reach.hpp"
#include "probes/dns_probe.hpp"
#include "probes/egress_probe.hpp"
#include "probes/internet_probe.hpp"
#include "probes/name_consistency.hpp"

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

// Runs `body` on a fresh io_context to completion; an exception escapes as a run error text.
template <typename Body>
std::optional<std::string> run_on_own_loop(asio::io_context& io, Body body) {
  std::optional<std::string> crash;
  asio::co_spawn(io, body(), [&](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      crash = std::string("internal error: ") + e.what();
    }
  });
  io.run();
  return crash;
}

ResolverOptions resolver_options(const CheckOptions& options, const MailPathOptions& mail_path) {
  ResolverOptions r;
  r.servers = mail_path.dns_servers;
  if (options.timeout) r.timeout = std::min(r.timeout, *options.timeout);
  return r;
}

std::string pick_address(const Exchanger& e, IpFamily family) {
  for (const auto& a : e.addresses) {
    bool v6 = a.address.find(':') != std::string::npos;
    if (family == IpFamily::any || (family == IpFamily::v6) == v6) return a.address;
  }
  return {};
}

const ProbeResult* find_result(const PortOutcome& outcome, ProbeId id) {
  for (const auto& r : outcome.results)
    if (r.id == id) return &r;
  return nullptr;
}

void add_report_diagnosis(Report& report, const Diagnosis& d) {
  for (const auto& have : report.diagnoses)
    if (have.category == d.category && have.rule == d.rule) return;
  report.diagnoses.push_back(d);
}

void add_notes(ProbeResult& result, const std::vector<std::string>& notes) {
  if (!result.details.contains("notes")) result.details["notes"] = Details::array();
  for (const auto& n : notes) result.details["notes"].push_back(n);
}

// The certificate's names from the tls probe's details ("DNS:mx.example.org", subject CN).
std::vector<std::string> certificate_names(const ProbeResult& tls) {
  std::vector<std::string> names;
  if (tls.details.contains("sans"))
    for (const auto& san : tls.details["sans"]) {
      std::string s = san.get<std::string>();
      if (s.rfind("DNS:", 0) == 0) names.push_back(s.substr(4));
    }
  if (names.empty() && tls.details.contains("subject_cn"))
    names.push_back(tls.details["subject_cn"].get<std::string>());
  return names;
}

// ---- the steps of add_mail_path_findings --------------------------------------------------

void add_port25_verdicts(Report& report, const std::vector<PortOutcome>& outcomes,
                         const MailPathPlan& plan, const CheckOptions& options,
                         const MailPathOptions& mail_path) {
  Port25Evidence evidence;
  evidence.attempts = port_attempts(outcomes);
  evidence.internet_ok = plan.internet_ok;
  bool port25_timed_out = std::any_of(
      evidence.attempts.begin(), evidence.attempts.end(),
      [](const PortAttempt& a) { return a.port == 25 && a.outcome == TcpOutcome::timed_out; });
  auto first = port25_verdicts(evidence);
  bool same_host_evidence = std::any_of(first.begin(), first.end(), [](const Port25Verdict& v) {
    return v.finding == Port25Finding::blocked;
  });
  // Ask the reference MX hosts only when it can decide something and we may go outside.
  if (port25_timed_out && !same_host_evidence && plan.internet_ok.value_or(false) &&
      !options.offline) {
    asio::io_context io;
    auto resolver = Resolver::create(io.get_executor(), resolver_options(options, mail_path));
    if (resolver) {
      auto timeout = options.timeout.value_or(std::chrono::milliseconds(5000));
      run_on_own_loop(io, [&]() -> asio::awaitable<void> {
        std::vector<TcpEndpoint> endpoints;
        std::vector<std::string> names;
        for (const auto& host : kDefaultPort25ReferenceHosts) {
          auto a = co_await resolver->a(host);
          if (a.ok() && !a.records.empty()) {
            endpoints.push_back({a.records.front().address, 25});
            names.push_back(host);
          }
        }
        auto reaches = co_await tcp_reach_all(endpoints, timeout);
        for (std::size_t i = 0; i < reaches.size(); ++i)
          evidence.reference.push_back({names[i], 25, reaches[i].outcome});
      });
    }
  }
  // The tcp probe has said "refused" on its own result already, and the pipeline's own
  // same-host check may have named the block in the report's diagnoses: add only what is not
  // there yet. (A timed-out tcp result's own port_blocked diagnosis is a guess about that port;
  // the verdict is the evidence that it is our network, so it still goes in.)
  auto already = [&](Category category, const std::string& host) {
    for (const auto& d : report.diagnoses)
      if (d.category == category) return true;
    if (category == Category::port_blocked) return false;
    for (const auto& p : report.probes)
      if (p.id == ProbeId::tcp && p.target.port == 25 && (host.empty() || p.target.host == host))
        for (const auto& d : p.diagnoses)
          if (d.category == category) return true;
    return false;
  };
  for (const auto& verdict : port25_verdicts(evidence)) {
    bool blocked = verdict.finding == Port25Finding::blocked;
    if (already(blocked ? Category::port_blocked : Category::connection_refused, verdict.host))
      continue;
    add_report_diagnosis(report, verdict.diagnosis);
  }
}

void add_egress(Report& report, const std::vector<PortOutcome>& outcomes,
                const CheckOptions& options, const MailPathOptions& mail_path) {
  if (!options.wants(ProbeId::dns)) return;
  if (options.offline && mail_path.dns_servers.empty()) return;
  std::optional<std::string> address;
  std::string echoed_by;
  for (const auto& outcome : outcomes) {
    std::optional<Reply> ehlo;
    const auto& caps = outcome.before_tls ? outcome.before_tls : outcome.after_tls;
    if (caps) {
      Reply r;
      r.code = 250;
      r.lines.push_back(caps->greeting_domain + " " + caps->greeting_text);
      ehlo = r;
    }
    std::optional<Reply> greeting;
    if (outcome.greeting) greeting = outcome.greeting->reply;
    address = echoed_client_address(ehlo, greeting);
    if (address) {
      echoed_by = outcome.plan.host + ":" + std::to_string(outcome.plan.port);
      break;
    }
  }
  if (!address) return;
  asio::io_context io;
  auto resolver = Resolver::create(io.get_executor(), resolver_options(options, mail_path));
  if (!resolver) return;
  EgressProbeOptions egress;
  egress.address = *address;
  egress.echoed_by = echoed_by;
  if (!mail_path.dnsbl_zones.empty()) egress.dnsbl_zones = mail_path.dnsbl_zones;
  egress.include_non_global = mail_path.egress_non_global;
  run_on_own_loop(io, [&]() -> asio::awaitable<void> {
    auto outcome = co_await run_egress_probe(*resolver, egress);
    for (const auto& d : outcome.result.diagnoses) add_report_diagnosis(report, d);
    report.probes.push_back(std::move(outcome.result));
  });
}

void add_name_consistency(Report& report, const std::vector<PortOutcome>& outcomes,
                          const MailPathPlan& plan) {
  if (plan.ptr_names.empty()) return;  // the dns step did not run: no PTR to compare with
  std::set<std::string> done;
  for (const auto& outcome : outcomes) {
    const std::string& host = outcome.plan.host;
    if (done.count(host) || !outcome.greeting) continue;
    done.insert(host);
    NameEvidence e;
    e.asked_host = host;
    if (!outcome.greeting->reply.lines.empty())
      e.banner_host = first_word(outcome.greeting->reply.lines.front());
    const auto& caps = outcome.before_tls ? outcome.before_tls : outcome.after_tls;
    if (caps) e.ehlo_host = caps->greeting_domain;
    if (const ProbeResult* tcp = find_result(outcome, ProbeId::tcp);
        tcp && tcp->details.contains("address")) {
      std::string address = tcp->details["address"].get<std::string>();
      for (const auto& [a, names] : plan.ptr_names)
        if (a == address) e.ptr_names = names;
    }
    for (const auto& other : outcomes)
      if (other.plan.host == host)
        if (const ProbeResult* tls = find_result(other, ProbeId::tls);
            tls && tls->status != ProbeStatus::skip) {
          e.cert_names = certificate_names(*tls);
          if (!e.cert_names.empty()) break;
        }
    NameConsistency finding = name_consistency(e);
    if (finding.notes.empty()) continue;
    // On the exchanger's dns result when there is one, else on the banner result.
    ProbeResult* into = nullptr;
    for (auto& r : report.probes)
      if (r.id == ProbeId::dns && r.target.host == host && r.details.contains("addresses"))
        into = &r;
    if (!into)
      for (auto& r : report.probes)
        if (r.id == ProbeId::banner && r.target.host == host && !into) into = &r;
    if (!into) continue;
    add_notes(*into, finding.notes);
    if (finding.status == ProbeStatus::warn && into->status == ProbeStatus::ok)
      into->status = ProbeStatus::warn;
  }
}

void add_credentials(Report& report, const std::vector<PortOutcome>& outcomes,
                     const CheckOptions& options, const MailPathOptions& mail_path) {
  if (mail_path.mailbox_servers.empty() || !options.has_credentials()) return;
  if (!options.wants(ProbeId::auth)) return;
  SmtpLogin smtp = smtp_login_from(outcomes);
  if (smtp != SmtpLogin::rejected) return;  // nothing to compare
  MailboxLoginOptions logins;
  logins.servers = mail_path.mailbox_servers;
  logins.user = mail_path.mailbox_user.empty() ? options.auth_user : mail_path.mailbox_user;
  logins.password = options.password;
  logins.tls.ca_file = options.ca_file;
  logins.tls.insecure = options.insecure;
  logins.allow_plaintext = options.allow_plaintext_auth;
  logins.limits = options.limits;
  if (options.timeout)
    logins.limits.connect_timeout = logins.limits.greeting_timeout = logins.limits.command_timeout =
        logins.limits.tls_handshake_timeout = *options.timeout;
  ProbeTarget smtp_target;
  for (const auto& outcome : outcomes)
    if (const ProbeResult* auth = find_result(outcome, ProbeId::auth);
        auth && auth->status == ProbeStatus::fail && auth->details.contains("mechanism")) {
      smtp_target = auth->target;
      break;
    }
  asio::io_context io;
  run_on_own_loop(io, [&]() -> asio::awaitable<void> {
    auto results = co_await run_mailbox_logins(logins);
    CredentialsEvidence evidence;
    evidence.smtp = smtp;
    evidence.mailbox = mailbox_evidence(results, logins.servers);
    auto verdict = credentials_verdict(evidence);
    auto result = credentials_result(smtp_target, verdict, results, logins.servers);
    for (const auto& d : result.diagnoses) add_report_diagnosis(report, d);
    report.probes.push_back(std::move(result));
  });
}

}  // namespace

std::vector<PortAttempt> port_attempts(const std::vector<PortOutcome>& outcomes) {
  std::vector<PortAttempt> attempts;
  for (const auto& outcome : outcomes) {
    const ProbeResult* tcp = find_result(outcome, ProbeId::tcp);
    if (!tcp || tcp->status == ProbeStatus::skip || !tcp->details.contains("outcome")) continue;
    auto o = tcp_outcome_from_name(tcp->details["outcome"].get<std::string>());
    if (!o && tcp->status == ProbeStatus::ok) o = TcpOutcome::connected;
    if (o) attempts.push_back({outcome.plan.host, outcome.plan.port, *o});
  }
  return attempts;
}

SmtpLogin smtp_login_from(const std::vector<PortOutcome>& outcomes) {
  bool rejected = false;
  for (const auto& outcome : outcomes) {
    const ProbeResult* auth = find_result(outcome, ProbeId::auth);
    if (!auth || !auth->details.contains("mechanism")) continue;  // no login attempted
    if (auth->status == ProbeStatus::ok || auth->status == ProbeStatus::warn) return SmtpLogin::ok;
    if (auth->status == ProbeStatus::fail) rejected = true;
  }
  return rejected ? SmtpLogin::rejected : SmtpLogin::not_tried;
}

asio::awaitable<MailPathPlan> find_mail_path(const CheckOptions& options,
                                             const MailPathOptions& mail_path) {
  MailPathPlan plan;
  const std::string& host = options.target.host;
  const bool run_internet = !options.offline && options.wants(ProbeId::internet);
  // --offline contacts nothing but the target; an explicitly named resolver is allowed (tests).
  const bool may_resolve = !options.offline || !mail_path.dns_servers.empty();
  const bool run_dns = options.wants(ProbeId::dns) && !options.target.is_ip_literal && may_resolve;
  auto not_selected = [&](ProbeId id) {
    return options.skip.count(id) ? "--skip " + std::string(probe_name(id))
                                  : std::string("not selected by --only");
  };
  const std::string internet_skip =
      !options.wants(ProbeId::internet)
          ? not_selected(ProbeId::internet)
          : "--offline: nothing outside the named target is contacted";
  const std::string dns_skip =
      !options.wants(ProbeId::dns) ? not_selected(ProbeId::dns)
      : options.target.is_ip_literal
          ? "the target is an IP address: no MX to look up"
          : "--offline: no resolver of our own (name one with --dns-server to check DNS)";
  if (!run_internet) plan.results.push_back(skip_result(ProbeId::internet, host, internet_skip));
  if (!run_dns) plan.results.push_back(skip_result(ProbeId::dns, host, dns_skip));
  if (!run_internet && !run_dns) co_return plan;

  auto executor = co_await asio::this_coro::executor;
  auto resolver = Resolver::create(executor, resolver_options(options, mail_path));
  if (!resolver) {
    ProbeResult failed;
    failed.id = ProbeId::dns;
    failed.target.host = host;
    failed.status = ProbeStatus::fail;
    failed.summary = "cannot start the resolver: " + resolver.error().message;
    plan.results.push_back(std::move(failed));
    co_return plan;
  }
  if (run_internet) {
    InternetProbeOptions internet;
    if (!mail_path.reachability_targets.empty()) internet.targets = mail_path.reachability_targets;
    if (!mail_path.reachability_name.empty()) internet.name = mail_path.reachability_name;
    if (options.timeout) internet.connect_timeout = *options.timeout;
    auto outcome = co_await run_internet_probe(*resolver, internet);
    plan.internet_ok = outcome.connects();
    plan.results.insert(plan.results.begin(), std::move(outcome.result));
  }
  if (!run_dns) co_return plan;
  // user@domain is a mail domain; a host with a port, or one named by --server (the target text
  // is then something else, e.g. the user@domain recipient), is a server's name; a bare name is
  // a mail domain when it has MX records, else a server's name.
  const bool named_server =
      !options.target.from_address && !options.target_text.empty() && options.target_text != host;
  DnsProbeOptions dns;
  dns.domain = host;
  dns.mx_limit = mail_path.mx_limit;
  dns.mail_domain = options.target.from_address || (!options.target.port && !named_server);
  auto outcome = co_await run_dns_probe(*resolver, dns);
  bool no_mx = !outcome.results.empty() &&
               outcome.results.front().details.value("mx_status", "") == "nodata";
  if (!options.target.from_address && dns.mail_domain && no_mx) {
    dns.mail_domain = false;
    outcome = co_await run_dns_probe(*resolver, dns);
  }
  for (const auto& e : outcome.exchangers)
    for (const auto& a : e.addresses) plan.ptr_names.push_back({a.address, a.ptr_names});
  if (!outcome.deliverable) {
    for (const auto& r : outcome.results)
      if (r.status == ProbeStatus::fail) {
        plan.transport_skip_reason = "dns failed: " + r.summary;
        break;
      }
    if (plan.transport_skip_reason.empty()) plan.transport_skip_reason = "dns failed";
  } else {
    for (const auto& e : outcome.exchangers)
      plan.hosts.push_back({e.host, pick_address(e, options.family)});
  }
  for (auto& r : outcome.results) plan.results.push_back(std::move(r));
  co_return plan;
}

MailPathPlan plan_mail_path(const CheckOptions& options, const MailPathOptions& mail_path) {
  asio::io_context io;
  MailPathPlan plan;
  auto crash = run_on_own_loop(
      io, [&]() -> asio::awaitable<void> { plan = co_await find_mail_path(options, mail_path); });
  if (crash) plan.results.push_back(skip_result(ProbeId::dns, options.target.host, *crash));
  return plan;
}

void add_mail_path_findings(Report& report, const std::vector<PortOutcome>& outcomes,
                            const MailPathPlan& plan, const CheckOptions& options,
                            const MailPathOptions& mail_path) {
  add_port25_verdicts(report, outcomes, plan, options, mail_path);
  add_egress(report, outcomes, options, mail_path);
  add_name_consistency(report, outcomes, plan);
  add_credentials(report, outcomes, options, mail_path);
}

}  // namespace smtpdoctor
