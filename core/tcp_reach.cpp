#include "core/tcp_reach.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <string_view>

#include "core/concurrently.hpp"

namespace smtpdoctor {
namespace {

using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

std::string seconds_text(std::chrono::milliseconds ms) {
  std::string s = std::to_string(ms.count() / 1000.0);
  return s.substr(0, s.find('.') + 2) + " s";
}

}  // namespace

TcpOutcome classify_connect_error(const std::error_code& error) {
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

asio::awaitable<TcpReach> tcp_reach(std::string address, std::uint16_t port,
                                    std::chrono::milliseconds timeout, RunControl* control) {
  TcpReach reach;
  reach.address = address;
  reach.port = port;
  asio::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) {
    reach.detail = "not an IP address: " + address;
    co_return reach;
  }
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  asio::steady_timer timer(executor, timeout);
  RunControl::Registration stop;
  if (control)
    stop = control->on_stop([&socket, &timer] {
      asio::error_code ignored;
      socket.close(ignored);
      timer.cancel();
    });
  if (control && control->stopped()) {
    reach.detail = control->stop_reason();
    co_return reach;
  }
  const auto started = Clock::now();
  auto r = co_await (socket.async_connect({ip, port}, use_tuple) || timer.async_wait(use_tuple));
  reach.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (r.index() == 1 && control && control->stopped()) {
    reach.detail = control->stop_reason();
    co_return reach;
  }
  if (r.index() == 1) {
    reach.outcome = TcpOutcome::timed_out;
    reach.detail = "no answer within " + seconds_text(timeout);
    co_return reach;
  }
  auto [error] = std::get<0>(r);
  if (!error) {
    reach.outcome = TcpOutcome::connected;
    reach.detail = "connected in " + std::to_string(reach.elapsed.count()) + " ms";
    socket.close(ec);
    co_return reach;
  }
  reach.error = error;
  reach.outcome = classify_connect_error(error);
  reach.detail = control && control->stopped() ? control->stop_reason() : error.message();
  co_return reach;
}

asio::awaitable<std::vector<TcpReach>> tcp_reach_all(std::vector<TcpEndpoint> endpoints,
                                                     std::chrono::milliseconds timeout,
                                                     RunControl* control) {
  std::vector<TcpReach> results(endpoints.size());
  std::vector<asio::awaitable<void>> tasks;
  for (std::size_t i = 0; i < endpoints.size(); ++i)
    tasks.push_back([](TcpReach& out, TcpEndpoint endpoint, std::chrono::milliseconds limit,
                       RunControl* control) -> asio::awaitable<void> {
      out = co_await tcp_reach(endpoint.address, endpoint.port, limit, control);
    }(results[i], endpoints[i], timeout, control));
  co_await run_concurrently(std::move(tasks));
  co_return results;
}

}  // namespace smtpdoctor
