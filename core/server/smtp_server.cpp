// Listeners and lifetime: makes the TLS identity, binds, accepts, and hands each connection to
// a session coroutine (smtp_server_session.cpp). Shutdown is cooperative: stop accepting, let
// transactions in flight finish within the grace period, then close what is left.
#include "core/server/smtp_server.hpp"

#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/server/self_signed.hpp"
#include "core/server/smtp_server_session.hpp"

namespace smtpdoctor {

using asio::ip::tcp;
using server_detail::Shared;

namespace {

Error setup_error(std::string message, std::error_code ec = {}) {
  return Error{ErrorKind::usage, Stage::none, std::move(message), ec, {}, 0};
}

// The TLS identity: the given PEM files, or a self-signed one made now.
Result<Ok> make_tls_context(Shared& shared) {
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::single_dh_use);
  std::error_code ec;
  const auto& o = shared.options;
  if (!o.cert_file.empty() || !o.key_file.empty()) {
    if (o.cert_file.empty() || o.key_file.empty())
      return setup_error("--cert and --key must be given together");
    ctx.use_certificate_chain_file(o.cert_file, ec);
    if (ec) return setup_error("cannot load certificate " + o.cert_file + ": " + ec.message(), ec);
    ctx.use_private_key_file(o.key_file, asio::ssl::context::pem, ec);
    if (ec) return setup_error("cannot load private key " + o.key_file + ": " + ec.message(), ec);
  } else {
    auto identity = make_self_signed_identity(o.hostname);
    if (!identity) return identity.error();
    const auto& pem = *identity;
    ctx.use_certificate_chain(asio::buffer(pem.certificate_pem), ec);
    if (!ec) ctx.use_private_key(asio::buffer(pem.private_key_pem), asio::ssl::context::pem, ec);
    if (ec) return setup_error("cannot use the self-signed certificate: " + ec.message(), ec);
  }
  shared.tls.emplace(std::move(ctx));
  return Ok{};
}

asio::awaitable<void> accept_loop(std::shared_ptr<Shared> shared, tcp::acceptor& acceptor,
                                  bool implicit_tls) {
  asio::steady_timer backoff(acceptor.get_executor());
  while (!shared->stopping) {
    std::error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (shared->stopping || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Out of file descriptors and the like: wait a little instead of spinning.
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    server_detail::spawn_session(shared, std::move(socket), implicit_tls);
  }
}

}  // namespace

std::string BoundEndpoint::str() const {
  return (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
         std::to_string(port);
}

struct SmtpServer::Impl {
  asio::io_context& io;
  std::shared_ptr<Shared> shared;
};

SmtpServer::SmtpServer(asio::io_context& io, ServerOptions options, ServerEventHandler on_event)
    : impl_(std::make_shared<Impl>(Impl{io, std::make_shared<Shared>()})) {
  impl_->shared->options = std::move(options);
  impl_->shared->emit = std::move(on_event);
}

SmtpServer::~SmtpServer() {
  // Sessions may still hold `shared`; make sure nothing new arrives through our acceptors.
  impl_->shared->stopping = true;
  std::error_code ec;
  for (auto& a : impl_->shared->acceptors) a->close(ec);
}

Result<std::vector<BoundEndpoint>> SmtpServer::start() {
  Shared& shared = *impl_->shared;
  if (auto tls = make_tls_context(shared); !tls) return tls.error();
  unsigned char tag[3];
  RAND_bytes(tag, sizeof tag);
  char tag_text[8];
  std::snprintf(tag_text, sizeof tag_text, "%02x%02x%02x", tag[0], tag[1], tag[2]);
  shared.run_tag = tag_text;
  if (!shared.options.store_dir.empty() &&
      shared.options.store_sync == ServerOptions::StoreSync::group)
    shared.group_commit = std::make_unique<GroupCommit>(shared.options.store_dir);

  std::vector<BoundEndpoint> bound;
  for (const auto& listen : shared.options.listen) {
    std::error_code ec;
    std::string host = listen.host == "localhost" ? "127.0.0.1" : listen.host;
    auto address = asio::ip::make_address(host, ec);
    if (ec) return setup_error("--listen needs an IP address, not '" + listen.host + "'", ec);
    tcp::endpoint endpoint(address, listen.port);
    auto acceptor = std::make_unique<tcp::acceptor>(impl_->io);
    std::string where = BoundEndpoint{host, listen.port, false}.str();
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && address.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      Error e = setup_error("cannot listen on " + where + ": " + ec.message(), ec);
      e.kind = ErrorKind::network;
      return e;
    }
    auto local = acceptor->local_endpoint(ec);
    bound.push_back(BoundEndpoint{local.address().to_string(), local.port(), listen.implicit_tls});
    shared.acceptors.push_back(std::move(acceptor));
  }
  for (std::size_t i = 0; i < shared.acceptors.size(); ++i) {
    asio::co_spawn(impl_->io,
                   accept_loop(impl_->shared, *shared.acceptors[i], bound[i].implicit_tls),
                   asio::detached);
    shared.event({{"event", "listening"},
                  {"address", bound[i].address},
                  {"port", bound[i].port},
                  {"tls", bound[i].implicit_tls                  ? "implicit"
                          : shared.options.capabilities.starttls ? "starttls"
                                                                 : "none"}});
  }
  return bound;
}

void SmtpServer::stop(std::chrono::milliseconds grace) {
  auto shared = impl_->shared;
  if (shared->stopping && shared->grace_timer) return;
  shared->stopping = true;
  std::error_code ec;
  for (auto& a : shared->acceptors) a->close(ec);
  server_detail::stop_sessions(*shared, false);
  if (shared->sessions.empty()) return;
  shared->grace_timer.emplace(impl_->io);
  shared->grace_timer->expires_after(grace);
  shared->grace_timer->async_wait(
      [shared](std::error_code) { server_detail::stop_sessions(*shared, true); });
}

std::size_t SmtpServer::active_sessions() const {
  return impl_->shared->sessions.size();
}

}  // namespace smtpdoctor
