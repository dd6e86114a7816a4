// The session keeps one Transport (core/net/transport.hpp: connect, TLS, deadlines, cancel) and one
// reply parser fed from a bounded read buffer; every read and write gets its Limits deadline.
//
// Bytes the server sent after its STARTTLS 220 and before the handshake are the CVE-2011-0411
// injection: they are thrown away (never parsed as replies inside TLS) and reported.
#include "core/smtp/smtp_client.hpp"

#include <algorithm>
#include <array>
#include <asio/post.hpp>
#include <span>

#include "core/base/ascii.hpp"
#include "core/base/duration_text.hpp"
#include "core/smtp/address.hpp"
#include "core/smtp/sasl.hpp"

namespace smtpdoctor {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
// The transcript shows at most this many lines of a message body.
constexpr std::size_t kMaxBodyLinesShown = 200;
// The wait for the answer to QUIT.
constexpr std::chrono::milliseconds kQuitTimeout{5000};
// In the dry run everything the check needs is known before QUIT's reply: it gets only this.
constexpr std::chrono::milliseconds kQuitGrace{1000};

milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

Error rejected(Stage stage, std::string_view what, Reply reply) {
  Error e = make_error(ErrorKind::rejected, stage, std::string(what) + ": " + reply.one_line());
  e.reply = std::move(reply);
  return e;
}

// Splits CRLF-terminated text into lines without their line ends.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// CRLF line endings everywhere, ending with CRLF; for BDAT, which takes the message as it is.
std::string to_crlf(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 32 + 2);
  for (std::size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < message.size() && message[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

// A short printable excerpt of bytes the peer controls.
std::string excerpt(std::string_view bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < 40; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r')
      out += "\\r";
    else if (c == '\n')
      out += "\\n";
    else if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += '?';
  }
  if (bytes.size() > 40) out += "...";
  return out;
}

}  // namespace

bool EnvelopeResult::accepted() const {
  if (with_message) return final_reply && final_reply->positive_completion();
  return mail.positive_completion() && accepted_recipients() > 0;
}

std::size_t EnvelopeResult::accepted_recipients() const {
  return std::size_t(std::count_if(recipients.begin(), recipients.end(),
                                   [](const RecipientOutcome& r) { return r.accepted(); }));
}

std::string best_auth_mechanism(const Capabilities& capabilities, bool in_tls) {
  static constexpr std::string_view kInTls[] = {"PLAIN", "LOGIN", "CRAM-MD5"};
  static constexpr std::string_view kInClear[] = {"CRAM-MD5", "PLAIN", "LOGIN"};
  for (std::string_view mech : in_tls ? std::span(kInTls) : std::span(kInClear))
    if (capabilities.has_auth(mech)) return std::string(mech);
  return {};
}

std::string best_oauth_mechanism(const Capabilities& capabilities) {
  if (capabilities.has_auth("OAUTHBEARER")) return "OAUTHBEARER";
  if (capabilities.has_auth("XOAUTH2")) return "XOAUTH2";
  return {};
}

struct SmtpClient::Impl {
  asio::any_io_executor ex;
  ClientOptions opt;
  Transport transport;
  bool tls_up = false;
  std::string inbuf;  // bytes read but not yet parsed; bounded by one read (see read_reply)
  ReplyParser parser;
  Transcript transcript;
  std::vector<StageTiming> timings;
  Capabilities caps;
  std::optional<TlsInfo> tls_info;
  std::optional<ConnectInfo> connection;
  std::vector<ConnectAttempt> attempts;
  std::optional<ProxyFailure> proxy_failure;
  std::vector<std::string> warnings;
  bool used_helo = false;
  Clock::time_point connected_at;

  Impl(asio::any_io_executor executor, ClientOptions options)
      : ex(std::move(executor)), opt(std::move(options)), transport(ex), parser(opt.limits) {
    transport.set_proxy(opt.proxy);
  }

  std::string verify_host() const {
    return certificate_name(opt.host, opt.tls_sni, opt.verify_host);
  }
  std::string sni() const { return opt.tls_sni.empty() ? opt.host : opt.tls_sni; }

  void close() { transport.close(); }

  void warn(Stage stage, std::string message) {
    transcript.error(stage, message);
    warnings.push_back(std::move(message));
  }

  Error io_error(Stage stage, std::string_view what, std::error_code ec) {
    if (transport.cancelled())
      return make_error(ErrorKind::cancelled, stage, std::string(what) + ": cancelled", ec);
    std::string reason = ec.message();
    if (peer_closed(ec)) reason = "the server closed the connection";
    Error e = make_error(ErrorKind::network, stage, std::string(what) + ": " + reason, ec);
    transcript.error(stage, e.message);
    return e;
  }

