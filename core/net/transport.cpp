// One socket, moved into an ssl::stream for TLS (the Beast STARTTLS shape). Every operation races
// one steady_timer (`within`, the only place that writes `op || timer`); cancel() closes the
// socket, cancels the resolver and fires the timer, so whichever operation is in flight ends at
// once, and the cancelled flag makes every later one fail before it starts.
#include "core/net/transport.hpp"

#include <algorithm>
#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cerrno>
#include <variant>

#include "core/base/duration_text.hpp"
#include "core/net/proxy_handshake.hpp"

namespace smtpdoctor {
namespace {

using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

// STARTTLS: at most this many injected bytes are drained before the handshake.
constexpr std::size_t kMaxInjectedDrain = 64 * 1024;
constexpr std::size_t kSampleBytes = 64;

std::error_code timed_out() {
  return std::make_error_code(std::errc::timed_out);
}
std::error_code canceled() {
  return std::make_error_code(std::errc::operation_canceled);
}

// The socket error a target's outcome reported by a proxy stands for, so an attempt through a
// proxy reads like a direct one.
std::error_code outcome_error(TcpOutcome outcome) {
  switch (outcome) {
    case TcpOutcome::refused:
      return std::make_error_code(std::errc::connection_refused);
    case TcpOutcome::timed_out:
      return std::make_error_code(std::errc::timed_out);
    case TcpOutcome::unreachable:
      return std::make_error_code(std::errc::host_unreachable);
    default:
      return std::make_error_code(std::errc::connection_aborted);
  }
}

milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

}  // namespace

TcpOutcome classify_connect_error(const std::error_code& error) {
  if (error == std::errc::timed_out) return TcpOutcome::timed_out;
  // Asio reports socket errors in its own "asio.system" category, with errno values.
  const bool errno_value = error.category() == std::system_category() ||
                           error.category() == std::generic_category() ||
                           std::string_view(error.category().name()) == "asio.system";
  if (!errno_value) return TcpOutcome::failed;
  switch (error.value()) {
    case ECONNREFUSED:
      return TcpOutcome::refused;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
    case EADDRNOTAVAIL:
      return TcpOutcome::unreachable;
    case ETIMEDOUT:
      return TcpOutcome::timed_out;
    default:
      return TcpOutcome::failed;
  }
}

std::string attempt_reason(const ConnectAttempt& attempt) {
  if (attempt.outcome == TcpOutcome::connected) return {};
  if (attempt.error == std::errc::timed_out) return "timed out";
  return attempt.error.message();
}

bool peer_closed(const std::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

std::string verification_failure_message(const TlsInfo& info) {
  return "certificate verification failed: " + verification_problem(info);
}

struct Transport::Impl {
  explicit Impl(asio::any_io_executor executor)
      : ex(executor), socket(executor), resolver(executor), timer(executor) {}

  asio::any_io_executor ex;
  tcp::socket socket;
  tcp::resolver resolver;
  asio::steady_timer timer;
  Clock::time_point deadline = Clock::time_point::max();
  std::shared_ptr<asio::ssl::context> ssl_ctx;
  std::optional<asio::ssl::stream<tcp::socket>> tls;
  std::optional<TlsInfo> tls_info;
  std::optional<ProxyConfig> proxy;
  bool cancelled = false;

  // `op` against the deadline: nullopt when the deadline (or cancel(), see `cancelled`) won.
  template <typename T>
  asio::awaitable<std::optional<T>> within(asio::awaitable<T> op, Clock::time_point until) {
    timer.expires_at(until);
    auto r = co_await (std::move(op) || timer.async_wait(use_tuple));
    if (r.index() == 1) co_return std::nullopt;
    co_return std::get<0>(std::move(r));
  }

  asio::awaitable<std::tuple<asio::error_code, std::size_t>> raw_read(asio::mutable_buffer buf) {
    if (tls) co_return co_await tls->async_read_some(buf, use_tuple);
    co_return co_await socket.async_read_some(buf, use_tuple);
  }

  asio::awaitable<std::tuple<asio::error_code, std::size_t>> raw_write(std::string bytes) {
    if (tls) co_return co_await asio::async_write(*tls, asio::buffer(bytes), use_tuple);
    co_return co_await asio::async_write(socket, asio::buffer(bytes), use_tuple);
  }

  asio::awaitable<std::tuple<asio::error_code, tcp::resolver::results_type>> resolve(
      std::string host, std::string service, IpFamily family) {
    if (family == IpFamily::v4)
      co_return co_await resolver.async_resolve(tcp::v4(), host, service, use_tuple);
    if (family == IpFamily::v6)
      co_return co_await resolver.async_resolve(tcp::v6(), host, service, use_tuple);
    co_return co_await resolver.async_resolve(host, service, use_tuple);
  }

  asio::awaitable<ConnectAttempt> attempt(tcp::endpoint endpoint, milliseconds limit) {
    ConnectAttempt out;
    out.address = endpoint.address().to_string();
    out.v6 = endpoint.address().is_v6();
    asio::error_code ignored;
    socket.close(ignored);
    const auto start = Clock::now();
    auto r = co_await within(socket.async_connect(endpoint, use_tuple), start + limit);
    out.latency = since(start);
    if (cancelled) {
      out.error = canceled();
    } else if (!r) {
      socket.close(ignored);
      out.error = timed_out();
    } else {
      out.error = std::get<0>(*r);
    }
    out.outcome = out.error ? classify_connect_error(out.error) : TcpOutcome::connected;
    // Every write is a whole command or PIPELINING group (and OpenSSL writes whole records): Nagle
    // would only hold a write back until the peer ACKs the previous one, a round trip on a slow
    // link (the TLS Finished, then EHLO right behind it).
    if (out.outcome == TcpOutcome::connected) socket.set_option(tcp::no_delay(true), ignored);
    co_return out;
  }

  // The addresses of `host` (itself when an IP literal of `family`), or why there are none.
  asio::awaitable<std::variant<std::vector<tcp::endpoint>, Error>> endpoints_of(
      std::string host, std::uint16_t port, IpFamily family, milliseconds timeout) {
    std::vector<tcp::endpoint> endpoints;
    asio::error_code ec;
    auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
      if ((family == IpFamily::v4 && !literal.is_v4()) ||
          (family == IpFamily::v6 && !literal.is_v6()))
        co_return make_error(
            ErrorKind::usage, Stage::resolve,
            host + " is not an " + (family == IpFamily::v4 ? "IPv4" : "IPv6") + " address");
      endpoints.emplace_back(literal, port);
      co_return endpoints;
    }
    auto r = co_await within(resolve(host, std::to_string(port), family), Clock::now() + timeout);
    if (cancelled)
      co_return make_error(ErrorKind::cancelled, Stage::resolve, "resolving cancelled");
    if (!r)
      co_return make_error(ErrorKind::timeout, Stage::resolve,
                           "resolving " + host + ": no answer within " + format_duration(timeout));
    auto [rec, results] = std::move(*r);
    if (rec || results.empty())
      co_return make_error(
          ErrorKind::resolve, Stage::resolve,
          "cannot resolve " + host + ": " + (rec ? rec.message() : std::string("no addresses")),
          rec);
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    co_return endpoints;
  }

  // A TCP connection to the proxy, trying each of its addresses until `deadline`; the failure
  // when none answers.
  asio::awaitable<std::optional<ProxyFailure>> reach_proxy(Clock::time_point deadline,
                                                           milliseconds timeout) {
    auto proxy_endpoints = co_await endpoints_of(proxy->host, proxy->port, IpFamily::any, timeout);
    ProxyFailure failure;
    failure.kind = ProxyFailureKind::unreachable;
    failure.proxy = proxy->display();
    if (auto* error = std::get_if<Error>(&proxy_endpoints)) {
      failure.reason = "the proxy: " + error->message;
      co_return failure;
    }
    std::string last;
    for (const auto& endpoint : std::get<std::vector<tcp::endpoint>>(proxy_endpoints)) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      ConnectAttempt attempt = co_await this->attempt(endpoint, std::max(left, milliseconds(1)));
      if (cancelled) co_return std::nullopt;
      if (attempt.outcome == TcpOutcome::connected) co_return std::nullopt;
      last =
          attempt.address + " port " + std::to_string(proxy->port) + ": " + attempt_reason(attempt);
      failure.target_outcome = attempt.outcome;
    }
    failure.reason = "cannot connect to the proxy at " + last;
    co_return failure;
  }

