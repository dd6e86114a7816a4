#include "core/net/tcp_reach.hpp"

#include <asio/ip/address.hpp>
#include <asio/this_coro.hpp>

#include "core/base/duration_text.hpp"
#include "core/net/concurrently.hpp"

namespace smtpdoctor {

asio::awaitable<TcpReach> tcp_reach(std::string address, std::uint16_t port,
                                    std::chrono::milliseconds timeout, RunControl* control) {
  TcpReach reach;
  reach.address = address;
  reach.port = port;
  asio::error_code ec;
  asio::ip::make_address(address, ec);
  if (ec) {
    reach.detail = "not an IP address: " + address;
    co_return reach;
  }
  auto executor = co_await asio::this_coro::executor;
  Transport transport(executor);
  RunControl::Registration stop;
  if (control) stop = control->on_stop([&transport] { transport.cancel(); });
  auto result = co_await transport.connect(address, port, IpFamily::any, timeout);
  if (control && control->stopped()) {
    reach.outcome = TcpOutcome::failed;
    reach.detail = control->stop_reason();
    co_return reach;
  }
  if (result.attempts.empty()) {
    if (result.error) reach.detail = result.error->message;
    co_return reach;
  }
  const ConnectAttempt& attempt = result.attempts.back();
  reach.outcome = attempt.outcome;
  reach.elapsed = attempt.latency;
  if (attempt.outcome == TcpOutcome::connected) {
    reach.detail = "connected in " + std::to_string(reach.elapsed.count()) + " ms";
  } else if (attempt.outcome == TcpOutcome::timed_out && attempt.error == std::errc::timed_out) {
    reach.detail = "no answer within " + format_duration(timeout);
  } else {
    reach.error = attempt.error;
    reach.detail = attempt.error.message();
  }
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