  Error timeout_error(Stage stage, std::string_view what, milliseconds limit) {
    close();
    if (transport.cancelled())
      return make_error(ErrorKind::cancelled, stage, std::string(what) + ": cancelled");
    Error e = make_error(ErrorKind::timeout, stage,
                         std::string(what) + ": no answer within " + format_duration(limit));
    transcript.error(stage, e.message);
    return e;
  }

  void record_sent(Stage stage, std::string_view shown) {
    for (auto line : split_lines(shown)) transcript.sent(stage, tls_up, line);
  }

  asio::awaitable<Result<Ok>> write(Stage stage, std::string_view bytes, milliseconds limit) {
    transport.expires_after(limit);
    auto [ec, n] = co_await transport.write(std::string(bytes));
    if (ec == std::errc::timed_out) co_return timeout_error(stage, "sending", limit);
    if (ec) co_return io_error(stage, "sending", ec);
    co_return Ok{};
  }

  // Writes `bytes`; the transcript gets `shown` (the redacted form) instead when given.
  asio::awaitable<Result<Ok>> send(Stage stage, std::string_view bytes,
                                   std::optional<std::string_view> shown = std::nullopt) {
    record_sent(stage, shown ? *shown : bytes);
    co_return co_await write(stage, bytes, opt.limits.command_timeout);
  }

  // One reply within `limit` (one deadline for the whole reply, so a server dripping a byte at a
  // time cannot stretch it). Memory: the parser caps the reply, and we only read more when it has
  // consumed everything buffered, so inbuf never holds more than one read's worth.
  asio::awaitable<Result<Reply>> read_reply(Stage stage, milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    std::array<char, 4096> buf;
    for (;;) {
      if (!inbuf.empty()) inbuf.erase(0, parser.feed(inbuf));
      if (parser.state() == ReplyParser::State::complete) {
        Reply reply = parser.take();
        for (std::size_t i = 0; i < reply.lines.size(); ++i) {
          bool last = i + 1 == reply.lines.size();
          transcript.received(stage, tls_up,
                              std::to_string(reply.code) + (last ? " " : "-") + reply.lines[i]);
        }
        if (reply.bare_lf) warn(stage, "the server ended a reply line with a bare LF (not CRLF)");
        co_return reply;
      }
      if (parser.state() == ReplyParser::State::error) {
        Error e =
            make_error(ErrorKind::protocol, stage, "malformed reply: " + parser.error_message());
        transcript.error(stage, e.message);
        parser = ReplyParser(opt.limits);
        inbuf.clear();
        close();
        co_return e;
      }
      if (Clock::now() >= deadline) co_return timeout_error(stage, "waiting for the reply", limit);
      transport.expires_at(deadline);
      auto [ec, n] = co_await transport.read_some(buf.data(), buf.size());
      if (ec == std::errc::timed_out)
        co_return timeout_error(stage, "waiting for the reply", limit);
      if (ec && peer_closed(ec) && parser.mid_reply()) {
        // Not a server that hung up between replies: it stopped in the middle of one.
        std::size_t lines = parser.lines_so_far();
        parser = ReplyParser(opt.limits);
        Error e =
            make_error(ErrorKind::protocol, stage,
                       "the server closed the connection in the middle of a reply, after " +
                           std::to_string(lines) + (lines == 1 ? " line" : " lines") + " of it",
                       ec);
        transcript.error(stage, e.message);
        close();
        co_return e;
      }
      if (ec) co_return io_error(stage, "reading the reply", ec);
      inbuf.append(buf.data(), n);
    }
  }

  // After a reply that should have been the last thing the server said: anything more is out of
  // turn (a pipelining violation, or a server talking before it was asked). Dropped and reported.
  void discard_unexpected(Stage stage, std::string_view after) {
    if (inbuf.empty()) return;
    warn(stage, "the server sent " + std::to_string(inbuf.size()) + " unexpected bytes after " +
                    std::string(after) + ": \"" + excerpt(inbuf) + "\"");
    inbuf.clear();
  }

  asio::awaitable<Result<Reply>> exchange(Stage stage, std::string_view command,
                                          std::optional<std::string_view> shown = std::nullopt) {
    auto sent = co_await send(stage, command, shown);
    if (!sent) co_return sent.error();
    auto reply = co_await read_reply(stage, opt.limits.command_timeout);
    if (reply)
      discard_unexpected(stage,
                         "the reply to " + std::string(split_lines(shown ? *shown : command)[0]));
    co_return reply;
  }

  // ---- connect ------------------------------------------------------------------------------

