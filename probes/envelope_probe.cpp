// envelope: a dry run of the envelope. MAIL FROM (--from, default postmaster@ the HELO name) and
// RCPT TO each recipient, one outcome per recipient, then RSET and QUIT — never DATA, so nothing
// is ever delivered. With PIPELINING all of it is one write group: one round trip. --relay-test
// tries, in its own connection and without AUTH, a recipient in a domain that cannot exist: a
// server that accepts it relays for anyone (an open relay).
#include <asio/awaitable.hpp>

#include "core/base/ascii.hpp"
#include "core/dns/dns_name.hpp"
#include "core/net/tls_client.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

// A refusal's weight: 5xx will not change by retrying (fail), 4xx might (warn).
ProbeStatus status_for_refusal(const Reply& reply) {
  return reply.transient_failure() ? ProbeStatus::warn : ProbeStatus::fail;
}

// MAIL refused. 530 without credentials is what a submission server should say; it is a
// warning that tells the user how to test further, not a failure of the server.
void judge_mail_refusal(ProbeResult& result, const PortSession& session, const Reply& reply) {
  result.details["mail_reply"] = reply.one_line();
  add_diagnosis(result, diagnosis_for(Stage::mail, reply));
  if (reply.code == 530 && !session.options.has_credentials()) {
    raise_status(result, ProbeStatus::warn);
    result.summary = "MAIL FROM needs a login first (" + reply.one_line() +
                     "); give --auth-user to test the envelope";
    return;
  }
  raise_status(result, status_for_refusal(reply));
  result.summary = "sender " + session.sender() + " refused: " + reply.one_line();
}

// Whether `name` (a host or greeting name) says the server is at home in `domain`:
// mx.example.com and example.com itself are, mail.provider.net is not for example.com.
bool names_domain(std::string name, const std::string& domain) {
  name = ascii::lower(without_trailing_dot(std::move(name)));
  return name == domain || (name.size() > domain.size() && name.ends_with("." + domain));
}

// A name that says something about the server's domains: not an address, not "localhost", not a
// bare host name without a dot.
bool informative_name(const std::string& name) {
  return name.find('.') != std::string::npos && !is_ip_literal(name) &&
         ascii::lower(name) != "localhost.localdomain";
}

// What the session knew when the server answered RCPT for `recipient`: whether it had logged
// in, and whether the recipient's domain is the server's own as far as the names the check has
// seen (the target, the host, the greeting and EHLO names) tell. On a submission port a domain
// we cannot place counts as outside: such a port relays only for clients that logged in.
SessionContext rcpt_context(const PortSession& session, const std::string& recipient) {
  SessionContext context;
  context.known = true;
  context.logged_in = session.authenticated;
  context.login_attempted = session.login.has_value();
  auto at = recipient.rfind('@');
  if (at == std::string::npos) return context;
  const std::string domain = ascii::lower(without_trailing_dot(recipient.substr(at + 1)));
  std::vector<std::string> names{session.options.target.host, session.plan.host};
  if (session.greeting && !session.greeting->reply.lines.empty()) {
    auto words = ascii::words(session.greeting->reply.lines.front());
    if (!words.empty()) names.emplace_back(words.front());
  }
  for (const auto* caps : {&session.before_tls, &session.after_tls})
    if (*caps) names.push_back((*caps)->greeting_domain);
  bool informative = false;
  for (const auto& name : names) {
    if (!informative_name(name)) continue;
    informative = true;
    if (names_domain(name, domain)) {
      context.recipient_local = true;
      return context;
    }
  }
  if (informative || session.plan.role != PortRole::relay) context.recipient_local = false;
  return context;
}

void judge_recipients(ProbeResult& result, const PortSession& session,
                      const std::vector<RecipientOutcome>& recipients) {
  Details list = Details::array();
  std::size_t accepted = 0;
  std::string first_refusal;
  for (const auto& recipient : recipients) {
    Details one = Details::object();
    one["address"] = recipient.address;
    one["accepted"] = recipient.accepted();
    one["reply"] = recipient.reply.one_line();
    list.push_back(std::move(one));
    if (recipient.accepted()) {
      ++accepted;
      continue;
    }
    raise_status(result, status_for_refusal(recipient.reply));
    add_diagnosis(result, diagnosis_for(Stage::rcpt, recipient.reply,
                                        rcpt_context(session, recipient.address)));
    if (first_refusal.empty())
      first_refusal = recipient.address + " refused: " + recipient.reply.one_line();
  }
  result.details["recipients"] = std::move(list);
  result.summary =
      std::to_string(accepted) + "/" + std::to_string(recipients.size()) + " recipients accepted";
  if (!first_refusal.empty()) result.summary += "; " + first_refusal;
}

EnvelopeOptions envelope_options(ProbeResult& result, const PortSession& session) {
  EnvelopeOptions envelope;
  const Capabilities* caps = session.current_capabilities();
  if (session.options.size) {
    if (caps && caps->size_advertised) {
      envelope.mail_params.push_back("SIZE=" + std::to_string(*session.options.size));
      result.details["size_declared"] = *session.options.size;
      if (auto limit = caps->size_limit(); limit && *session.options.size > *limit)
        add_note(result, "the declared size is over the server's limit of " +
                             std::to_string(*limit) + " octets");
    } else {
      add_note(result, "the server does not offer SIZE; --size was not declared");
    }
  }
  return envelope;
}

}  // namespace

