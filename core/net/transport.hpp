// The one transport under SMTP, POP3/IMAP and the reachability connects, after Boost.Beast's
// tcp_stream (the stream owns the deadline: expires_after, then read or write) and curl's
// pingpong layer (the line protocols sit on top and only parse).
//
// connect() resolves unless given an IP literal and tries every address in turn, each within the
// connect timeout, and returns every attempt typed, so nobody reads outcomes back from text.
// start_tls() moves the connected socket into TLS (SNI and the host-name check set before the
// handshake). Before a STARTTLS handshake the caller drains what the server sent in plaintext
// (drain_plaintext): the CVE-2011-0411 injection must never be read as part of the TLS session.
//
// With set_proxy(), connect() reaches the target through a SOCKS5, SOCKS4a or HTTP CONNECT proxy
// (core/net/proxy_protocol.hpp): the proxy's own failures come back typed in
// ConnectResult::proxy_failure, apart from the target's; TLS then runs inside the tunnel with the
// target's name, exactly as without a proxy.
//
// Read and write report errors as values. A missed deadline is std::errc::timed_out; after
// cancel() every operation, in flight or later, ends with std::errc::operation_canceled at once.
// The transport writes no transcript: each protocol words its own lines.
// Asio and OpenSSL stay behind a pimpl.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <vector>

#include "core/base/error.hpp"
#include "core/net/proxy_protocol.hpp"
#include "core/net/tcp_outcome.hpp"
#include "core/net/tls_client.hpp"

namespace smtpdoctor {

enum class IpFamily { any, v4, v6 };

// One address tried by connect(), in the order tried.
struct ConnectAttempt {
  std::string address;  // IP literal, "127.0.0.1" / "::1"
  bool v6 = false;
  TcpOutcome outcome = TcpOutcome::failed;
  std::error_code error;  // the socket's error; std::errc::timed_out for a missed deadline
  std::chrono::milliseconds latency{0};
};

// Why an attempt failed, in the words of the transcript: "timed out" for a missed deadline, else
// the socket's message; empty when it connected.
std::string attempt_reason(const ConnectAttempt& attempt);

struct ConnectResult {
  std::vector<ConnectAttempt> attempts;
  // Set when no address could be tried: resolve failed (ErrorKind::resolve or timeout), the
  // literal is of the wrong family (usage), or cancelled. Each protocol words "every address
  // failed" itself, from `attempts`.
  std::optional<Error> error;
  // Through a proxy: `attempts` are the target's, as the proxy reported them (none when the
  // proxy itself failed); proxy_failure says what the proxy did wrong or could not do.
  std::optional<ProxyFailure> proxy_failure;
  bool connected() const {
    return !attempts.empty() && attempts.back().outcome == TcpOutcome::connected;
  }
};

// What drain_plaintext threw away.
struct DrainedPlaintext {
  std::size_t bytes = 0;
  std::string sample;  // the first bytes, for the warning
};

// How a connect error reads as an outcome: ECONNREFUSED refused, ENETUNREACH/EHOSTUNREACH/
// ENETDOWN/EHOSTDOWN/EADDRNOTAVAIL unreachable, ETIMEDOUT timed out, the rest failed.
TcpOutcome classify_connect_error(const std::error_code& error);

class Transport {
 public:
  explicit Transport(asio::any_io_executor executor);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Resolves `host` unless it is an IP literal (only to addresses of `family`), then tries each
  // address within `timeout` until one connects. The resolve also gets `timeout`.
  asio::awaitable<ConnectResult> connect(std::string host, std::uint16_t port, IpFamily family,
                                         std::chrono::milliseconds timeout);

  // Every later connect() goes through `proxy` (nullopt: straight to the target). With a
  // socks5:// proxy the target name is resolved here; the other kinds hand the proxy the name.
  // The proxy's connect and handshake share the connect timeout.
  void set_proxy(std::optional<ProxyConfig> proxy);
  const std::optional<ProxyConfig>& proxy() const;

  // The deadline for the next reads and writes (Beast's expires_after/expires_at).
  void expires_after(std::chrono::milliseconds limit);
  void expires_at(std::chrono::steady_clock::time_point deadline);

  // Takes whatever the caller had buffered (`buffered`) and whatever already waits in the kernel,
  // up to a bound, without waiting; those bytes are gone.
  DrainedPlaintext drain_plaintext(std::string buffered);

  // TLS handshake on the connected socket within `timeout`. `stage` goes into the errors.
  // Handshake failure: ErrorKind::tls; a failed verification: ErrorKind::tls with
  // tls_verify_result unless options.insecure. tls_info() holds the details either way.
  asio::awaitable<Result<TlsInfo>> start_tls(TlsClientOptions options, std::string sni,
                                             std::string verify_host, Stage stage,
                                             std::chrono::milliseconds timeout);

  asio::awaitable<std::tuple<std::error_code, std::size_t>> read_some(char* data, std::size_t size);
  asio::awaitable<std::tuple<std::error_code, std::size_t>> write(std::string bytes);

  // Aborts whatever is in flight (resolve, connect, handshake, read, write) and closes.
  void cancel();
  void close();
  bool cancelled() const;
  bool in_tls() const;
  // Our side's address of the connection ("192.0.2.7"), empty when not connected.
  std::string local_address() const;
  const std::optional<TlsInfo>& tls_info() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The peer closed the connection (EOF, or a TLS session cut without close_notify).
bool peer_closed(const std::error_code& ec);

// "certificate verification failed: " + verification_problem(info).
std::string verification_failure_message(const TlsInfo& info);

}  // namespace smtpdoctor
