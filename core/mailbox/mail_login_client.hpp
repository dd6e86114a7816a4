// Minimal POP3 (RFC 1939, 2449, 2595, 5034) and IMAP (RFC 9051/3501) login: enough to answer
// "do these credentials log in to the mailbox?" — the question that tells "SMTP wants different
// credentials" apart from "wrong password" (probes/credentials_probe). Greeting, capabilities,
// STLS/STARTTLS (or implicit TLS on 995/993), one login, then QUIT/LOGOUT. Nothing else: no
// mailbox is opened and no message read.
//
// The password is never sent in clear unless allow_plaintext; it never appears in the
// transcript (PASS, LOGIN and AUTHENTICATE lines are redacted before they are recorded).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/limits.hpp"
#include "core/base/run_control.hpp"
#include "core/base/transcript.hpp"
#include "core/mailbox/mail_protocol.hpp"
#include "core/mailbox/mail_responses.hpp"  // the line parsers, for the tests that include this
#include "core/net/tls_client.hpp"

namespace smtpdoctor {

struct MailLoginOptions {
  MailProtocol protocol = MailProtocol::pop3;
  std::string host;        // name or IP literal
  std::uint16_t port = 0;  // 0: default_mail_port(protocol, true)
  MailTls tls = MailTls::automatic;
  std::string tls_sni;      // empty: host (none for an IP literal)
  std::string verify_host;  // empty: host
  TlsClientOptions tls_options;
  bool allow_plaintext = false;  // log in without TLS when the server offers none
  std::string user;
  std::string password;
  Limits limits;
  RunControl* control = nullptr;  // the run's stop switch (--deadline, Ctrl-C) cancels the login
};

enum class LoginOutcome {
  ok,        // the server accepted the credentials
  rejected,  // the server refused them (-ERR / NO): `server_text` says how
  error,     // we could not ask: connect, TLS, protocol, timeout ... (`error`)
};
std::string_view login_outcome_name(LoginOutcome outcome);  // "ok", "rejected", "error"

struct MailLoginResult {
  LoginOutcome outcome = LoginOutcome::error;
  std::string server_text;    // rejected: the server's refusal, without "-ERR"/"tag NO"
  std::string response_code;  // "AUTH", "SYS/TEMP", "AUTHENTICATIONFAILED", "UNAVAILABLE" ...
  std::optional<Error> error;
  std::string address;  // connected to
  std::uint16_t port = 0;
  std::optional<TlsInfo> tls;
  std::string method;  // "USER/PASS", "AUTH PLAIN", "LOGIN", "AUTHENTICATE PLAIN"
  std::vector<std::string> capabilities;  // as last seen (after TLS when TLS was used)
  std::chrono::milliseconds duration{0};
  Transcript transcript;
  // A refusal that says "try later", not "wrong credentials" (SYS/TEMP, IN-USE, UNAVAILABLE,
  // LOGIN-DELAY): the comparison must not read it as a wrong password.
  bool temporary() const;
};

asio::awaitable<MailLoginResult> mail_login(asio::any_io_executor executor,
                                            MailLoginOptions options);

}  // namespace smtpdoctor
