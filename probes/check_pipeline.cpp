#include "probes/check_pipeline.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <csignal>
#include <exception>
#include <map>

#include "core/concurrently.hpp"
#include "core/knowledge_base.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

ProbeResult host_level_skip(ProbeId id, const CheckOptions& options, std::string reason) {
  ProbeResult result;
  result.id = id;
  result.target.host = options.target.host;
  result.status = ProbeStatus::skip;
  result.skip_reason = std::move(reason);
  result.summary = "skipped: " + result.skip_reason;
  return result;
}

}  // namespace

asio::awaitable<MailHosts> target_host_only(const CheckOptions& options) {
  // internet and dns belong to their own issue; say so, and why they would not run anyway.
  auto not_selected = [&](ProbeId id) {
    return options.skip.count(id) ? "--skip " + std::string(probe_name(id))
                                  : std::string("not selected by --only");
  };
  MailHosts found;
  found.hosts = {MailHost{options.target.host, ""}};
  found.results.push_back(
      host_level_skip(ProbeId::internet, options,
                      !options.wants(ProbeId::internet) ? not_selected(ProbeId::internet)
                      : options.offline ? "--offline: nothing outside the named target is contacted"
                                        : "not available in this version"));
  std::string dns_reason = !options.wants(ProbeId::dns) ? not_selected(ProbeId::dns)
                           : options.target.is_ip_literal
                               ? "the target is an IP address: no MX to look up"
                               : "not available in this version; " + options.target.host +
                                     " is resolved by the system resolver (no MX lookup)";
  found.results.push_back(host_level_skip(ProbeId::dns, options, dns_reason));
  co_return found;
}

namespace {

ProbeResult* find(std::vector<ProbeResult>& probes, const PortPlan& plan, ProbeId id) {
  for (auto& probe : probes)
    if (probe.id == id && probe.target.host == plan.host && probe.target.port == plan.port)
      return &probe;
  return nullptr;
}

const ProbeResult* find(const PortOutcome& outcome, ProbeId id) {
  for (const auto& result : outcome.results)
    if (result.id == id) return &result;
  return nullptr;
}

void add_report_diagnosis(Report& report, std::optional<Diagnosis> diagnosis) {
  if (!diagnosis) return;
  for (const auto& existing : report.diagnoses)
    if (existing.rule == diagnosis->rule && existing.category == diagnosis->category) return;
  report.diagnoses.push_back(std::move(*diagnosis));
}

// STARTTLS offered on one plain port of a host and missing on another: either the server is
// configured unevenly, or something on the path strips it from the EHLO reply.
void find_starttls_stripping(Report& report, const std::vector<PortOutcome>& outcomes) {
  std::map<std::string, std::vector<const PortOutcome*>> by_host;
  for (const auto& outcome : outcomes)
    if (outcome.before_tls && !outcome.plan.implicit_tls())
      by_host[outcome.plan.host].push_back(&outcome);
  for (const auto& [host, ports] : by_host) {
    std::vector<std::uint16_t> with, without;
    for (const auto* outcome : ports)
      (outcome->before_tls->starttls ? with : without).push_back(outcome->plan.port);
    if (with.empty() || without.empty()) continue;
    for (const auto* outcome : ports) {
      if (outcome->before_tls->starttls) continue;
      ProbeResult* tls = find(report.probes, outcome->plan, ProbeId::tls);
      if (!tls || tls->status == ProbeStatus::skip) continue;
      raise_status(*tls, ProbeStatus::fail);
      add_note(*tls, "STARTTLS is offered on port " + std::to_string(with.front()) +
                         " of this host but not here: something on the path may be stripping "
                         "it (STARTTLS stripping), or the server is configured unevenly");
      tls->details["starttls_stripping_suspected"] = true;
    }
    add_report_diagnosis(report, diagnosis_for_finding(Stage::ehlo, Finding::starttls_stripping));
  }
}

// Port 25 timed out while a submission port on the same host connected: the network between us
// blocks outbound 25, the server is fine (DESIGN §2).
void find_port25_blocked(Report& report, const std::vector<PortOutcome>& outcomes) {
  for (const auto& outcome : outcomes) {
    if (outcome.plan.port != 25) continue;
    const ProbeResult* tcp = find(outcome, ProbeId::tcp);
    if (!tcp || tcp->status != ProbeStatus::fail || !tcp->details.contains("outcome") ||
        tcp->details["outcome"] != "timed out")
      continue;
    for (const auto& other : outcomes) {
      const ProbeResult* other_tcp = find(other, ProbeId::tcp);
      if (other.plan.host != outcome.plan.host || other.plan.port == 25 || !other_tcp ||
          other_tcp->status == ProbeStatus::fail || other_tcp->status == ProbeStatus::skip)
        continue;
      Evidence evidence;
      evidence.stage = Stage::connect;
      evidence.socket_error = std::make_error_code(std::errc::timed_out);
      evidence.text =
          "port 25 timed out while port " + std::to_string(other.plan.port) + " connected";
      add_report_diagnosis(report, diagnose(evidence));
      break;
    }
  }
}

void find_middlebox(Report& report, const std::vector<PortOutcome>& outcomes) {
  for (const auto& outcome : outcomes) {
    bool masked = outcome.greeting && greeting_is_masked(outcome.greeting->reply);
    bool mangled = (outcome.before_tls && !mangled_keywords(*outcome.before_tls).empty()) ||
                   (outcome.after_tls && !mangled_keywords(*outcome.after_tls).empty());
    if (masked || mangled) {
      add_report_diagnosis(report,
                           diagnosis_for_finding(Stage::ehlo, Finding::middlebox_tampering));
      return;
    }
  }
}

}  // namespace

