#include "tests/unit/server_test_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cerrno>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <condition_variable>
#include <csignal>
#include <future>

namespace smtpdoctor::test {

struct ServerUnderTest::State {
  asio::io_context io;
  std::unique_ptr<SmtpServer> server;
  std::thread thread;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::vector<nlohmann::json> events;
  bool stopped = false;
};

ServerUnderTest::ServerUnderTest(ServerOptions options) : state_(std::make_shared<State>()) {
  bool want_tls_listener = false;
  for (const auto& l : options.listen) want_tls_listener |= l.implicit_tls;
  options.listen = {ListenAddress{"127.0.0.1", 0, false}};
  if (want_tls_listener) options.listen.push_back(ListenAddress{"127.0.0.1", 0, true});
  auto* state = state_.get();
  state->server =
      std::make_unique<SmtpServer>(state->io, std::move(options), [state](const nlohmann::json& e) {
        std::lock_guard lock(state->mutex);
        state->events.push_back(e);
        state->changed.notify_all();
      });
  auto bound = state->server->start();
  if (!bound) throw std::runtime_error("server did not start: " + bound.error().message);
  port_ = bound->at(0).port;
  if (bound->size() > 1) tls_port_ = bound->at(1).port;
  state->thread = std::thread([state] {
    state->io.run();
    std::lock_guard lock(state->mutex);
    state->stopped = true;
    state->changed.notify_all();
  });
}

ServerUnderTest::~ServerUnderTest() {
  stop(std::chrono::milliseconds(0));
  if (!wait_stopped(std::chrono::seconds(10))) state_->io.stop();
  state_->thread.join();
  state_->server.reset();
}

void ServerUnderTest::stop(std::chrono::milliseconds grace) {
  auto* state = state_.get();
  asio::post(state->io, [state, grace] { state->server->stop(grace); });
}

bool ServerUnderTest::wait_stopped(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->stopped; });
}

std::vector<nlohmann::json> ServerUnderTest::events(std::string_view kind) const {
  std::lock_guard lock(state_->mutex);
  std::vector<nlohmann::json> out;
  for (const auto& e : state_->events)
    if (kind.empty() || e.value("event", "") == kind) out.push_back(e);
  return out;
}

nlohmann::json ServerUnderTest::wait_event(std::string_view kind,
                                           std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  nlohmann::json found;
  state_->changed.wait_for(lock, timeout, [&] {
    for (const auto& e : state_->events)
      if (e.value("event", "") == kind) {
        found = e;
        return true;
      }
    return false;
  });
  return found;
}

ServerTestClient::ServerTestClient(std::uint16_t port, std::chrono::milliseconds timeout) {
  // OpenSSL writes with write(2), not send(MSG_NOSIGNAL): a ClientHello sent to a server that
  // already closed (the tls-fail fault) must fail the handshake, not kill the test process.
  ::signal(SIGPIPE, SIG_IGN);
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

ServerTestClient::~ServerTestClient() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

void ServerTestClient::send(std::string_view bytes) {
  while (!bytes.empty() && fd_ >= 0) {
    long n = ssl_ ? SSL_write(ssl_, bytes.data(), int(bytes.size()))
                  : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(std::size_t(n));
  }
}

bool ServerTestClient::try_send(std::string_view bytes) {
  while (!bytes.empty() && fd_ >= 0) {
    long n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;  // blocked past SO_SNDTIMEO
    bytes.remove_prefix(std::size_t(n));
  }
  return fd_ >= 0;
}

long ServerTestClient::read_some(char* buf, std::size_t size) {
  if (fd_ < 0) return -1;
  return ssl_ ? SSL_read(ssl_, buf, int(size)) : ::recv(fd_, buf, size, 0);
}

std::string ServerTestClient::read_reply() {
  for (;;) {
    // A complete reply ends with a line "NNN text\r\n" (a space, not a dash, after the code).
    std::size_t start = 0;
    while (true) {
      auto end = buffer_.find("\r\n", start);
      if (end == std::string::npos) break;
      if (end - start >= 3 && (end - start == 3 || buffer_[start + 3] == ' ')) {
        std::string reply = buffer_.substr(0, end + 2);
        buffer_.erase(0, end + 2);
        return reply;
      }
      start = end + 2;
    }
    char chunk[4096];
    long n = read_some(chunk, sizeof chunk);
    if (n <= 0) return {};
    buffer_.append(chunk, std::size_t(n));
  }
}

std::string ServerTestClient::command(std::string_view line) {
  send(std::string(line) + "\r\n");
  return read_reply();
}

bool ServerTestClient::start_tls() {
  ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // the server's certificate is self-signed
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, "localhost");
  if (SSL_connect(ssl_) != 1) {
    SSL_free(ssl_);
    ssl_ = nullptr;
    return false;
  }
  return true;
}

bool ServerTestClient::wait_closed() {
  char chunk[4096];
  for (;;) {
    long n = read_some(chunk, sizeof chunk);
    if (n == 0) return true;
    if (n < 0)
      return ssl_ ? SSL_get_error(ssl_, int(n)) != SSL_ERROR_SYSCALL || errno != EAGAIN
                  : errno == ECONNRESET;
    buffer_.append(chunk, std::size_t(n));
  }
}

int reply_code(std::string_view reply) {
  if (reply.size() < 3) return 0;
  int code = 0;
  for (int i = 0; i < 3; ++i) {
    if (reply[i] < '0' || reply[i] > '9') return 0;
    code = code * 10 + (reply[i] - '0');
  }
  return code;
}

}  // namespace smtpdoctor::test