  // The proxy failed: its own kind of network error (a timeout when the proxy said the target
  // did not answer in time), worded with the proxy's name. The socket error of what the proxy
  // saw goes with it only for the target's failures, so nothing reads a refused proxy login as
  // the server refusing.
  Error proxy_error(const ProxyFailure& failure) {
    const bool timed_out = failure.kind == ProxyFailureKind::target_failed &&
                           failure.target_outcome == TcpOutcome::timed_out;
    Error e = make_error(timed_out ? ErrorKind::timeout : ErrorKind::network, Stage::connect,
                         "proxy " + failure.proxy + ": " + failure.reason);
    transcript.error(Stage::connect, e.message);
    return e;
  }

  asio::awaitable<Result<ConnectInfo>> connect() {
    const auto start = Clock::now();
    // The TLS context (OpenSSL's configuration, the CA store) is made while the connect and the
    // greeting are in flight, not between STARTTLS's 220 and the ClientHello: a posted job runs
    // once this coroutine waits on the network.
    asio::post(ex, [tls = opt.tls] { (void)make_client_tls_context(tls); });
    auto result =
        co_await transport.connect(opt.host, opt.port, opt.family, opt.limits.connect_timeout);
    attempts = result.attempts;
    if (result.error) co_return *result.error;
    proxy_failure = result.proxy_failure;
    if (proxy_failure) co_return proxy_error(*proxy_failure);
    milliseconds connecting{0};
    for (const auto& attempt : attempts) connecting += attempt.latency;
    timings.push_back({Stage::resolve, since(start) - connecting});

    ConnectInfo info;
    info.port = opt.port;
    info.attempts = attempts;
    std::error_code last_ec;
    bool all_timed_out = true;
    std::string last_failure;
    for (const auto& attempt : attempts) {
      if (attempt.outcome == TcpOutcome::connected) break;
      const bool timed_out = attempt.error == std::errc::timed_out;
      if (!timed_out) {
        all_timed_out = false;
        last_ec = attempt.error;
      }
      last_failure = attempt.address + ": " + attempt_reason(attempt);
      transcript.error(Stage::connect, "connecting to " + last_failure);
    }
    if (!result.connected()) {
      std::string message = "cannot connect to " + opt.host + " port " + std::to_string(opt.port);
      if (!last_failure.empty()) message += ": " + last_failure;
      if (attempts.size() > 1)
        message += " (tried " + std::to_string(attempts.size()) + " addresses)";
      co_return make_error(all_timed_out ? ErrorKind::timeout : ErrorKind::network, Stage::connect,
                           message, last_ec);
    }
    const ConnectAttempt& answered = attempts.back();
    info.address = answered.address;
    info.local_address = transport.local_address();
    info.latency = answered.latency;
    connected_at = Clock::now();
    timings.push_back({Stage::connect, info.latency});
    transcript.info(Stage::connect,
                    "Connected to " + info.address + " port " + std::to_string(opt.port) +
                        (opt.proxy ? " through the proxy " + opt.proxy->display() : "") + " in " +
                        std::to_string(info.latency.count()) + " ms");
    connection = info;
    if (opt.implicit_tls) {
      auto handshake_result = co_await handshake(Stage::tls, 0);
      if (!handshake_result) co_return handshake_result.error();
    }
    co_return info;
  }

  // ---- TLS ----------------------------------------------------------------------------------

  asio::awaitable<Result<TlsInfo>> handshake(Stage stage, std::size_t discarded) {
    const auto start = Clock::now();
    auto result = co_await transport.start_tls(opt.tls, sni(), verify_host(), stage,
                                               opt.limits.tls_handshake_timeout);
    if (!transport.tls_info()) {
      // No handshake: a CA file that does not load, a timeout, a failure, or cancel().
      if (!result) {
        const ErrorKind kind = result.error().kind;
        if (kind == ErrorKind::tls || kind == ErrorKind::timeout)
          transcript.error(stage, result.error().message);
      }
      co_return result;
    }
    tls_up = true;
    TlsInfo info = *transport.tls_info();
    info.plaintext_discarded = discarded;
    tls_info = info;
    timings.push_back({stage, since(start)});
    transcript.info(stage, "TLS started: " + info.protocol + ", " + info.cipher);
    if (!result) {
      transcript.error(stage, result.error().message);
      co_return result;
    }
    if (!info.verified)
      warn(stage, verification_failure_message(info) + " (continuing: --insecure)");
    co_return info;
  }

