// The embedded SMTP client: one session with one server, as a handful of awaitable steps.
//
// Each step is one piece of the conversation (connect, greeting, EHLO, STARTTLS, AUTH, envelope,
// QUIT) and returns Result<T>: the value, or an Error saying what went wrong, at which stage, and
// with the server's reply when it refused. The caller sequences the steps, so the probes can stop
// anywhere (`check` never sends DATA) and `send` can go to the end (core/smtp/send_flow.hpp).
//
//   SmtpClient client(executor, options);
//   co_await client.connect();         // every resolved address, within connect_timeout
//   co_await client.read_greeting();   // 220, or ErrorKind::rejected with the 421/554
//   co_await client.ehlo("me.example");  // HELO fallback on 5xx
//   co_await client.starttls();        // then ehlo() again
//   co_await client.auth("PLAIN", user, password);
//   co_await client.send_envelope(from, rcpts, message);  // pipelined when offered
//   co_await client.quit();
//
// `check` ends with dry_run() instead: MAIL, every RCPT, RSET and QUIT, in one write group when
// the server offers PIPELINING, so the whole envelope costs one round trip.
//
// Every network operation has a deadline from Limits; cancel() aborts whatever is in flight and
// the step returns ErrorKind::cancelled. Everything sent and received goes into transcript(),
// with AUTH payloads redacted before they are recorded.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/limits.hpp"
#include "core/base/reply.hpp"
#include "core/base/transcript.hpp"
#include "core/net/tls_client.hpp"
#include "core/net/transport.hpp"
#include "core/smtp/capabilities.hpp"
#include "core/smtp/sasl.hpp"

namespace smtpdoctor {

struct ClientOptions {
  std::string host;  // name or IP literal
  std::uint16_t port = 25;
  IpFamily family = IpFamily::any;
  bool implicit_tls = false;  // port 465 style: TLS right after connect, before the greeting
  std::string tls_sni;        // empty: the host name (none for an IP literal)
  std::string verify_host;    // the name the certificate must carry; empty: tls_sni, else host
  TlsClientOptions tls;
  bool initial_response = true;  // send the AUTH initial response on the AUTH line (RFC 4954 §4)
  std::optional<ProxyConfig> proxy;  // --proxy: reach the server through it (core/net)
  Limits limits;
};

struct ConnectInfo {
  std::string address;  // the address that answered, "127.0.0.1" / "::1"
  std::uint16_t port = 0;
  std::string local_address;             // ours, for an address-literal EHLO name
  std::chrono::milliseconds latency{0};  // TCP connect time to that address
  std::vector<ConnectAttempt> attempts;  // every address tried, the one that answered last
};

struct Greeting {
  Reply reply;
  std::chrono::milliseconds delay{0};  // from connected to the complete greeting
};

struct StageTiming {
  Stage stage = Stage::none;
  std::chrono::milliseconds duration{0};
};

struct RecipientOutcome {
  std::string address;
  Reply reply;
  bool accepted() const { return reply.positive_completion(); }
};

struct EnvelopeOptions {
  std::vector<std::string> mail_params;  // e.g. "SIZE=1234", "BODY=8BITMIME"
  bool smtputf8 = false;                 // allow UTF-8 addresses
  bool prefer_bdat = false;              // BDAT instead of DATA when CHUNKING is offered
};

struct EnvelopeResult {
  Reply mail;
  std::vector<RecipientOutcome> recipients;  // one per RCPT, in order
  std::optional<Reply> data;                 // the reply to DATA (354) when DATA was sent
  std::optional<Reply> final_reply;          // the reply after the message (250 ... queued as ...)
  bool pipelined = false;
  bool bdat = false;
  bool with_message = false;  // a message was to be sent
  // The message was taken (final 250); without a message: MAIL and at least one RCPT accepted.
  bool accepted() const;
  std::size_t accepted_recipients() const;
};

// What the envelope dry run (MAIL, RCPT..., RSET, QUIT; never DATA) came to. Each reply is its
// own: a refused recipient is an outcome, not an error. The session is over afterwards.
struct DryRunResult {
  std::optional<Reply> mail;                 // nullopt: the run failed before MAIL's reply
  std::vector<RecipientOutcome> recipients;  // one per RCPT answered, in order
  std::optional<Reply> rset;
  std::optional<Reply> quit;  // nullopt also when the server closed or stayed silent (fine)
  // A network, timeout or protocol error that cut the run short, at the stage it happened;
  // after a 421 (the server closing) the run just stops, without one.
  std::optional<Error> failure;
  bool pipelined = false;
};

class SmtpClient {
 public:
  SmtpClient(asio::any_io_executor executor, ClientOptions options);
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  // Resolves (unless an IP literal) and tries every address in turn until one connects; with
  // implicit_tls, also does the TLS handshake (the result is in tls_info()).
  asio::awaitable<Result<ConnectInfo>> connect();
  // 220 -> the greeting; anything else -> ErrorKind::rejected with the reply.
  asio::awaitable<Result<Greeting>> read_greeting();
  // EHLO, and HELO when EHLO gets a 5xx (used_helo() then says so). Capabilities are kept.
  asio::awaitable<Result<Capabilities>> ehlo(std::string_view name);
  // STARTTLS, 220, discards (and reports) plaintext the server sent before the handshake, then
  // the handshake. Verification failure is ErrorKind::tls unless options.tls.insecure; either way
  // tls_info() holds the details. Capabilities are forgotten: call ehlo() again.
  asio::awaitable<Result<TlsInfo>> starttls();
  // AUTH with PLAIN, LOGIN, CRAM-MD5, XOAUTH2 or OAUTHBEARER (`secret` is the password, or the
  // OAuth2 bearer token). 235 -> the reply; 535/534/538/454/... -> ErrorKind::rejected with the
  // reply. A refused token's RFC 7628 error dialogue is answered with the dummy response.
  asio::awaitable<Result<Reply>> auth(std::string_view mechanism, std::string_view user,
                                      std::string_view secret);
  // The decoded JSON error of the last refused XOAUTH2/OAUTHBEARER login, if it sent one.
  const std::optional<OauthError>& oauth_refusal() const;
  // MAIL, every RCPT and (when `message` is given) DATA/BDAT with the message. With PIPELINING
  // the envelope (and DATA) goes in one write and the replies are read in order. Refusals are in
  // the result (one outcome per recipient); Error is for usage/network/timeout/protocol.
  asio::awaitable<Result<EnvelopeResult>> send_envelope(std::string_view from,
                                                        const std::vector<std::string>& recipients,
                                                        std::optional<std::string_view> message,
                                                        EnvelopeOptions options = {});
  // The dry run of `check`: MAIL, every RCPT (none: MAIL alone), RSET and QUIT. With PIPELINING
  // all of them go in one write (RFC 2920 §3.1: RSET anywhere in a group, QUIT last) and the
  // replies are read in order; without it, lock-step, and RCPTs only after MAIL was accepted.
  // QUIT's reply gets a short grace, not a full command timeout. Error only for an invalid
  // address (then nothing was sent and the session is still usable); afterwards it is closed.
  asio::awaitable<Result<DryRunResult>> dry_run(std::string_view from,
                                                const std::vector<std::string>& recipients,
                                                EnvelopeOptions options = {});
  // Single commands; a non-2xx reply is ErrorKind::rejected.
  asio::awaitable<Result<Reply>> mail_from(std::string_view from, EnvelopeOptions options = {});
  asio::awaitable<Result<Reply>> rcpt_to(std::string_view to, EnvelopeOptions options = {});
  asio::awaitable<Result<Reply>> rset();
  asio::awaitable<Result<Reply>> quit();  // also closes the connection

