// One coroutine per protocol, each a straight list of steps over a LineConnection. A step that
// fails ends the conversation with LoginOutcome::error; the login step alone can end it with
// `rejected`. QUIT/LOGOUT is best effort: the verdict is already known by then.
#include "core/mailbox/mail_login_client.hpp"

#include <algorithm>

#include "core/base/ascii.hpp"
#include "core/mailbox/line_connection.hpp"
#include "core/smtp/sasl.hpp"

namespace smtpdoctor {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kRedacted = "********";

// The conversation state shared by both protocols.
struct Session {
  Session(asio::any_io_executor ex, MailLoginOptions o)
      : options(std::move(o)), connection(ex, options.limits) {}

  MailLoginOptions options;
  LineConnection connection;
  MailLoginResult result;

  bool implicit_tls() const {
    if (options.tls == MailTls::implicit) return true;
    if (options.tls == MailTls::starttls) return false;
    return options.port == default_mail_port(options.protocol, true);
  }
  std::string sni() const { return options.tls_sni.empty() ? options.host : options.tls_sni; }
  std::string verify_host() const {
    return options.verify_host.empty() ? options.host : options.verify_host;
  }

  MailLoginResult fail(Error error) {
    result.outcome = LoginOutcome::error;
    result.error = std::move(error);
    return finish();
  }
  MailLoginResult finish() {
    connection.close();
    result.transcript = connection.transcript();
    return std::move(result);
  }

  asio::awaitable<Result<Ok>> tls() {
    auto info = co_await connection.start_tls(options.tls_options, sni(), verify_host());
    if (!info) co_return info.error();
    result.tls = *info;
    co_return Ok{};
  }

