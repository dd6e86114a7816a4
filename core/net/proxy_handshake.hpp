// The proxy handshake on a socket connected to the proxy (core/net/proxy_protocol.hpp holds the
// bytes and parsers): SOCKS5 greeting, login and CONNECT, SOCKS4a CONNECT, or HTTP CONNECT, the
// whole exchange under one deadline (the connect timeout). Reads take exactly what the reply
// needs, so nothing of the tunnelled server's first bytes is eaten. Internal to core/net: only
// transport.cpp includes it (it names Asio's socket).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/net/proxy_protocol.hpp"

namespace smtpdoctor {

// nullopt: the tunnel to host:port is open and the socket now talks to the target. `host` is an
// IP literal for socks5 (we resolved it), else whatever the proxy should resolve. `deadline`
// bounds the whole exchange; `limit` is the timeout it came from, for the words of a failure.
asio::awaitable<std::optional<ProxyFailure>> proxy_handshake(
    asio::ip::tcp::socket& socket, ProxyConfig proxy, std::string host, std::uint16_t port,
    std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds limit);

}  // namespace smtpdoctor
