// tls: STARTTLS on 25/26/587 (implicit TLS on 465): protocol, cipher, certificate, verification
// with the X.509 reason, host-name match, days to expiry; then EHLO again inside TLS and what
// changed. On submission ports, a second connection checks that the server refuses MAIL before
// STARTTLS (530), so a client that forgets STARTTLS cannot send a password in clear.
#include <asio/awaitable.hpp>
#include <asio/this_coro.hpp>

#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

// A certificate that expires within this many days gets a warning: enough time to renew.
constexpr long kExpiryWarningDays = 14;

void describe_tls(ProbeResult& result, const TlsInfo& info) {
  result.details["protocol"] = info.protocol;
  result.details["cipher"] = info.cipher;
  if (!info.sni.empty()) result.details["sni"] = info.sni;
  result.details["verify_host"] = info.verify_host;
  if (info.has_certificate) {
    result.details["subject_cn"] = info.subject_cn;
    result.details["sans"] = info.sans;
    result.details["issuer"] = info.issuer;
    result.details["not_before"] = info.not_before;
    result.details["not_after"] = info.not_after;
    if (info.days_to_expiry) result.details["days_to_expiry"] = *info.days_to_expiry;
    result.details["key_type"] = info.key_type;
    result.details["key_bits"] = info.key_bits;
    result.details["chain_sent"] = info.chain_sent;
  }
  result.details["verified"] = info.verified;
  result.details["verify_result"] = info.verify_result;
  result.details["verify_reason"] = info.verify_reason;
  if (!info.verified) result.details["verify_problem"] = verification_problem(info);
  result.details["hostname_match"] = info.hostname_match;
  if (info.insecure) result.details["insecure"] = true;
}

std::string days(long n) {
  return std::to_string(n) + (n == 1 || n == -1 ? " day" : " days");
}

std::string tls_summary(const TlsInfo& info) {
  std::string summary = info.protocol + " " + info.cipher;
  if (info.days_to_expiry) summary += ", certificate valid " + days(*info.days_to_expiry);
  summary += info.verified ? ", verified" : ", NOT verified: " + verification_problem(info);
  return summary;
}

// Judges a completed handshake: verified, expiring soon, --insecure.
void judge_tls(ProbeResult& result, const TlsInfo& info) {
  describe_tls(result, info);
  result.summary = tls_summary(info);
  if (info.protocol_too_old)
    add_diagnosis(result, diagnosis_for_finding(Stage::tls, Finding::tls_version_too_old));
  if (!info.verified) {
    raise_status(result, ProbeStatus::warn);
    add_note(result, "the session was not verified (" + verification_problem(info) +
                         "); --insecure let it go on");
  }
  if (info.verify_result != 0) {
    Error error;
    error.kind = ErrorKind::tls;
    error.stage = Stage::tls;
    error.tls_verify_result = info.verify_result;
    error.message = "certificate verification failed: " + info.verify_reason;
    add_diagnosis(result, diagnosis_for(error));
  }
  if (info.days_to_expiry && *info.days_to_expiry >= 0 &&
      *info.days_to_expiry < kExpiryWarningDays) {
    raise_status(result, ProbeStatus::warn);
    add_note(result, "the certificate expires in " + days(*info.days_to_expiry) + " (" +
                         info.not_after + ")");
  }
  if (info.plaintext_discarded > 0)
    add_note(result, std::to_string(info.plaintext_discarded) +
                         " bytes the server sent before the handshake were discarded "
                         "(a STARTTLS injection attempt or a broken server)");
}

// The handshake failed on the TLS version: which old one does the server speak? A second
// connection that accepts TLS 1.0 and 1.1 asks, and goes no further than EHLO. Empty when it
// could not tell.
asio::awaitable<std::string> legacy_protocol(PortSession& session) {
  ClientOptions options = client_options(session.options, session.plan);
  options.tls.legacy_versions = true;
  options.tls.insecure = true;  // only the version is wanted, not the certificate
  SmtpClient client(co_await asio::this_coro::executor, options);
  LiveClient live(session.control, client);
  auto opened = co_await open_side_session(client, session, /*with_tls=*/true);
  (void)opened;  // the version is known once the handshake worked, whatever came after it
  std::string protocol = client.tls_info() ? client.tls_info()->protocol : "";
  auto quit = co_await client.quit();
  (void)quit;
  session.side_transcripts.push_back({"tls-version", client.transcript()});
  co_return protocol;
}

// A handshake that failed on the version says which one the server offers, in words.
asio::awaitable<Error> explain_version_refusal(PortSession& session, Error error) {
  if (error.kind != ErrorKind::tls || !tls_version_refused(error.code)) co_return error;
  std::string protocol = co_await legacy_protocol(session);
  if (!protocol.empty() && protocol != "TLSv1.2" && protocol != "TLSv1.3")
    error.message = "TLS handshake failed: " + old_protocol_reason(protocol);
  co_return error;
}

