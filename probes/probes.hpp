// The transport probes of `check` (DESIGN §2), one file each (probes/<id>_probe.cpp). Each is a
// step of one port's conversation (probes/port_conversation.cpp runs them in order on one
// SmtpClient): it does its I/O, records what it learned in the PortSession for the probes after
// it, and returns its ProbeResult. A probe that finds the session unusable sets
// PortSession::broken so the rest are skipped with that reason.
#pragma once

#include <asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/report/report.hpp"
#include "probes/port_session.hpp"

namespace smtpdoctor {

asio::awaitable<ProbeResult> run_tcp_probe(PortSession& session);
asio::awaitable<ProbeResult> run_banner_probe(PortSession& session);
asio::awaitable<ProbeResult> run_ehlo_probe(PortSession& session);
// With `quit_after_tls`, EHLO is not sent again inside TLS (--quit-after tls/starttls).
asio::awaitable<ProbeResult> run_tls_probe(PortSession& session, bool ehlo_after_tls = true);
asio::awaitable<ProbeResult> run_auth_probe(PortSession& session);
// With `mail_only`, only MAIL FROM is tried (--quit-after mail).
asio::awaitable<ProbeResult> run_envelope_probe(PortSession& session, bool mail_only = false);

// Side conversations, each in its own connection so the main session is not disturbed; run
// concurrently with it. Their findings are merged into the tls, auth and envelope results.

// Submission ports: MAIL FROM before STARTTLS must be refused (530), then RSET and QUIT.
struct StarttlsEnforcement {
  bool ran = false;       // false: not applicable (no STARTTLS offered, or could not connect)
  bool enforced = false;  // MAIL before STARTTLS was refused
  std::string outcome;    // one line for the report
  std::optional<Reply> mail_reply;
};
asio::awaitable<StarttlsEnforcement> check_starttls_enforcement(PortSession& session);
void merge_starttls_enforcement(ProbeResult& tls, const StarttlsEnforcement& enforcement);

// --relay-test: MAIL FROM and RCPT TO a recipient in a domain that cannot exist, without AUTH.
struct RelayTest {
  bool ran = false;
  bool open_relay = false;
  std::string outcome;
  std::optional<Reply> rcpt_reply;
};
asio::awaitable<RelayTest> check_relay(PortSession& session);
void merge_relay_test(ProbeResult& envelope, const RelayTest& relay);

// --auth-all: every advertised mechanism in its own connection; "works" or the refusal.
struct MechanismOutcome {
  std::string mechanism;
  bool works = false;
  std::string outcome;
};
asio::awaitable<std::vector<MechanismOutcome>> try_every_mechanism(PortSession& session);
void merge_auth_all(ProbeResult& auth, const std::vector<MechanismOutcome>& outcomes);

// Opens a fresh connection to the session's port on `client`: connect, greeting, EHLO, and with
// `with_tls` STARTTLS and EHLO again when STARTTLS is offered (always TLS on implicit-TLS ports).
// Returns the capabilities in force. For the side conversations above.
asio::awaitable<Result<Capabilities>> open_side_session(SmtpClient& client,
                                                        const PortSession& session, bool with_tls);

// Pure helpers shared by the probe files.

// "421 4.3.2 Service not available" — a reply's first line, for summaries.

// Adds `diagnosis` unless an equal category and rule is already there.
void add_diagnosis(ProbeResult& result, Diagnosis diagnosis);
void add_diagnosis(ProbeResult& result, std::optional<Diagnosis> diagnosis);  // nullopt: none
// Appends to details["notes"].
void add_note(ProbeResult& result, const std::string& note);
// ok -> warn -> fail, never back.
void raise_status(ProbeResult& result, ProbeStatus status);

}  // namespace smtpdoctor
