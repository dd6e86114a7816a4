// tcp: can we reach the port at all? Connected / refused (RST: the host is there, nothing
// listens) / timed out (a firewall drops the packets) / unreachable (no route), per address and
// address family, with the connect latency. On an implicit-TLS port the client also does the
// TLS handshake here; a failed handshake still means TCP worked, and the tls probe reports it.
#include <asio/awaitable.hpp>

#include "core/tcp_reach.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

std::string family_of(const std::string& address) {
  return address.find(':') != std::string::npos ? "ipv6" : "ipv4";
}

std::string outcome_from_reason(const std::string& reason) {
  if (reason.find("timed out") != std::string::npos) return "timed out";
  if (reason.find("refused") != std::string::npos) return "refused";
  if (reason.find("unreachable") != std::string::npos) return "unreachable";
  return "failed";
}

Details attempts_json(const std::vector<ConnectAttempt>& attempts) {
  Details out = Details::array();
  for (const auto& attempt : attempts) {
    Details one = Details::object();
    one["address"] = attempt.address;
    one["family"] = attempt.family;
    one["outcome"] = attempt.outcome;
    if (!attempt.reason.empty() && attempt.outcome != "connected") one["reason"] = attempt.reason;
    out.push_back(std::move(one));
  }
  return out;
}

// "ipv4 connected, ipv6 refused": what each address family did, first outcome per family.
Details families_json(const std::vector<ConnectAttempt>& attempts) {
  Details out = Details::object();
  for (const auto& attempt : attempts) {
    if (out.contains(attempt.family) && out[attempt.family] == "connected") continue;
    if (!out.contains(attempt.family) || attempt.outcome == "connected")
      out[attempt.family] = attempt.outcome;
  }
  return out;
}

}  // namespace

std::vector<ConnectAttempt> connect_attempts(const Transcript& transcript) {
  // The client records each attempt as one line: "connecting to ADDR: REASON" for a failure,
  // "Connected to ADDR port P in N ms" for the one that worked.
  static constexpr std::string_view kFailed = "connecting to ";
  static constexpr std::string_view kConnected = "Connected to ";
  std::vector<ConnectAttempt> attempts;
  for (const auto& entry : transcript.entries()) {
    if (entry.stage != Stage::connect) continue;
    std::string_view text = entry.text;
    if (entry.direction == Direction::error && text.rfind(kFailed, 0) == 0) {
      text.remove_prefix(kFailed.size());
      // IPv6 addresses hold ':' too; the reason follows the last ": ".
      auto colon = text.rfind(": ");
      if (colon == std::string_view::npos) continue;
      ConnectAttempt attempt;
      attempt.address = std::string(text.substr(0, colon));
      attempt.reason = std::string(text.substr(colon + 2));
      attempt.family = family_of(attempt.address);
      attempt.outcome = outcome_from_reason(attempt.reason);
      attempts.push_back(std::move(attempt));
    } else if (entry.direction == Direction::info && text.rfind(kConnected, 0) == 0) {
      text.remove_prefix(kConnected.size());
      ConnectAttempt attempt;
      attempt.address = std::string(text.substr(0, text.find(" port ")));
      attempt.family = family_of(attempt.address);
      attempt.outcome = "connected";
      attempts.push_back(std::move(attempt));
    }
  }
  return attempts;
}

TcpOutcome tcp_outcome_of(const Error& error) {
  if (error.kind == ErrorKind::timeout) return TcpOutcome::timed_out;
  return classify_connect_error(error.code);
}

std::string connect_outcome(const Error& error) {
  if (error.kind == ErrorKind::timeout) return "timed out";
  if (error.kind == ErrorKind::resolve) return "cannot resolve";
  if (error.code == std::errc::connection_refused) return "refused";
  if (error.code == std::errc::host_unreachable || error.code == std::errc::network_unreachable)
    return "unreachable";
  return outcome_from_reason(error.message);
}

asio::awaitable<ProbeResult> run_tcp_probe(PortSession& session) {
  const auto start = std::chrono::steady_clock::now();
  auto connected = co_await session.client.connect();
  auto attempts = connect_attempts(session.client.transcript());

  std::chrono::milliseconds latency{0};
  for (const auto& timing : session.client.timings())
    if (timing.stage == Stage::connect) latency = timing.duration;

  if (!connected && connected.error().stage == Stage::tls && session.plan.implicit_tls()) {
    // TCP worked; the handshake did not. The tls probe reports why.
    session.implicit_tls_error = connected.error();
    ConnectInfo info;
    info.port = session.plan.port;
    info.latency = latency;
    for (const auto& attempt : attempts)
      if (attempt.outcome == "connected") info.address = attempt.address;
    session.connect = info;
  } else if (connected) {
    session.connect = *connected;
  }

  ProbeResult result = new_result(ProbeId::tcp, session);
  result.duration = elapsed_since(start);
  result.details["port_role"] = std::string(port_role_name(session.plan.role));
  session.tcp_outcome = session.connect ? TcpOutcome::connected : tcp_outcome_of(connected.error());
  if (session.connect) {
    result.summary = "connected to " + session.connect->address + " in " +
                     std::to_string(session.connect->latency.count()) + " ms";
    result.details["address"] = session.connect->address;
    result.details["latency_ms"] = session.connect->latency.count();
  } else {
    const Error& error = connected.error();
    std::string outcome = connect_outcome(error);
    result.status = ProbeStatus::fail;
    // "refused: 127.0.0.1 (Connection refused)", one entry per address tried.
    std::string tried;
    for (const auto& attempt : attempts)
      tried += (tried.empty() ? "" : ", ") + attempt.address + " (" + attempt.reason + ")";
    result.summary = outcome + ": " + (tried.empty() ? error.message : tried);
    result.details["outcome"] = outcome;
    add_diagnosis(result, diagnosis_for(error));
    session.broken = "tcp " + outcome;
  }
  if (!attempts.empty()) {
    result.details["families"] = families_json(attempts);
    result.details["attempts"] = attempts_json(attempts);
  }
  co_return result;
}

}  // namespace smtpdoctor