void fail_tls(ProbeResult& result, PortSession& session, const Error& error) {
  result.status = ProbeStatus::fail;
  result.summary = error.reply ? "STARTTLS refused: " + error.reply->one_line() : error.message;
  if (const auto& info = session.client.tls_info()) describe_tls(result, *info);
  // OpenSSL calls a server that speaks only TLS 1.0/1.1 an "unsupported protocol"; that is a
  // finding of its own, with its own fix, not the generic handshake failure.
  if (error.kind == ErrorKind::tls && tls_version_refused(error.code))
    add_diagnosis(result, diagnosis_for_finding(Stage::tls, Finding::tls_version_too_old));
  else
    add_diagnosis(result, diagnosis_for(error));
}

}  // namespace

asio::awaitable<ProbeResult> run_tls_probe(PortSession& session, bool ehlo_after_tls) {
  const auto start = std::chrono::steady_clock::now();
  ProbeResult result = new_result(ProbeId::tls, session);
  result.details["mode"] = session.plan.implicit_tls() ? "implicit" : "starttls";

  if (session.plan.implicit_tls()) {
    if (session.implicit_tls_error) {
      const Error error = co_await explain_version_refusal(session, *session.implicit_tls_error);
      fail_tls(result, session, error);
      session.broken = "the TLS handshake failed (" + error.message + ")";
    } else if (const auto& info = session.client.tls_info()) {
      session.tls = *info;
      judge_tls(result, *info);
    }
    for (const auto& timing : session.client.timings())
      if (timing.stage == Stage::tls) result.duration = timing.duration;
    co_return result;
  }

  const Capabilities& before = *session.before_tls;
  if (!before.starttls) {
    bool relay = session.plan.role == PortRole::relay;
    result.status = relay ? ProbeStatus::warn : ProbeStatus::fail;
    result.summary = relay ? "STARTTLS not offered: mail to this server travels unencrypted"
                           : "STARTTLS not offered: passwords and mail would travel unencrypted";
    for (const auto& keyword : mangled_keywords(before))
      if (mangled_keyword_guess(keyword) == "STARTTLS")
        add_note(result, "STARTTLS appears to be hidden by a firewall (" + keyword + ")");
    add_diagnosis(result, diagnosis_for_finding(Stage::starttls, Finding::starttls_not_offered));
    result.duration = elapsed_since(start);
    co_return result;
  }

  auto handshake = co_await session.client.starttls();
  if (!handshake) {
    const Error error = co_await explain_version_refusal(session, handshake.error());
    fail_tls(result, session, error);
    // A refused STARTTLS (454) leaves the plain session usable; a failed handshake does not.
    if (error.kind != ErrorKind::rejected)
      session.broken = "STARTTLS failed (" + error.message + ")";
    result.duration = elapsed_since(start);
    co_return result;
  }
  session.tls = *handshake;
  judge_tls(result, *handshake);

  if (ehlo_after_tls) {
    auto after = co_await session.client.ehlo(session.helo());
    if (!after) {
      result.status = ProbeStatus::fail;
      result.summary = "EHLO inside TLS failed: " + after.error().message;
      add_diagnosis(result, diagnosis_for(after.error()));
      session.broken = "EHLO inside TLS failed";
    } else {
      session.after_tls = *after;
      result.details["capabilities_after_tls"] = capability_lines(*after);
      for (const auto& note : capability_changes(before, *after)) add_note(result, note);
    }
  }
  result.duration = elapsed_since(start);
  co_return result;
}

asio::awaitable<StarttlsEnforcement> check_starttls_enforcement(PortSession& session) {
  StarttlsEnforcement enforcement;
  SmtpClient client(co_await asio::this_coro::executor,
                    client_options(session.options, session.plan));
  LiveClient live(session.control, client);
  auto opened = co_await open_side_session(client, session, /*with_tls=*/false);
  if (opened && opened->starttls) {
    // Arguments of a co_await live in locals: g++ 12 mishandles temporaries across suspension.
    const std::string sender = session.sender();
    const EnvelopeOptions no_params;
    auto mail = co_await client.mail_from(sender, no_params);
    enforcement.ran = true;
    if (mail) {
      enforcement.mail_reply = *mail;
      enforcement.outcome = "MAIL FROM before STARTTLS was accepted (" + mail->one_line() + ")";
    } else if (mail.error().reply) {
      enforcement.mail_reply = *mail.error().reply;
      enforcement.enforced =
          mail.error().reply->code == 530 || mail.error().reply->permanent_failure();
      enforcement.outcome =
          "MAIL FROM before STARTTLS was refused (" + mail.error().reply->one_line() + ")";
    } else {
      enforcement.ran = false;
      enforcement.outcome = mail.error().message;
    }
    if (mail || mail.error().reply) {
      auto rset = co_await client.rset();
      (void)rset;
    }
  }
  auto quit = co_await client.quit();
  (void)quit;
  session.side_transcripts.push_back({"starttls-enforcement", client.transcript()});
  co_return enforcement;
}

void merge_starttls_enforcement(ProbeResult& tls, const StarttlsEnforcement& enforcement) {
  if (!enforcement.ran) return;
  tls.details["starttls_enforced"] = enforcement.enforced;
  add_note(tls, enforcement.outcome);
  if (!enforcement.enforced && tls.status != ProbeStatus::fail) {
    raise_status(tls, ProbeStatus::warn);
    add_note(tls,
             "this submission port takes mail without STARTTLS: a client that skips "
             "STARTTLS sends in clear");
  }
}

}  // namespace smtpdoctor
