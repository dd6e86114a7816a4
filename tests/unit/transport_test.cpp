// The one transport under SMTP, POP3/IMAP and the reachability connects, against loopback peers.
#include "core/net/transport.hpp"

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "core/mailbox/line_connection.hpp"
#include "tests/unit/client_fake_peer.hpp"

using namespace smtpdoctor;
using namespace smtpdoctor::test;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

template <typename Body>
void run(asio::io_context& io, Body body) {
  std::exception_ptr failure;
  asio::co_spawn(io, body(), [&](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

// A loopback port nobody listens on: bound once, then closed.
std::uint16_t closed_port(asio::io_context& io) {
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

Limits short_limits() {
  Limits limits;
  limits.connect_timeout = 3s;
  limits.greeting_timeout = 3s;
  limits.command_timeout = 3s;
  limits.tls_handshake_timeout = 3s;
  return limits;
}

}  // namespace

TEST_CASE("a connect to a loopback port nobody listens on is one typed refused attempt") {
  asio::io_context io;
  const std::uint16_t port = closed_port(io);
  ConnectResult result;
  run(io, [&]() -> asio::awaitable<void> {
    Transport transport(io.get_executor());
    result = co_await transport.connect("127.0.0.1", port, IpFamily::any, 3s);
  });
  CHECK(!result.connected());
  CHECK(!result.error);  // an address was tried: the caller words the failure
  REQUIRE(result.attempts.size() == 1);
  const ConnectAttempt& attempt = result.attempts.front();
  CHECK(attempt.address == "127.0.0.1");
  CHECK(!attempt.v6);
  CHECK(attempt.outcome == TcpOutcome::refused);
  CHECK(attempt_reason(attempt) == attempt.error.message());
}

TEST_CASE("an IPv6 literal is refused up front when IPv4 was asked for") {
  asio::io_context io;
  ConnectResult result;
  run(io, [&]() -> asio::awaitable<void> {
    Transport transport(io.get_executor());
    result = co_await transport.connect("::1", 9, IpFamily::v4, 3s);
  });
  REQUIRE(result.error);
  CHECK(result.error->kind == ErrorKind::usage);
  CHECK(result.attempts.empty());
}

TEST_CASE("a read from a silent server ends with timed_out at the deadline") {
  asio::io_context io;
  FakePeer peer(io, {hear()});
  std::error_code read_error;
  run(io, [&]() -> asio::awaitable<void> {
    Transport transport(io.get_executor());
    auto connected = co_await transport.connect("127.0.0.1", peer.port(), IpFamily::any, 3s);
    REQUIRE(connected.connected());
    transport.expires_after(100ms);
    char buf[64];
    auto [ec, n] = co_await transport.read_some(buf, sizeof buf);
    read_error = ec;
  });
  CHECK(read_error == std::errc::timed_out);
}

TEST_CASE("cancel() during a read ends it with operation_canceled, and later operations too") {
  asio::io_context io;
  FakePeer peer(io, {hear()});
  std::error_code read_error;
  std::error_code write_error;
  Clock::duration took{};
  run(io, [&]() -> asio::awaitable<void> {
    Transport transport(io.get_executor());
    auto connected = co_await transport.connect("127.0.0.1", peer.port(), IpFamily::any, 3s);
    REQUIRE(connected.connected());
    asio::steady_timer later(io, 50ms);
    Transport* target = &transport;
    later.async_wait([target](std::error_code) { target->cancel(); });
    transport.expires_after(10s);
    char buf[64];
    const auto start = Clock::now();
    auto [ec, n] = co_await transport.read_some(buf, sizeof buf);
    took = Clock::now() - start;
    read_error = ec;
    auto [wec, wn] = co_await transport.write("NOOP\r\n");
    write_error = wec;
  });
  CHECK(read_error == std::errc::operation_canceled);
  CHECK(write_error == std::errc::operation_canceled);
  CHECK(took < 2s);  // generous: the deadline was 10 s
}

TEST_CASE("LineConnection::cancel() during read_line returns ErrorKind::cancelled") {
  asio::io_context io;
  FakePeer peer(io, {hear()});
  std::optional<Result<std::string>> line;
  run(io, [&]() -> asio::awaitable<void> {
    LineConnection connection(io.get_executor(), short_limits());
    auto address = co_await connection.connect("127.0.0.1", peer.port());
    REQUIRE(address.ok());
    asio::steady_timer later(io, 50ms);
    LineConnection* target = &connection;
    later.async_wait([target](std::error_code) { target->cancel(); });
    line = co_await connection.read_line(Stage::auth);
  });
  REQUIRE(line);
  REQUIRE(!line->ok());
  CHECK(line->error().kind == ErrorKind::cancelled);
}

TEST_CASE("a POP3 server's plaintext after +OK to STLS is dropped, never read inside TLS") {
  asio::io_context io;
  // "+OK injected" comes with the go-ahead, before the handshake: the CVE-2011-0411 shape.
  FakePeer peer(io,
                {hear(), say("+OK Begin TLS\r\n+OK injected\r\n"), start_tls(), hear(),
                 say("+OK after TLS\r\n")},
                test_server_tls_context());
  std::optional<Result<TlsInfo>> tls;
  std::optional<Result<std::string>> after;
  std::string go_ahead;
  std::string transcript;
  run(io, [&]() -> asio::awaitable<void> {
    LineConnection connection(io.get_executor(), short_limits());
    REQUIRE((co_await connection.connect("127.0.0.1", peer.port())).ok());
    REQUIRE((co_await connection.write_line(Stage::starttls, "STLS")).ok());
    auto reply = co_await connection.read_line(Stage::starttls);
    REQUIRE(reply.ok());
    go_ahead = *reply;
    TlsClientOptions options;
    options.insecure = true;  // the test certificate is self-signed
    tls = co_await connection.start_tls(options, "", "127.0.0.1");
    REQUIRE(tls->ok());
    REQUIRE((co_await connection.write_line(Stage::auth, "CAPA")).ok());
    after = co_await connection.read_line(Stage::auth);
    transcript = connection.transcript().render();
  });
  CHECK(peer.failure.empty());
  CHECK(go_ahead == "+OK Begin TLS");
  CHECK((*tls)->plaintext_discarded == std::string("+OK injected\r\n").size());
  REQUIRE(after->ok());
  CHECK(**after == "+OK after TLS");
  CHECK(transcript.find("discarded 14 bytes the server sent before the TLS handshake") !=
        std::string::npos);
}
