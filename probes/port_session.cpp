#include "probes/port_session.hpp"

#include <algorithm>

#include "core/diagnosis/knowledge_base.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {

ClientOptions client_options(const CheckOptions& options, const PortPlan& plan) {
  ClientOptions client;
  // A proxy that resolves names itself (socks5h, socks4a, http) is handed the name, so a name
  // only the proxy's network knows works, and nothing is resolved on our side for it.
  const bool proxy_resolves = options.proxy && options.proxy->resolves_remotely();
  const std::string address = proxy_resolves ? std::string() : plan.address;
  client.host = address.empty() ? plan.host : address;
  client.proxy = options.proxy;
  client.port = plan.port;
  client.family = options.family;
  client.implicit_tls = plan.implicit_tls();
  // --tls-sni names the server: the certificate is checked against that name (the client does
  // that when verify_host is empty), whatever address we connect to.
  client.tls_sni = options.tls_sni;
  if (!address.empty() && client.tls_sni.empty()) {
    // Connecting to an address the dns step found: the certificate must still name the host.
    client.verify_host = plan.host;
    if (!is_ip_literal(plan.host)) client.tls_sni = plan.host;
  }
  // --tls-verify-name wins over both: a certificate issued for a name neither dialled nor sent.
  if (!options.tls_verify_name.empty()) client.verify_host = options.tls_verify_name;
  client.tls.ca_file = options.ca_file;
  client.tls.insecure = options.insecure;
  // --insecure also goes on with a server that speaks only TLS 1.0/1.1; the report says so.
  client.tls.legacy_versions = options.insecure;
  client.limits = options.limits;
  if (options.timeout) {
    client.limits.connect_timeout = *options.timeout;
    client.limits.greeting_timeout = *options.timeout;
    client.limits.command_timeout = *options.timeout;
    client.limits.tls_handshake_timeout = *options.timeout;
  }
  return client;
}

ProbeTarget PortSession::target() const {
  ProbeTarget target;
  target.host = plan.host;
  target.port = plan.port;
  if (connect && connect->address != plan.host) target.address = connect->address;
  return target;
}

std::string PortSession::helo() const {
  if (!options.helo_is_default || looks_like_fqdn(options.helo) || !connect ||
      connect->local_address.empty())
    return options.helo;
  const std::string& local = connect->local_address;
  return local.find(':') == std::string::npos ? "[" + local + "]" : "[IPv6:" + local + "]";
}

std::string PortSession::sender() const {
  return options.from.empty() ? "postmaster@" + helo() : options.from;
}

ProbeResult new_result(ProbeId id, const PortSession& session) {
  ProbeResult result;
  result.id = id;
  result.target = session.target();
  return result;
}

ProbeResult skipped(ProbeId id, const PortSession& session, std::string reason) {
  ProbeResult result = new_result(id, session);
  result.status = ProbeStatus::skip;
  result.skip_reason = std::move(reason);
  result.summary = "skipped: " + result.skip_reason;
  return result;
}

std::chrono::milliseconds elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

Diagnosis diagnosis_for(const Error& error) {
  if (error.kind != ErrorKind::network && error.kind != ErrorKind::timeout) return diagnose(error);
  // A socket failure is evidence by its errno and stage. The message is our own wording
  // ("cannot connect to ...: Connection refused"), and matching it as text would pick the rules
  // meant for pasted client errors (e.g. "a library fell back to localhost").
  Evidence evidence;
  evidence.stage = error.stage;
  if (error.code) evidence.socket_error = error.code;
  if (error.kind == ErrorKind::timeout && !error.code)
    evidence.socket_error = std::make_error_code(std::errc::timed_out);
  Diagnosis diagnosis = diagnose(evidence);
  if (diagnosis.rule == "unknown") return diagnose(error);  // no errno rule: let the text speak
  return diagnosis;
}

Diagnosis diagnosis_for(Stage stage, const Reply& reply, const SessionContext& context) {
  Evidence evidence;
  evidence.stage = stage;
  evidence.reply = reply;
  evidence.context = context;
  return diagnose(evidence);
}

std::optional<Diagnosis> diagnosis_for_finding(Stage stage, Finding finding) {
  Evidence evidence;
  evidence.stage = stage;
  evidence.finding = finding;
  Diagnosis diagnosis = diagnose(evidence);
  // The knowledge base's fallbacks ("code-class", "unknown") say only "not recognised".
  if (diagnosis.rule == "unknown" || diagnosis.rule == "code-class") return std::nullopt;
  return diagnosis;
}

}  // namespace smtpdoctor

namespace smtpdoctor {

void add_diagnosis(ProbeResult& result, Diagnosis diagnosis) {
  for (const auto& existing : result.diagnoses)
    if (existing.category == diagnosis.category && existing.rule == diagnosis.rule) return;
  result.diagnoses.push_back(std::move(diagnosis));
}

void add_diagnosis(ProbeResult& result, std::optional<Diagnosis> diagnosis) {
  if (diagnosis) add_diagnosis(result, std::move(*diagnosis));
}

void add_note(ProbeResult& result, const std::string& note) {
  if (!result.details.contains("notes")) result.details["notes"] = Details::array();
  result.details["notes"].push_back(note);
}

void raise_status(ProbeResult& result, ProbeStatus status) {
  auto rank = [](ProbeStatus s) {
    switch (s) {
      case ProbeStatus::skip:
        return 0;
      case ProbeStatus::ok:
        return 1;
      case ProbeStatus::warn:
        return 2;
      case ProbeStatus::fail:
        return 3;
    }
    return 0;
  };
  if (rank(status) > rank(result.status)) result.status = status;
}

}  // namespace smtpdoctor
