// envelope: a dry run of the envelope. MAIL FROM (--from, default postmaster@ the HELO name) and
// RCPT TO each recipient (pipelined when the server offers PIPELINING), one outcome per
// recipient, then RSET — never DATA, so nothing is ever delivered. --relay-test tries, in its own
// connection and without AUTH, a recipient in a domain that cannot exist: a server that accepts
// it relays for anyone (an open relay).
#include <asio/awaitable.hpp>

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
  result.summary = "sender " + session.options.sender() + " refused: " + reply.one_line();
}

void judge_recipients(ProbeResult& result, const std::vector<RecipientOutcome>& recipients) {
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
    add_diagnosis(result, diagnosis_for(Stage::rcpt, recipient.reply));
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
  const std::string sender = options.sender();
  result.details["from"] = sender;
  if (session.authenticated) result.details["authenticated"] = true;
  EnvelopeOptions envelope = envelope_options(result, session);

  bool session_alive = true;
  if (mail_only || options.to.empty()) {
    auto mail = co_await session.client.mail_from(sender, envelope);
    if (mail) {
      result.details["mail_reply"] = mail->one_line();
      result.summary = "sender " + sender + " accepted";
      if (!mail_only) {
        result.summary += "; no recipient to try (give --to, or check user@domain)";
        add_note(result, "no recipient given: only MAIL FROM was tried");
      }
    } else if (mail.error().reply) {
      judge_mail_refusal(result, session, *mail.error().reply);
    } else {
      result.status = ProbeStatus::fail;
      result.summary = mail.error().message;
      add_diagnosis(result, diagnosis_for(mail.error()));
      session_alive = false;
    }
  } else {
    const std::optional<std::string_view> no_message;
    auto outcome = co_await session.client.send_envelope(sender, options.to, no_message, envelope);
    if (!outcome) {
      result.status = ProbeStatus::fail;
      result.summary = outcome.error().message;
      add_diagnosis(result, diagnosis_for(outcome.error()));
      session_alive = outcome.error().kind == ErrorKind::usage;
    } else {
      result.details["pipelined"] = outcome->pipelined;
      if (!outcome->mail.positive_completion()) {
        judge_mail_refusal(result, session, outcome->mail);
      } else {
        result.details["mail_reply"] = outcome->mail.one_line();
        judge_recipients(result, outcome->recipients);
      }
    }
  }
  if (session_alive) {
    auto rset = co_await session.client.rset();
    if (!rset) add_note(result, "RSET failed: " + rset.error().message);
  }
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
    const std::string sender = session.options.sender();
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
