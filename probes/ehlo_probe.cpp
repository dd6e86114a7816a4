// ehlo: introduce ourselves and learn what the server offers. EHLO, and HELO when the server
// does not know EHLO (then it offers nothing: no STARTTLS, no AUTH). Every capability is listed
// (the human report adds what each means). Keywords overwritten with X's are a firewall's SMTP
// inspection hiding STARTTLS or AUTH from us.
#include <asio/awaitable.hpp>

#include "probes/probes.hpp"

namespace smtpdoctor {

asio::awaitable<ProbeResult> run_ehlo_probe(PortSession& session) {
  const auto start = std::chrono::steady_clock::now();
  const std::string helo = session.helo();
  auto capabilities = co_await session.client.ehlo(helo);
  ProbeResult result = new_result(ProbeId::ehlo, session);
  result.duration = elapsed_since(start);
  result.details["helo"] = helo;

  if (!capabilities) {
    const Error& error = capabilities.error();
    result.status = ProbeStatus::fail;
    result.summary = error.reply ? "refused: " + error.reply->one_line() : error.message;
    add_diagnosis(result, diagnosis_for(error));
    session.broken = "EHLO failed";
    co_return result;
  }

  // On an implicit-TLS port the first EHLO is already inside TLS.
  if (session.plan.implicit_tls())
    session.after_tls = *capabilities;
  else
    session.before_tls = *capabilities;
  const Capabilities& caps = *capabilities;

  auto lines = capability_lines(caps);
  if (session.client.used_helo()) {
    raise_status(result, ProbeStatus::warn);
    result.summary = "EHLO refused, HELO accepted: no extensions (no STARTTLS, no AUTH)";
    result.details["used_helo"] = true;
  } else {
    result.summary = std::to_string(lines.size()) + " capabilities";
    if (!caps.greeting_domain.empty()) result.summary += " from " + caps.greeting_domain;
  }
  if (!caps.greeting_domain.empty()) result.details["server_name"] = caps.greeting_domain;
  result.details["capabilities"] = lines;

  // A server-to-server port judges the client by its name; a submission port judges it by its
  // login, so a name that is not fully qualified is worth a warning only on the mx role (a
  // server that objects says so in its reply, and that reply is diagnosed).
  if (!looks_like_fqdn(helo) && session.plan.role == PortRole::relay) {
    raise_status(result, ProbeStatus::warn);
    add_note(result, "the EHLO name " + helo +
                         " is not a fully qualified domain name; many receiving servers refuse "
                         "or distrust such names (give one with --helo)");
  }
  auto mangled = mangled_keywords(caps);
  if (!mangled.empty()) {
    raise_status(result, ProbeStatus::warn);
    result.details["mangled_keywords"] = mangled;
    for (const auto& keyword : mangled) {
      std::string guess(mangled_keyword_guess(keyword));
      add_note(result, "the keyword " + keyword +
                           " was overwritten by a firewall's SMTP "
                           "inspection (middlebox)" +
                           (guess.empty() ? "" : "; it was probably " + guess));
    }
    add_diagnosis(result, diagnosis_for_finding(Stage::ehlo, Finding::middlebox_mangled_ehlo));
  }
  co_return result;
}

}  // namespace smtpdoctor
