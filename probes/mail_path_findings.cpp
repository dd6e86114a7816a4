// Steps 4–8 of `check`, after the ports: what needs more than one port's outcome. Each reads the
// typed PortOutcome fields (tcp outcome, connect address, TLS facts, login), never a probe's
// printed details.
#include <algorithm>
#include <asio/awaitable.hpp>
#include <map>
#include <set>

#include "core/diagnosis/egress_identity.hpp"
#include "core/diagnosis/knowledge_base.hpp"
#include "core/dns/resolver.hpp"
#include "core/net/tcp_reach.hpp"
#include "probes/check_steps.hpp"
#include "probes/egress_probe.hpp"
#include "probes/name_consistency.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

ProbeResult* find(std::vector<ProbeResult>& probes, const PortPlan& plan, ProbeId id) {
  for (auto& probe : probes)
    if (probe.id == id && probe.target.host == plan.host && probe.target.port == plan.port)
      return &probe;
  return nullptr;
}

// STARTTLS offered on one plain port of a host and missing on another: either the server is
// configured unevenly, or something on the path strips it from the EHLO reply.
void find_starttls_stripping(CheckRun& run) {
  std::map<std::string, std::vector<const PortOutcome*>> by_host;
  for (const auto& outcome : run.ports)
    if (outcome.before_tls && !outcome.plan.implicit_tls())
      by_host[outcome.plan.host].push_back(&outcome);
  for (const auto& [host, ports] : by_host) {
    std::vector<std::uint16_t> with, without;
    for (const auto* outcome : ports)
      (outcome->before_tls->starttls ? with : without).push_back(outcome->plan.port);
    if (with.empty() || without.empty()) continue;
    for (const auto* outcome : ports) {
      if (outcome->before_tls->starttls) continue;
      ProbeResult* tls = find(run.report.probes, outcome->plan, ProbeId::tls);
      if (!tls || tls->status == ProbeStatus::skip) continue;
      raise_status(*tls, ProbeStatus::fail);
      add_note(*tls, "STARTTLS is offered on port " + std::to_string(with.front()) +
                         " of this host but not here: something on the path may be stripping "
                         "it (STARTTLS stripping), or the server is configured unevenly");
      tls->details["starttls_stripping_suspected"] = true;
    }
    if (auto d = diagnosis_for_finding(Stage::ehlo, Finding::starttls_stripping))
      run.add_diagnosis(*d);
  }
}

void find_middlebox(CheckRun& run) {
  for (const auto& outcome : run.ports) {
    bool masked = outcome.greeting && greeting_is_masked(outcome.greeting->reply);
    bool mangled = (outcome.before_tls && !mangled_keywords(*outcome.before_tls).empty()) ||
                   (outcome.after_tls && !mangled_keywords(*outcome.after_tls).empty());
    if (masked || mangled) {
      if (auto d = diagnosis_for_finding(Stage::ehlo, Finding::middlebox_tampering))
        run.add_diagnosis(*d);
      return;
    }
  }
}

// The certificate's DNS names (subject CN when it has none).
std::vector<std::string> certificate_names(const TlsInfo& tls) {
  std::vector<std::string> names;
  for (const auto& san : tls.sans)
    if (san.rfind("DNS:", 0) == 0) names.push_back(san.substr(4));
  if (names.empty() && !tls.subject_cn.empty()) names.push_back(tls.subject_cn);
  return names;
}

std::chrono::milliseconds connect_timeout(const CheckOptions& options) {
  return options.timeout.value_or(std::chrono::milliseconds(5000));
}

}  // namespace

void add_cross_port_findings(CheckRun& run) {
  find_starttls_stripping(run);
  find_middlebox(run);
}

// ---- port 25 --------------------------------------------------------------------------------

std::vector<PortAttempt> port_attempts(const std::vector<PortOutcome>& outcomes) {
  std::vector<PortAttempt> attempts;
  for (const auto& outcome : outcomes)
    if (outcome.tcp) attempts.push_back({outcome.plan.host, outcome.plan.port, *outcome.tcp});
  return attempts;
}