  asio::awaitable<Result<TlsInfo>> starttls() {
    const auto start = Clock::now();
    if (tls_up) co_return make_error(ErrorKind::usage, Stage::starttls, "TLS is already active");
    auto reply = co_await send(Stage::starttls, "STARTTLS\r\n");
    if (!reply) co_return reply.error();
    auto answer = co_await read_reply(Stage::starttls, opt.limits.command_timeout);
    if (!answer) co_return answer.error();
    if (answer->code != 220) co_return rejected(Stage::starttls, "STARTTLS refused", *answer);

    // Whatever is buffered, or already waiting in the kernel, came before the handshake in
    // plaintext: an attacker's injected commands or replies. Never let it reach the TLS session.
    const DrainedPlaintext drained = transport.drain_plaintext(std::move(inbuf));
    inbuf.clear();
    parser = ReplyParser(opt.limits);
    if (drained.bytes > 0)
      warn(Stage::starttls,
           "STARTTLS injection: the server sent " + std::to_string(drained.bytes) +
               " bytes of plaintext after its 220 and before the TLS handshake (\"" +
               excerpt(drained.sample) + "\"); discarded, never read as part of the TLS session");
    caps = Capabilities{};
    auto info = co_await handshake(Stage::tls, drained.bytes);
    timings.push_back({Stage::starttls, since(start)});
    co_return info;
  }

  // ---- greeting and EHLO ----------------------------------------------------------------------

  asio::awaitable<Result<Greeting>> read_greeting() {
    auto reply = co_await read_reply(Stage::banner, opt.limits.greeting_timeout);
    if (!reply) co_return reply.error();
    Greeting greeting{*reply, since(connected_at)};
    timings.push_back({Stage::banner, greeting.delay});
    if (reply->code != 220)
      co_return rejected(Stage::banner, "the server refused the session", *reply);
    if (!inbuf.empty()) {
      // RFC 5321 §4.3.1: after its greeting a server speaks only when spoken to. What it sends
      // before EHLO would be read as the answer to EHLO, and everything after would be out of
      // step, so the session cannot go on.
      Error e = make_error(ErrorKind::protocol, Stage::banner,
                           "the server talked out of turn: " + std::to_string(inbuf.size()) +
                               " more bytes right after its greeting, before it was asked "
                               "anything (\"" +
                               excerpt(inbuf) + "\")");
      transcript.error(Stage::banner, e.message);
      inbuf.clear();
      close();
      co_return e;
    }
    co_return greeting;
  }

  asio::awaitable<Result<Capabilities>> ehlo(std::string_view name) {
    const auto start = Clock::now();
    const Stage stage = tls_up ? Stage::helo : Stage::ehlo;
    std::string why;
    auto command = simple_command("EHLO", name, &why);
    if (!command) co_return make_error(ErrorKind::usage, stage, "invalid EHLO name: " + why);
    auto reply = co_await exchange(stage, *command);
    if (!reply) co_return reply.error();
    if (reply->positive_completion()) {
      caps = parse_capabilities(*reply);
      used_helo = false;
      timings.push_back({stage, since(start)});
      co_return caps;
    }
    if (!reply->permanent_failure()) co_return rejected(stage, "EHLO refused", *reply);
    // RFC 5321 §3.2: an old server that does not know EHLO answers 5xx; HELO still works.
    auto helo_command = simple_command("HELO", name, &why);
    auto helo = co_await exchange(stage, *helo_command);
    if (!helo) co_return helo.error();
    if (!helo->positive_completion()) co_return rejected(stage, "HELO refused", *helo);
    caps = Capabilities{};
    if (!helo->lines.empty()) {
      std::string_view first = helo->lines.front();
      caps.greeting_domain = std::string(first.substr(0, first.find(' ')));
    }
    used_helo = true;
    timings.push_back({stage, since(start)});
    co_return caps;
  }

  // ---- AUTH ---------------------------------------------------------------------------------

  asio::awaitable<Result<Reply>> finish_auth(Result<Reply> reply) {
    if (!reply) co_return reply;
    if (reply->code == 235) co_return reply;
    if (reply->positive_completion()) {
      // RFC 4954 says 235; some servers (Postfix's smtp-sink among them) say 250. Still a success.
      warn(Stage::auth, "the server accepted AUTH with " + std::to_string(reply->code) +
                            " instead of 235 (RFC 4954)");
      co_return reply;
    }
    if (reply->code == 334) {
      // The server wants more than this mechanism has to say: cancel (RFC 4954 §4).
      auto cancelled_reply = co_await exchange(Stage::auth, "*\r\n");
      (void)cancelled_reply;
      co_return make_error(ErrorKind::protocol, Stage::auth,
                           "the server asked for another AUTH step the mechanism does not have");
    }
    co_return rejected(Stage::auth, "authentication failed", *reply);
  }

  // An OAuth refusal (RFC 7628 §3.2.2): a 334 whose payload is base64 JSON with the status and
  // scope. The client must answer with the dummy response (OAUTHBEARER: ^A; XOAUTH2: an empty
  // line) to get the final 5xx; the decoded status and scope go into the error message.
  std::optional<OauthError> last_oauth_refusal;