std::vector<PortPlan> port_plans(const CheckOptions& options, const std::vector<MailHost>& hosts) {
  std::vector<PortPlan> plans;
  for (const auto& host : hosts)
    for (auto port : options.ports)
      plans.push_back({host.host, host.address, port, port_role(port, options.tls_on_connect)});
  return plans;
}

void add_cross_port_findings(Report& report, const std::vector<PortOutcome>& outcomes) {
  find_starttls_stripping(report, outcomes);
  find_port25_blocked(report, outcomes);
  find_middlebox(report, outcomes);
}

namespace {

// Steps 1–3 on the io_context: find the hosts, then every port of every host at once.
asio::awaitable<void> run_pipeline(const CheckOptions& options, const CheckHooks& hooks,
                                   RunControl& control, Report& report,
                                   std::vector<PortOutcome>& outcomes) {
  // Not a ?: of two co_awaits: g++ 12 miscompiles co_await inside a conditional expression.
  MailHosts found;
  if (hooks.find_mail_hosts)
    found = co_await hooks.find_mail_hosts(options);
  else
    found = co_await target_host_only(options);
  report.probes = std::move(found.results);
  std::size_t done = report.probes.size();
  for (const auto& result : report.probes)
    if (hooks.on_probe) hooks.on_probe(result, done, done);

  if (found.hosts.empty() && !found.transport_skip_reason.empty()) {
    for (auto port : options.ports)
      for (ProbeId id : kTransportProbes) {
        ProbeResult skipped_probe;
        skipped_probe.id = id;
        skipped_probe.target = {options.target.host, port, ""};
        skipped_probe.status = ProbeStatus::skip;
        skipped_probe.skip_reason = found.transport_skip_reason;
        skipped_probe.summary = "skipped: " + found.transport_skip_reason;
        report.probes.push_back(std::move(skipped_probe));
      }
  }
  auto plans = port_plans(options, found.hosts);
  const std::size_t total = done + plans.size() * kTransportProbes.size();
  ProbeDone on_done = [&](const ProbeResult& result) {
    ++done;
    if (hooks.on_probe) hooks.on_probe(result, done, total);
  };
  outcomes.resize(plans.size());
  std::vector<asio::awaitable<void>> conversations;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    outcomes[i].plan = plans[i];
    conversations.push_back([](const CheckOptions& options, PortPlan plan, RunControl& control,
                               ProbeDone on_done, PortOutcome& out) -> asio::awaitable<void> {
      out = co_await run_port_conversation(options, std::move(plan), control, std::move(on_done));
    }(options, plans[i], control, on_done, outcomes[i]));
  }
  co_await run_concurrently(std::move(conversations));
}

}  // namespace

Report run_check(const CheckOptions& options, const CheckHooks& hooks) {
  const auto start = std::chrono::steady_clock::now();
  Report report = make_report(options.target_text);
  report.options.offline = options.offline;
  report.options.insecure = options.insecure;
  report.options.strict = options.strict;
  report.options.allow_plaintext_auth = options.allow_plaintext_auth;
  report.options.relay_test = options.relay_test;
  report.options.ports = options.ports;
  report.options.helo = options.helo;

  asio::io_context io;
  RunControl control;
  asio::steady_timer deadline(io);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int) {
    if (!ec) control.stop(RunControl::Stop::interrupted);
  });
  if (options.deadline) {
    deadline.expires_after(*options.deadline);
    deadline.async_wait([&](const asio::error_code& ec) {
      if (!ec) control.stop(RunControl::Stop::deadline);
    });
  }

  std::vector<PortOutcome> outcomes;
  asio::co_spawn(io, run_pipeline(options, hooks, control, report, outcomes),
                 [&](std::exception_ptr error) {
                   if (error) {
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       report.run_error = std::string("internal error: ") + e.what();
                     }
                   }
                   deadline.cancel();
                   signals.cancel();
                 });
  io.run();

  for (const auto& outcome : outcomes)
    for (const auto& result : outcome.results) report.probes.push_back(result);
  add_cross_port_findings(report, outcomes);
  if (hooks.after_ports) hooks.after_ports(report, outcomes);
  if (options.verbose)
    for (auto& outcome : outcomes)
      for (auto& transcript : outcome.transcripts)
        report.transcripts.push_back(std::move(transcript));
  report.interrupted = control.why() == RunControl::Stop::interrupted;
  report.duration = elapsed_since(start);
  return report;
}

}  // namespace smtpdoctor
