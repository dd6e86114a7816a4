// Each step writes one request and reads the reply in exact pieces: the parser says how many
// octets the reply has at least (SOCKS replies grow once the address type is known; an HTTP head
// is read one octet at a time, at most kMaxHttpConnectReply), so the read never goes past the
// reply into what the target says first (an SMTP greeting right behind "200").
#include "core/net/proxy_handshake.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "core/base/duration_text.hpp"

namespace smtpdoctor {
namespace {

using Clock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

// How one read or write ended: done, the deadline passed, or the socket's error (EOF included).
struct Io {
  bool timed_out = false;
  asio::error_code error;
  bool ok() const { return !timed_out && !error; }
};

struct Exchange {
  asio::ip::tcp::socket& socket;
  Clock::time_point deadline;
  std::string buffer;  // the current reply, read so far

  asio::awaitable<Io> send(std::string bytes) {
    asio::steady_timer timer(socket.get_executor());
    timer.expires_at(deadline);
    auto r = co_await (asio::async_write(socket, asio::buffer(bytes), use_tuple) ||
                       timer.async_wait(use_tuple));
    Io io;
    if (r.index() == 1) {
      io.timed_out = true;
    } else {
      io.error = std::get<0>(std::get<0>(r));
    }
    co_return io;
  }

  // Reads until buffer holds `total` octets.
  asio::awaitable<Io> fill(std::size_t total) {
    Io io;
    if (buffer.size() >= total) co_return io;
    const std::size_t have = buffer.size();
    buffer.resize(total);
    asio::steady_timer timer(socket.get_executor());
    timer.expires_at(deadline);
    auto r = co_await (
        asio::async_read(socket, asio::buffer(buffer.data() + have, total - have), use_tuple) ||
        timer.async_wait(use_tuple));
    if (r.index() == 1) {
      io.timed_out = true;
      buffer.resize(have);
    } else {
      auto [ec, n] = std::get<0>(r);
      io.error = ec;
      buffer.resize(have + n);
    }
    co_return io;
  }
};

ProxyFailure failure(const ProxyConfig& proxy, ProxyFailureKind kind, std::string reason,
                     std::optional<int> code = std::nullopt,
                     TcpOutcome outcome = TcpOutcome::failed) {
  ProxyFailure out;
  out.kind = kind;
  out.proxy = proxy.display();
  out.reason = std::move(reason);
  out.code = code;
  out.target_outcome = outcome;
  return out;
}

std::string io_words(const Io& io, std::chrono::milliseconds limit) {
  if (io.timed_out) return "no answer within " + format_duration(limit);
  if (io.error == asio::error::eof) return "the proxy closed the connection";
  return io.error.message();
}

// A failed read or write at `step`: a proxy that stops talking during the greeting is not
// speaking the protocol named; during the login it refused it; during CONNECT it could not get
// through to the target (a timeout there is the target not answering the proxy).
ProxyFailure io_failure(const ProxyConfig& proxy, const Io& io, std::string_view step,
                        ProxyFailureKind kind, std::chrono::milliseconds limit) {
  TcpOutcome outcome = io.timed_out ? TcpOutcome::timed_out : TcpOutcome::failed;
  return failure(proxy, kind, std::string(step) + ": " + io_words(io, limit), std::nullopt,
                 outcome);
}

template <typename T, typename Parse>
asio::awaitable<std::variant<T, Io, std::string>> read_reply(Exchange& ex, Parse parse) {
  ex.buffer.clear();
  for (;;) {
    auto parsed = parse(std::string_view(ex.buffer));
    if (parsed.state == ParseState::complete) co_return std::move(parsed.value);
    if (parsed.state == ParseState::invalid) co_return std::move(parsed.error);
    Io io = co_await ex.fill(parsed.needed);
    if (!io.ok()) co_return io;
  }
}

asio::awaitable<std::optional<ProxyFailure>> socks5(Exchange& ex, const ProxyConfig& proxy,
                                                    const std::string& host, std::uint16_t port,
                                                    std::chrono::milliseconds limit) {
  const bool with_login = !proxy.user.empty();
  Io sent = co_await ex.send(socks5_greeting(with_login));
  if (!sent.ok())
    co_return io_failure(proxy, sent, "SOCKS5 greeting", ProxyFailureKind::protocol, limit);
  auto method = co_await read_reply<std::uint8_t>(ex, parse_socks5_method);
  if (auto* io = std::get_if<Io>(&method))
    co_return io_failure(proxy, *io, "SOCKS5 greeting", ProxyFailureKind::protocol, limit);
  if (auto* bad = std::get_if<std::string>(&method))
    co_return failure(proxy, ProxyFailureKind::protocol, *bad);
  const std::uint8_t chosen = std::get<std::uint8_t>(method);
  if (chosen == kSocks5NoAcceptable) {
    if (!with_login)
      co_return failure(proxy, ProxyFailureKind::auth_required,
                        "the SOCKS5 proxy accepts no method without a login", int(chosen));
    co_return failure(proxy, ProxyFailureKind::auth_failed,
                      "the SOCKS5 proxy accepts neither no authentication nor username/password",
                      int(chosen));
  }
  if (chosen == kSocks5UserPassword && with_login) {
    auto login = socks5_login(proxy.user, proxy.password);
    if (!login) co_return failure(proxy, ProxyFailureKind::auth_failed, login.error().message);
    sent = co_await ex.send(std::move(*login));
    if (!sent.ok())
      co_return io_failure(proxy, sent, "SOCKS5 login", ProxyFailureKind::auth_failed, limit);
    auto status = co_await read_reply<bool>(ex, parse_socks5_login_reply);
    if (auto* io = std::get_if<Io>(&status))
      co_return io_failure(proxy, *io, "SOCKS5 login refused", ProxyFailureKind::auth_failed,
                           limit);
    if (auto* bad = std::get_if<std::string>(&status))
      co_return failure(proxy, ProxyFailureKind::protocol, *bad);
    if (!std::get<bool>(status))
      co_return failure(proxy, ProxyFailureKind::auth_failed,
                        "the SOCKS5 proxy refused the user name or password of " + proxy.user);
  } else if (chosen != kSocks5NoAuth) {
    co_return failure(
        proxy, ProxyFailureKind::protocol,
        "the SOCKS5 proxy chose method " + std::to_string(chosen) + ", which we did not offer",
        int(chosen));
  }
  auto request = socks5_connect_request(host, port);
  if (!request) co_return failure(proxy, ProxyFailureKind::protocol, request.error().message);
  sent = co_await ex.send(std::move(*request));
  if (!sent.ok())
    co_return io_failure(proxy, sent, "SOCKS5 CONNECT", ProxyFailureKind::target_failed, limit);
  auto reply = co_await read_reply<Socks5Reply>(ex, parse_socks5_reply);
  const std::string target = host + " port " + std::to_string(port);
  if (auto* io = std::get_if<Io>(&reply))
    co_return io_failure(proxy, *io, "the proxy did not get through to " + target,
                         ProxyFailureKind::target_failed, limit);
  if (auto* bad = std::get_if<std::string>(&reply))
    co_return failure(proxy, ProxyFailureKind::protocol, *bad);
  const auto code = std::get<Socks5Reply>(reply).code;
  if (code != 0)
    co_return failure(
        proxy, ProxyFailureKind::target_failed,
        "SOCKS5 reply " + std::to_string(code) + " for " + target + ": " + socks5_reply_words(code),
        int(code), socks5_reply_outcome(code));
  co_return std::nullopt;
}

asio::awaitable<std::optional<ProxyFailure>> socks4a(Exchange& ex, const ProxyConfig& proxy,
                                                     const std::string& host, std::uint16_t port,
                                                     std::chrono::milliseconds limit) {
  auto request = socks4a_connect_request(host, port, proxy.user);
  if (!request) co_return failure(proxy, ProxyFailureKind::protocol, request.error().message);
  Io sent = co_await ex.send(std::move(*request));
  if (!sent.ok())
    co_return io_failure(proxy, sent, "SOCKS4a CONNECT", ProxyFailureKind::protocol, limit);
  auto reply = co_await read_reply<std::uint8_t>(ex, parse_socks4_reply);
  const std::string target = host + " port " + std::to_string(port);
  if (auto* io = std::get_if<Io>(&reply))
    co_return io_failure(proxy, *io, "the proxy did not get through to " + target,
                         ProxyFailureKind::target_failed, limit);
  if (auto* bad = std::get_if<std::string>(&reply))
    co_return failure(proxy, ProxyFailureKind::protocol, *bad);
  const auto code = std::get<std::uint8_t>(reply);
  if (code != 90)
    co_return failure(
        proxy,
        code == 92 || code == 93 ? ProxyFailureKind::auth_failed : ProxyFailureKind::target_failed,
        "SOCKS4 reply " + std::to_string(code) + " for " + target + ": " + socks4_reply_words(code),
        int(code));
  co_return std::nullopt;
}

asio::awaitable<std::optional<ProxyFailure>> http(Exchange& ex, const ProxyConfig& proxy,
                                                  const std::string& host, std::uint16_t port,
                                                  std::chrono::milliseconds limit) {
  auto request = http_connect_request(host, port, proxy.user, proxy.password);
  if (!request) co_return failure(proxy, ProxyFailureKind::protocol, request.error().message);
  Io sent = co_await ex.send(std::move(*request));
  if (!sent.ok())
    co_return io_failure(proxy, sent, "HTTP CONNECT", ProxyFailureKind::protocol, limit);
  auto reply = co_await read_reply<HttpConnectReply>(ex, parse_http_connect_reply);
  const std::string target = host + " port " + std::to_string(port);
  if (auto* io = std::get_if<Io>(&reply))
    co_return io_failure(proxy, *io, "the proxy did not get through to " + target,
                         ProxyFailureKind::target_failed, limit);
  if (auto* bad = std::get_if<std::string>(&reply))
    co_return failure(proxy, ProxyFailureKind::protocol, *bad);
  const auto& head = std::get<HttpConnectReply>(reply);
  if (head.status >= 200 && head.status < 300) co_return std::nullopt;
  const std::string words = http_connect_status_words(head.status, head.reason);
  if (http_status_wants_login(head.status)) {
    if (proxy.user.empty())
      co_return failure(proxy, ProxyFailureKind::auth_required, words, head.status);
    std::string status = "HTTP " + std::to_string(head.status);
    if (!head.reason.empty()) status += " " + head.reason;
    co_return failure(proxy, ProxyFailureKind::auth_failed,
                      status + ": the proxy refused the login of " + proxy.user, head.status);
  }
  co_return failure(proxy, ProxyFailureKind::target_failed, words + " (" + target + ")",
                    head.status, http_status_outcome(head.status));
}

}  // namespace

asio::awaitable<std::optional<ProxyFailure>> proxy_handshake(
    asio::ip::tcp::socket& socket, ProxyConfig proxy, std::string host, std::uint16_t port,
    std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds limit) {
  Exchange ex{socket, deadline, {}};
  switch (proxy.kind) {
    case ProxyKind::socks5:
    case ProxyKind::socks5h:
      co_return co_await socks5(ex, proxy, host, port, limit);
    case ProxyKind::socks4a:
      co_return co_await socks4a(ex, proxy, host, port, limit);
    case ProxyKind::http:
      co_return co_await http(ex, proxy, host, port, limit);
  }
  co_return std::nullopt;
}

}  // namespace smtpdoctor