  // Aborts the operation in flight (it returns ErrorKind::cancelled) and closes the connection.
  void cancel();
  void close();

  const Transcript& transcript() const;
  const std::vector<StageTiming>& timings() const;
  const Capabilities& capabilities() const;
  const std::optional<TlsInfo>& tls_info() const;
  // Set once TCP connected, even when implicit TLS then failed.
  const std::optional<ConnectInfo>& connection() const;
  // Every address connect() tried, also when it failed (or implicit TLS then failed).
  const std::vector<ConnectAttempt>& attempts() const;
  // Set when connect() failed because of the proxy (options.proxy): it could not be reached,
  // refused our login, or could not reach the server. connect()'s Error words the same.
  const std::optional<ProxyFailure>& proxy_failure() const;
  // Anomalies that did not stop the session: data before a reply was due, pipelining violations,
  // plaintext injected before STARTTLS, bare LF in replies.
  const std::vector<std::string>& warnings() const;
  bool in_tls() const;
  bool used_helo() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The mechanism to log in with when none was named (`--auth` alone, or a check with
// --auth-user). Inside TLS: PLAIN with its initial response, one round trip, the password already
// protected by TLS; then LOGIN, then CRAM-MD5. Without TLS (loopback, --allow-plaintext-auth):
// CRAM-MD5 first, so the password itself never crosses the wire. XOAUTH2 is never chosen (it
// needs a token, not a password). Empty when none is offered.
std::string best_auth_mechanism(const Capabilities& capabilities, bool in_tls);
// The same for an OAuth2 token: OAUTHBEARER (the standard, RFC 7628) first, then XOAUTH2.
std::string best_oauth_mechanism(const Capabilities& capabilities);

}  // namespace smtpdoctor
