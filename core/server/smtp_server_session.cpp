// One SMTP conversation, as one coroutine.
//
// Reading: bytes go into a bounded input buffer; lines are cut out of it one at a time, so
// commands a client pipelines in one packet are answered in order. Replies are queued and only
// written when the buffer holds no further complete line (or before a TLS handshake or a close),
// which is what makes PIPELINING answer a whole envelope in one write.
//
// Deadlines: every read and write arms the session's deadline; a watchdog coroutine cancels the
// socket when it passes, and the session then says "421 4.4.2 Idle timeout" and closes. A second
// expiry closes the socket outright. stop() uses the same path with "421 4.3.2".
//
// Verbs are looked up in the commands table (smtp_server_commands.cpp, the OpenSMTPD shape) and
// dispatched to one handler each. Every reply carries an enhanced status code (RFC 3463).
//
// Compiler note: g++ 12 miscompiles `if (!co_await x()) co_return y;` here (the coroutine is
// later resumed at an invalid point: SIGILL). Every co_await is therefore a plain statement whose
// result is tested afterwards: `bool ok = co_await x(); if (!ok) ...`.
#include "core/server/smtp_server_session.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/base/ascii.hpp"
#include "core/server/smtp_server_store.hpp"

namespace smtpdoctor::server_detail {

using asio::ip::tcp;

std::string endpoint_text(const tcp::endpoint& ep) {
  auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

std::string random_hex(std::size_t bytes) {
  std::array<unsigned char, 16> buf{};
  bytes = std::min(bytes, buf.size());
  RAND_bytes(buf.data(), int(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    out += kHex[buf[i] >> 4];
    out += kHex[buf[i] & 15];
  }
  return out;
}

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  for (char ch : text.substr(0, max)) out += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
  return out;
}

bool equal_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void Shared::event(nlohmann::json e) const {
  if (!emit) return;
  e["time"] = rfc3339_now();
  emit(e);
}

Session::Session(std::shared_ptr<Shared> shared, tcp::socket socket, bool implicit_tls,
                 bool over_limit)
    : shared_(std::move(shared)),
      opt_(shared_->options),
      socket_(std::move(socket)),
      watchdog_timer_(socket_.get_executor()),
      delay_timer_(socket_.get_executor()),
      implicit_tls_(implicit_tls),
      over_limit_(over_limit),
      id_(shared_->next_session_id++) {
  std::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  client_ = ec ? std::string("unknown") : endpoint_text(ep);
  // Replies are written whole, a session's pending replies together, so Nagle's algorithm has
  // nothing to merge; it only held the EHLO reply after STARTTLS behind the unacknowledged TLS
  // session tickets until the client's delayed ACK (40 ms, in about one session of three).
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  shared_->sessions.insert(this);
}

Session::~Session() {
  shared_->sessions.erase(this);
  if (shared_->stopping && shared_->sessions.empty() && shared_->grace_timer)
    shared_->grace_timer->cancel();
}

asio::awaitable<void> Session::run(std::shared_ptr<Session> self) {
  asio::co_spawn(self->socket_.get_executor(), watchdog(self), asio::detached);
  if (self->over_limit_) {
    co_await self->reply("421 4.7.0 " + self->opt_.hostname +
                         " Too many connections, try again later");
  } else {
    self->shared_->event({{"event", "connect"}, {"session", self->id_}, {"client", self->client_}});
    co_await self->converse();
    self->shared_->event({{"event", "disconnect"},
                          {"session", self->id_},
                          {"client", self->client_},
                          {"messages", self->messages_}});
  }
  co_await self->farewell();
  self->done_ = true;
  self->watchdog_timer_.cancel();
  std::error_code ec;
  self->socket_.close(ec);
}

// stop(): idle sessions end now; one inside a transaction may finish it unless `force`.
void Session::request_stop(bool force) {
  if (force) {
    interrupt_ = Interrupt::shutdown;
    std::error_code ec;
    socket_.close(ec);
    delay_timer_.cancel();
  } else if (!in_transaction()) {
    interrupt_ = Interrupt::shutdown;
    abort_io();
  }
}

asio::awaitable<void> Session::converse() {
  if (implicit_tls_) {
    bool secured = co_await handshake();
    if (!secured) co_return;
  }
  if (opt_.faults.greeting_delay.count() > 0) co_await sleep(opt_.faults.greeting_delay);
  if (opt_.faults.banner_code == 421) {
    co_await reply("421 4.3.2 " + opt_.hostname + " Service not available, closing");
    co_return;
  }
  if (opt_.faults.banner_code == 554)
    co_await reply("554 5.3.2 " + opt_.hostname + " No SMTP service here");
  else
    co_await reply("220 " + opt_.hostname + " ESMTP smtpdoctor test server");

  std::string line;  // one buffer for every command line of the session
  for (;;) {
    if (shared_->stopping && !in_transaction()) {
      interrupt_ = Interrupt::shutdown;
      co_return;
    }
    LineStatus status = co_await read_line(line, kAuthLineOctets - 2);
    if (status == LineStatus::closed) co_return;
    CommandLine command = split_command(line);
    if (status == LineStatus::too_long ||
        (command.verb != Verb::auth && line.size() + 2 > opt_.limits.max_command_line_octets)) {
      co_await reply("500 5.5.2 Line too long");
      continue;
    }
    if (!opt_.faults.drop_after.empty() && command.name == opt_.faults.drop_after) {
      co_await flush();  // earlier replies still reach the client; this command gets none
      co_return;
    }
    Flow flow = co_await dispatch(command);
    if (flow == Flow::close) co_return;
  }
}

asio::awaitable<Session::Flow> Session::dispatch(const CommandLine& command) {
  if (opt_.faults.banner_code == 554 && command.verb != Verb::quit) {
    // RFC 5321 §3.1: after a 554 greeting, wait for QUIT and answer 503 to everything else.
    co_await reply("503 5.5.1 No SMTP service here");
    co_return Flow::next;
  }
  Flow flow = Flow::next;
  switch (command.verb) {
    case Verb::ehlo:
      flow = co_await cmd_ehlo(command);
      break;
    case Verb::helo:
      flow = co_await cmd_helo(command);
      break;
    case Verb::starttls:
      flow = co_await cmd_starttls(command);
      break;
    case Verb::auth:
      flow = co_await cmd_auth(command);
      break;
    case Verb::mail:
      flow = co_await cmd_mail(command);
      break;
    case Verb::rcpt:
      flow = co_await cmd_rcpt(command);
      break;
    case Verb::data:
      flow = co_await cmd_data(command);
      break;
    case Verb::bdat:
      flow = co_await cmd_bdat(command);
      break;
    case Verb::rset:
      flow = co_await cmd_rset(command);
      break;
    case Verb::noop:
      flow = co_await cmd_noop(command);
      break;
    case Verb::quit:
      flow = co_await cmd_quit(command);
      break;
    case Verb::vrfy:
      flow = co_await cmd_vrfy(command);
      break;
    case Verb::help:
      flow = co_await cmd_help(command);
      break;
    case Verb::unknown:
      co_await reply("500 5.5.1 Command unrecognized: \"" + printable(command.name, 64) + "\"");
      break;
  }
  co_return flow;
}

asio::awaitable<Session::Flow> Session::cmd_ehlo(const CommandLine& c) {
  if (opt_.faults.ehlo_refused) {
    co_await reply("502 5.5.1 EHLO not supported here, use HELO");
    co_return Flow::next;
  }
  if (c.argument.empty()) {
    co_await reply("501 5.5.4 Syntax: EHLO hostname");
    co_return Flow::next;
  }
  reset_transaction();
  helo_ = c.argument;
  esmtp_ = true;
  const auto& caps = opt_.capabilities;
  std::vector<std::string> lines{opt_.hostname + " Hello " + helo_ + " [" + client_ip() + "]"};
  if (caps.size) lines.push_back("SIZE " + std::to_string(opt_.limits.max_message_octets));
  if (caps.pipelining) lines.push_back("PIPELINING");
  if (caps.eightbitmime) lines.push_back("8BITMIME");
  if (caps.smtputf8) lines.push_back("SMTPUTF8");
  if (caps.enhancedstatuscodes) lines.push_back("ENHANCEDSTATUSCODES");
  if (caps.chunking) lines.push_back("CHUNKING");
  if (caps.dsn) lines.push_back("DSN");
  if (starttls_available()) lines.push_back("STARTTLS");
  if (auth_available() && !(opt_.require_tls && !tls_))
    lines.push_back(opt_.oauth_tokens.empty() ? "AUTH PLAIN LOGIN CRAM-MD5"
                                              : "AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER");
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i)
    text += (i ? "\r\n250" : "250") + std::string(i + 1 < lines.size() ? "-" : " ") + lines[i];
  co_await reply(text);
  co_return Flow::next;
}

asio::awaitable<Session::Flow> Session::cmd_helo(const CommandLine& c) {
  if (c.argument.empty()) {
    co_await reply("501 5.5.4 Syntax: HELO hostname");
    co_return Flow::next;
  }
  reset_transaction();
  helo_ = c.argument;
  esmtp_ = false;
  co_await reply("250 " + opt_.hostname);
  co_return Flow::next;
}

asio::awaitable<Session::Flow> Session::cmd_starttls(const CommandLine& c) {
  if (!starttls_available() && !tls_) {
    co_await reply("502 5.5.1 STARTTLS not available");
    co_return Flow::next;
  }
  if (tls_) {
    co_await reply("503 5.5.1 TLS already active");
    co_return Flow::next;
  }
  if (!c.argument.empty()) {
    co_await reply("501 5.5.4 Syntax: STARTTLS");
    co_return Flow::next;
  }
  co_await reply("220 2.0.0 Ready to start TLS");
  bool flushed = co_await flush();
  if (!flushed) co_return Flow::close;
  // RFC 3207 §5 and CVE-2011-0411: anything pipelined after STARTTLS arrived in plaintext
  // and must not be executed inside the TLS session.
  inbuf_.clear();
  if (opt_.faults.tls_fail) co_return Flow::close;  // the client's handshake meets a closed socket
  bool secured = co_await handshake();
  if (!secured) co_return Flow::close;
  // RFC 3207 §4.2: forget everything learned before TLS.
  reset_transaction();
  helo_.clear();
  esmtp_ = false;
  auth_user_.clear();
  co_return Flow::next;
}

asio::awaitable<Session::Flow> Session::cmd_rset(const CommandLine&) {
  reset_transaction();
  co_await reply("250 2.0.0 Ok");
  co_return Flow::next;
}

asio::awaitable<Session::Flow> Session::cmd_noop(const CommandLine&) {
  co_await reply("250 2.0.0 Ok");
  co_return Flow::next;
}

asio::awaitable<Session::Flow> Session::cmd_quit(const CommandLine&) {
  co_await reply("221 2.0.0 " + opt_.hostname + " Bye");
  co_return Flow::close;
}

asio::awaitable<Session::Flow> Session::cmd_vrfy(const CommandLine&) {
  co_await reply("252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery");
  co_return Flow::next;
}

asio::awaitable<Session::Flow> Session::cmd_help(const CommandLine&) {
  co_await reply(
      "214 2.0.0 Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY "
      "HELP");
  co_return Flow::next;
}

void Session::reset_transaction() {
  mail_from_.reset();
  rcpts_.clear();
  message_.clear();
  // Small messages keep their buffer for the next one (no allocation per message); a big one's
  // memory goes back, so an idle session never holds more than this.
  if (message_.capacity() > kKeptMessageBuffer) message_.shrink_to_fit();
  bdat_.reset();
  in_data_ = utf8_ = false;
}

std::string Session::client_ip() const {
  auto colon = client_.rfind(':');
  std::string ip = client_.substr(0, colon);
  if (ip.size() > 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
  return ip;
}

void spawn_session(std::shared_ptr<Shared> shared, tcp::socket socket, bool implicit_tls) {
  bool over_limit = shared->sessions.size() >= shared->options.limits.max_connections;
  auto executor = socket.get_executor();
  auto session =
      std::make_shared<Session>(std::move(shared), std::move(socket), implicit_tls, over_limit);
  asio::co_spawn(executor, Session::run(std::move(session)), asio::detached);
}

void stop_sessions(Shared& shared, bool force) {
  // request_stop may end a session synchronously only via handlers, never here, so iterating
  // over a copy is just caution.
  std::vector<Session*> sessions(shared.sessions.begin(), shared.sessions.end());
  for (Session* s : sessions) s->request_stop(force);
}

}  // namespace smtpdoctor::server_detail
