#include "probes/internet_probe.hpp"

#include <algorithm>
#include <optional>

#include "core/base/target.hpp"
#include "core/diagnosis/knowledge_base.hpp"
#include "core/net/concurrently.hpp"

namespace smtpdoctor {
namespace {

using Clock = std::chrono::steady_clock;

Error usage(std::string message) {
  Error e;
  e.kind = ErrorKind::usage;
  e.message = std::move(message);
  return e;
}

bool answered(const TcpReach& reach) {
  return reach.outcome == TcpOutcome::connected || reach.outcome == TcpOutcome::refused;
}

std::string target_text(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// The internet probe's conclusions are knowledge-base findings, like every other probe's.
void add_internet_diagnosis(ProbeResult& result, Stage stage, Finding finding) {
  Evidence ev;
  ev.stage = stage;
  ev.finding = finding;
  result.diagnoses.push_back(diagnose(ev));
}

}  // namespace

Result<ReachabilityTarget> parse_reachability_target(std::string_view spec) {
  std::string why;
  auto target = parse_target(spec, &why);
  if (!target) return usage("'" + std::string(spec) + "': " + why);
  if (!target->port || target->recipient)
    return usage("expected HOST:PORT (e.g. 192.0.2.1:443), not " + std::string(spec));
  return ReachabilityTarget{target->host, *target->port};
}

std::string_view internet_state_name(InternetState state) {
  switch (state) {
    case InternetState::online:
      return "online";
    case InternetState::dns_broken:
      return "dns_broken";
    case InternetState::no_network:
      return "no_network";
    case InternetState::restricted:
      return "restricted";
  }
  return "no_network";
}

InternetState internet_state(const InternetEvidence& evidence) {
  bool tcp = std::any_of(evidence.reaches.begin(), evidence.reaches.end(), answered);
  bool dns = evidence.name_status == DnsStatus::ok;
  if (tcp) return dns ? InternetState::online : InternetState::dns_broken;
  return dns ? InternetState::restricted : InternetState::no_network;
}

asio::awaitable<InternetProbeOutcome> run_internet_probe(Resolver& resolver,
                                                         InternetProbeOptions options) {
  const auto started = Clock::now();
  InternetProbeOutcome outcome;
  ProbeResult& result = outcome.result;
  result.id = ProbeId::internet;
  result.target.host = options.name;

  // One task per target (resolve it first when it is a name: a failure there is DNS evidence,
  // not TCP), and one for the well-known name, all at once: the probe takes as long as the
  // slowest of them, not the sum.
  std::vector<DnsAnswer<AddressRecord>> target_answers(options.targets.size());
  std::vector<std::optional<TcpReach>> reaches(options.targets.size());
  DnsAnswer<AddressRecord> name_answer;
  {
    std::vector<asio::awaitable<void>> tasks;
    tasks.push_back(
        [](Resolver& r, std::string n, DnsAnswer<AddressRecord>& out) -> asio::awaitable<void> {
          out = co_await r.a(n);
        }(resolver, options.name, name_answer));
    for (std::size_t i = 0; i < options.targets.size(); ++i)
      tasks.push_back([](Resolver& r, ReachabilityTarget target, std::chrono::milliseconds limit,
                         RunControl* control, DnsAnswer<AddressRecord>& answer,
                         std::optional<TcpReach>& reach) -> asio::awaitable<void> {
        std::string address = target.host;
        if (!is_ipv4_literal(address) && !is_ipv6_literal(address)) {
          answer = co_await r.a(target.host);
          if (!answer.ok() || answer.records.empty()) co_return;
          address = answer.records.front().address;
        }
        reach = co_await tcp_reach(address, target.port, limit, control);
      }(resolver, options.targets[i], options.connect_timeout, options.control, target_answers[i],
                                                         reaches[i]));
    co_await run_concurrently(std::move(tasks));
  }
  InternetEvidence evidence;
  evidence.name_status = name_answer.status;
  for (const auto& reach : reaches)
    if (reach) evidence.reaches.push_back(*reach);

  Details targets = Details::array();
  std::size_t answering = 0;
  for (std::size_t i = 0; i < options.targets.size(); ++i) {
    const auto& t = options.targets[i];
    Details entry = Details::object();
    entry["target"] = target_text(t.host, t.port);
    if (!reaches[i]) {
      entry["outcome"] = "cannot resolve";
      entry["detail"] = std::string(dns_status_name(target_answers[i].status));
    } else {
      const TcpReach& reach = *reaches[i];
      entry["address"] = reach.address;
      entry["outcome"] = std::string(tcp_outcome_name(reach.outcome));
      entry["elapsed_ms"] = reach.elapsed.count();
      entry["detail"] = reach.detail;
      if (answered(reach)) ++answering;
    }
    targets.push_back(std::move(entry));
  }
  outcome.state = internet_state(evidence);
  result.details["state"] = std::string(internet_state_name(outcome.state));
  result.details["name"] = options.name;
  result.details["name_status"] = std::string(dns_status_name(name_answer.status));
  if (!name_answer.ok() && !name_answer.detail.empty())
    result.details["name_detail"] = name_answer.detail;
  result.details["targets"] = std::move(targets);

  const std::string hosts_line = std::to_string(answering) + " of " +
                                 std::to_string(options.targets.size()) + " hosts answered";
  switch (outcome.state) {
    case InternetState::online:
      result.status = ProbeStatus::ok;
      result.summary = "online: " + options.name + " resolves, " + hosts_line;
      break;
    case InternetState::dns_broken: {
      result.status = ProbeStatus::fail;
      result.summary = "DNS is broken: " + options.name + " " +
                       std::string(dns_status_name(name_answer.status)) +
                       ", but the network works (" + hosts_line + ")";
      // The resolver's own words stay in the summary; cause and fix come from the knowledge base.
      add_internet_diagnosis(result, Stage::resolve, Finding::internet_dns_broken);
      break;
    }
    case InternetState::no_network: {
      result.status = ProbeStatus::fail;
      result.summary =
          "no network: no well-known host answered and " + options.name + " does not resolve";
      add_internet_diagnosis(result, Stage::connect, Finding::internet_none);
      break;
    }
    case InternetState::restricted: {
      result.status = ProbeStatus::warn;
      result.summary = options.name + " resolves but no well-known host answered on its port (" +
                       hosts_line + "): a firewall or a proxy-only network";
      add_internet_diagnosis(result, Stage::connect, Finding::internet_restricted);
      break;
    }
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  co_return outcome;
}

}  // namespace smtpdoctor
