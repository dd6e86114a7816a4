// The same shape as the SMTP client's session: one socket, moved into an ssl::stream for TLS,
// and every read and write racing a steady_timer so nothing outlives its deadline. Bytes read
// past a line end stay buffered for the next read_line; before a STARTTLS handshake any such
// bytes are dropped (the CVE-2011-0411 injection) and noted in the transcript.
#include "core/line_connection.hpp"

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>

namespace smtpdoctor {
namespace {

using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

std::string seconds_text(milliseconds ms) {
  std::string s = std::to_string(ms.count() / 1000.0);
  return s.substr(0, s.find('.') + 2) + " s";
}

}  // namespace

struct LineConnection::Impl {
  Impl(asio::any_io_executor executor, Limits l) : ex(executor), limits(l), socket(executor) {}

  asio::any_io_executor ex;
  Limits limits;
  tcp::socket socket;
  std::shared_ptr<asio::ssl::context> ssl_ctx;
  std::optional<asio::ssl::stream<tcp::socket>> tls;
  std::string inbuf;
  Transcript transcript;

  Error failed(Error e) {
    transcript.error(e.stage, e.message);
    close();
    return e;
  }

  void close() {
    asio::error_code ignored;
    if (tls)
      tls->lowest_layer().close(ignored);
    else
      socket.close(ignored);
  }

  asio::awaitable<std::tuple<asio::error_code, std::size_t>> raw_read(asio::mutable_buffer buf) {
    if (tls) co_return co_await tls->async_read_some(buf, use_tuple);
    co_return co_await socket.async_read_some(buf, use_tuple);
  }

