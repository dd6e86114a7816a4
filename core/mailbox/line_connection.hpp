// A line-oriented client connection, plain or TLS, for the POP3 and IMAP login checks: connect,
// read a line, write a line, upgrade to TLS (STLS/STARTTLS, or implicit on 995/993). Every
// operation has a deadline from Limits; lines are capped at Limits::max_line_octets. Everything
// goes into a Transcript, with the caller choosing what a line shows (secrets redacted).
// Asio and OpenSSL stay behind a pimpl.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.hpp"
#include "core/base/limits.hpp"
#include "core/base/transcript.hpp"
#include "core/net/tls_client.hpp"

namespace smtpdoctor {

class LineConnection {
 public:
  LineConnection(asio::any_io_executor executor, Limits limits);
  ~LineConnection();
  LineConnection(const LineConnection&) = delete;
  LineConnection& operator=(const LineConnection&) = delete;

  // Resolves `host` with the system resolver unless it is an IP literal (tests always pass one),
  // and connects to the first address that answers within connect_timeout. Returns the address.
  asio::awaitable<Result<std::string>> connect(std::string host, std::uint16_t port);
  // TLS handshake on the connected socket; SNI and the host-name check as in core/net/tls_client.
  // Plaintext the server sent before it (buffered or in the kernel) is dropped and noted; the
  // count is in TlsInfo::plaintext_discarded. A failed verification is ErrorKind::tls unless
  // options.insecure.
  asio::awaitable<Result<TlsInfo>> start_tls(const TlsClientOptions& options, std::string sni,
                                             std::string verify_host);
  // Sends `line` + CRLF; the transcript shows `shown` instead when given (redaction).
  asio::awaitable<Result<Ok>> write_line(Stage stage, std::string_view line,
                                         std::optional<std::string_view> shown = std::nullopt);
  // One line without its CRLF (a bare LF is accepted), within command_timeout (greeting_timeout
  // for Stage::banner). Longer than max_line_octets: ErrorKind::protocol.
  asio::awaitable<Result<std::string>> read_line(Stage stage);

  // Aborts whatever is in flight (it returns ErrorKind::cancelled) and every later operation.
  void cancel();
  void close();
  bool in_tls() const;
  const Transcript& transcript() const;
  Transcript& transcript();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace smtpdoctor
