#include "core/smtp/send_flow.hpp"

#include <algorithm>

namespace smtpdoctor {
namespace {

// The message's size on the wire, where every line ends in CRLF (an upper bound: a line that
// already ends in CRLF is counted one octet long; RFC 1870 asks for an estimate).
std::size_t wire_size(const std::string& message) {
  return message.size() + std::size_t(std::count(message.begin(), message.end(), '\n')) + 2;
}

// The steps, each stopping the run on the first error.
asio::awaitable<std::optional<Error>> run(SmtpClient& client, const SendRequest& request,
                                          SendOutcome& out) {
  auto connected = co_await client.connect();
  if (!connected) {
    out.proxy_failure = client.proxy_failure();
    co_return connected.error();
  }
  out.connection = *connected;
  auto greeting = co_await client.read_greeting();
  if (!greeting) co_return greeting.error();
  out.greeting = *greeting;
  auto caps = co_await client.ehlo(request.helo);
  if (!caps) co_return caps.error();
  out.capabilities = *caps;

  const bool want_starttls =
      request.tls == TlsMode::required || (request.tls == TlsMode::opportunistic && caps->starttls);
  if (request.tls == TlsMode::required && !caps->starttls)
    co_return make_error(ErrorKind::unsupported, Stage::starttls,
                         "the server does not offer STARTTLS (required by --tls)");
  if (want_starttls) {
    auto tls = co_await client.starttls();
    out.tls = client.tls_info();
    if (!tls) co_return tls.error();
    caps = co_await client.ehlo(request.helo);
    if (!caps) co_return caps.error();
    out.capabilities = *caps;
  }
  out.tls = client.tls_info();

  if (request.auth_mechanism) {
    if (!client.in_tls() && !request.allow_plaintext_auth)
      co_return make_error(ErrorKind::unsupported, Stage::auth,
                           "refusing to send the password without TLS (the server did not offer "
                           "STARTTLS, or --no-tls was given); --insecure allows it");
    std::string mechanism = *request.auth_mechanism;
    if (mechanism.empty()) {
      mechanism = request.auth_secret_is_token ? best_oauth_mechanism(*caps)
                                               : best_auth_mechanism(*caps, client.in_tls());
      if (mechanism.empty())
        co_return make_error(ErrorKind::unsupported, Stage::auth,
                             caps->auth.empty()
                                 ? "the server offers no AUTH mechanism" +
                                       std::string(client.in_tls() ? "" : " (before TLS)")
                                 : "the server offers no AUTH mechanism smtpdoctor supports");
    }
    auto auth = co_await client.auth(mechanism, request.auth_user, request.auth_secret);
    if (!auth) co_return auth.error();
    out.auth_mechanism = mechanism;
  }

  // RFC 1870: declaring the size lets a server refuse an oversized message before DATA.
  EnvelopeOptions envelope_options = request.envelope;
  if (caps->size_advertised)
    envelope_options.mail_params.push_back("SIZE=" + std::to_string(wire_size(request.message)));
  auto envelope = co_await client.send_envelope(
      request.from, request.to, std::string_view(request.message), envelope_options);
  if (!envelope) co_return envelope.error();
  out.envelope = *envelope;
  auto quit = co_await client.quit();
  (void)quit;  // the message is already accepted or refused; QUIT's answer changes nothing
  co_return std::nullopt;
}

}  // namespace

asio::awaitable<SendOutcome> send_message(asio::any_io_executor executor, SendRequest request) {
  SendOutcome out;
  SmtpClient client(executor, request.client);
  out.error = co_await run(client, request, out);
  if (out.error && out.error->kind != ErrorKind::network && out.error->kind != ErrorKind::timeout &&
      out.error->kind != ErrorKind::tls && out.error->kind != ErrorKind::cancelled &&
      out.error->stage != Stage::connect && out.error->stage != Stage::resolve) {
    // Leave politely where the connection is still usable (rejected, unsupported, protocol).
    if (out.error->kind != ErrorKind::protocol) {
      auto quit = co_await client.quit();
      (void)quit;
    }
  }
  client.close();
  out.connection = client.connection();
  out.tls = client.tls_info();  // also when verification stopped the run: the report needs why
  out.transcript = client.transcript();
  out.timings = client.timings();
  out.warnings = client.warnings();
  co_return out;
}

}  // namespace smtpdoctor
