// The embedded client and the loopback test server in one process, on one io_context, on
// 127.0.0.1 ephemeral ports: the server under its options, a client coroutine run against it,
// then the server stopped and everything drained. The server's TLS identity is a self-signed
// certificate made here (core/server/self_signed.hpp) and written to a private directory, so a test
// can hand the same PEM to the client as its CA file.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/server/self_signed.hpp"
#include "core/server/smtp_server.hpp"
#include "core/smtp/smtp_client.hpp"

namespace smtpdoctor::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline const std::string kUser = "alice";
inline const std::string kPassword = "Tr0ub4dor&3-horse";

// A directory of its own under /tmp, removed afterwards.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / ("smtpdoctor-client-server-" + std::to_string(::getpid()) +
                                        "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The server's certificate and key as files (one per test process); the certificate doubles as
// the CA file a client trusts it with.
struct ServerIdentityFiles {
  std::string cert, key;
};
inline const ServerIdentityFiles& server_identity() {
  static const ServerIdentityFiles files = [] {
    static ScratchDir dir;
    auto identity = make_self_signed_identity("localhost");
    if (!identity) throw std::runtime_error("self-signed identity: " + identity.error().message);
    ServerIdentityFiles f{(dir.path / "server.pem").string(), (dir.path / "server.key").string()};
    std::ofstream(f.cert, std::ios::binary) << identity->certificate_pem;
    std::ofstream(f.key, std::ios::binary) << identity->private_key_pem;
    return f;
  }();
  return files;
}

// Options for a server that knows alice, with a TLS identity we can trust, storing mail in
// `store` when given.
inline ServerOptions server_options(const ScratchDir* store = nullptr) {
  ServerOptions o;
  o.listen = {ListenAddress{"127.0.0.1", 0, false}};
  o.users = {{kUser, kPassword}};
  o.cert_file = server_identity().cert;
  o.key_file = server_identity().key;
  if (store) o.store_dir = store->path.string();
  return o;
}

// Short deadlines everywhere: a hung step fails the test in seconds, not minutes.
inline ClientOptions client_options(std::uint16_t port) {
  ClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.limits.connect_timeout = 3s;
  o.limits.greeting_timeout = 3s;
  o.limits.command_timeout = 3s;
  o.limits.tls_handshake_timeout = 3s;
  o.limits.data_timeout = 3s;
  return o;
}

// The server and the client coroutine sharing one io_context.
class Loopback {
 public:
  explicit Loopback(ServerOptions options, bool implicit_tls_listener = false) {
    if (implicit_tls_listener) options.listen.push_back(ListenAddress{"127.0.0.1", 0, true});
    server_ = std::make_unique<SmtpServer>(
        io_, std::move(options), [this](const nlohmann::json& e) { events_.push_back(e); });
    auto bound = server_->start();
    REQUIRE_MESSAGE(bound.ok(), (bound.ok() ? "" : bound.error().message));
    port_ = bound->at(0).port;
    if (bound->size() > 1) tls_port_ = bound->at(1).port;
  }

  std::uint16_t port() const { return port_; }
  std::uint16_t tls_port() const { return tls_port_; }
  asio::io_context& io() { return io_; }
  asio::any_io_executor executor() { return io_.get_executor(); }

  // Runs `body()` (an awaitable) to completion, then stops the server and drains the io_context.
  // A failed CHECK/REQUIRE inside the coroutine is rethrown here.
  template <typename Body>
  void run(Body body) {
    std::exception_ptr failure;
    bool finished = false;
    asio::co_spawn(io_, body(), [&](std::exception_ptr e) {
      failure = e;
      finished = true;
      server_->stop(0ms);
    });
    io_.run_for(30s);
    REQUIRE_MESSAGE(finished, "the client coroutine did not finish within 30 s");
    if (failure) std::rethrow_exception(failure);
  }

  std::vector<nlohmann::json> events(std::string_view kind) const {
    std::vector<nlohmann::json> out;
    for (const auto& e : events_)
      if (e.value("event", "") == kind) out.push_back(e);
    return out;
  }

 private:
  asio::io_context io_;
  std::unique_ptr<SmtpServer> server_;
  std::vector<nlohmann::json> events_;
  std::uint16_t port_ = 0, tls_port_ = 0;
};

// Waits inside a coroutine (the client "stalls").
inline asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

// Connect, 220, EHLO: the start every conversation shares. REQUIREs each step.
inline asio::awaitable<void> greet(SmtpClient& client) {
  auto connected = co_await client.connect();
  REQUIRE_MESSAGE(connected.ok(), (connected.ok() ? "" : connected.error().message));
  auto greeting = co_await client.read_greeting();
  REQUIRE_MESSAGE(greeting.ok(), (greeting.ok() ? "" : greeting.error().message));
  auto caps = co_await client.ehlo("client.example.test");
  REQUIRE_MESSAGE(caps.ok(), (caps.ok() ? "" : caps.error().message));
}

// The stored .eml without the Received: header the server prepended (its folded continuation
// lines start with a tab).
inline std::string without_received(const std::string& eml) {
  REQUIRE(eml.rfind("Received: ", 0) == 0);
  std::size_t pos = 0;
  do {
    pos = eml.find("\r\n", pos) + 2;
  } while (pos < eml.size() && eml[pos] == '\t');
  return eml.substr(pos);
}

// The reply code and enhanced code as "550 5.1.1" for compact checks.
inline std::string code_of(const Reply& reply) {
  return std::to_string(reply.code) + (reply.enhanced ? " " + reply.enhanced->str() : "");
}

}  // namespace smtpdoctor::test
