#include "core/diagnosis/port25_verdict.hpp"

#include <algorithm>
#include <cerrno>
#include <set>
#include <system_error>

#include "core/diagnosis/knowledge_base.hpp"

namespace smtpdoctor {
namespace {

Diagnosis blocked_diagnosis(const std::string& proxy) {
  Evidence ev;
  ev.stage = Stage::connect;
  ev.socket_error = std::make_error_code(std::errc::timed_out);
  ev.finding = proxy.empty() ? Finding::port25_blocked : Finding::port25_blocked_via_proxy;
  if (!proxy.empty()) ev.add_fact("proxy", proxy);
  return diagnose(ev);
}

Diagnosis refused_diagnosis(const std::string& host) {
  Evidence ev;
  ev.stage = Stage::connect;
  ev.socket_error = std::make_error_code(std::errc::connection_refused);
  ev.finding = Finding::port25_refused;
  ev.add_fact("host", host);
  return diagnose(ev);
}

std::string ports_that_connected(const std::vector<PortAttempt>& attempts,
                                 const std::string& host) {
  std::string out;
  for (const auto& a : attempts) {
    if (a.host != host || a.port == 25 || a.outcome != TcpOutcome::connected) continue;
    if (out.find(std::to_string(a.port)) != std::string::npos) continue;
    if (!out.empty()) out += " and ";
    out += std::to_string(a.port);
  }
  return out;
}

}  // namespace

std::string_view tcp_outcome_name(TcpOutcome outcome) {
  switch (outcome) {
    case TcpOutcome::connected:
      return "connected";
    case TcpOutcome::refused:
      return "refused";
    case TcpOutcome::timed_out:
      return "timed out";
    case TcpOutcome::unreachable:
      return "unreachable";
    case TcpOutcome::failed:
      return "failed";
  }
  return "failed";
}

std::optional<TcpOutcome> tcp_outcome_from_name(std::string_view name) {
  for (auto o : {TcpOutcome::connected, TcpOutcome::refused, TcpOutcome::timed_out,
                 TcpOutcome::unreachable, TcpOutcome::failed})
    if (tcp_outcome_name(o) == name) return o;
  return std::nullopt;
}

std::vector<Port25Verdict> port25_verdicts(const Port25Evidence& evidence) {
  std::vector<Port25Verdict> verdicts;
  std::set<std::string> refused_hosts;
  std::optional<Port25Verdict> blocked;

  for (const auto& attempt : evidence.attempts) {
    if (attempt.port != 25) continue;
    // Through a proxy a refusal is the proxy's report, diagnosed by the tcp probe already.
    if (attempt.outcome == TcpOutcome::refused && evidence.proxy.empty() &&
        refused_hosts.insert(attempt.host).second) {
      verdicts.push_back({Port25Finding::refused, attempt.host,
                          "port 25 on " + attempt.host + " refused the connection",
                          refused_diagnosis(attempt.host)});
    }
    if (attempt.outcome == TcpOutcome::timed_out && !blocked) {
      std::string others = ports_that_connected(evidence.attempts, attempt.host);
      if (!others.empty()) {
        std::string line = "port 25 on " + attempt.host + " timed out while " + others +
                           " on the same host connected";
        if (!evidence.proxy.empty()) line += ", through the proxy " + evidence.proxy;
        blocked = Port25Verdict{Port25Finding::blocked, attempt.host, line,
                                blocked_diagnosis(evidence.proxy)};
      }
    }
  }

  // No same-host evidence: the reference MX hosts decide, but only when the internet works (a
  // machine with no network times out everywhere, and that is the internet probe's finding).
  bool target_25_timed_out = std::any_of(
      evidence.attempts.begin(), evidence.attempts.end(),
      [](const PortAttempt& a) { return a.port == 25 && a.outcome == TcpOutcome::timed_out; });
  bool reference_all_timed_out =
      !evidence.reference.empty() &&
      std::all_of(evidence.reference.begin(), evidence.reference.end(), [](const PortAttempt& a) {
        return a.port == 25 && a.outcome == TcpOutcome::timed_out;
      });
  if (!blocked && evidence.proxy.empty() && evidence.internet_ok.value_or(false) &&
      reference_all_timed_out) {
    std::string line = "port 25 timed out on every reference mail server (";
    for (std::size_t i = 0; i < evidence.reference.size(); ++i)
      line += (i ? ", " : "") + evidence.reference[i].host;
    line += ") while the internet probe connected";
    if (target_25_timed_out) line += "; the target's port 25 timed out too";
    blocked = Port25Verdict{Port25Finding::blocked, "", line, blocked_diagnosis("")};
  }
  if (blocked) verdicts.insert(verdicts.begin(), std::move(*blocked));
  return verdicts;
}

}  // namespace smtpdoctor
