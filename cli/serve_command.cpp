// `smtpdoctor serve`: the loopback test SMTP server (core/server/smtp_server.hpp) as a command.
//
// This file turns flags into ServerOptions, starts the server, prints what it hears, and stops
// on SIGINT/SIGTERM: stop accepting, let transactions in flight finish within --grace, exit 0.
// Output on stdout: the first line(s) say where it listens ("smtpdoctor serve: listening on
// 127.0.0.1:40123 (STARTTLS)"), then one summary line per message; with --json, every event as a
// JSON line instead. Exit codes: 0 stopped by a signal, 2 bad flags, 3 could not start.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "core/base/exit_code.hpp"
#include "core/report/render_json.hpp"
#include "core/server/smtp_server.hpp"
#include "core/server/store_group_commit.hpp"

namespace smtpdoctor::cli {
namespace {

struct ServeOptions {
  int port = 2525;
  std::vector<std::string> listen;
  std::vector<std::string> tls_listen;
  std::string hostname = "localhost";
  std::string cert, key;
  std::vector<std::string> users;
  std::vector<std::string> oauth_tokens;
  std::string users_file;
  bool require_auth = false, require_tls = false;
  std::vector<std::string> local_domains;
  std::string store;
  std::vector<std::string> faults;
  std::vector<std::string> hide;
  std::size_t max_size = Limits{}.max_message_octets;
  std::size_t max_recipients = Limits{}.max_recipients;
  std::size_t max_connections = Limits{}.max_connections;
  std::string idle_timeout = "300s";
  std::string grace = "10s";
  unsigned max_auth_failures = Limits{}.max_auth_failures;
  unsigned max_auth_failures_per_address = Limits{}.max_auth_failures_per_address;
  std::string bare_lf = "reject";
  std::string store_sync = "group";
};

std::chrono::milliseconds duration_flag(const std::string& option, const std::string& text) {
  auto d = parse_duration(text);
  if (!d) usage_error(option, "expected a duration such as 500ms, 30s or 5m, not '" + text + "'");
  return *d;
}

// --tls-listen takes PORT or ADDR[:PORT].
ListenAddress listen_flag(const std::string& option, const std::string& text, int default_port,
                          bool implicit_tls) {
  std::string why;
  std::optional<ListenAddress> address;
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos)
    address = parse_listen_address(":" + text, std::uint16_t(default_port), &why);
  else
    address = parse_listen_address(text, std::uint16_t(default_port), &why);
  if (!address) usage_error(option, why);
  address->implicit_tls = implicit_tls;
  return *address;
}

ServerOptions server_options(const ServeOptions& o) {
  ServerOptions s;
  s.listen.clear();
  for (const auto& l : o.listen) s.listen.push_back(listen_flag("--listen", l, o.port, false));
  if (o.listen.empty())
    s.listen.push_back(ListenAddress{"127.0.0.1", std::uint16_t(o.port), false});
  for (const auto& l : o.tls_listen) s.listen.push_back(listen_flag("--tls-listen", l, 0, true));
  s.hostname = o.hostname;
  s.cert_file = o.cert;
  s.key_file = o.key;
  for (const auto& user : o.users) {
    auto colon = user.find(':');
    if (colon == std::string::npos || colon == 0) usage_error("--user", "expected NAME:PASS");
    s.users[user.substr(0, colon)] = user.substr(colon + 1);
  }
  for (const auto& entry : o.oauth_tokens) {
    auto colon = entry.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size())
      usage_error("--oauth-token", "expected USER:TOKEN");
    s.oauth_tokens[entry.substr(0, colon)] = entry.substr(colon + 1);
  }
  if (!o.users_file.empty()) {
    std::ifstream in(o.users_file, std::ios::binary);
    if (!in) usage_error("--users-file", "cannot read '" + o.users_file + "'");
    std::ostringstream text;
    text << in.rdbuf();
    std::string why;
    auto users = parse_users_text(text.str(), &why);
    if (!users) usage_error("--users-file", o.users_file + ": " + why);
    s.users.insert(users->passwords.begin(), users->passwords.end());
    s.oauth_tokens.insert(users->oauth_tokens.begin(), users->oauth_tokens.end());
  }
  s.require_auth = o.require_auth;
  s.require_tls = o.require_tls;
  if (!o.local_domains.empty()) s.local_domains = o.local_domains;
  s.store_dir = o.store;
  s.store_sync =
      o.store_sync == "each" ? ServerOptions::StoreSync::each : ServerOptions::StoreSync::group;
  for (const auto& f : o.faults) {
    std::string why;
    if (!add_fault(f, &s.faults, &why)) usage_error("--fault", why);
  }
  for (const auto& h : o.hide)
    if (!hide_capability(h, &s.capabilities))
      usage_error("--hide", "unknown capability '" + h + "'");
  s.limits.max_message_octets = o.max_size;
  s.limits.max_recipients = o.max_recipients;
  s.limits.max_connections = o.max_connections;
  s.limits.idle_timeout = duration_flag("--idle-timeout", o.idle_timeout);
  s.limits.max_auth_failures = o.max_auth_failures;
  s.limits.max_auth_failures_per_address = o.max_auth_failures_per_address;
  s.accept_bare_newlines = o.bare_lf == "accept";
  return s;
}