void add_port25_verdicts(CheckRun& run, const Port25Evidence& evidence) {
  // The tcp probe has said "refused" on its own result already: add only what is not there yet.
  // (A timed-out tcp result's own port_blocked diagnosis is a guess about that port; the verdict
  // is the evidence that it is our network, so it still goes in.)
  auto already = [&](Category category, const std::string& host) {
    for (const auto& d : run.report.diagnoses)
      if (d.category == category) return true;
    if (category == Category::port_blocked) return false;
    for (const auto& p : run.report.probes)
      if (p.id == ProbeId::tcp && p.target.port == 25 && (host.empty() || p.target.host == host))
        for (const auto& d : p.diagnoses)
          if (d.category == category) return true;
    return false;
  };
  for (const auto& verdict : port25_verdicts(evidence)) {
    bool blocked = verdict.finding == Port25Finding::blocked;
    if (already(blocked ? Category::port_blocked : Category::connection_refused, verdict.host))
      continue;
    run.add_diagnosis(verdict.diagnosis);
  }
}

asio::awaitable<void> judge_port25(CheckRun& run) {
  Port25Evidence evidence;
  evidence.attempts = port_attempts(run.ports);
  evidence.internet_ok = run.internet_ok;
  if (run.options.proxy) evidence.proxy = run.options.proxy->display();
  bool port25_timed_out = std::any_of(
      evidence.attempts.begin(), evidence.attempts.end(),
      [](const PortAttempt& a) { return a.port == 25 && a.outcome == TcpOutcome::timed_out; });
  auto first = port25_verdicts(evidence);
  bool same_host_evidence = std::any_of(first.begin(), first.end(), [](const Port25Verdict& v) {
    return v.finding == Port25Finding::blocked;
  });
  // Ask the reference MX hosts only when it can decide something and we may go outside; never
  // with a proxy (core/diagnosis/port25_verdict.hpp says why).
  if (port25_timed_out && !same_host_evidence && run.internet_ok.value_or(false) &&
      !run.options.offline && !run.options.proxy && run.resolver && !run.control.stopped()) {
    std::vector<TcpEndpoint> endpoints;
    std::vector<std::string> names;
    for (const auto& host : kDefaultPort25ReferenceHosts) {
      auto a = co_await run.resolver->a(host);
      if (a.ok() && !a.records.empty()) {
        endpoints.push_back({a.records.front().address, 25});
        names.push_back(host);
      }
    }
    auto reaches = co_await tcp_reach_all(endpoints, connect_timeout(run.options), &run.control);
    for (std::size_t i = 0; i < reaches.size(); ++i)
      evidence.reference.push_back({names[i], 25, reaches[i].outcome});
  }
  add_port25_verdicts(run, evidence);
}

// ---- egress ---------------------------------------------------------------------------------

