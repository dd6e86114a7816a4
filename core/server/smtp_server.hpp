// The loopback test SMTP server behind `smtpdoctor serve`, usable in-process by tests and
// `selftest` too.
//
//   asio::io_context io;
//   ServerOptions options;                 // see core/server/smtp_server_options.hpp
//   options.listen = {{"127.0.0.1", 0}};   // port 0: an ephemeral port
//   SmtpServer server(io, options, [](const nlohmann::json& event) { ... });
//   auto bound = server.start();           // binds now; returns the real ports
//   ...                                    // io.run() on any one thread
//   server.stop(std::chrono::seconds(5));  // from the io thread (asio::post it otherwise)
//
// One io_context, one coroutine per session (no thread per connection), so thousands of
// sessions cost only their buffers, each bounded by ServerOptions::limits. It accepts mail and
// stores it (ServerOptions::store_dir); it never relays anything onward.
//
// Events, passed to the handler as JSON objects with "event" and "time" (RFC 3339) members:
//   listening  {address, port, tls: "starttls"|"implicit"|"none"}
//   connect    {session, client}
//   auth       {session, mechanism, user, ok}            (never a password)
//   message    {session, id, from, rcpts, helo, auth_user, tls, client, size, received_at,
//               path (when stored)}
//   disconnect {session, client, messages}
//   error      {session, message}                        (e.g. a store failure)
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/base/error.hpp"
#include "core/server/smtp_server_options.hpp"

namespace asio {
class io_context;
}

namespace smtpdoctor {

struct BoundEndpoint {
  std::string address;  // as bound, e.g. "127.0.0.1" or "::1"
  std::uint16_t port = 0;
  bool implicit_tls = false;
  std::string str() const;  // "127.0.0.1:2525" or "[::1]:2525"
};

using ServerEventHandler = std::function<void(const nlohmann::json& event)>;

class SmtpServer {
 public:
  SmtpServer(asio::io_context& io, ServerOptions options, ServerEventHandler on_event = {});
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  // Makes the TLS identity, binds every listener and starts accepting. The error says which
  // address could not be bound, or why the certificate could not be loaded.
  Result<std::vector<BoundEndpoint>> start();

  // Stops accepting at once. Sessions in the middle of a transaction get `grace` to finish it;
  // idle ones are told "421 4.3.2 Shutting down" and closed; after `grace` all are closed.
  // io.run() returns once everything has closed. Call from the io_context's thread.
  void stop(std::chrono::milliseconds grace);

  std::size_t active_sessions() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace smtpdoctor
