// tcp: can we reach the port at all? Connected / refused (RST: the host is there, nothing
// listens) / timed out (a firewall drops the packets) / unreachable (no route), per address and
// address family, with the connect latency. On an implicit-TLS port the client also does the
// TLS handshake here; a failed handshake still means TCP worked, and the tls probe reports it.
#include <asio/awaitable.hpp>

#include "core/diagnosis/proxy_diagnosis.hpp"
#include "core/net/tcp_outcome.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

std::string family_of(const ConnectAttempt& attempt) {
  return attempt.v6 ? "ipv6" : "ipv4";
}

std::string outcome_of(const ConnectAttempt& attempt) {
  return std::string(tcp_outcome_name(attempt.outcome));
}

Details attempts_json(const std::vector<ConnectAttempt>& attempts) {
  Details out = Details::array();
  for (const auto& attempt : attempts) {
    Details one = Details::object();
    one["address"] = attempt.address;
    one["family"] = family_of(attempt);
    one["outcome"] = outcome_of(attempt);
    std::string reason = attempt_reason(attempt);
    if (!reason.empty()) one["reason"] = reason;
    out.push_back(std::move(one));
  }
  return out;
}

// "ipv4 connected, ipv6 refused": what each address family did, first outcome per family.
Details families_json(const std::vector<ConnectAttempt>& attempts) {
  Details out = Details::object();
  for (const auto& attempt : attempts) {
    const std::string family = family_of(attempt);
    if (out.contains(family) && out[family] == "connected") continue;
    if (!out.contains(family) || attempt.outcome == TcpOutcome::connected)
      out[family] = outcome_of(attempt);
  }
  return out;
}

// What a failed connect() came to: the error's kind, else what the last address that did not
// time out said; nullopt when the name did not resolve (no address was tried).
std::optional<TcpOutcome> failed_outcome(const Error& error,
                                         const std::vector<ConnectAttempt>& attempts) {
  if (error.kind == ErrorKind::timeout) return TcpOutcome::timed_out;
  if (error.kind == ErrorKind::resolve) return std::nullopt;
  for (auto it = attempts.rbegin(); it != attempts.rend(); ++it)
    if (it->outcome != TcpOutcome::timed_out) return it->outcome;
  return TcpOutcome::failed;
}

}  // namespace

asio::awaitable<ProbeResult> run_tcp_probe(PortSession& session) {
  const auto start = std::chrono::steady_clock::now();
  auto connected = co_await session.client.connect();
  const std::vector<ConnectAttempt>& attempts = session.client.attempts();
  session.connect_attempts = attempts;

  if (!connected && connected.error().stage == Stage::tls && session.plan.implicit_tls()) {
    // TCP worked; the handshake did not. The tls probe reports why.
    session.implicit_tls_error = connected.error();
    session.connect = session.client.connection();
  } else if (connected) {
    session.connect = *connected;
  }

  ProbeResult result = new_result(ProbeId::tcp, session);
  result.duration = elapsed_since(start);
  result.details["port_role"] = std::string(port_role_name(session.plan.role));
  if (session.options.proxy) result.details["proxy"] = session.options.proxy->display();
  const std::optional<ProxyFailure>& proxy_failure = session.client.proxy_failure();
  if (!connected && proxy_failure) {
    // The proxy's failure, not the server's: its own diagnosis, and a tcp outcome only when the
    // proxy did reach out to the server (what the port-25 verdict reads, as the proxy's view).
    result.status = ProbeStatus::fail;
    result.summary = "through the proxy " + proxy_failure->proxy + ": " + proxy_failure->reason;
    result.details["outcome"] = "proxy failed";
    Details proxy = Details::object();
    proxy["failure"] = std::string(proxy_failure_kind_name(proxy_failure->kind));
    proxy["reason"] = proxy_failure->reason;
    if (proxy_failure->code) proxy["code"] = *proxy_failure->code;
    result.details["proxy_failure"] = std::move(proxy);
    if (proxy_failure->kind == ProxyFailureKind::target_failed)
      session.tcp_outcome = proxy_failure->target_outcome;
    add_diagnosis(result, proxy_failure_diagnosis(*proxy_failure));
    session.broken = "the proxy failed";
    if (!attempts.empty()) {
      result.details["families"] = families_json(attempts);
      result.details["attempts"] = attempts_json(attempts);
      // What the proxy said is the reason, not the stand-in socket error of the attempt.
      for (auto& attempt : result.details["attempts"])
        if (attempt.contains("reason")) attempt["reason"] = proxy_failure->reason;
    }
    co_return result;
  }
  if (session.connect) {
    session.tcp_outcome = TcpOutcome::connected;
    result.summary = "connected to " + session.connect->address + " in " +
                     std::to_string(session.connect->latency.count()) + " ms";
    result.details["address"] = session.connect->address;
    result.details["latency_ms"] = session.connect->latency.count();
  } else {
    const Error& error = connected.error();
    session.tcp_outcome = failed_outcome(error, attempts);
    std::string outcome = session.tcp_outcome ? std::string(tcp_outcome_name(*session.tcp_outcome))
                                              : std::string("cannot resolve");
    result.status = ProbeStatus::fail;
    // "refused: 127.0.0.1 (Connection refused)", one entry per address tried.
    std::string tried;
    for (const auto& attempt : attempts)
      tried += (tried.empty() ? "" : ", ") + attempt.address + " (" + attempt_reason(attempt) + ")";
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