void print_line(const std::string& line) {
  std::cout << line << std::endl;  // flushed: scripts read this through a pipe
}

// While serving, lines are flushed once per turn of the event loop instead of once each: the
// flush is posted behind the handlers already ready, so a script still sees every line within
// microseconds, and a busy server writes its summaries in one write(2) per turn, not per message.
struct BatchedOutput {
  asio::io_context& io;
  bool flush_posted = false;
  void print(const std::string& line) {
    std::cout << line << '\n';
    if (flush_posted) return;
    flush_posted = true;
    asio::post(io, [this] {
      std::cout.flush();
      flush_posted = false;
    });
  }
};

// Text mode: where we listen, and one line per message. Everything else stays quiet.
void print_event(const nlohmann::json& e, bool json, BatchedOutput& out) {
  auto print_line = [&out](const std::string& line) { out.print(line); };
  if (json) {
    print_line(e.dump());
    return;
  }
  const std::string kind = e.value("event", "");
  if (kind == "listening") {
    std::string tls = e.value("tls", "");
    BoundEndpoint ep{e.value("address", ""), e.value("port", std::uint16_t(0)), tls == "implicit"};
    print_line("smtpdoctor serve: listening on " + ep.str() +
               (tls == "implicit"   ? " (implicit TLS)"
                : tls == "starttls" ? " (STARTTLS)"
                                    : ""));
  } else if (kind == "message") {
    std::string rcpts;
    for (const auto& r : e["rcpts"]) rcpts += (rcpts.empty() ? "" : ",") + r.get<std::string>();
    std::string line = "smtpdoctor serve: message " + e.value("id", "") + " from <" +
                       e.value("from", "") + "> to " + rcpts + ", " +
                       std::to_string(e.value("size", 0)) + " octets, " +
                       (e.value("tls", false) ? "TLS" : "no TLS");
    if (e.contains("auth_user") && e["auth_user"].is_string())
      line += ", auth " + e["auth_user"].get<std::string>();
    line += ", client " + e.value("client", "");
    if (e.contains("path")) line += ", stored " + e["path"].get<std::string>();
    print_line(line);
  } else if (kind == "error") {
    std::cerr << "smtpdoctor serve: " << e.value("message", "") << "\n";
  }
}

// Why serve cannot start: on stderr, or with --json as the smtpdoctor.error/1 document on one
// line of stdout, like every other event, so a script reading the lines needs no second parser.
int cannot_run(const std::string& message, bool json) {
  if (json)
    print_line(error_document("cannot_run", message, kExitCannotRun)
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  else
    std::cerr << "smtpdoctor serve: " << message << "\n";
  return kExitCannotRun;
}

// Every session holds a descriptor: with the usual soft limit of 1024, accept() would fail long
// before --max-connections is reached, so take what the hard limit allows and say when even that
// is too little.
void raise_descriptor_limit(std::size_t max_connections, bool json) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  // Listeners, standard streams, and the store (a group commit holds two per message in flight).
  constexpr rlim_t kReserved = 32 + 2 * GroupCommit::kMaxBatch;
  if (!json && limit.rlim_cur != RLIM_INFINITY && max_connections + kReserved > limit.rlim_cur)
    std::cerr << "smtpdoctor serve: note: only " << limit.rlim_cur
              << " file descriptors are allowed (ulimit -n), fewer than --max-connections "
              << max_connections << " needs\n";
}

