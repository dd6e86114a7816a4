// `smtpdoctor send`: one real test message through the embedded client, with swaks' option names.
//
// This file only turns flags into a SendRequest (core/smtp/send_flow.hpp), runs it, and prints the
// outcome. Exit codes: 0 accepted, 1 the server refused (or failed a check we insisted on: TLS,
// AUTH), 2 bad flags, 3 could not connect or run.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "cli/oauth_token.hpp"
#include "cli/password.hpp"
#include "core/base/exit_code.hpp"
#include "core/base/target.hpp"
#include "core/diagnosis/knowledge_base.hpp"
#include "core/report/render_human.hpp"
#include "core/report/render_json.hpp"
#include "core/report/terminal.hpp"
#include "core/smtp/address.hpp"
#include "core/smtp/sasl.hpp"
#include "core/smtp/send_flow.hpp"
#include "core/smtp/test_message.hpp"

namespace smtpdoctor::cli {
namespace {

struct SendOptions {
  std::string server;
  int port = 0;  // 0: from --server, else the default for the TLS mode
  std::string from;
  CLI::Option* from_given = nullptr;
  std::vector<std::string> to;
  std::string helo;
  bool tls = false, tls_on_connect = false, no_tls = false;
  std::string tls_sni;
  std::string tls_verify_name;
  std::string ca_file;
  bool insecure = false;
  CLI::Option* auth = nullptr;  // --auth [MECH]: present without a value = best offered
  std::string auth_user;
  std::string password_env;
  std::string password_file;
  TokenSource token;
  std::vector<std::string> headers;
  std::string body;
  CLI::Option* body_given = nullptr;
  std::string body_file;
  double timeout_seconds = 0;
  CLI::Option* timeout_given = nullptr;
  bool ipv4 = false, ipv6 = false;
  bool prefer_bdat = false;
  bool verbose = false;
};

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

std::string read_file_limited(const std::string& path, std::size_t limit, const char* what) {
  std::ifstream in;
  std::istream* stream = &std::cin;
  if (path != "-") {
    in.open(path, std::ios::binary);
    if (!in) usage_error(what, "cannot read '" + path + "'");
    stream = &in;
  }
  std::string out;
  char buf[65536];
  while (stream->read(buf, sizeof buf) || stream->gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(stream->gcount()));
    if (out.size() > limit)
      usage_error(what, "'" + path + "' is larger than " + std::to_string(limit) + " bytes");
  }
  return out;
}

std::string password_for(const SendOptions& o) {
  PasswordSource source{o.password_env, o.password_file, o.auth_user};
  auto password = read_password(source);
  if (!password) usage_error(password_flag(source), password.error().message);
  return *password;
}

void check_address(const std::string& flag, const std::string& address) {
  std::string why;
  if (!parse_mailbox(address, true, &why))
    usage_error("invalid " + flag + " address '" + address + "': " + why);
}

SendRequest build_request(const SendOptions& o) {
  SendRequest request;
  if (o.server.empty()) usage_error("--server is required (the host to send through)");
  std::string why;
  auto target = parse_target(o.server, &why);
  if (!target) usage_error("invalid --server '" + o.server + "': " + why);
  if (target->recipient) usage_error("--server takes a host, not an address: " + o.server);

  ClientOptions& client = request.client;
  client.host = target->host;
  client.implicit_tls = o.tls_on_connect;
  client.port = o.port             ? std::uint16_t(o.port)
                : target->port     ? *target->port
                : o.tls_on_connect ? 465
                                   : 25;
  client.family = o.ipv4 ? IpFamily::v4 : o.ipv6 ? IpFamily::v6 : IpFamily::any;
  client.tls_sni = o.tls_sni;
  client.verify_host = o.tls_verify_name;  // empty: the SNI name, else the host
  client.tls.ca_file = o.ca_file;
  client.tls.insecure = o.insecure;
  if (o.timeout_given->count() && !(o.timeout_seconds > 0 && o.timeout_seconds <= 86400))
    usage_error("--timeout must be a number of seconds between 0 and 86400");
  if (o.timeout_given->count()) {
    auto limit = std::chrono::milliseconds(static_cast<long long>(o.timeout_seconds * 1000));
    Limits& l = client.limits;
    l.connect_timeout = l.greeting_timeout = l.command_timeout = l.tls_handshake_timeout =
        l.data_timeout = limit;
  }

  request.helo = o.helo.empty() ? host_name() : o.helo;
  if (has_line_break(request.helo) || request.helo.find(' ') != std::string::npos)
    usage_error("invalid --helo '" + request.helo + "': one word, no spaces or line breaks");
  request.tls = o.tls_on_connect ? TlsMode::implicit
                : o.tls          ? TlsMode::required
                : o.no_tls       ? TlsMode::none
                                 : TlsMode::opportunistic;

  const char* user = std::getenv("USER");
  request.from = o.from_given->count()
                     ? o.from
                     : std::string(user && *user ? user : "smtpdoctor") + "@" + request.helo;
  if (request.from == "<>") request.from.clear();
  if (!request.from.empty()) check_address("--from", request.from);
  for (const auto& to : o.to) check_address("--to", to);
  request.to = o.to;

  for (const auto& header : o.headers)
    if (auto bad = check_header_line(header))
      usage_error("invalid --header '" + header + "': " + *bad);
  TestMessage message;
  message.from = request.from;
  message.to = request.to;
  message.domain = request.helo;
  message.headers = o.headers;
  if (o.body_given->count() && !o.body_file.empty())
    usage_error("give --body or --body-file, not both");
  if (o.body_given->count()) message.body = o.body;
  if (!o.body_file.empty())
    message.body = read_file_limited(o.body_file, client.limits.max_message_octets, "--body-file");
  request.message = build_test_message(message);
  request.envelope.prefer_bdat = o.prefer_bdat;
  asio::error_code ec;
  auto literal = asio::ip::make_address(client.host, ec);
  request.allow_plaintext_auth =
      o.insecure || client.host == "localhost" || (!ec && literal.is_loopback());

  if (o.auth->count() > 0 || !o.auth_user.empty()) {
    std::string mechanism =
        o.auth->count() > 0 && !o.auth->results().empty() ? o.auth->results().front() : "";
    if (o.auth_user.empty()) usage_error("--auth needs --auth-user");
    if (has_line_break(o.auth_user)) usage_error("invalid --auth-user: contains a line break");
    request.auth_mechanism = mechanism;
    request.auth_user = o.auth_user;
    if (int(!o.token.env.empty()) + int(!o.token.file.empty()) + int(!o.token.command.empty()) > 1)
      usage_error("give one of --oauth2-token-env, --oauth2-token-file, --oauth2-token-cmd");
    if (o.token.given() && (!o.password_env.empty() || !o.password_file.empty()))
      usage_error("give a token (--oauth2-token-*) or a password, not both");
    if (o.token.given() && !mechanism.empty() && !is_oauth_mechanism(mechanism))
      usage_error("a token logs in with XOAUTH2 or OAUTHBEARER, not " + mechanism);
    if (!o.token.given() && is_oauth_mechanism(mechanism))
      usage_error("--auth " + mechanism +
                  " needs a token: give --oauth2-token-env, --oauth2-token-file or "
                  "--oauth2-token-cmd");
    if (o.token.given()) {
      auto token = read_token(o.token);
      if (!token) usage_error("invalid " + token_flag(o.token) + ": " + token.error().message);
      request.auth_secret = *token;
      request.auth_secret_is_token = true;
    } else {
      request.auth_secret = password_for(o);
    }
  }
  return request;
}

// ---- output ---------------------------------------------------------------------------------

// What the knowledge base says about a refused or failed send, so `send` explains a refusal the
// way `check` does: the error that stopped the run, or else the reply that refused the envelope
// or the message. Nothing when the message was accepted.
std::optional<Diagnosis> refusal_diagnosis(const SendOutcome& out) {
  if (out.accepted()) return std::nullopt;
  if (out.error) return diagnose(*out.error);
  if (!out.envelope) return std::nullopt;
  const EnvelopeResult& env = *out.envelope;
  Evidence evidence;
  if (!env.mail.positive_completion()) {
    evidence.stage = Stage::mail;
    evidence.reply = env.mail;
  } else if (env.accepted_recipients() == 0 && !env.recipients.empty()) {
    evidence.stage = Stage::rcpt;
    evidence.reply = env.recipients.front().reply;
  } else if (env.data && env.data->code != 354) {
    evidence.stage = Stage::data;
    evidence.reply = *env.data;
  } else if (env.final_reply && !env.final_reply->positive_completion()) {
    evidence.stage = Stage::data;
    evidence.reply = *env.final_reply;
  } else {
    return std::nullopt;
  }
  return diagnose(evidence);
}

Diagnosis recipient_diagnosis(const RecipientOutcome& r) {
  Evidence evidence;
  evidence.stage = Stage::rcpt;
  evidence.reply = r.reply;
  return diagnose(evidence);
}

Details outcome_json(const SendRequest& request, const SendOutcome& out, int exit_code) {
  Details j = {{"schema", "smtpdoctor.send/1"},
               {"server", request.client.host},
               {"port", request.client.port},
               {"accepted", out.accepted()},
               {"exit_code", exit_code}};
  if (out.connection) {
    // "address: reason" for each address tried before the one that answered.
    std::vector<std::string> failed;
    for (const auto& attempt : out.connection->attempts)
      if (attempt.outcome != TcpOutcome::connected)
        failed.push_back(attempt.address + ": " + attempt_reason(attempt));
    j["connected"] = {{"address", out.connection->address},
                      {"latency_ms", out.connection->latency.count()},
                      {"failed", failed}};
  }
  if (out.greeting)
    j["greeting"] = {{"reply", reply_json(out.greeting->reply)},
                     {"delay_ms", out.greeting->delay.count()}};
  j["tls"] = out.tls ? tls_json(*out.tls) : Details();
  j["auth"] = out.auth_mechanism.empty() ? Details() : Details(out.auth_mechanism);
  if (out.envelope) {
    Details rcpts = Details::array();
    for (const auto& r : out.envelope->recipients)
      rcpts.push_back(
          {{"address", r.address},
           {"accepted", r.accepted()},
           {"reply", reply_json(r.reply)},
           {"diagnosis", r.accepted() ? Details() : diagnosis_json(recipient_diagnosis(r))}});
    j["envelope"] = {
        {"mail", reply_json(out.envelope->mail)},
        {"recipients", rcpts},
        {"pipelined", out.envelope->pipelined},
        {"bdat", out.envelope->bdat},
        {"final", out.envelope->final_reply ? reply_json(*out.envelope->final_reply) : Details()}};
  }
  if (out.error) {
    j["error"] = {{"kind", error_kind_name(out.error->kind)},
                  {"stage", stage_name(out.error->stage)},
                  {"message", out.error->message},
                  {"reply", out.error->reply ? reply_json(*out.error->reply) : Details()}};
  } else {
    j["error"] = nullptr;
  }
  auto diagnosis = refusal_diagnosis(out);
  j["diagnosis"] = diagnosis ? diagnosis_json(*diagnosis) : Details();
  j["warnings"] = out.warnings;
  Details timings = Details::array();
  for (const auto& t : out.timings)
    timings.push_back({{"stage", stage_name(t.stage)}, {"ms", t.duration.count()}});
  j["timings"] = timings;
  j["transcript"] = transcript_json(out.transcript);
  return j;
}

int exit_code_for(const SendOutcome& out) {
  if (out.accepted()) return kExitOk;
  if (!out.error) return kExitFailed;  // the envelope or the message was refused
  switch (out.error->kind) {
    case ErrorKind::network:
    case ErrorKind::timeout:
    case ErrorKind::resolve:
    case ErrorKind::cancelled:
      return kExitCannotRun;
    case ErrorKind::usage:
      return kExitUsage;
    default:
      return kExitFailed;  // rejected, unsupported, tls, protocol: the server's side
  }
}

void print_human(const SendOptions& o, const SendOutcome& out) {
  HumanOptions human;
  human.colour = should_colour(STDOUT_FILENO);
  human.width = terminal_width(STDOUT_FILENO);
  if (o.verbose) std::cout << out.transcript.render();
  for (const auto& w : out.warnings) std::cerr << "warning: " << w << "\n";
  if (out.tls) {
    const TlsInfo& t = *out.tls;
    std::cout << "tls: " << t.protocol << " " << t.cipher << ", certificate "
              << (t.verified ? "verified" : "NOT verified (" + t.verify_reason + ")")
              << (t.insecure && !t.verified ? " — continuing because of --insecure" : "") << "\n";
  }
  // Each refused recipient with its explanation: when others were accepted the message still
  // goes, and the refusals are what the user needs to act on.
  bool some_accepted = out.envelope && out.envelope->accepted_recipients() > 0;
  if (out.envelope)
    for (const auto& r : out.envelope->recipients)
      if (!r.accepted()) {
        std::cout << "recipient refused: " << printable_line(r.address) << ": "
                  << printable_line(r.reply.one_line()) << "\n";
        if (some_accepted) std::cout << render_diagnosis(recipient_diagnosis(r), human);
      }
  if (out.accepted()) {
    std::cout << "accepted: " << printable_line(out.envelope->final_reply->one_line()) << "\n";
    return;
  }
  if (out.error) {
    std::cout << "smtpdoctor send: " << printable_line(out.error->message) << "\n";
  } else {
    const EnvelopeResult& env = *out.envelope;
    if (!env.mail.positive_completion())
      std::cout << "refused at MAIL FROM: " << printable_line(env.mail.one_line()) << "\n";
    else if (env.accepted_recipients() == 0)
      std::cout << "refused: no recipient was accepted\n";
    else if (env.data && env.data->code != 354)
      std::cout << "refused at DATA: " << printable_line(env.data->one_line()) << "\n";
    else if (env.final_reply)
      std::cout << "refused after the message: " << printable_line(env.final_reply->one_line())
                << "\n";
  }
  if (auto diagnosis = refusal_diagnosis(out)) std::cout << render_diagnosis(*diagnosis, human);
}

int run_send(const SendOptions& o, GlobalOptions& global) {
  SendRequest request = build_request(o);  // a usage error throws to main()

  asio::io_context io;
  SendOutcome outcome;
  asio::co_spawn(io, send_message(io.get_executor(), request),
                 [&outcome](std::exception_ptr e, SendOutcome result) {
                   if (e) std::rethrow_exception(e);
                   outcome = std::move(result);
                 });
  io.run();

  int code = exit_code_for(outcome);
  if (global.json)
    std::cout << outcome_json(request, outcome, code).dump(2) << "\n";
  else
    print_human(o, outcome);
  return code;
}

}  // namespace