  // The no-TLS case: refuse to send the password in clear unless allowed.
  std::optional<Error> plaintext_refusal(std::string_view what) const {
    if (options.allow_plaintext) return std::nullopt;
    return make_error(ErrorKind::unsupported, Stage::starttls,
                      "the server offers no " + std::string(what) +
                          ": not sending the password in clear (use the implicit-TLS port, or "
                          "--allow-plaintext-auth)");
  }
};

// ---- POP3 ------------------------------------------------------------------------------------

asio::awaitable<Result<PopReply>> pop_read(Session& s, Stage stage) {
  auto line = co_await s.connection.read_line(stage);
  if (!line) co_return line.error();
  auto reply = parse_pop_line(*line);
  if (!reply)
    co_return make_error(ErrorKind::protocol, stage, "not a POP3 reply: " + line->substr(0, 80));
  co_return *reply;
}

asio::awaitable<Result<PopReply>> pop_command(Session& s, Stage stage, std::string_view line,
                                              std::optional<std::string_view> shown = {}) {
  auto sent = co_await s.connection.write_line(stage, line, shown);
  if (!sent) co_return sent.error();
  co_return co_await pop_read(s, stage);
}

// CAPA (RFC 2449): the capability lines, or empty when the server does not know CAPA.
asio::awaitable<Result<std::vector<std::string>>> pop_capa(Session& s, Stage stage) {
  auto reply = co_await pop_command(s, stage, "CAPA");
  if (!reply) co_return reply.error();
  std::vector<std::string> capabilities;
  if (!reply->ok) co_return capabilities;
  for (;;) {
    auto line = co_await s.connection.read_line(stage);
    if (!line) co_return line.error();
    if (*line == ".") break;
    if (capabilities.size() >= s.options.limits.max_reply_lines)
      co_return make_error(ErrorKind::protocol, stage, "the CAPA list does not end");
    std::string_view text = *line;
    if (text.size() >= 2 && text[0] == '.') text.remove_prefix(1);  // byte-stuffing
    capabilities.emplace_back(text);
  }
  co_return capabilities;
}

MailLoginResult pop_rejected(Session& s, const PopReply& reply) {
  auto [code, text] = split_response_code(reply.text);
  s.result.outcome = LoginOutcome::rejected;
  s.result.response_code = code;
  s.result.server_text = text;
  return s.finish();
}

asio::awaitable<MailLoginResult> pop3_login(Session& s) {
  if (s.implicit_tls())
    if (auto up = co_await s.tls(); !up) co_return s.fail(up.error());
  auto greeting = co_await pop_read(s, Stage::banner);
  if (!greeting) co_return s.fail(greeting.error());
  if (!greeting->ok)
    co_return s.fail(make_error(ErrorKind::rejected, Stage::banner,
                                "the server refused the session: " + greeting->text));
  auto capabilities = co_await pop_capa(s, Stage::ehlo);
  if (!capabilities) co_return s.fail(capabilities.error());

  if (!s.connection.in_tls()) {
    // Servers without CAPA may still know STLS: try it unless CAPA said otherwise.
    bool try_stls = pop_offers(*capabilities, "STLS") || capabilities->empty();
    std::optional<Error> no_tls;
    if (try_stls) {
      auto stls = co_await pop_command(s, Stage::starttls, "STLS");
      if (!stls) co_return s.fail(stls.error());
      if (stls->ok) {
        if (auto up = co_await s.tls(); !up) co_return s.fail(up.error());
        capabilities = co_await pop_capa(s, Stage::helo);
        if (!capabilities) co_return s.fail(capabilities.error());
      } else {
        no_tls = s.plaintext_refusal("STLS");
      }
    } else {
      no_tls = s.plaintext_refusal("STLS");
    }
    if (no_tls) co_return s.fail(*no_tls);
  }
  s.result.capabilities = *capabilities;

  if (pop_offers_sasl(*capabilities, "PLAIN")) {
    s.result.method = "AUTH PLAIN";
    std::string response = base64_encode(sasl_plain_message(s.options.user, s.options.password));
    auto reply = co_await pop_command(s, Stage::auth, "AUTH PLAIN " + response,
                                      std::string("AUTH PLAIN ") + std::string(kRedacted));
    if (!reply) co_return s.fail(reply.error());
    if (!reply->ok) co_return pop_rejected(s, *reply);
    if (reply->text == "+")  // no initial response support: answer the empty challenge
      reply = co_await pop_command(s, Stage::auth, response, kRedacted);
    if (!reply) co_return s.fail(reply.error());
    if (!reply->ok || reply->text == "+") co_return pop_rejected(s, *reply);
  } else {
    s.result.method = "USER/PASS";
    auto user = co_await pop_command(s, Stage::auth, "USER " + s.options.user);
    if (!user) co_return s.fail(user.error());
    if (!user->ok) co_return pop_rejected(s, *user);
    auto pass = co_await pop_command(s, Stage::auth, "PASS " + s.options.password,
                                     std::string("PASS ") + std::string(kRedacted));
    if (!pass) co_return s.fail(pass.error());
    if (!pass->ok) co_return pop_rejected(s, *pass);
  }
  s.result.outcome = LoginOutcome::ok;
  (void)co_await pop_command(s, Stage::quit, "QUIT");
  co_return s.finish();
}

// ---- IMAP ------------------------------------------------------------------------------------

struct ImapResponse {
  std::string status;  // "OK", "NO", "BAD", or "+" for a continuation request
  std::string text;
  std::vector<std::string> capabilities;  // from "* CAPABILITY" or "[CAPABILITY ...]"
};

// Reads untagged lines up to the tagged response to `tag` (or a continuation request "+").
asio::awaitable<Result<ImapResponse>> imap_read_response(Session& s, Stage stage,
                                                         const std::string& tag) {
  ImapResponse response;
  for (std::size_t untagged = 0;; ++untagged) {
    if (untagged > s.options.limits.max_reply_lines)
      co_return make_error(ErrorKind::protocol, stage, "no tagged response to " + tag);
    auto got = co_await s.connection.read_line(stage);
    if (!got) co_return got.error();
    ImapLine line = parse_imap_line(*got, tag);
    if (line.capabilities) response.capabilities = std::move(*line.capabilities);
    if (line.kind == ImapLineKind::untagged) continue;
    if (line.kind == ImapLineKind::continuation) {
      response.status = "+";
      co_return response;
    }
    if (line.kind == ImapLineKind::tagged) {
      response.status = std::move(line.status);
      response.text = std::move(line.text);
      co_return response;
    }
    co_return make_error(ErrorKind::protocol, stage, "not an IMAP response: " + got->substr(0, 80));
  }
}

asio::awaitable<Result<ImapResponse>> imap_command(Session& s, Stage stage, std::string tag,
                                                   std::string_view line,
                                                   std::optional<std::string_view> shown = {}) {
  std::string shown_line = shown ? tag + " " + std::string(*shown) : std::string{};
  auto sent = co_await s.connection.write_line(
      stage, tag + " " + std::string(line),
      shown ? std::optional<std::string_view>(shown_line) : std::nullopt);
  if (!sent) co_return sent.error();
  co_return co_await imap_read_response(s, stage, tag);
}

MailLoginResult imap_rejected(Session& s, const ImapResponse& response) {
  auto [code, text] = split_response_code(response.text);
  s.result.outcome = LoginOutcome::rejected;
  s.result.response_code = code;
  s.result.server_text = text;
  return s.finish();
}

asio::awaitable<MailLoginResult> imap_login(Session& s) {
  int next_tag = 1;
  auto tag = [&] { return "a" + std::to_string(next_tag++); };
  if (s.implicit_tls())
    if (auto up = co_await s.tls(); !up) co_return s.fail(up.error());
  auto greeting = co_await s.connection.read_line(Stage::banner);
  if (!greeting) co_return s.fail(greeting.error());
  std::vector<std::string> capabilities;
  if (ascii::istarts_with(*greeting, "* OK")) {
    std::string_view rest = std::string_view(*greeting).substr(4);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (auto caps = capability_words(rest)) capabilities = *caps;
  } else if (ascii::istarts_with(*greeting, "* PREAUTH")) {
    co_return s.fail(make_error(ErrorKind::unsupported, Stage::banner,
                                "the server logged us in before any credentials (PREAUTH): "
                                "it cannot tell whether the password is right"));
  } else {
    co_return s.fail(make_error(ErrorKind::rejected, Stage::banner,
                                "the server refused the session: " + greeting->substr(0, 200)));
  }
  if (capabilities.empty()) {
    auto r = co_await imap_command(s, Stage::ehlo, tag(), "CAPABILITY");
    if (!r) co_return s.fail(r.error());
    capabilities = r->capabilities;
  }

  if (!s.connection.in_tls()) {
    if (has_capability(capabilities, "STARTTLS")) {
      auto r = co_await imap_command(s, Stage::starttls, tag(), "STARTTLS");
      if (!r) co_return s.fail(r.error());
      if (r->status != "OK")
        co_return s.fail(
            make_error(ErrorKind::rejected, Stage::starttls, "STARTTLS refused: " + r->text));
      if (auto up = co_await s.tls(); !up) co_return s.fail(up.error());
      // Capabilities from before TLS are not to be trusted (RFC 9051 §6.2.1).
      auto caps = co_await imap_command(s, Stage::helo, tag(), "CAPABILITY");
      if (!caps) co_return s.fail(caps.error());
      capabilities = caps->capabilities;
    } else if (auto refusal = s.plaintext_refusal("STARTTLS")) {
      co_return s.fail(*refusal);
    }
  }
  s.result.capabilities = capabilities;

  auto quoted_user = imap_quote(s.options.user);
  auto quoted_password = imap_quote(s.options.password);
  bool can_login = !has_capability(capabilities, "LOGINDISABLED") && quoted_user && quoted_password;
  bool can_plain = has_capability(capabilities, "AUTH=PLAIN");
  std::optional<ImapResponse> login;
  if (can_login) {
    s.result.method = "LOGIN";
    auto r = co_await imap_command(s, Stage::auth, tag(),
                                   "LOGIN " + *quoted_user + " " + *quoted_password,
                                   "LOGIN " + *quoted_user + " " + std::string(kRedacted));
    if (!r) co_return s.fail(r.error());
    login = *r;
  } else if (can_plain) {
    s.result.method = "AUTHENTICATE PLAIN";
    std::string response = base64_encode(sasl_plain_message(s.options.user, s.options.password));
    std::string command_tag = tag();
    Result<ImapResponse> r = ImapResponse{};
    if (has_capability(capabilities, "SASL-IR")) {
      r = co_await imap_command(s, Stage::auth, command_tag, "AUTHENTICATE PLAIN " + response,
                                "AUTHENTICATE PLAIN " + std::string(kRedacted));
    } else {
      r = co_await imap_command(s, Stage::auth, command_tag, "AUTHENTICATE PLAIN");
      if (r && r->status == "+") {
        // The response line carries no tag; the tagged answer follows it.
        auto sent = co_await s.connection.write_line(Stage::auth, response, kRedacted);
        if (!sent) co_return s.fail(sent.error());
        r = co_await imap_read_response(s, Stage::auth, command_tag);
      }
    }
    if (!r) co_return s.fail(r.error());
    login = *r;
  } else {
    co_return s.fail(
        make_error(ErrorKind::unsupported, Stage::auth,
                   quoted_user && quoted_password
                       ? "the server allows neither LOGIN nor AUTHENTICATE PLAIN"
                       : "the user name or password needs an IMAP literal and the server offers no "
                         "AUTHENTICATE PLAIN"));
  }
  if (login->status == "NO") co_return imap_rejected(s, *login);
  if (login->status != "OK")
    co_return s.fail(make_error(
        ErrorKind::protocol, Stage::auth,
        "the server did not understand the login: " + login->status + " " + login->text));
  s.result.outcome = LoginOutcome::ok;
  (void)co_await imap_command(s, Stage::quit, tag(), "LOGOUT");
  co_return s.finish();
}

}  // namespace