  // Through the proxy: one attempt per target address for socks5:// (we resolve), one for the
  // name otherwise (the proxy resolves). Each attempt connects to the proxy afresh, and the
  // proxy's connect and handshake share the connect timeout.
  asio::awaitable<ConnectResult> connect_via_proxy(std::string host, std::uint16_t port,
                                                   IpFamily family, milliseconds timeout) {
    ConnectResult result;
    std::vector<std::string> targets;
    if (proxy->resolves_remotely()) {
      targets.push_back(host);
    } else {
      auto endpoints = co_await endpoints_of(host, port, family, timeout);
      if (auto* error = std::get_if<Error>(&endpoints)) {
        result.error = std::move(*error);
        co_return result;
      }
      for (const auto& endpoint : std::get<std::vector<tcp::endpoint>>(endpoints))
        targets.push_back(endpoint.address().to_string());
    }
    for (const auto& target : targets) {
      const auto start = Clock::now();
      const auto deadline = start + timeout;
      auto unreachable = co_await reach_proxy(deadline, timeout);
      if (cancelled) {
        result.error = make_error(ErrorKind::cancelled, Stage::connect, "connect cancelled");
        co_return result;
      }
      if (unreachable) {
        result.proxy_failure = std::move(unreachable);
        co_return result;
      }
      auto failed = co_await proxy_handshake(socket, *proxy, target, port, deadline, timeout);
      if (cancelled) {
        result.error = make_error(ErrorKind::cancelled, Stage::connect, "connect cancelled");
        co_return result;
      }
      ConnectAttempt attempt;
      attempt.address = target;
      asio::error_code ec;
      auto literal = asio::ip::make_address(target, ec);
      attempt.v6 = !ec && literal.is_v6();
      attempt.latency = since(start);
      if (!failed) {
        attempt.outcome = TcpOutcome::connected;
        result.attempts.push_back(std::move(attempt));
        result.proxy_failure.reset();
        co_return result;
      }
      asio::error_code ignored;
      socket.close(ignored);
      if (failed->kind != ProxyFailureKind::target_failed) {
        // The proxy itself (its login, its protocol): no other target address would fare better.
        result.proxy_failure = std::move(failed);
        co_return result;
      }
      attempt.outcome = failed->target_outcome;
      attempt.error = outcome_error(failed->target_outcome);
      result.attempts.push_back(std::move(attempt));
      result.proxy_failure = std::move(failed);
    }
    co_return result;
  }