void setup_send_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto options = std::make_shared<SendOptions>();
  SendOptions& o = *options;
  auto* sub = app.add_subcommand("send", "send one real test message with the embedded client");

  auto* connection = "Connection";
  sub->add_option("-s,--server", o.server, "host[:port] to send through (required)")
      ->group(connection);
  sub->add_option("-p,--port", o.port, "port (default 25, or 465 with --tls-on-connect)")
      ->check(port_number())
      ->group(connection);
  auto* v4 = sub->add_flag("-4", o.ipv4, "IPv4 only")->group(connection);
  sub->add_flag("-6", o.ipv6, "IPv6 only")->excludes(v4)->group(connection);
  o.timeout_given = sub->add_option("--timeout", o.timeout_seconds,
                                    "seconds allowed for each step (default: per-step limits)")
                        ->check(number_of_seconds())
                        ->group(connection);

  auto* envelope = "Envelope";
  o.from_given =
      sub->add_option("-f,--from", o.from, "envelope sender (default $USER@HELO; '<>' for none)")
          ->group(envelope);
  sub->add_option("-t,--to", o.to, "recipient (repeatable)")->required()->group(envelope);
  sub->add_option("--helo,--ehlo", o.helo, "name to give in EHLO (default: this host's name)")
      ->group(envelope);
  sub->add_flag("--bdat", o.prefer_bdat, "use BDAT instead of DATA when CHUNKING is offered")
      ->group(envelope);

  auto* tls_group = "TLS";
  auto* tls = sub->add_flag("--tls", o.tls, "require STARTTLS")->group(tls_group);
  auto* tlsc =
      sub->add_flag("--tls-on-connect,--tlsc", o.tls_on_connect, "TLS from the start (port 465)")
          ->excludes(tls)
          ->group(tls_group);
  sub->add_flag("--no-tls", o.no_tls, "never use STARTTLS")
      ->excludes(tls)
      ->excludes(tlsc)
      ->group(tls_group);
  sub->add_option(
         "--tls-sni", o.tls_sni,
         "server name to send in SNI and to match the certificate against (default: the host)")
      ->group(tls_group);
  sub->add_option("--tls-verify-name", o.tls_verify_name,
                  "match the certificate against this name (over --tls-sni and the host)")
      ->type_name("NAME")
      ->group(tls_group);
  sub->add_option("--ca-file", o.ca_file, "verify against this CA file instead of the system store")
      ->check(CLI::ExistingFile)
      ->group(tls_group);
  sub->add_flag("--insecure", o.insecure,
                "continue when the certificate does not verify (reported)")
      ->group(tls_group);

  auto* auth_group = "Authentication";
  o.auth = sub->add_option("-a,--auth",
                           "AUTH mechanism (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER); alone: "
                           "the best offered")
               ->expected(0, 1)
               ->type_name("[MECH]")
               ->group(auth_group);
  sub->add_option("--auth-user,--au", o.auth_user, "user name for AUTH")->group(auth_group);
  auto* penv = sub->add_option("--password-env", o.password_env,
                               "read the password from this environment variable")
                   ->group(auth_group);
  sub->add_option("--password-file", o.password_file,
                  "read the password from the first line of this file")
      ->excludes(penv)
      ->group(auth_group);
  sub->add_option("--oauth2-token-env", o.token.env,
                  "log in with the OAuth2 bearer token in this variable (XOAUTH2, OAUTHBEARER)")
      ->type_name("VAR")
      ->group(auth_group);
  sub->add_option("--oauth2-token-file", o.token.file, "the same with the first line of this file")
      ->type_name("FILE")
      ->group(auth_group);
  sub->add_option("--oauth2-token-cmd", o.token.command,
                  "the same with the first line this command prints (run without a shell, "
                  "30 s at most)")
      ->type_name("COMMAND")
      ->group(auth_group);

  auto* content = "Message";
  sub->add_option("--header,--add-header", o.headers,
                  "\"Name: value\" header, replacing a default of that name (repeatable)")
      ->group(content);
  auto* body = o.body_given =
      sub->add_option("--body", o.body, "message body text")->group(content);
  sub->add_option("--body-file", o.body_file, "message body from a file ('-' = stdin)")
      ->excludes(body)
      ->group(content);

  auto* output = "Output";
  sub->add_flag("-v,--verbose", o.verbose, "print the transcript (AUTH secrets redacted)")
      ->group(output);
  sub->add_flag("--json", global.json, "print the result as JSON")->group(output);

  sub->callback([options, &global, &exit_code] { exit_code = run_send(*options, global); });
}

}  // namespace smtpdoctor::cli