std::string_view mail_protocol_name(MailProtocol protocol) {
  return protocol == MailProtocol::pop3 ? "pop3" : "imap";
}

std::string_view login_outcome_name(LoginOutcome outcome) {
  switch (outcome) {
    case LoginOutcome::ok:
      return "ok";
    case LoginOutcome::rejected:
      return "rejected";
    case LoginOutcome::error:
      return "error";
  }
  return "error";
}

std::uint16_t default_mail_port(MailProtocol protocol, bool implicit_tls) {
  if (protocol == MailProtocol::pop3) return implicit_tls ? 995 : 110;
  return implicit_tls ? 993 : 143;
}

bool MailLoginResult::temporary() const {
  for (std::string_view code : {"SYS/TEMP", "IN-USE", "LOGIN-DELAY", "UNAVAILABLE", "INUSE"})
    if (ascii::iequals(response_code, code)) return true;
  return false;
}

asio::awaitable<MailLoginResult> mail_login(asio::any_io_executor executor,
                                            MailLoginOptions options) {
  const auto started = Clock::now();
  if (options.port == 0) options.port = default_mail_port(options.protocol, true);
  Session s(executor, std::move(options));
  s.result.port = s.options.port;
  RunControl::Registration stop;
  if (s.options.control) stop = s.options.control->on_stop([&s] { s.connection.cancel(); });
  MailLoginResult result;
  if (s.options.user.find_first_of("\r\n") != std::string::npos ||
      s.options.password.find_first_of("\r\n") != std::string::npos) {
    result = s.fail(make_error(ErrorKind::usage, Stage::auth,
                               "the user name or password contains a line break"));
  } else {
    auto address = co_await s.connection.connect(s.options.host, s.options.port);
    if (!address) {
      result = s.fail(address.error());
    } else {
      s.result.address = *address;
      if (s.options.protocol == MailProtocol::pop3)
        result = co_await pop3_login(s);
      else
        result = co_await imap_login(s);
    }
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  co_return result;
}

}  // namespace smtpdoctor