  asio::awaitable<Result<Reply>> finish_oauth_refusal(const std::string& mech,
                                                      Result<Reply> reply) {
    std::optional<OauthError>& refusal = last_oauth_refusal;
    refusal.reset();
    if (!reply->lines.empty())
      if (auto decoded = base64_decode(reply->lines.front())) refusal = parse_oauth_error(*decoded);
    if (mech == "OAUTHBEARER") {
      const std::string dummy = base64_encode(kOauthbearerDummyResponse) + "\r\n";
      reply = co_await exchange(Stage::auth, dummy, "AQ== (the RFC 7628 dummy response)");
    } else {
      reply = co_await exchange(Stage::auth, "\r\n", "<empty response>");
    }
    if (!refusal || !reply || reply->code == 334 || reply->positive_completion())
      co_return co_await finish_auth(std::move(reply));
    co_return rejected(Stage::auth, describe_oauth_error(*refusal), *reply);
  }

  asio::awaitable<Result<Reply>> auth(std::string_view mechanism, std::string_view user,
                                      std::string_view secret) {
    const auto start = Clock::now();
    const std::string mech = ascii::upper(mechanism);
    const std::string_view redacted = "<redacted>";
    Result<Reply> result =
        make_error(ErrorKind::unsupported, Stage::auth, "unsupported AUTH mechanism " + mech);
    if (mech == "PLAIN" || mech == "XOAUTH2" || mech == "OAUTHBEARER") {
      std::string message;
      if (mech == "PLAIN")
        message = sasl_plain_message(user, secret);
      else if (mech == "XOAUTH2")
        message = xoauth2_message(user, secret);
      else
        message = oauthbearer_message(user, opt.host, opt.port, secret);
      const std::string payload = base64_encode(message);
      Result<Reply> reply = Reply{};
      if (opt.initial_response) {
        reply = co_await exchange(Stage::auth, "AUTH " + mech + " " + payload + "\r\n",
                                  "AUTH " + mech + " <redacted>");
      } else {
        reply = co_await exchange(Stage::auth, "AUTH " + mech + "\r\n");
        if (reply && reply->code == 334)
          reply = co_await exchange(Stage::auth, payload + "\r\n", redacted);
      }
      if (mech != "PLAIN" && reply && reply->code == 334) {
        result = co_await finish_oauth_refusal(mech, std::move(reply));
      } else {
        result = co_await finish_auth(std::move(reply));
      }
    } else if (mech == "LOGIN") {
      // Each step goes on only on 334; anything else (a refusal, or a server that skips the
      // prompts) is judged by finish_auth.
      auto reply = co_await exchange(Stage::auth, "AUTH LOGIN\r\n");
      if (reply && reply->code == 334)
        reply = co_await exchange(Stage::auth, base64_encode(user) + "\r\n", redacted);
      if (reply && reply->code == 334)
        reply = co_await exchange(Stage::auth, base64_encode(secret) + "\r\n", redacted);
      result = co_await finish_auth(std::move(reply));
    } else if (mech == "CRAM-MD5") {
      auto reply = co_await exchange(Stage::auth, "AUTH CRAM-MD5\r\n");
      if (reply && reply->code == 334) {
        auto challenge = base64_decode(reply->lines.empty() ? "" : reply->lines.front());
        if (!challenge) {
          auto ignored = co_await exchange(Stage::auth, "*\r\n");
          (void)ignored;
          co_return make_error(ErrorKind::protocol, Stage::auth,
                               "the CRAM-MD5 challenge is not valid base64");
        }
        reply = co_await exchange(
            Stage::auth, base64_encode(cram_md5_response(user, secret, *challenge)) + "\r\n",
            redacted);
      }
      result = co_await finish_auth(std::move(reply));
    }
    timings.push_back({Stage::auth, since(start)});
    co_return result;
  }

  // ---- envelope -----------------------------------------------------------------------------

  asio::awaitable<Result<Reply>> read_final_reply() {
    co_return co_await read_reply(Stage::data, opt.limits.data_timeout);
  }

