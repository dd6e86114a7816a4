// Internal to the server (includes Asio): the state every session shares, and the Session, one
// coroutine per SMTP conversation. Only the server's own .cpp files include this. The Session's
// members are defined by topic: smtp_server_session.cpp (lifetime, dispatch, EHLO/HELO/STARTTLS
// and the small verbs), smtp_server_auth.cpp (AUTH), smtp_server_envelope.cpp (MAIL, RCPT, DATA,
// BDAT, storing), smtp_server_io.cpp (lines, replies, deadlines, TLS handshake).
#pragma once

#include <array>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/server/bdat_framing.hpp"
#include "core/server/smtp_server.hpp"
#include "core/server/smtp_server_commands.hpp"
#include "core/server/store_group_commit.hpp"

namespace smtpdoctor::server_detail {

class Session;

// Owned by SmtpServer through a shared_ptr that every session also holds, so a session that
// outlives the SmtpServer object still finds its options.
struct Shared {
  ServerOptions options;
  ServerEventHandler emit;
  std::optional<asio::ssl::context> tls;      // empty until start() made or loaded the identity
  std::unique_ptr<GroupCommit> group_commit;  // with a store and StoreSync::group, from start()
  std::set<Session*> sessions;                // live sessions, for stop() and the connection limit
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors;
  std::optional<asio::steady_timer> grace_timer;  // armed by stop(); cancelled by the last session
  bool stopping = false;
  std::uint64_t next_session_id = 1;
  std::uint64_t next_message_number = 1;
  std::string run_tag;  // random, so message ids differ between runs storing into one dir

  // Failed AUTH per client address within the current window (Limits::auth_failure_window).
  struct AuthFailures {
    unsigned count = 0;
    std::chrono::steady_clock::time_point window_start;
  };
  std::map<std::string, AuthFailures> auth_failures;
  // Adds one failure for `address` and returns how many it has in the window, this one included.
  unsigned add_auth_failure(const std::string& address);
  // Failures `address` has in the window now (0 once the window has passed).
  unsigned auth_failures_of(const std::string& address);

  void event(nlohmann::json e) const;  // by value: a caller done with its event moves it in
};

// RFC 4954 §4: an AUTH command or response line may be up to 12288 octets.
inline constexpr std::size_t kAuthLineOctets = 12288;
// The message buffer a session keeps between messages (more is freed after each message).
inline constexpr std::size_t kKeptMessageBuffer = 16 * 1024;
// How long a session may take to say goodbye after a deadline or stop().
inline constexpr std::chrono::seconds kFarewellTimeout{5};

// Small text helpers the session files share.
std::string endpoint_text(const asio::ip::tcp::endpoint& ep);
std::string random_hex(std::size_t bytes);
// A client's bytes echoed in a reply: printable ASCII only, at most `max` of them.
std::string printable(std::string_view text, std::size_t max);
// Constant-time comparison, for passwords.
bool equal_secret(std::string_view a, std::string_view b);

class Session : public std::enable_shared_from_this<Session> {
 public:
  using tcp = asio::ip::tcp;
  using Clock = std::chrono::steady_clock;

  Session(std::shared_ptr<Shared> shared, asio::ip::tcp::socket socket, bool implicit_tls,
          bool over_limit);

  ~Session();

  static asio::awaitable<void> run(std::shared_ptr<Session> self);

  // stop(): idle sessions end now; one inside a transaction may finish it unless `force`.
  void request_stop(bool force);

 private:
  enum class Flow { next, close };
  enum class Interrupt { none, idle, shutdown };
  enum class LineStatus { ok, too_long, closed };

  // smtp_server_session.cpp: the conversation and the small verbs.
  asio::awaitable<void> converse();
  asio::awaitable<Flow> dispatch(const CommandLine& command);
  asio::awaitable<Flow> cmd_ehlo(const CommandLine& c);
  asio::awaitable<Flow> cmd_helo(const CommandLine& c);
  asio::awaitable<Flow> cmd_starttls(const CommandLine& c);
  asio::awaitable<Flow> cmd_rset(const CommandLine&);
  asio::awaitable<Flow> cmd_noop(const CommandLine&);
  asio::awaitable<Flow> cmd_quit(const CommandLine&);
  asio::awaitable<Flow> cmd_vrfy(const CommandLine&);
  asio::awaitable<Flow> cmd_help(const CommandLine&);

