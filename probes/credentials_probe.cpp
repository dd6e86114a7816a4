#include "probes/credentials_probe.hpp"

#include <algorithm>
#include <asio/this_coro.hpp>

#include "core/base/target.hpp"
#include "core/diagnosis/knowledge_base.hpp"
#include "core/net/concurrently.hpp"

namespace smtpdoctor {
namespace {

std::string protocols_text(const std::vector<MailboxLogin>& logins, LoginOutcome outcome) {
  std::string out;
  for (const auto& login : logins) {
    if (login.outcome != outcome || login.temporary) continue;
    std::string name = login.protocol == MailProtocol::pop3 ? "POP3" : "IMAP";
    if (out.find(name) != std::string::npos) continue;
    out += (out.empty() ? "" : " and ") + name;
  }
  return out;
}

Error usage(std::string message) {
  Error e;
  e.kind = ErrorKind::usage;
  e.message = std::move(message);
  return e;
}

}  // namespace

CredentialsVerdict credentials_verdict(const CredentialsEvidence& evidence) {
  CredentialsVerdict verdict;

  // POP-before-SMTP first: it explains a relay refusal that AUTH results would not.
  if (evidence.relay_refused_before_pop.value_or(false) &&
      evidence.relay_accepted_after_pop.value_or(false)) {
    Evidence ev;
    ev.stage = Stage::rcpt;
    ev.finding = Finding::pop_before_smtp;
    Diagnosis d = diagnose(ev);
    verdict.finding = CredentialsFinding::pop_before_smtp;
    verdict.status = ProbeStatus::warn;
    verdict.summary = "relaying was refused until a POP3 login, then allowed (POP-before-SMTP)";
    verdict.diagnosis = std::move(d);
    return verdict;
  }

  if (evidence.smtp == SmtpLogin::ok) {
    verdict.summary = "SMTP AUTH accepted the credentials";
    if (std::string ok = protocols_text(evidence.mailbox, LoginOutcome::ok); !ok.empty())
      verdict.summary += "; " + ok + " too";
    return verdict;
  }
  if (evidence.smtp == SmtpLogin::not_tried || evidence.mailbox.empty()) {
    verdict.summary = evidence.mailbox.empty() ? "no POP3/IMAP login to compare with"
                                               : "SMTP AUTH was not tried: nothing to compare";
    verdict.finding = CredentialsFinding::none;
    return verdict;
  }

  // SMTP refused the login.
  const std::string accepted = protocols_text(evidence.mailbox, LoginOutcome::ok);
  const std::string refused = protocols_text(evidence.mailbox, LoginOutcome::rejected);
  if (!accepted.empty()) {
    Evidence ev;
    ev.stage = Stage::auth;
    ev.other_protocol_login_ok = true;
    ev.add_fact("protocols", accepted);
    verdict.finding = CredentialsFinding::differ_from_pop;
    verdict.status = ProbeStatus::fail;
    verdict.summary = "SMTP AUTH refused the credentials that " + accepted + " accepted";
    verdict.diagnosis = diagnose(ev);
    return verdict;
  }
  if (!refused.empty()) {
    Evidence ev;
    ev.stage = Stage::auth;
    ev.finding = Finding::credentials_both_rejected;
    ev.add_fact("protocols", refused);
    Diagnosis d = diagnose(ev);
    verdict.finding = CredentialsFinding::both_rejected;
    verdict.status = ProbeStatus::fail;
    verdict.summary = "SMTP AUTH and " + refused + " both refused the credentials";
    verdict.diagnosis = std::move(d);
    return verdict;
  }
  verdict.finding = CredentialsFinding::inconclusive;
  verdict.status = ProbeStatus::warn;
  std::string why;
  for (const auto& login : evidence.mailbox)
    if (!login.text.empty()) {
      why = login.text;
      break;
    }
  verdict.summary =
      "SMTP AUTH refused the credentials; the POP3/IMAP comparison could not be "
      "made" +
      (why.empty() ? std::string() : ": " + why);
  return verdict;
}

Result<MailboxServer> parse_mailbox_server(MailProtocol protocol, std::string_view spec) {
  MailTls tls = MailTls::automatic;
  const std::string_view plain = protocol == MailProtocol::pop3 ? "pop3://" : "imap://";
  const std::string_view secure = protocol == MailProtocol::pop3 ? "pop3s://" : "imaps://";
  if (spec.substr(0, secure.size()) == secure) {
    tls = MailTls::implicit;
    spec.remove_prefix(secure.size());
  } else if (spec.substr(0, plain.size()) == plain) {
    tls = MailTls::starttls;
    spec.remove_prefix(plain.size());
  }
  std::string why;
  auto target = parse_target(spec, &why);
  if (!target) return usage("'" + std::string(spec) + "': " + why);
  if (target->recipient) return usage("expected HOST[:PORT], not an e-mail address");
  MailboxServer server;
  server.protocol = protocol;
  server.host = target->host;
  server.port = target->port.value_or(0);
  server.tls = tls;
  if (server.port == 0 && tls == MailTls::starttls)
    server.port = default_mail_port(protocol, false);
  return server;
}

asio::awaitable<std::vector<MailLoginResult>> run_mailbox_logins(MailboxLoginOptions options) {
  auto executor = co_await asio::this_coro::executor;
  std::vector<MailLoginResult> results(options.servers.size());
  std::vector<asio::awaitable<void>> tasks;
  for (std::size_t i = 0; i < options.servers.size(); ++i) {
    MailLoginOptions login;
    login.protocol = options.servers[i].protocol;
    login.host = options.servers[i].host;
    login.port = options.servers[i].port;
    login.tls = options.servers[i].tls;
    login.tls_options = options.tls;
    login.allow_plaintext = options.allow_plaintext;
    login.user = options.user;
    login.password = options.password;
    login.limits = options.limits;
    login.control = options.control;
    tasks.push_back([](asio::any_io_executor ex, MailLoginOptions o,
                       MailLoginResult& out) -> asio::awaitable<void> {
      out = co_await mail_login(ex, std::move(o));
    }(executor, std::move(login), results[i]));
  }
  co_await run_concurrently(std::move(tasks));
  co_return results;
}

std::vector<MailboxLogin> mailbox_evidence(const std::vector<MailLoginResult>& logins,
                                           const std::vector<MailboxServer>& servers) {
  std::vector<MailboxLogin> out;
  for (std::size_t i = 0; i < logins.size() && i < servers.size(); ++i) {
    MailboxLogin login;
    login.protocol = servers[i].protocol;
    login.outcome = logins[i].outcome;
    login.temporary = logins[i].temporary();
    login.text = logins[i].error ? logins[i].error->message : logins[i].server_text;
    out.push_back(std::move(login));
  }
  return out;
}

ProbeResult credentials_result(const ProbeTarget& smtp_target, const CredentialsVerdict& verdict,
                               const std::vector<MailLoginResult>& logins,
                               const std::vector<MailboxServer>& servers) {
  ProbeResult result;
  result.id = ProbeId::auth;
  result.target = smtp_target;
  result.status = verdict.status;
  result.summary = verdict.summary;
  Details list = Details::array();
  std::chrono::milliseconds longest{0};
  for (std::size_t i = 0; i < logins.size() && i < servers.size(); ++i) {
    const auto& login = logins[i];
    longest = std::max(longest, login.duration);
    Details entry = Details::object();
    entry["protocol"] = std::string(mail_protocol_name(servers[i].protocol));
    entry["host"] = servers[i].host;
    entry["port"] = login.port;
    if (!login.address.empty()) entry["address"] = login.address;
    entry["outcome"] = std::string(login_outcome_name(login.outcome));
    if (!login.method.empty()) entry["method"] = login.method;
    if (login.tls) entry["tls"] = login.tls->protocol;
    if (!login.response_code.empty()) entry["response_code"] = login.response_code;
    if (!login.server_text.empty()) entry["server_text"] = login.server_text;
    if (login.error) entry["error"] = login.error->message;
    entry["duration_ms"] = login.duration.count();
    list.push_back(std::move(entry));
  }
  result.duration = longest;
  result.details["check"] = "credentials";
  result.details["finding"] = [&] {
    switch (verdict.finding) {
      case CredentialsFinding::none:
        return "none";
      case CredentialsFinding::differ_from_pop:
        return "differ_from_pop";
      case CredentialsFinding::both_rejected:
        return "both_rejected";
      case CredentialsFinding::pop_before_smtp:
        return "pop_before_smtp";
      case CredentialsFinding::inconclusive:
        return "inconclusive";
    }
    return "none";
  }();
  result.details["mailbox_logins"] = std::move(list);
  if (verdict.diagnosis) result.diagnoses.push_back(*verdict.diagnosis);
  return result;
}

asio::awaitable<PopBeforeSmtp> check_pop_before_smtp(ClientOptions smtp, std::string helo,
                                                     std::string from,
                                                     std::string foreign_recipient,
                                                     MailLoginOptions pop) {
  auto executor = co_await asio::this_coro::executor;
  PopBeforeSmtp out;
  // One unauthenticated MAIL/RCPT attempt; true when the RCPT was accepted.
  auto try_relay = [&]() -> asio::awaitable<Result<bool>> {
    SmtpClient client(executor, smtp);
    if (auto r = co_await client.connect(); !r) co_return r.error();
    if (auto r = co_await client.read_greeting(); !r) co_return r.error();
    if (auto r = co_await client.ehlo(helo); !r) co_return r.error();
    if (client.capabilities().starttls && !client.in_tls()) {
      if (auto r = co_await client.starttls(); !r) co_return r.error();
      if (auto r = co_await client.ehlo(helo); !r) co_return r.error();
    }
    auto mail = co_await client.mail_from(from);
    if (!mail) {
      (void)co_await client.quit();
      co_return mail.error();
    }
    auto rcpt = co_await client.rcpt_to(foreign_recipient);
    (void)co_await client.rset();
    (void)co_await client.quit();
    if (!rcpt && rcpt.error().kind != ErrorKind::rejected) co_return rcpt.error();
    co_return rcpt.ok();
  };

  auto before = co_await try_relay();
  if (!before) {
    out.outcome = "could not test relaying: " + before.error().message;
    co_return out;
  }
  out.refused_before = !*before;
  if (*before) {
    out.outcome = "relaying was allowed without any login";
    co_return out;
  }
  auto login = co_await mail_login(executor, std::move(pop));
  if (login.outcome != LoginOutcome::ok) {
    out.outcome = "relaying refused; the POP3 login to test POP-before-SMTP failed";
    co_return out;
  }
  auto after = co_await try_relay();
  if (!after) {
    out.outcome = "could not test relaying after the POP3 login: " + after.error().message;
    co_return out;
  }
  out.accepted_after = *after;
  out.outcome = *after ? "relaying refused before a POP3 login and allowed after it"
                       : "relaying refused before and after a POP3 login";
  co_return out;
}

}  // namespace smtpdoctor