  asio::awaitable<std::tuple<asio::error_code, std::size_t>> raw_write(std::string_view bytes) {
    if (tls) co_return co_await asio::async_write(*tls, asio::buffer(bytes), use_tuple);
    co_return co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
  }
};

LineConnection::LineConnection(asio::any_io_executor executor, Limits limits)
    : impl_(std::make_unique<Impl>(executor, limits)) {}
LineConnection::~LineConnection() = default;

asio::awaitable<Result<std::string>> LineConnection::connect(std::string host, std::uint16_t port) {
  Impl& s = *impl_;
  const milliseconds limit = s.limits.connect_timeout;
  std::vector<tcp::endpoint> endpoints;
  asio::error_code ec;
  auto literal = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoints.emplace_back(literal, port);
  } else {
    tcp::resolver resolver(s.ex);
    asio::steady_timer timer(s.ex, limit);
    auto r = co_await (resolver.async_resolve(host, std::to_string(port), use_tuple) ||
                       timer.async_wait(use_tuple));
    if (r.index() == 1)
      co_return s.failed(
          make_error(ErrorKind::timeout, Stage::resolve,
                     "resolving " + host + ": no answer within " + seconds_text(limit)));
    auto [rec, results] = std::get<0>(r);
    if (rec || results.empty())
      co_return s.failed(make_error(
          ErrorKind::resolve, Stage::resolve,
          "cannot resolve " + host + ": " + (rec ? rec.message() : std::string("no addresses")),
          rec));
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  Error last = make_error(ErrorKind::network, Stage::connect, "no address to connect to");
  for (const auto& endpoint : endpoints) {
    asio::error_code ignored;
    s.socket.close(ignored);
    asio::steady_timer timer(s.ex, limit);
    auto r = co_await (s.socket.async_connect(endpoint, use_tuple) || timer.async_wait(use_tuple));
    std::string address = endpoint.address().to_string();
    if (r.index() == 1) {
      last = make_error(ErrorKind::timeout, Stage::connect,
                        "connecting to " + address + " port " + std::to_string(port) +
                            ": no answer within " + seconds_text(limit));
      s.transcript.error(Stage::connect, last.message);
      continue;
    }
    auto [cec] = std::get<0>(r);
    if (cec) {
      last = make_error(
          ErrorKind::network, Stage::connect,
          "connecting to " + address + " port " + std::to_string(port) + ": " + cec.message(), cec);
      s.transcript.error(Stage::connect, last.message);
      continue;
    }
    s.transcript.info(Stage::connect, "Connected to " + address + " port " + std::to_string(port));
    co_return address;
  }
  s.close();
  co_return last;
}

asio::awaitable<Result<TlsInfo>> LineConnection::start_tls(const TlsClientOptions& options,
                                                           std::string sni,
                                                           std::string verify_host) {
  Impl& s = *impl_;
  if (!s.inbuf.empty()) {
    s.transcript.error(Stage::tls, "discarded " + std::to_string(s.inbuf.size()) +
                                       " bytes the server sent before the TLS handshake");
    s.inbuf.clear();
  }
  if (!s.ssl_ctx) {
    auto ctx = make_client_tls_context(options);
    if (!ctx) co_return s.failed(ctx.error());
    s.ssl_ctx = *ctx;
  }
  s.tls.emplace(std::move(s.socket), *s.ssl_ctx);
  prepare_client_ssl(s.tls->native_handle(), sni, verify_host);
  asio::steady_timer timer(s.ex, s.limits.tls_handshake_timeout);
  auto r = co_await (s.tls->async_handshake(asio::ssl::stream_base::client, use_tuple) ||
                     timer.async_wait(use_tuple));
  if (r.index() == 1)
    co_return s.failed(make_error(
        ErrorKind::timeout, Stage::tls,
        "TLS handshake: no answer within " + seconds_text(s.limits.tls_handshake_timeout)));
  auto [ec] = std::get<0>(r);
  if (ec)
    co_return s.failed(
        make_error(ErrorKind::tls, Stage::tls, "TLS handshake failed: " + ec.message(), ec));
  TlsInfo info = tls_info_from(s.tls->native_handle(), sni, verify_host, options.insecure);
  s.transcript.info(Stage::tls, "TLS started: " + info.protocol + ", " + info.cipher);
  if (!info.verified) {
    std::string message = "certificate verification failed: " + info.verify_reason;
    if (!info.hostname_match) message += " (the certificate does not name " + verify_host + ")";
    if (!options.insecure) {
      Error e = make_error(ErrorKind::tls, Stage::tls, message);
      e.tls_verify_result = info.verify_result;
      co_return s.failed(std::move(e));
    }
    s.transcript.error(Stage::tls, message + " (continuing: --insecure)");
  }
  co_return info;
}

asio::awaitable<Result<Ok>> LineConnection::write_line(Stage stage, std::string_view line,
                                                       std::optional<std::string_view> shown) {
  Impl& s = *impl_;
  if (line.find_first_of("\r\n") != std::string_view::npos)
    co_return make_error(ErrorKind::usage, stage, "a command may not contain CR or LF");
  s.transcript.sent(stage, in_tls(), shown ? *shown : line);
  std::string bytes = std::string(line) + "\r\n";
  asio::steady_timer timer(s.ex, s.limits.command_timeout);
  auto r = co_await (s.raw_write(bytes) || timer.async_wait(use_tuple));
  if (r.index() == 1)
    co_return s.failed(
        make_error(ErrorKind::timeout, stage,
                   "sending: no progress within " + seconds_text(s.limits.command_timeout)));
  auto [ec, n] = std::get<0>(r);
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
    if (Clock::now() >= deadline)
      co_return s.failed(
          make_error(ErrorKind::timeout, stage,
                     "waiting for the reply: no answer within " + seconds_text(limit)));
    asio::steady_timer timer(s.ex, deadline);
    auto r = co_await (s.raw_read(asio::buffer(buf)) || timer.async_wait(use_tuple));
    if (r.index() == 1)
      co_return s.failed(
          make_error(ErrorKind::timeout, stage,
                     "waiting for the reply: no answer within " + seconds_text(limit)));
    auto [ec, n] = std::get<0>(r);
    if (ec) {
      std::string reason = ec.message();
      if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
        reason = "the server closed the connection";
      co_return s.failed(make_error(ErrorKind::network, stage, "reading: " + reason, ec));
    }
    s.inbuf.append(buf.data(), n);
  }
}

void LineConnection::close() {
  impl_->close();
}
bool LineConnection::in_tls() const {
  return impl_->tls.has_value();
}
const Transcript& LineConnection::transcript() const {
  return impl_->transcript;
}
Transcript& LineConnection::transcript() {
  return impl_->transcript;
}

}  // namespace smtpdoctor
