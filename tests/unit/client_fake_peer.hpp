// A scripted SMTP server for the client tests: it accepts one connection on 127.0.0.1 (port 0),
// plays its script — say these bytes, hear N lines, hear up to a delimiter, start TLS — and
// records every byte it got. Each hear step has its own deadline, so a client that stalls makes
// the script fail (recorded in `failure`) instead of hanging the test.
#pragma once

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace smtpdoctor::test {

struct Step {
  enum Kind { say, hear_lines, hear_until, start_tls } kind;
  std::string text;  // say: bytes to send; hear_until: the delimiter
  int lines = 1;     // hear_lines
};

inline Step say(std::string bytes) {
  return {Step::say, std::move(bytes)};
}
inline Step hear(int lines = 1) {
  return {Step::hear_lines, {}, lines};
}
inline Step hear_until(std::string delimiter) {
  return {Step::hear_until, std::move(delimiter)};
}
inline Step start_tls() {
  return {Step::start_tls, {}, 1};
}

// A self-signed certificate for CN=localhost, SAN DNS:localhost and IP:127.0.0.1, made in memory.
struct TestIdentity {
  std::string certificate_pem;
  std::string key_pem;
};

inline std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

inline const TestIdentity& test_identity() {
  static const TestIdentity identity = [] {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    TestIdentity out;
    BIO* cert_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cert_bio, cert);
    out.certificate_pem = bio_string(cert_bio);
    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    out.key_pem = bio_string(key_bio);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
  }();
  return identity;
}

inline std::shared_ptr<asio::ssl::context> test_server_tls_context() {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  const auto& id = test_identity();
  ctx->use_certificate_chain(asio::buffer(id.certificate_pem));
  ctx->use_private_key(asio::buffer(id.key_pem), asio::ssl::context::pem);
  return ctx;
}

class FakePeer {
 public:
  FakePeer(asio::io_context& io, std::vector<Step> script,
           std::shared_ptr<asio::ssl::context> tls = nullptr,
           std::chrono::milliseconds hear_timeout = std::chrono::seconds(5))
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}),
        script_(std::move(script)),
        tls_ctx_(std::move(tls)),
        hear_timeout_(hear_timeout) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io, run(), asio::detached);
  }

  std::uint16_t port() const { return port_; }

  std::string received;                // every byte the client sent
  std::vector<std::string> heard;      // what each hear step consumed
  std::vector<std::string> reads;      // what each read returned: how the client's writes came
  std::string failure;                 // why the script stopped early, empty when it ran through
  std::optional<std::string> tls_sni;  // the SNI the client sent, when TLS was started

 private:
  asio::awaitable<std::tuple<asio::error_code, std::size_t>> read_some(asio::mutable_buffer buf) {
    constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
    if (tls_) co_return co_await tls_->async_read_some(buf, use_tuple);
    co_return co_await socket_->async_read_some(buf, use_tuple);
  }

  // How much of `pending` a hear step consumes; 0 while it is incomplete.
  static std::size_t wanted(const Step& step, const std::string& pending) {
    if (step.kind == Step::hear_until) {
      auto at = pending.find(step.text);
      return at == std::string::npos ? 0 : at + step.text.size();
    }
    std::size_t pos = 0;
    for (int i = 0; i < step.lines; ++i) {
      auto nl = pending.find('\n', pos);
      if (nl == std::string::npos) return 0;
      pos = nl + 1;
    }
    return pos;
  }

  // Reads until the step is satisfied, within the deadline. (A plain pointer, not a lambda:
  // g++ 12 mishandles capturing lambdas passed to coroutines.)
  asio::awaitable<bool> hear_step(const Step* step) {
    using namespace asio::experimental::awaitable_operators;
    constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
    asio::steady_timer timer(acceptor_.get_executor(), hear_timeout_);
    char buf[4096];
    for (;;) {
      if (std::size_t n = wanted(*step, pending_)) {
        heard.push_back(pending_.substr(0, n));
        pending_.erase(0, n);
        co_return true;
      }
      auto r = co_await (read_some(asio::buffer(buf)) || timer.async_wait(use_tuple));
      if (r.index() == 1) {
        failure = "timed out waiting for the client";
        co_return false;
      }
      auto [ec, n] = std::get<0>(r);
      if (ec) {
        failure = "read: " + ec.message();
        co_return false;
      }
      received.append(buf, n);
      reads.emplace_back(buf, n);
      pending_.append(buf, n);
    }
  }

  asio::awaitable<void> run() {
    constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
    auto [aec, socket] = co_await acceptor_.async_accept(use_tuple);
    acceptor_.close();
    if (aec) {
      failure = "accept: " + aec.message();
      co_return;
    }
    socket_.emplace(std::move(socket));
    for (const auto& step : script_) {
      if (step.kind == Step::say) {
        std::tuple<asio::error_code, std::size_t> r;
        if (tls_)
          r = co_await asio::async_write(*tls_, asio::buffer(step.text), use_tuple);
        else
          r = co_await asio::async_write(*socket_, asio::buffer(step.text), use_tuple);
        if (std::get<0>(r)) {
          failure = "write: " + std::get<0>(r).message();
          break;
        }
      } else if (step.kind == Step::hear_lines || step.kind == Step::hear_until) {
        if (!co_await hear_step(&step)) break;
      } else if (step.kind == Step::start_tls) {
        tls_.emplace(std::move(*socket_), *tls_ctx_);
        socket_.reset();
        auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, use_tuple);
        if (ec) {
          failure = "TLS handshake: " + ec.message();
          break;
        }
        if (const char* sni = SSL_get_servername(tls_->native_handle(), TLSEXT_NAMETYPE_host_name))
          tls_sni = sni;
      }
    }
    asio::error_code ignored;
    if (tls_) tls_->lowest_layer().close(ignored);
    if (socket_) socket_->close(ignored);
  }

  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::vector<Step> script_;
  std::shared_ptr<asio::ssl::context> tls_ctx_;
  std::chrono::milliseconds hear_timeout_;
  std::optional<asio::ip::tcp::socket> socket_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  std::string pending_;
};

}  // namespace smtpdoctor::test
