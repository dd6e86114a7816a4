// The session's I/O: bounded line reading, queued replies written in one go (PIPELINING),
// the deadline watchdog, the TLS handshake, and the farewell after a timeout or stop().
#include "core/server/smtp_server_session.hpp"

#include <openssl/ssl.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <nlohmann/json.hpp>

namespace smtpdoctor::server_detail {

// The next command line, without its terminator. Commands end at LF (a CR before it is dropped:
// bare LF is tolerated in commands; DATA has its own framing, DataFraming). A line longer than
// `max` is discarded up to its end and reported as too_long; the buffer never holds more than
// `max` plus one read.
asio::awaitable<Session::LineStatus> Session::read_line(std::string& line, std::size_t max) {
  bool discarding = false;
  std::size_t scan = 0;
  for (;;) {
    std::size_t pos = inbuf_.find('\n', scan);
    if (pos != std::string::npos) {
      std::size_t end = pos;
      if (end > 0 && inbuf_[end - 1] == '\r') --end;
      bool too_long = discarding || end > max;
      if (!too_long) line.assign(inbuf_, 0, end);
      inbuf_.erase(0, pos + 1);
      co_return too_long ? LineStatus::too_long : LineStatus::ok;
    }
    if (inbuf_.size() > max + 2) {
      discarding = true;
      inbuf_.erase(0, inbuf_.size() - 1);  // the last octet may be the CR of a split CRLF
    }
    scan = inbuf_.empty() ? 0 : inbuf_.size() - 1;
    bool more = co_await fill();
    if (!more) co_return LineStatus::closed;
  }
}

// Writes the queued replies, then reads more input. False when the connection is over.
asio::awaitable<bool> Session::fill() {
  bool flushed = co_await flush();
  if (!flushed) co_return false;
  if (interrupt_ != Interrupt::none) co_return false;
  std::error_code ec;
  arm(opt_.limits.idle_timeout);
  std::size_t n = 0;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  if (tls_)
    n = co_await tls_->async_read_some(asio::buffer(chunk_), token);
  else
    n = co_await socket_.async_read_some(asio::buffer(chunk_), token);
  if (ec) co_return false;
  inbuf_.append(chunk_.data(), n);
  co_return true;
}

asio::awaitable<bool> Session::flush() {
  if (out_.empty()) co_return true;
  std::error_code ec;
  if (interrupt_ == Interrupt::none) arm(opt_.limits.idle_timeout);
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  if (tls_)
    co_await asio::async_write(*tls_, asio::buffer(out_), token);
  else
    co_await asio::async_write(socket_, asio::buffer(out_), token);
  out_.clear();
  co_return !ec;
}

// Queues one reply (several lines joined by CRLF for a multi-line reply).
asio::awaitable<void> Session::reply(std::string text) {
  if (opt_.faults.tarpit.count() > 0) co_await sleep(opt_.faults.tarpit);
  out_ += text;
  out_ += "\r\n";
}

// The last words after a deadline or stop(), then the queued replies, within a short deadline.
asio::awaitable<void> Session::farewell() {
  if (interrupt_ == Interrupt::idle)
    out_ += "421 4.4.2 " + opt_.hostname + " Idle timeout, closing\r\n";
  else if (interrupt_ == Interrupt::shutdown)
    out_ += "421 4.3.2 " + opt_.hostname + " Service shutting down, closing\r\n";
  if (!socket_.is_open()) co_return;
  arm(kFarewellTimeout);
  co_await flush();
}

asio::awaitable<bool> Session::handshake() {
  tls_.emplace(socket_, *shared_->tls);
  arm(opt_.limits.tls_handshake_timeout);
  std::error_code ec;
  co_await tls_->async_handshake(asio::ssl::stream_base::server,
                                 asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    shared_->event({{"event", "error"},
                    {"session", id_},
                    {"message", "TLS handshake failed: " + ec.message()}});
    tls_.reset();
    co_return false;
  }
  tls_version_ = SSL_get_version(tls_->native_handle());
  co_return true;
}

asio::awaitable<void> Session::sleep(std::chrono::milliseconds duration) {
  delay_timer_.expires_after(duration);
  std::error_code ec;
  co_await delay_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void Session::arm(std::chrono::milliseconds timeout) {
  deadline_ = Clock::now() + timeout;
  // Wake the watchdog only when the deadline moved earlier; a later one it finds itself.
  if (deadline_ < watchdog_timer_.expiry()) watchdog_timer_.cancel();
}

void Session::abort_io() {
  std::error_code ec;
  socket_.cancel(ec);
  delay_timer_.cancel();
}

asio::awaitable<void> Session::watchdog(std::shared_ptr<Session> self) {
  while (!self->done_) {
    if (Clock::now() >= self->deadline_) {
      if (self->interrupt_ == Interrupt::none) {
        self->interrupt_ = Interrupt::idle;
        self->deadline_ = Clock::now() + kFarewellTimeout;
        self->abort_io();
      } else {
        std::error_code ec;
        self->socket_.close(ec);  // the farewell itself stalled
        self->deadline_ = Clock::time_point::max();
      }
    }
    self->watchdog_timer_.expires_at(self->deadline_);
    std::error_code ec;
    co_await self->watchdog_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace smtpdoctor::server_detail
