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

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ascii::iequals(text.substr(0, prefix.size()), prefix);
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

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

struct PopReply {
  bool ok = false;
  std::string text;  // after "+OK " / "-ERR "
};

PopReply parse_pop_reply(std::string_view line) {
  PopReply reply;
  if (starts_with_ci(line, "+OK")) {
    reply.ok = true;
    line.remove_prefix(3);
  } else if (starts_with_ci(line, "-ERR")) {
    line.remove_prefix(4);
  } else {
    reply.text = std::string(line);
    return reply;
  }
  if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  reply.text = std::string(line);
  return reply;
}

asio::awaitable<Result<PopReply>> pop_read(Session& s, Stage stage) {
  auto line = co_await s.connection.read_line(stage);
  if (!line) co_return line.error();
  if (!starts_with_ci(*line, "+OK") && !starts_with_ci(*line, "-ERR") &&
      !starts_with_ci(*line, "+ ") && *line != "+")
    co_return make_error(ErrorKind::protocol, stage, "not a POP3 reply: " + line->substr(0, 80));
  if (starts_with_ci(*line, "+ ") || *line == "+") co_return PopReply{true, "+"};
  co_return parse_pop_reply(*line);
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

bool pop_offers(const std::vector<std::string>& capabilities, std::string_view name) {
  return std::any_of(capabilities.begin(), capabilities.end(), [&](const std::string& c) {
    auto words = split_words(c);
    return !words.empty() && ascii::iequals(words[0], name);
  });
}

bool pop_offers_sasl(const std::vector<std::string>& capabilities, std::string_view mechanism) {
  for (const auto& c : capabilities) {
    auto words = split_words(c);
    if (words.empty() || !ascii::iequals(words[0], "SASL")) continue;
    for (std::size_t i = 1; i < words.size(); ++i)
      if (ascii::iequals(words[i], mechanism)) return true;
  }
  return false;
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

// "CAPABILITY IMAP4rev1 STARTTLS ..." (the words after the keyword), or nullopt.
std::optional<std::vector<std::string>> capability_words(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    text = text.substr(1, close - 1);
  }
  if (!starts_with_ci(text, "CAPABILITY ")) return std::nullopt;
  auto words = split_words(text.substr(11));
  return words;
}

// Reads untagged lines up to the tagged response to `tag` (or a continuation request "+").
asio::awaitable<Result<ImapResponse>> imap_read_response(Session& s, Stage stage,
                                                         const std::string& tag) {
  ImapResponse response;
  for (std::size_t untagged = 0;; ++untagged) {
    if (untagged > s.options.limits.max_reply_lines)
      co_return make_error(ErrorKind::protocol, stage, "no tagged response to " + tag);
    auto got = co_await s.connection.read_line(stage);
    if (!got) co_return got.error();
    std::string_view text = *got;
    if (text == "+" || starts_with_ci(text, "+ ")) {
      response.status = "+";
      co_return response;
    }
    if (starts_with_ci(text, "* ")) {
      if (auto caps = capability_words(text.substr(2))) response.capabilities = *caps;
      continue;
    }
    if (text.size() > tag.size() && text.substr(0, tag.size() + 1) == tag + " ") {
      text.remove_prefix(tag.size() + 1);
      auto space = text.find(' ');
      response.status = ascii::upper(text.substr(0, space));
      response.text = space == std::string_view::npos ? "" : std::string(text.substr(space + 1));
      if (auto caps = capability_words(response.text)) response.capabilities = *caps;
      if (response.status != "OK" && response.status != "NO" && response.status != "BAD")
        co_return make_error(ErrorKind::protocol, stage,
                             "not an IMAP response: " + got->substr(0, 80));
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
  if (starts_with_ci(*greeting, "* OK")) {
    std::string_view rest = std::string_view(*greeting).substr(4);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (auto caps = capability_words(rest)) capabilities = *caps;
  } else if (starts_with_ci(*greeting, "* PREAUTH")) {
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

std::optional<std::string> imap_quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || c == '\r' || c == '\n' || u >= 0x80) return std::nullopt;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::pair<std::string, std::string> split_response_code(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close != std::string_view::npos) {
      std::string code(text.substr(1, close - 1));
      auto space = code.find(' ');
      if (space != std::string::npos) code.resize(space);
      text.remove_prefix(close + 1);
      while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
      return {code, std::string(text)};
    }
  }
  return {"", std::string(text)};
}

bool has_capability(const std::vector<std::string>& capabilities, std::string_view name) {
  return std::any_of(capabilities.begin(), capabilities.end(),
                     [&](const std::string& c) { return ascii::iequals(c, name); });
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