  void close() {
    asio::error_code ignored;
    if (tls)
      tls->lowest_layer().close(ignored);
    else
      socket.close(ignored);
  }
};

Transport::Transport(asio::any_io_executor executor)
    : impl_(std::make_unique<Impl>(std::move(executor))) {}
Transport::~Transport() = default;

asio::awaitable<ConnectResult> Transport::connect(std::string host, std::uint16_t port,
                                                  IpFamily family, milliseconds timeout) {
  Impl& s = *impl_;
  ConnectResult result;
  if (s.cancelled) {
    result.error = make_error(ErrorKind::cancelled, Stage::connect, "connect cancelled");
    co_return result;
  }
  if (s.proxy) {
    co_return co_await s.connect_via_proxy(std::move(host), port, family, timeout);
  }
  auto endpoints = co_await s.endpoints_of(host, port, family, timeout);
  if (auto* error = std::get_if<Error>(&endpoints)) {
    result.error = std::move(*error);
    co_return result;
  }
  for (const auto& endpoint : std::get<std::vector<tcp::endpoint>>(endpoints)) {
    ConnectAttempt attempt = co_await s.attempt(endpoint, timeout);
    if (s.cancelled) {
      result.error = make_error(ErrorKind::cancelled, Stage::connect, "connect cancelled");
      co_return result;
    }
    const bool connected = attempt.outcome == TcpOutcome::connected;
    result.attempts.push_back(std::move(attempt));
    if (connected) co_return result;
  }
  co_return result;
}

void Transport::set_proxy(std::optional<ProxyConfig> proxy) {
  impl_->proxy = std::move(proxy);
}
const std::optional<ProxyConfig>& Transport::proxy() const {
  return impl_->proxy;
}

void Transport::expires_after(milliseconds limit) {
  impl_->deadline = Clock::now() + limit;
}
void Transport::expires_at(Clock::time_point deadline) {
  impl_->deadline = deadline;
}