  // smtp_server_auth.cpp
  asio::awaitable<Flow> cmd_auth(const CommandLine& c);

  // Sends "334 base64(text)" and reads the client's answer; nullopt when the connection ended.
  // A "*" answer cancels the exchange (RFC 4954 §4): that is reported by decode_response.
  asio::awaitable<std::optional<std::string>> challenge(std::string_view text);

  // Decodes one SASL response, replying 501 itself (cancel, bad base64, too long) on failure.
  asio::awaitable<std::optional<std::string>> decode_response(const std::string& response);
  bool password_matches(const std::string& user, std::string_view password) const;
  // The 535 of a failed login, delayed as Limits says, or the 421 that ends the guessing.
  asio::awaitable<Flow> refuse_login();

  // smtp_server_envelope.cpp
  asio::awaitable<Flow> cmd_mail(const CommandLine& c);
  asio::awaitable<Flow> cmd_rcpt(const CommandLine& c);
  asio::awaitable<Flow> cmd_data(const CommandLine& c);
  asio::awaitable<Flow> cmd_bdat(const CommandLine& c);

  // Stores (when asked), reports, and answers the final dot / BDAT LAST.
  asio::awaitable<void> accept_message();
  // Hands the message to the group commit and waits (other sessions run on) until it is durable.
  asio::awaitable<Result<StoredPaths>> store_together(MessageToStore message);

  // smtp_server_io.cpp
  //
  // The next command line, without its terminator (LF, or CRLF). A line longer than `max` is
  // discarded up to its end and reported as too_long; the buffer never holds more than `max`
  // plus one read. DATA is framed by DataFraming instead.
  asio::awaitable<LineStatus> read_line(std::string& line, std::size_t max);

  // Writes the queued replies, then reads more input. False when the connection is over.
  asio::awaitable<bool> fill();
  asio::awaitable<bool> flush();

  // Queues one reply (several lines joined by CRLF for a multi-line reply).
  asio::awaitable<void> reply(std::string text);

  // The last words after a deadline or stop(), then the queued replies, within a short deadline.
  asio::awaitable<void> farewell();
  asio::awaitable<bool> handshake();  // false (and an error event) when it failed
  asio::awaitable<void> sleep(std::chrono::milliseconds duration);  // cut short by abort_io()
  // Sets the deadline for the next I/O; the watchdog cancels the socket when it passes.
  void arm(std::chrono::milliseconds timeout);
  void abort_io();
  static asio::awaitable<void> watchdog(std::shared_ptr<Session> self);

  // Session state (smtp_server_session.cpp).
  bool starttls_available() const { return opt_.capabilities.starttls && shared_->tls && !tls_; }
  bool auth_available() const {
    return opt_.capabilities.auth && (!opt_.users.empty() || !opt_.oauth_tokens.empty());
  }
  bool in_transaction() const { return mail_from_.has_value() || in_data_; }

  void reset_transaction();
  std::string client_ip() const;

  std::shared_ptr<Shared> shared_;
  const ServerOptions& opt_;
  tcp::socket socket_;
  std::optional<asio::ssl::stream<tcp::socket&>> tls_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer delay_timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool implicit_tls_;
  bool over_limit_;
  std::uint64_t id_;
  std::string client_;
  Interrupt interrupt_ = Interrupt::none;
  bool done_ = false;

  std::array<char, 4096> chunk_{};
  std::string inbuf_;
  std::string out_;

  std::string helo_;
  bool esmtp_ = false;
  std::string auth_user_;
  std::string tls_version_;
  std::optional<std::string> mail_from_;
  std::vector<std::string> rcpts_;
  bool utf8_ = false;
  std::string message_;
  bool in_data_ = false;
  std::optional<BdatFraming> bdat_;  // from the first BDAT of a transaction
  unsigned messages_ = 0;
  unsigned auth_failures_ = 0;  // in this session
};

// Starts one session on an accepted socket; it runs until the conversation ends.
void spawn_session(std::shared_ptr<Shared> shared, asio::ip::tcp::socket socket, bool implicit_tls);

// Asks every session to end: those idle between transactions at once (421), the others after
// their transaction; `force` closes them all now.
void stop_sessions(Shared& shared, bool force);

}  // namespace smtpdoctor::server_detail