  asio::awaitable<Result<Reply>> send_message(std::string_view message, bool bdat) {
    if (bdat) {
      const std::string chunk = to_crlf(message);
      const std::string command = "BDAT " + std::to_string(chunk.size()) + " LAST\r\n";
      record_sent(Stage::data, command);
      transcript.info(Stage::data, "<" + std::to_string(chunk.size()) + " octets of message>");
      auto written = co_await write(Stage::data, command + chunk, opt.limits.data_timeout);
      if (!written) co_return written.error();
    } else {
      const std::string body = dot_stuff(message);
      auto lines = split_lines(body);
      for (std::size_t i = 0; i < lines.size() && i < kMaxBodyLinesShown; ++i)
        transcript.sent(Stage::data, tls_up, lines[i]);
      if (lines.size() > kMaxBodyLinesShown)
        transcript.info(Stage::data, "<" + std::to_string(lines.size() - kMaxBodyLinesShown) +
                                         " more lines of message>");
      auto written = co_await write(Stage::data, body, opt.limits.data_timeout);
      if (!written) co_return written.error();
    }
    auto reply = co_await read_final_reply();
    if (reply) discard_unexpected(Stage::data, "the reply to the message");
    co_return reply;
  }

  struct Command {
    Stage stage = Stage::none;
    std::string text;  // with its CRLF
  };

  struct EnvelopeCommands {
    std::string mail;
    std::vector<std::string> rcpts;
  };

  // MAIL and RCPT lines for the envelope, or the usage error that says which address is bad.
  Result<EnvelopeCommands> envelope_commands(std::string_view from,
                                             const std::vector<std::string>& recipients,
                                             const EnvelopeOptions& options) {
    std::string why;
    auto mail = mail_from_command(from, options.mail_params, options.smtputf8, &why);
    if (!mail)
      return make_error(ErrorKind::usage, Stage::mail,
                        "invalid sender '" + std::string(from) + "': " + why);
    EnvelopeCommands out{*mail, {}};
    for (const auto& to : recipients) {
      auto rcpt = rcpt_to_command(to, {}, options.smtputf8, &why);
      if (!rcpt)
        return make_error(ErrorKind::usage, Stage::rcpt, "invalid recipient '" + to + "': " + why);
      out.rcpts.push_back(*rcpt);
    }
    return out;
  }

  // A PIPELINING group (RFC 2920): every command in ONE write, so the whole group costs one round
  // trip; the transcript records each line as sent at that moment, the time every reply of the
  // group is measured from.
  asio::awaitable<Result<Ok>> send_group(const std::vector<Command>& group) {
    std::string batch;
    for (const auto& command : group) {
      record_sent(command.stage, command.text);
      batch += command.text;
    }
    co_return co_await write(group.front().stage, batch, opt.limits.command_timeout);
  }

  // The reply to QUIT within the grace: it says nothing the session still needs.
  asio::awaitable<std::optional<Reply>> read_quit_reply() {
    const auto limit = std::min(opt.limits.command_timeout, kQuitGrace);
    auto reply = co_await read_reply(Stage::quit, limit);
    close();
    if (!reply) co_return std::nullopt;
    co_return *reply;
  }

  asio::awaitable<Result<DryRunResult>> dry_run(std::string_view from,
                                                const std::vector<std::string>& recipients,
                                                const EnvelopeOptions& options) {
    auto commands = envelope_commands(from, recipients, options);
    if (!commands) co_return commands.error();
    DryRunResult result;
    result.pipelined = caps.pipelining;
    if (result.pipelined)
      co_await pipelined_dry_run(*commands, recipients, result);
    else
      co_await lockstep_dry_run(*commands, recipients, result);
    close();
    co_return result;
  }

  // One group: MAIL, RCPT..., RSET, QUIT; then every reply in order, each judged on its own.
  asio::awaitable<void> pipelined_dry_run(const EnvelopeCommands& commands,
                                          const std::vector<std::string>& recipients,
                                          DryRunResult& result) {
    std::vector<Command> group{{Stage::mail, commands.mail}};
    for (const auto& rcpt : commands.rcpts) group.push_back({Stage::rcpt, rcpt});
    group.push_back({Stage::rset, "RSET\r\n"});
    group.push_back({Stage::quit, "QUIT\r\n"});
    auto written = co_await send_group(group);
    if (!written) {
      result.failure = written.error();
      co_return;
    }
    auto mail = co_await read_reply(Stage::mail, opt.limits.command_timeout);
    if (!mail) {
      result.failure = mail.error();
      co_return;
    }
    result.mail = *mail;
    // 421: the server is closing the channel (RFC 5321 §3.8); the rest will never be answered.
    if (mail->code == 421) co_return;
    for (std::size_t i = 0; i < commands.rcpts.size(); ++i) {
      auto reply = co_await read_reply(Stage::rcpt, opt.limits.command_timeout);
      if (!reply) {
        result.failure = reply.error();
        co_return;
      }
      result.recipients.push_back({recipients[i], *reply});
      if (reply->code == 421) co_return;
    }
    auto rset = co_await read_reply(Stage::rset, opt.limits.command_timeout);
    if (!rset) {
      result.failure = rset.error();
      co_return;
    }
    result.rset = *rset;
    result.quit = co_await read_quit_reply();
  }