int run_serve(const ServeOptions& o, bool json) {
  ServerOptions options = server_options(o);
  auto grace = duration_flag("--grace", o.grace);
  if (!options.store_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.store_dir, ec);
    if (ec || !std::filesystem::is_directory(options.store_dir)) {
      return cannot_run(
          "cannot create store directory '" + options.store_dir + "': " + ec.message(), json);
    }
  }

  raise_descriptor_limit(options.limits.max_connections, json);
  asio::io_context io;
  BatchedOutput out{io};
  SmtpServer server(io, options,
                    [json, &out](const nlohmann::json& e) { print_event(e, json, out); });
  auto bound = server.start();
  if (!bound) {
    return cannot_run(bound.error().message, json);
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code ec, int signal) {
    if (ec) return;
    if (!json)
      std::cerr << "smtpdoctor serve: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
                << ", stopping\n";
    server.stop(grace);
  });
  io.run();
  std::cout.flush();
  return kExitOk;
}

}  // namespace

void setup_serve_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  ServeOptions& o = *options;
  auto* sub = app.add_subcommand("serve", "run the loopback test SMTP server (never relays)");
  sub->footer(
      "Faults (--fault, repeatable):\n"
      "  greeting-delay=DUR   wait DUR (500ms, 2s, 1m) before the 220 greeting\n"
      "  banner=421           greet with 421 4.3.2 and close\n"
      "  banner=554           greet with 554 5.3.2, then 503 to everything but QUIT\n"
      "  ehlo-refused         answer EHLO with 502 5.5.1 (clients must fall back to HELO)\n"
      "  greylist=mail|rcpt   answer MAIL or RCPT with 451 4.7.1\n"
      "  unknown-user=ADDR    answer RCPT TO:<ADDR> with 550 5.1.1 (repeatable)\n"
      "  drop-after=VERB      close the connection, with no reply, on reading VERB (e.g. MAIL)\n"
      "  tls-fail             offer STARTTLS and answer 220, then close instead of handshaking\n"
      "  tarpit=DUR           wait DUR before every reply\n"
      "  421-after=N          after N messages in one session, answer MAIL with 421 4.7.0\n"
      "\n"
      "Recipients in --local-domain domains (default: localhost, example.test) are accepted\n"
      "from anyone; other domains only after AUTH (554 5.7.1 Relay access denied). Mail is\n"
      "stored (--store) or summarised on stdout, never forwarded.");

  auto* listen = "Listening";
  sub->add_option("-p,--port", o.port, "port on 127.0.0.1 (default 2525; 0 = any free port)")
      ->check(port_number(0))
      ->group(listen);
  sub->add_option("--listen", o.listen,
                  "listen on ADDR[:PORT] instead of 127.0.0.1 (repeatable; an IP address)")
      ->type_name("ADDR[:PORT]")
      ->group(listen);
  sub->add_option("--tls-listen", o.tls_listen,
                  "also listen with implicit TLS on PORT or ADDR:PORT (repeatable; 0 = any port)")
      ->type_name("[ADDR:]PORT")
      ->group(listen);
  sub->add_option("--hostname", o.hostname, "name in the greeting and Received header")
      ->group(listen);
  sub->add_option("--max-connections", o.max_connections,
                  "concurrent sessions before 421 4.7.0 (default 1000)")
      ->check(whole_number(1))
      ->group(listen);
  sub->add_option("--idle-timeout", o.idle_timeout,
                  "close a silent session with 421 4.4.2 after DUR (default 300s)")
      ->type_name("DUR")
      ->group(listen);
  sub->add_option("--grace", o.grace,
                  "on SIGINT/SIGTERM, time for transactions in flight to finish (default 10s)")
      ->type_name("DUR")
      ->group(listen);

  auto* tls = "TLS";
  sub->add_option("--cert", o.cert, "PEM certificate chain (default: self-signed, made at start)")
      ->check(CLI::ExistingFile)
      ->group(tls);
  sub->add_option("--key", o.key, "PEM private key for --cert")
      ->check(CLI::ExistingFile)
      ->group(tls);
  sub->add_flag("--require-tls", o.require_tls,
                "530 5.7.0 to MAIL and AUTH before STARTTLS; AUTH not offered before TLS")
      ->group(tls);

  auto* auth = "Authentication and relay policy";
  sub->add_option("--user", o.users, "accept AUTH as NAME:PASS (repeatable)")
      ->type_name("NAME:PASS")
      ->group(auth);
  sub->add_option("--oauth-token", o.oauth_tokens,
                  "accept XOAUTH2 and OAUTHBEARER as USER with this bearer token, USER:TOKEN "
                  "(repeatable; a wrong token gets the RFC 7628 error)")
      ->type_name("USER:TOKEN")
      ->group(auth);
  sub->add_option("--users-file", o.users_file, "file of NAME:PASS lines")
      ->check(CLI::ExistingFile)
      ->group(auth);
  sub->add_flag("--require-auth", o.require_auth, "530 5.7.0 to MAIL before AUTH")->group(auth);
  sub->add_option("--local-domain", o.local_domains,
                  "domain accepted without AUTH (repeatable; replaces the defaults)")
      ->type_name("DOMAIN")
      ->group(auth);
  sub->add_option("--max-auth-failures", o.max_auth_failures,
                  "failed logins in one session before 421 4.7.0 (default 5; 0 = no limit); from "
                  "the second on, each 535 comes later (1 s, doubling up to 8 s)")
      ->check(whole_number())
      ->group(auth);
  sub->add_option("--max-auth-failures-per-address", o.max_auth_failures_per_address,
                  "failed logins from one client address within 10 minutes, over all its "
                  "sessions, before its AUTH gets 421 4.7.0 (default 20; 0 = no limit)")
      ->check(whole_number())
      ->group(auth);

  auto* behaviour = "Behaviour";
  sub->add_option("--hide", o.hide,
                  "do not offer an EHLO capability: SIZE, PIPELINING, 8BITMIME, SMTPUTF8, "
                  "ENHANCEDSTATUSCODES, CHUNKING, DSN, STARTTLS, AUTH (repeatable)")
      ->group(behaviour);
  sub->add_option("--max-size", o.max_size,
                  "largest message in octets (SIZE; 552 5.3.4 above; default 10485760)")
      ->check(whole_number(1))
      ->group(behaviour);
  sub->add_option("--max-recipients", o.max_recipients,
                  "recipients per message (452 4.5.3 above; default 100)")
      ->check(whole_number(1))
      ->group(behaviour);
  sub->add_option("--bare-lf", o.bare_lf,
                  "a CR or LF not part of CRLF inside DATA: reject the message with 554 5.5.2 "
                  "(default; SMTP smuggling hides behind it) or accept and store it as sent")
      ->check(CLI::IsMember({"reject", "accept"}))
      ->type_name("MODE")
      ->group(behaviour);
  sub->add_option("--fault", o.faults, "play a fault (repeatable; see below)")
      ->type_name("SPEC")
      ->group(behaviour);

  auto* output = "Output";
  sub->add_option("--store", o.store,
                  "store each message as DIR/ID.eml + DIR/ID.json (fsync'd before the 250)")
      ->type_name("DIR")
      ->group(output);
  sub->add_option("--store-sync", o.store_sync,
                  "how --store makes mail durable before each 250: group (default; the messages "
                  "completing together share their fsyncs) or each (one message at a time)")
      ->check(CLI::IsMember({"group", "each"}))
      ->type_name("MODE")
      ->group(output);
  sub->add_flag("--json", global.json,
                "events (listening, connect, auth, message, disconnect) "
                "as JSON lines on stdout")
      ->group(output);

  sub->callback([options, &global, &exit_code] {
    // Validate everything first, so a bad flag is a usage error (exit 2), not a half start.
    server_options(*options);
    duration_flag("--grace", options->grace);
    exit_code = run_serve(*options, global.json);
  });
}

}  // namespace smtpdoctor::cli