asio::awaitable<void> check_egress(CheckRun& run) {
  const CheckOptions& options = run.options;
  if (!options.wants(ProbeId::dns) || !run.resolver || run.control.stopped()) co_return;
  std::optional<std::string> address;
  std::string echoed_by;
  for (const auto& outcome : run.ports) {
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
  if (!address) co_return;
  EgressProbeOptions egress;
  egress.address = *address;
  egress.echoed_by = echoed_by;
  if (!options.mail_path.dnsbl_zones.empty()) egress.dnsbl_zones = options.mail_path.dnsbl_zones;
  egress.include_non_global = options.mail_path.egress_non_global;
  auto outcome = co_await run_egress_probe(*run.resolver, egress);
  for (const auto& d : outcome.result.diagnoses) run.add_diagnosis(d);
  run.add(std::move(outcome.result));
}

// ---- name consistency -----------------------------------------------------------------------

void add_name_consistency(CheckRun& run) {
  if (run.ptr_names.empty()) return;  // the dns step did not run: no PTR to compare with
  std::set<std::string> done;
  for (const auto& outcome : run.ports) {
    const std::string& host = outcome.plan.host;
    if (done.count(host) || !outcome.greeting) continue;
    done.insert(host);
    NameEvidence e;
    e.asked_host = host;
    if (!outcome.greeting->reply.lines.empty())
      e.banner_host = first_word(outcome.greeting->reply.lines.front());
    const auto& caps = outcome.before_tls ? outcome.before_tls : outcome.after_tls;
    if (caps) e.ehlo_host = caps->greeting_domain;
    if (outcome.connect)
      for (const auto& [a, names] : run.ptr_names)
        if (a == outcome.connect->address) e.ptr_names = names;
    for (const auto& other : run.ports)
      if (other.plan.host == host && other.tls && other.tls->has_certificate) {
        e.cert_names = certificate_names(*other.tls);
        if (!e.cert_names.empty()) break;
      }
    NameConsistency finding = name_consistency(e);
    if (finding.notes.empty()) continue;
    // On the exchanger's dns result when there is one, else on the banner result.
    ProbeResult* into = nullptr;
    for (auto& r : run.report.probes)
      if (r.id == ProbeId::dns && r.target.host == host && r.target.port == 0) into = &r;
    if (!into)
      for (auto& r : run.report.probes)
        if (r.id == ProbeId::banner && r.target.host == host && !into) into = &r;
    if (!into) continue;
    for (const auto& note : finding.notes) add_note(*into, note);
    if (finding.status == ProbeStatus::warn && into->status == ProbeStatus::ok)
      into->status = ProbeStatus::warn;
  }
}

// ---- credentials ----------------------------------------------------------------------------

SmtpLogin smtp_login_from(const std::vector<PortOutcome>& outcomes) {
  bool rejected = false;
  for (const auto& outcome : outcomes) {
    if (!outcome.login) continue;
    if (outcome.login->accepted) return SmtpLogin::ok;
    rejected = true;
  }
  return rejected ? SmtpLogin::rejected : SmtpLogin::not_tried;
}

asio::awaitable<void> compare_credentials(CheckRun& run) {
  const CheckOptions& options = run.options;
  const MailPathOptions& mail_path = options.mail_path;
  if (mail_path.mailbox_servers.empty() || !options.has_credentials()) co_return;
  if (!options.wants(ProbeId::auth) || run.control.stopped()) co_return;
  SmtpLogin smtp = smtp_login_from(run.ports);
  if (smtp != SmtpLogin::rejected) co_return;  // nothing to compare
  MailboxLoginOptions logins;
  logins.servers = mail_path.mailbox_servers;
  logins.user = mail_path.mailbox_user.empty() ? options.auth_user : mail_path.mailbox_user;
  logins.password = options.password;
  logins.tls.ca_file = options.ca_file;
  logins.tls.insecure = options.insecure;
  logins.allow_plaintext = options.allow_plaintext_auth;
  logins.limits = options.limits;
  logins.control = &run.control;
  if (options.timeout)
    logins.limits.connect_timeout = logins.limits.greeting_timeout = logins.limits.command_timeout =
        logins.limits.tls_handshake_timeout = *options.timeout;
  ProbeTarget smtp_target;
  for (const auto& outcome : run.ports)
    if (outcome.login && !outcome.login->accepted) {
      smtp_target = {outcome.plan.host, outcome.plan.port,
                     outcome.connect && outcome.connect->address != outcome.plan.host
                         ? outcome.connect->address
                         : ""};
      break;
    }
  auto results = co_await run_mailbox_logins(logins);
  CredentialsEvidence evidence;
  evidence.smtp = smtp;
  evidence.mailbox = mailbox_evidence(results, logins.servers);
  auto verdict = credentials_verdict(evidence);
  auto result = credentials_result(smtp_target, verdict, results, logins.servers);
  for (const auto& d : result.diagnoses) run.add_diagnosis(d);
  run.add(std::move(result));
}

}  // namespace smtpdoctor
