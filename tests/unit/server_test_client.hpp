// Test helpers for the loopback server: the server running in-process on its own thread, and a
// deliberately dumb blocking client (POSIX socket, OpenSSL for STARTTLS) that sends exactly the
// bytes a test gives it, so pipelining and malformed input can be tested byte for byte.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/server/smtp_server.hpp"

namespace smtpdoctor::test {

// An SmtpServer on 127.0.0.1, an ephemeral port, and a private io_context thread.
class ServerUnderTest {
 public:
  explicit ServerUnderTest(ServerOptions options);
  ~ServerUnderTest();  // stop(0) and join
  std::uint16_t port() const { return port_; }
  std::uint16_t tls_port() const {
    return tls_port_;
  }  // when options asked for an implicit-TLS listener
  std::vector<nlohmann::json> events(std::string_view kind = {}) const;
  // Waits up to `timeout` for an event of `kind`; returns it (null when none came).
  nlohmann::json wait_event(std::string_view kind,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // Ask the server to stop (as SIGTERM does) with the given grace; returns at once.
  void stop(std::chrono::milliseconds grace);
  // Waits for io_context::run() to return; true when it did within `timeout`.
  bool wait_stopped(std::chrono::milliseconds timeout);

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0, tls_port_ = 0;
};

class ServerTestClient {
 public:
  explicit ServerTestClient(std::uint16_t port,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~ServerTestClient();
  ServerTestClient(const ServerTestClient&) = delete;
  ServerTestClient& operator=(const ServerTestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  void send(std::string_view bytes);
  // Plain connections: sends what it can; false once the connection is broken (the server reset
  // or closed it), true when all was sent or the send is still blocked after the timeout.
  bool try_send(std::string_view bytes);
  // One complete reply (all lines, CRLFs included); empty on EOF, error or timeout.
  std::string read_reply();
  // Sends line + CRLF, returns the reply.
  std::string command(std::string_view line);
  // TLS handshake on the connection (after a 220 to STARTTLS, or at once for implicit TLS).
  bool start_tls();
  bool tls() const { return ssl_ != nullptr; }
  // True when the server closed the connection (read returns EOF) within the timeout.
  bool wait_closed();

 private:
  long read_some(char* buf, std::size_t size);
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

// The reply's three-digit code, or 0.
int reply_code(std::string_view reply);

}  // namespace smtpdoctor::test
