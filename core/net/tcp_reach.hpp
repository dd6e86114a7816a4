// One TCP connect with a deadline, classified the way the port-25 verdict and the internet probe
// need it: connected / refused (RST) / timed out (filtered) / unreachable (no route). The socket
// is closed at once: this only asks "does a SYN get an answer".
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "core/base/run_control.hpp"
#include "core/net/tcp_outcome.hpp"
#include "core/net/transport.hpp"

namespace smtpdoctor {

struct TcpReach {
  std::string address;  // literal IPv4/IPv6 address connected to
  std::uint16_t port = 0;
  TcpOutcome outcome = TcpOutcome::failed;
  std::chrono::milliseconds elapsed{0};
  std::error_code error;  // the socket's error when not connected (none for a timeout)
  std::string detail;     // "connected in 3 ms", "refused", "no answer within 2.0 s", ...
};

// `address` must be an IP literal (resolve first); anything else is outcome failed.
// A stop of `control` (--deadline, Ctrl-C) ends the connect at once, as failed.
asio::awaitable<TcpReach> tcp_reach(std::string address, std::uint16_t port,
                                    std::chrono::milliseconds timeout,
                                    RunControl* control = nullptr);

struct TcpEndpoint {
  std::string address;
  std::uint16_t port = 0;
};
// All at once; results in the order of `endpoints`. Takes about `timeout` at most in total.
asio::awaitable<std::vector<TcpReach>> tcp_reach_all(std::vector<TcpEndpoint> endpoints,
                                                     std::chrono::milliseconds timeout,
                                                     RunControl* control = nullptr);

}  // namespace smtpdoctor