asio::awaitable<ProbeResult> run_envelope_probe(PortSession& session, bool mail_only) {
  const auto start = std::chrono::steady_clock::now();
  const CheckOptions& options = session.options;
  ProbeResult result = new_result(ProbeId::envelope, session);
  const std::string sender = session.sender();
  result.details["from"] = sender;
  if (session.authenticated) result.details["authenticated"] = true;
  const EnvelopeOptions envelope = envelope_options(result, session);
  const std::vector<std::string> recipients = mail_only ? std::vector<std::string>{} : options.to;

  // The last step of the conversation: the dry run ends it with RSET and QUIT, all in one group
  // when the server pipelines.
  auto run = co_await session.client.dry_run(sender, recipients, envelope);
  if (!run) {
    // An address we refuse to send: nothing went out, the session is still there for QUIT.
    result.status = ProbeStatus::fail;
    result.summary = run.error().message;
    add_diagnosis(result, diagnosis_for(run.error()));
    result.duration = elapsed_since(start);
    co_return result;
  }
  session.quit_sent = true;
  const DryRunResult& outcome = *run;
  if (!recipients.empty()) result.details["pipelined"] = outcome.pipelined;
  if (outcome.mail && !outcome.mail->positive_completion()) {
    judge_mail_refusal(result, session, *outcome.mail);
  } else if (outcome.mail) {
    result.details["mail_reply"] = outcome.mail->one_line();
    if (!recipients.empty()) {
      judge_recipients(result, session, outcome.recipients);
    } else {
      result.summary = "sender " + sender + " accepted";
      if (!mail_only) {
        result.summary += "; no recipient to try (give --to, or check user@domain)";
        add_note(result, "no recipient given: only MAIL FROM was tried");
      }
    }
  }
  if (const auto& failure = outcome.failure; failure && failure->stage == Stage::rset) {
    add_note(result, "RSET failed: " + failure->message);
  } else if (failure) {
    // The envelope itself was cut short: its replies so far are not the whole answer.
    result.status = ProbeStatus::fail;
    result.summary = failure->message;
    result.diagnoses.clear();
    add_diagnosis(result, diagnosis_for(*failure));
  }
  if (outcome.rset && !outcome.rset->positive_completion())
    add_note(result, "RSET failed: RSET refused: " + outcome.rset->one_line());
  result.duration = elapsed_since(start);
  co_return result;
}

asio::awaitable<RelayTest> check_relay(PortSession& session) {
  RelayTest relay;
  SmtpClient client(co_await asio::this_coro::executor,
                    client_options(session.options, session.plan));
  LiveClient live(session.control, client);
  auto opened = co_await open_side_session(client, session, /*with_tls=*/true);
  if (!opened) {
    relay.outcome = "relay test not run: " + opened.error().message;
  } else {
    // Arguments of a co_await live in locals: g++ 12 mishandles temporaries across suspension.
    const std::string sender = session.sender();
    const EnvelopeOptions no_params;
    auto mail = co_await client.mail_from(sender, no_params);
    if (!mail) {
      relay.ran = mail.error().reply.has_value();
      relay.outcome = mail.error().reply ? "relaying refused: MAIL FROM without AUTH got " +
                                               mail.error().reply->one_line()
                                         : "relay test not run: " + mail.error().message;
    } else {
      const std::string recipient = kRelayTestRecipient;
      auto rcpt = co_await client.rcpt_to(recipient, no_params);
      if (rcpt) {
        relay.ran = true;
        relay.open_relay = true;
        relay.rcpt_reply = *rcpt;
        relay.outcome = std::string("OPEN RELAY: RCPT TO:<") + kRelayTestRecipient +
                        "> without AUTH was accepted (" + rcpt->one_line() + ")";
      } else if (rcpt.error().reply) {
        relay.ran = true;
        relay.rcpt_reply = *rcpt.error().reply;
        relay.outcome = std::string("relaying refused: RCPT TO:<") + kRelayTestRecipient +
                        "> without AUTH got " + rcpt.error().reply->one_line();
      } else {
        relay.outcome = "relay test not run: " + rcpt.error().message;
      }
    }
    auto rset = co_await client.rset();
    (void)rset;
  }
  auto quit = co_await client.quit();
  (void)quit;
  session.side_transcripts.push_back({"relay-test", client.transcript()});
  co_return relay;
}

void merge_relay_test(ProbeResult& envelope, const RelayTest& relay) {
  envelope.details["relay_test"] = relay.outcome;
  add_note(envelope, relay.outcome);
  if (relay.open_relay) {
    envelope.details["open_relay"] = true;
    raise_status(envelope, ProbeStatus::fail);
    envelope.summary = "open relay: " + envelope.summary;
    add_diagnosis(envelope, diagnosis_for_finding(Stage::rcpt, Finding::open_relay));
  } else if (relay.ran) {
    envelope.details["open_relay"] = false;
  }
}

}  // namespace smtpdoctor