  // Without PIPELINING each command waits for its reply (RFC 5321); RCPTs only after MAIL's 250.
  asio::awaitable<void> lockstep_dry_run(const EnvelopeCommands& commands,
                                         const std::vector<std::string>& recipients,
                                         DryRunResult& result) {
    auto mail = co_await exchange(Stage::mail, commands.mail);
    if (!mail) {
      result.failure = mail.error();
      co_return;
    }
    result.mail = *mail;
    if (mail->code == 421) co_return;
    for (std::size_t i = 0; i < commands.rcpts.size() && mail->positive_completion(); ++i) {
      auto reply = co_await exchange(Stage::rcpt, commands.rcpts[i]);
      if (!reply) {
        result.failure = reply.error();
        co_return;
      }
      result.recipients.push_back({recipients[i], *reply});
      if (reply->code == 421) co_return;
    }
    auto rset = co_await exchange(Stage::rset, "RSET\r\n");
    if (!rset) {
      result.failure = rset.error();
      co_return;
    }
    result.rset = *rset;
    auto sent = co_await send(Stage::quit, "QUIT\r\n");
    if (sent) result.quit = co_await read_quit_reply();
  }

  asio::awaitable<Result<EnvelopeResult>> send_envelope(std::string_view from,
                                                        const std::vector<std::string>& recipients,
                                                        std::optional<std::string_view> message,
                                                        const EnvelopeOptions& options) {
    const auto start = Clock::now();
    if (recipients.empty()) co_return make_error(ErrorKind::usage, Stage::rcpt, "no recipients");
    auto commands = envelope_commands(from, recipients, options);
    if (!commands) co_return commands.error();
    const std::string& mail = commands->mail;
    const std::vector<std::string>& rcpts = commands->rcpts;

    EnvelopeResult result;
    result.with_message = message.has_value();
    result.pipelined = caps.pipelining;
    result.bdat = message && options.prefer_bdat && caps.chunking;
    const bool send_data_verb = message && !result.bdat;

    if (result.pipelined) {
      // RFC 2920: MAIL, every RCPT and DATA in one write; the replies come back in order.
      std::vector<Command> group{{Stage::mail, mail}};
      for (const auto& rcpt : rcpts) group.push_back({Stage::rcpt, rcpt});
      if (send_data_verb) group.push_back({Stage::data, "DATA\r\n"});
      auto written = co_await send_group(group);
      if (!written) co_return written.error();
      auto mail_reply = co_await read_reply(Stage::mail, opt.limits.command_timeout);
      if (!mail_reply) co_return mail_reply.error();
      result.mail = *mail_reply;
      // 421 means the server is closing the channel (RFC 5321 §3.8): the replies to the rest of
      // the batch will never come, and the 421 itself is the answer the user needs to see.
      if (result.mail.code == 421) co_return result;
      for (std::size_t i = 0; i < rcpts.size(); ++i) {
        auto reply = co_await read_reply(Stage::rcpt, opt.limits.command_timeout);
        if (!reply) co_return reply.error();
        result.recipients.push_back({recipients[i], *reply});
        if (reply->code == 421) co_return result;
      }
      if (send_data_verb) {
        auto reply = co_await read_reply(Stage::data, opt.limits.command_timeout);
        if (!reply) co_return reply.error();
        result.data = *reply;
      }
      discard_unexpected(Stage::data, "the pipelined replies");
      const bool envelope_ok =
          result.mail.positive_completion() && result.accepted_recipients() > 0;
      if (!envelope_ok && result.data && result.data->code == 354) {
        // DATA was accepted although nobody is there to receive it: end it empty (RFC 2920 §3.1).
        auto ignored = co_await exchange(Stage::data, ".\r\n");
        (void)ignored;
      }
      if (!message || !envelope_ok) co_return result;
      if (send_data_verb && result.data->code != 354) co_return result;
    } else {
      auto mail_reply = co_await exchange(Stage::mail, mail);
      if (!mail_reply) co_return mail_reply.error();
      result.mail = *mail_reply;
      if (!result.mail.positive_completion()) co_return result;
      for (std::size_t i = 0; i < rcpts.size(); ++i) {
        auto reply = co_await exchange(Stage::rcpt, rcpts[i]);
        if (!reply) co_return reply.error();
        result.recipients.push_back({recipients[i], *reply});
      }
      if (!message || result.accepted_recipients() == 0) co_return result;
      if (send_data_verb) {
        auto reply = co_await exchange(Stage::data, "DATA\r\n");
        if (!reply) co_return reply.error();
        result.data = *reply;
        if (reply->code != 354) co_return result;
      }
    }
    auto final_reply = co_await send_message(*message, result.bdat);
    if (!final_reply) co_return final_reply.error();
    result.final_reply = *final_reply;
    timings.push_back({Stage::data, since(start)});
    co_return result;
  }