DrainedPlaintext Transport::drain_plaintext(std::string buffered) {
  Impl& s = *impl_;
  DrainedPlaintext out;
  out.bytes = buffered.size();
  out.sample = buffered.substr(0, kSampleBytes);
  asio::error_code ec;
  std::array<char, 4096> buf;
  while (out.bytes < kMaxInjectedDrain) {
    std::size_t waiting = s.socket.available(ec);
    if (ec || waiting == 0) break;
    std::size_t n = s.socket.read_some(asio::buffer(buf, std::min(waiting, buf.size())), ec);
    if (ec) break;
    if (out.sample.size() < kSampleBytes) out.sample.append(buf.data(), std::min(n, kSampleBytes));
    out.bytes += n;
  }
  return out;
}

asio::awaitable<Result<TlsInfo>> Transport::start_tls(TlsClientOptions options, std::string sni,
                                                      std::string verify_host, Stage stage,
                                                      milliseconds timeout) {
  Impl& s = *impl_;
  if (s.cancelled) co_return make_error(ErrorKind::cancelled, stage, "TLS handshake cancelled");
  if (s.tls) co_return make_error(ErrorKind::usage, stage, "TLS is already active");
  if (!s.ssl_ctx) {
    auto ctx = make_client_tls_context(options);
    if (!ctx) co_return ctx.error();
    s.ssl_ctx = *ctx;
  }
  s.tls.emplace(std::move(s.socket), *s.ssl_ctx);
  prepare_client_ssl(s.tls->native_handle(), sni, verify_host);
  auto r = co_await s.within(s.tls->async_handshake(asio::ssl::stream_base::client, use_tuple),
                             Clock::now() + timeout);
  if (s.cancelled) co_return make_error(ErrorKind::cancelled, stage, "TLS handshake cancelled");
  if (!r) {
    s.close();
    co_return make_error(ErrorKind::timeout, stage,
                         "TLS handshake: no answer within " + format_duration(timeout),
                         timed_out());
  }
  auto [ec] = *r;
  if (ec) {
    s.close();
    co_return make_error(ErrorKind::tls, stage,
                         "TLS handshake failed: " + handshake_failure_reason(ec), ec);
  }
  TlsInfo info = tls_info_from(s.tls->native_handle(), sni, verify_host, options.insecure);
  s.tls_info = info;
  if (!info.verified && !options.insecure) {
    Error e = make_error(ErrorKind::tls, stage, verification_failure_message(info));
    e.tls_verify_result = info.verify_result;
    s.close();
    co_return e;
  }
  co_return info;
}

asio::awaitable<std::tuple<std::error_code, std::size_t>> Transport::read_some(char* data,
                                                                               std::size_t size) {
  Impl& s = *impl_;
  if (s.cancelled) co_return std::tuple{canceled(), std::size_t{0}};
  auto r = co_await s.within(s.raw_read(asio::buffer(data, size)), s.deadline);
  if (s.cancelled) co_return std::tuple{canceled(), std::size_t{0}};
  if (!r) co_return std::tuple{timed_out(), std::size_t{0}};
  co_return *r;
}

asio::awaitable<std::tuple<std::error_code, std::size_t>> Transport::write(std::string bytes) {
  Impl& s = *impl_;
  if (s.cancelled) co_return std::tuple{canceled(), std::size_t{0}};
  auto r = co_await s.within(s.raw_write(std::move(bytes)), s.deadline);
  if (s.cancelled) co_return std::tuple{canceled(), std::size_t{0}};
  if (!r) co_return std::tuple{timed_out(), std::size_t{0}};
  co_return *r;
}

void Transport::cancel() {
  Impl& s = *impl_;
  s.cancelled = true;
  s.resolver.cancel();
  s.timer.cancel();
  s.close();
}
void Transport::close() {
  impl_->close();
}
bool Transport::cancelled() const {
  return impl_->cancelled;
}
std::string Transport::local_address() const {
  std::error_code ec;
  auto endpoint = impl_->socket.local_endpoint(ec);
  if (ec) return {};
  auto address = endpoint.address();
  // A v4 connection over a dual-stack socket shows as ::ffff:a.b.c.d.
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

bool Transport::in_tls() const {
  return impl_->tls_info.has_value() && impl_->tls.has_value();
}
const std::optional<TlsInfo>& Transport::tls_info() const {
  return impl_->tls_info;
}

}  // namespace smtpdoctor
