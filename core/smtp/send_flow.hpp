// One message, start to finish, with the embedded client: the conversation `smtpdoctor send`
// (and `selftest`) runs. connect -> greeting -> EHLO -> STARTTLS? -> EHLO -> AUTH? -> envelope
// + DATA -> QUIT. Whatever happens, the outcome carries everything learned up to that point.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/smtp/smtp_client.hpp"

namespace smtpdoctor {

enum class TlsMode {
  opportunistic,  // STARTTLS when offered (the default)
  required,       // STARTTLS, fail when not offered (--tls)
  implicit,       // TLS on connect (--tls-on-connect, port 465)
  none,           // never (--no-tls)
};

struct SendRequest {
  ClientOptions client;
  std::string helo;
  TlsMode tls = TlsMode::opportunistic;
  std::optional<std::string> auth_mechanism;  // nullopt: no AUTH; "": the best offered
  std::string auth_user;
  std::string auth_secret;
  bool auth_secret_is_token = false;  // an OAuth2 bearer token: XOAUTH2/OAUTHBEARER
  std::string from;
  std::vector<std::string> to;
  std::string message;  // headers + body, any line endings
  EnvelopeOptions envelope;
  // AUTH sends a password; without TLS only when this is set (--insecure, or a loopback server).
  bool allow_plaintext_auth = false;
};

struct SendOutcome {
  std::optional<Error> error;  // why the run stopped early (rejections included)
  std::optional<ProxyFailure> proxy_failure;  // the error was the proxy's (--proxy)
  std::optional<ConnectInfo> connection;
  std::optional<Greeting> greeting;
  std::optional<Capabilities> capabilities;  // the last EHLO's
  std::optional<TlsInfo> tls;
  std::string auth_mechanism;  // the one used, when AUTH succeeded
  std::optional<EnvelopeResult> envelope;
  Transcript transcript;
  std::vector<StageTiming> timings;
  std::vector<std::string> warnings;

  bool accepted() const { return !error && envelope && envelope->accepted(); }
};

asio::awaitable<SendOutcome> send_message(asio::any_io_executor executor, SendRequest request);

}  // namespace smtpdoctor