  asio::awaitable<Result<Reply>> simple(Stage stage, std::optional<std::string> command,
                                        std::string_view what, const std::string& why) {
    if (!command) co_return make_error(ErrorKind::usage, stage, std::string(what) + ": " + why);
    auto reply = co_await exchange(stage, *command);
    if (reply && !reply->positive_completion()) co_return rejected(stage, what, *reply);
    co_return reply;
  }
};

SmtpClient::SmtpClient(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(options))) {}
SmtpClient::~SmtpClient() = default;

asio::awaitable<Result<ConnectInfo>> SmtpClient::connect() {
  co_return co_await impl_->connect();
}
asio::awaitable<Result<Greeting>> SmtpClient::read_greeting() {
  co_return co_await impl_->read_greeting();
}
asio::awaitable<Result<Capabilities>> SmtpClient::ehlo(std::string_view name) {
  co_return co_await impl_->ehlo(name);
}
asio::awaitable<Result<TlsInfo>> SmtpClient::starttls() {
  co_return co_await impl_->starttls();
}
const std::optional<OauthError>& SmtpClient::oauth_refusal() const {
  return impl_->last_oauth_refusal;
}

asio::awaitable<Result<Reply>> SmtpClient::auth(std::string_view mechanism, std::string_view user,
                                                std::string_view secret) {
  co_return co_await impl_->auth(mechanism, user, secret);
}
asio::awaitable<Result<EnvelopeResult>> SmtpClient::send_envelope(
    std::string_view from, const std::vector<std::string>& recipients,
    std::optional<std::string_view> message, EnvelopeOptions options) {
  co_return co_await impl_->send_envelope(from, recipients, message, options);
}
asio::awaitable<Result<DryRunResult>> SmtpClient::dry_run(
    std::string_view from, const std::vector<std::string>& recipients, EnvelopeOptions options) {
  co_return co_await impl_->dry_run(from, recipients, options);
}
asio::awaitable<Result<Reply>> SmtpClient::mail_from(std::string_view from,
                                                     EnvelopeOptions options) {
  std::string why;
  auto command = mail_from_command(from, options.mail_params, options.smtputf8, &why);
  co_return co_await impl_->simple(Stage::mail, command, "sender refused", why);
}
asio::awaitable<Result<Reply>> SmtpClient::rcpt_to(std::string_view to, EnvelopeOptions options) {
  std::string why;
  auto command = rcpt_to_command(to, {}, options.smtputf8, &why);
  co_return co_await impl_->simple(Stage::rcpt, command, "recipient refused", why);
}
asio::awaitable<Result<Reply>> SmtpClient::rset() {
  co_return co_await impl_->simple(Stage::rset, std::string("RSET\r\n"), "RSET refused", "");
}
asio::awaitable<Result<Reply>> SmtpClient::quit() {
  // QUIT only says goodbye; a server that does not answer it is not worth the full timeout.
  auto sent = co_await impl_->send(Stage::quit, "QUIT\r\n");
  if (!sent) {
    impl_->close();
    co_return sent.error();
  }
  // (Not a conditional expression around co_await: g++ 12 miscompiles that.)
  const auto limit = std::min(impl_->opt.limits.command_timeout, kQuitTimeout);
  auto reply = co_await impl_->read_reply(Stage::quit, limit);
  impl_->close();
  co_return reply;
}

void SmtpClient::cancel() {
  impl_->transport.cancel();
}
void SmtpClient::close() {
  impl_->close();
}

const Transcript& SmtpClient::transcript() const {
  return impl_->transcript;
}
const std::vector<StageTiming>& SmtpClient::timings() const {
  return impl_->timings;
}
const Capabilities& SmtpClient::capabilities() const {
  return impl_->caps;
}
const std::optional<TlsInfo>& SmtpClient::tls_info() const {
  return impl_->tls_info;
}
const std::optional<ConnectInfo>& SmtpClient::connection() const {
  return impl_->connection;
}
const std::optional<ProxyFailure>& SmtpClient::proxy_failure() const {
  return impl_->proxy_failure;
}
const std::vector<ConnectAttempt>& SmtpClient::attempts() const {
  return impl_->attempts;
}
const std::vector<std::string>& SmtpClient::warnings() const {
  return impl_->warnings;
}
bool SmtpClient::in_tls() const {
  return impl_->tls_up;
}
bool SmtpClient::used_helo() const {
  return impl_->used_helo;
}

}  // namespace smtpdoctor
