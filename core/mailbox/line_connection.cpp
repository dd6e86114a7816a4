// A line layer over the Transport (core/net/transport.hpp), as curl's pingpong sits under POP3 and
// IMAP. Bytes read past a line end stay buffered for the next read_line; before a STARTTLS
// handshake those bytes, and any already waiting in the kernel, are dropped (the CVE-2011-0411
// injection) and noted in the transcript.
#include "core/mailbox/line_connection.hpp"

#include <array>
#include <chrono>

#include "core/base/duration_text.hpp"
#include "core/net/transport.hpp"

namespace smtpdoctor {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

}  // namespace

struct LineConnection::Impl {
  Impl(asio::any_io_executor executor, Limits l) : limits(l), transport(executor) {}

  Limits limits;
  Transport transport;
  std::string inbuf;
  Transcript transcript;

  Error failed(Error e) {
    if (e.kind != ErrorKind::cancelled) transcript.error(e.stage, e.message);
    transport.close();
    return e;
  }

  Error cancelled(Stage stage, std::string_view what) {
    return failed(make_error(ErrorKind::cancelled, stage, std::string(what) + ": cancelled"));
  }
};

LineConnection::LineConnection(asio::any_io_executor executor, Limits limits)
    : impl_(std::make_unique<Impl>(executor, limits)) {}
LineConnection::~LineConnection() = default;

asio::awaitable<Result<std::string>> LineConnection::connect(std::string host, std::uint16_t port) {
  Impl& s = *impl_;
  const milliseconds limit = s.limits.connect_timeout;
  auto result = co_await s.transport.connect(host, port, IpFamily::any, limit);
  if (result.error) co_return s.failed(*result.error);
  for (const auto& attempt : result.attempts) {
    const std::string where = attempt.address + " port " + std::to_string(port);
    if (attempt.outcome == TcpOutcome::connected) {
      s.transcript.info(Stage::connect, "Connected to " + where);
      co_return attempt.address;
    }
    const bool timed_out = attempt.error == std::errc::timed_out;
    s.transcript.error(Stage::connect, "connecting to " + where + ": " +
                                           (timed_out ? "no answer within " + format_duration(limit)
                                                      : attempt.error.message()));
  }
  s.transport.close();
  if (result.attempts.empty())
    co_return make_error(ErrorKind::network, Stage::connect, "no address to connect to");
  const ConnectAttempt& last = result.attempts.back();
  const bool timed_out = last.error == std::errc::timed_out;
  co_return make_error(
      timed_out ? ErrorKind::timeout : ErrorKind::network, Stage::connect,
      "connecting to " + last.address + " port " + std::to_string(port) + ": " +
          (timed_out ? "no answer within " + format_duration(limit) : last.error.message()),
      timed_out ? std::error_code{} : last.error);
}

asio::awaitable<Result<TlsInfo>> LineConnection::start_tls(const TlsClientOptions& options,
                                                           std::string sni,
                                                           std::string verify_host) {
  Impl& s = *impl_;
  const DrainedPlaintext drained = s.transport.drain_plaintext(std::move(s.inbuf));
  s.inbuf.clear();
  if (drained.bytes > 0)
    s.transcript.error(Stage::tls, "discarded " + std::to_string(drained.bytes) +
                                       " bytes the server sent before the TLS handshake");
  TlsClientOptions tls_options = options;
  auto result = co_await s.transport.start_tls(tls_options, sni, verify_host, Stage::tls,
                                               s.limits.tls_handshake_timeout);
  if (s.transport.tls_info()) {
    const TlsInfo& info = *s.transport.tls_info();
    s.transcript.info(Stage::tls, "TLS started: " + info.protocol + ", " + info.cipher);
  }
  if (!result) co_return s.failed(result.error());
  result->plaintext_discarded = drained.bytes;
  if (!result->verified)
    s.transcript.error(Stage::tls,
                       verification_failure_message(*result) + " (continuing: --insecure)");
  co_return result;
}

asio::awaitable<Result<Ok>> LineConnection::write_line(Stage stage, std::string_view line,
                                                       std::optional<std::string_view> shown) {
  Impl& s = *impl_;
  if (line.find_first_of("\r\n") != std::string_view::npos)
    co_return make_error(ErrorKind::usage, stage, "a command may not contain CR or LF");
  s.transcript.sent(stage, in_tls(), shown ? *shown : line);
  std::string bytes = std::string(line) + "\r\n";
  s.transport.expires_after(s.limits.command_timeout);
  auto [ec, n] = co_await s.transport.write(std::move(bytes));
  if (s.transport.cancelled()) co_return s.cancelled(stage, "sending");
  if (ec == std::errc::timed_out)
    co_return s.failed(
        make_error(ErrorKind::timeout, stage,
                   "sending: no progress within " + format_duration(s.limits.command_timeout)));
  if (ec) co_return s.failed(make_error(ErrorKind::network, stage, "sending: " + ec.message(), ec));
  co_return Ok{};
}

asio::awaitable<Result<std::string>> LineConnection::read_line(Stage stage) {
  Impl& s = *impl_;
  const milliseconds limit =
      stage == Stage::banner ? s.limits.greeting_timeout : s.limits.command_timeout;
  const auto deadline = Clock::now() + limit;  // one deadline per line: no byte-at-a-time drip
  std::array<char, 4096> buf;
  for (;;) {
    auto nl = s.inbuf.find('\n');
    if (nl != std::string::npos && nl <= s.limits.max_line_octets) {
      std::string line = s.inbuf.substr(0, nl);
      s.inbuf.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      s.transcript.received(stage, in_tls(), line);
      co_return line;
    }
    if (s.inbuf.size() > s.limits.max_line_octets)
      co_return s.failed(make_error(ErrorKind::protocol, stage,
                                    "the server sent a line longer than " +
                                        std::to_string(s.limits.max_line_octets) + " octets"));
    s.transport.expires_at(deadline);
    auto [ec, n] = co_await s.transport.read_some(buf.data(), buf.size());
    if (s.transport.cancelled()) co_return s.cancelled(stage, "reading");
    if (ec == std::errc::timed_out)
      co_return s.failed(
          make_error(ErrorKind::timeout, stage,
                     "waiting for the reply: no answer within " + format_duration(limit)));
    if (ec) {
      std::string reason = peer_closed(ec) ? "the server closed the connection" : ec.message();
      co_return s.failed(make_error(ErrorKind::network, stage, "reading: " + reason, ec));
    }
    s.inbuf.append(buf.data(), n);
  }
}

void LineConnection::cancel() {
  impl_->transport.cancel();
}
void LineConnection::close() {
  impl_->transport.close();
}
bool LineConnection::in_tls() const {
  return impl_->transport.in_tls();
}
const Transcript& LineConnection::transcript() const {
  return impl_->transcript;
}
Transcript& LineConnection::transcript() {
  return impl_->transcript;
}

}  // namespace smtpdoctor
