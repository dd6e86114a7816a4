// `smtpdoctor check [TARGET]`: flags -> CheckOptions (probes/check_options.hpp), then the
// pipeline (probes/check_pipeline.hpp) and the report. Bad flags are usage errors (exit 2, JSON
// with --json) before anything touches the network. Passwords never come from argv: an
// environment variable, a file, or a prompt on the terminal.
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "cli/oauth_token.hpp"
#include "cli/password.hpp"
#include "core/base/exit_code.hpp"
#include "core/base/stage.hpp"
#include "core/base/target.hpp"
#include "core/server/smtp_server_options.hpp"
#include "core/smtp/address.hpp"
#include "core/smtp/sasl.hpp"
#include "probes/check_batch.hpp"
#include "probes/check_output.hpp"
#include "probes/local_identity.hpp"
#include "probes/mail_path_options.hpp"

namespace smtpdoctor::cli {
namespace {

struct CheckFlags {
  std::string target;
  std::string server;
  std::vector<std::string> port;
  std::string ports;
  bool ipv4 = false, ipv6 = false;
  std::string helo, from;
  std::vector<std::string> to;
  std::optional<std::uint64_t> size;
  std::string auth_user, password_env, password_file, auth;
  TokenSource token;
  bool auth_all = false, allow_plaintext_auth = false;
  std::string tls_sni, tls_verify_name, ca_file;
  bool insecure = false, tls_on_connect = false;
  bool relay_test = false, offline = false, submission = false;
  std::vector<std::string> only, skip;
  std::string quit_after;
  std::string timeout, deadline;
  std::string format = "human";
  bool verbose = false, strict = false;
  std::vector<std::string> dns_servers, reachability_targets, dnsbl, pop, imap;
  std::string reachability_name, pop_user;
  std::size_t mx_limit = 0;
  std::string targets;  // --targets FILE ("-": stdin)
  std::size_t concurrency = kDefaultConcurrency;
};

std::chrono::milliseconds duration_flag(const std::string& option, const std::string& text) {
  auto d = parse_duration(text);
  if (!d || d->count() <= 0)
    usage_error(option, "expected a duration such as 500ms, 30s or 5m, not '" + text + "'");
  return *d;
}

// "internet, dns, ..., dane": the ids --only and --skip take, from the one name table.
std::string probe_list_text() {
  std::string text;
  for (ProbeId id : kAllProbes) text += (text.empty() ? "" : ", ") + std::string(probe_name(id));
  return text;
}

std::set<ProbeId> probe_list(const std::string& option, const std::vector<std::string>& values) {
  std::set<ProbeId> ids;
  for (const auto& value : values) {
    std::stringstream stream(value);
    std::string name;
    while (std::getline(stream, name, ',')) {
      if (name.empty()) continue;
      if (auto id = probe_from_name(name)) {
        ids.insert(*id);
        continue;
      }
      std::string message = "unknown probe '" + name + "'";
      if (auto guess = probe_did_you_mean(name))
        message += "; did you mean '" + std::string(probe_name(*guess)) + "'?";
      message += " (probes: " + probe_list_text() + ")";
      usage_error(option, message);
    }
  }
  return ids;
}

std::string password_from(const CheckFlags& flags) {
  PasswordSource source{flags.password_env, flags.password_file, flags.auth_user};
  auto password = read_password(source);
  if (!password) usage_error(password_flag(source), password.error().message);
  return *password;
}

void check_mailbox(const std::string& option, const std::string& address) {
  std::string why;
  if (!parse_mailbox(address, /*utf8=*/true, &why))
    usage_error(option, "'" + address + "' is not a mail address: " + why);
}

// Issue 5's flags: the resolver, the internet probe's targets, the blocklists and the
// POP3/IMAP servers for the credential comparison.
void mail_path_options(const CheckFlags& flags, CheckOptions& options) {
  MailPathOptions& path = options.mail_path;
  for (const auto& spec : flags.dns_servers) {
    auto server = parse_dns_server(spec);
    if (!server) usage_error("--dns-server", server.error().message);
    path.dns_servers.push_back(*server);
  }
  path.mx_limit = flags.mx_limit;
  for (const auto& spec : flags.reachability_targets) {
    auto target = parse_reachability_target(spec);
    if (!target) usage_error("--reachability-target", target.error().message);
    path.reachability_targets.push_back(*target);
  }
  if (!flags.reachability_name.empty() && !is_valid_dns_name(flags.reachability_name))
    usage_error("--reachability-name", "'" + flags.reachability_name + "' is not a DNS name");
  path.reachability_name = flags.reachability_name;
  for (const auto& zone : flags.dnsbl) {
    if (!is_valid_dns_name(zone)) usage_error("--dnsbl", "'" + zone + "' is not a DNS zone name");
    path.dnsbl_zones.push_back(zone);
  }
  for (const auto& spec : flags.pop) {
    auto server = parse_mailbox_server(MailProtocol::pop3, spec);
    if (!server) usage_error("--pop", server.error().message);
    path.mailbox_servers.push_back(*server);
  }
  for (const auto& spec : flags.imap) {
    auto server = parse_mailbox_server(MailProtocol::imap, spec);
    if (!server) usage_error("--imap", server.error().message);
    path.mailbox_servers.push_back(*server);
  }
  if (!path.mailbox_servers.empty() && flags.auth_user.empty())
    usage_error(flags.pop.empty() ? "--imap" : "--pop",
                "compares the --auth-user login: give --auth-user and a password");
  if (has_line_break(flags.pop_user)) usage_error("--pop-user", "no line breaks allowed");
  if (!flags.pop_user.empty() && path.mailbox_servers.empty())
    usage_error("--pop-user", "needs --pop or --imap");
  path.mailbox_user = flags.pop_user;
}

CheckOptions to_options(const CheckFlags& flags) {
  CheckOptions options;
  if (flags.target.empty() && flags.server.empty())
    usage_error("TARGET", "name a host, host:port, domain or user@domain to check (or --server)");

  std::string why;
  if (!flags.target.empty()) {
    auto target = parse_target(flags.target, &why);
    if (!target) usage_error("TARGET", "'" + flags.target + "': " + why);
    options.target = *target;
    options.target_text = flags.target;
    // With --submission the address is the user's own: the sender of the dry run, not a
    // recipient (a submission server rightly refuses to relay to it without a login).
    if (target->recipient && !flags.submission) options.to.push_back(*target->recipient);
  }
  if (!flags.server.empty()) {
    auto server = parse_target(flags.server, &why);
    if (!server || server->recipient) usage_error("--server", "'" + flags.server + "': " + why);
    if (!server->port) server->port = options.target.port;
    options.target = *server;
    if (options.target_text.empty()) options.target_text = flags.server;
  }

  if (!flags.ports.empty() && !flags.port.empty())
    usage_error("--ports", "give --port or --ports, not both");
  std::vector<PortSpec> specs;
  if (!flags.ports.empty()) {
    auto parsed = parse_port_specs(flags.ports, &why);
    if (!parsed) usage_error("--ports", why);
    specs = *parsed;
  }
  for (const auto& one : flags.port) {
    auto parsed = parse_port_specs(one, &why);
    if (!parsed || parsed->size() != 1) usage_error("--port", parsed ? "one port per --port" : why);
    specs.push_back(parsed->front());
  }
  if (!specs.empty()) {
    options.set_ports(specs);
  } else if (options.target.port) {
    options.ports = {*options.target.port};
  }

  options.submission = flags.submission;
  if (flags.submission) {
    if (options.target.is_ip_literal || options.target.port || !flags.server.empty())
      usage_error("--submission",
                  "finds the outgoing server of a domain or user@domain: give one of those, "
                  "not an address, a host:port or --server");
    if (specs.empty()) options.ports = kSubmissionPorts;
  }

  if (flags.ipv4 && flags.ipv6) usage_error("-4", "-4 and -6 exclude each other");
  options.family = flags.ipv4 ? IpFamily::v4 : flags.ipv6 ? IpFamily::v6 : IpFamily::any;
  if ((flags.ipv4 && options.target.is_ipv6) ||
      (flags.ipv6 && options.target.is_ip_literal && !options.target.is_ipv6))
    usage_error(flags.ipv4 ? "-4" : "-6",
                options.target.host + " is not an " + (flags.ipv4 ? "IPv4" : "IPv6") + " address");
  options.offline = flags.offline;
  options.tls_on_connect = flags.tls_on_connect;

  options.helo_is_default = flags.helo.empty();
  options.helo = flags.helo.empty() ? this_host_name(!flags.offline) : flags.helo;
  if (has_line_break(options.helo) || options.helo.find(' ') != std::string::npos)
    usage_error("--helo", "a host name, without spaces or line breaks");
  if (!flags.from.empty()) check_mailbox("--from", flags.from);
  options.from = flags.from;
  if (flags.submission && options.from.empty() && options.target.recipient)
    options.from = *options.target.recipient;
  for (const auto& to : flags.to) {
    check_mailbox("--to", to);
    options.to.push_back(to);
  }
  if (options.to.size() > options.limits.max_recipients)
    usage_error("--to", "at most " + std::to_string(options.limits.max_recipients) +
                            " recipients per check");
  options.size = flags.size;

  options.auth_user = flags.auth_user;
  if (!flags.password_env.empty() && !flags.password_file.empty())
    usage_error("--password-env", "give --password-env or --password-file, not both");
  if (flags.auth_user.empty() && (!flags.password_env.empty() || !flags.password_file.empty() ||
                                  flags.auth_all || !flags.auth.empty()))
    usage_error("--auth-user",
                "--password-env, --password-file, --auth and --auth-all need "
                "--auth-user");
  if (has_line_break(flags.auth_user)) usage_error("--auth-user", "no line breaks allowed");
  const int token_sources = int(!flags.token.env.empty()) + int(!flags.token.file.empty()) +
                            int(!flags.token.command.empty());
  if (token_sources > 1)
    usage_error("--oauth2-token-env",
                "give one of --oauth2-token-env, --oauth2-token-file, --oauth2-token-cmd");
  if (flags.token.given() && (!flags.password_env.empty() || !flags.password_file.empty()))
    usage_error("--oauth2-token-env", "give a token or a password, not both");
  if (flags.token.given() && flags.auth_user.empty())
    usage_error("--auth-user", "the --oauth2-token-* options need --auth-user");
  if (flags.token.given() && !flags.auth.empty() && !is_oauth_mechanism(flags.auth))
    usage_error("--auth", "a token logs in with XOAUTH2 or OAUTHBEARER, not " + flags.auth);
  if (!flags.token.given() && is_oauth_mechanism(flags.auth))
    usage_error("--auth", flags.auth +
                              " needs a token: give --oauth2-token-env, --oauth2-token-file or "
                              "--oauth2-token-cmd");
  if (flags.token.given()) {
    auto token = read_token(flags.token);
    if (!token) usage_error(token_flag(flags.token), token.error().message);
    options.password = *token;
    options.password_is_token = true;
  } else if (!flags.auth_user.empty()) {
    options.password = password_from(flags);
  }
  options.auth_mechanism = flags.auth;
  options.auth_all = flags.auth_all;
  options.allow_plaintext_auth = flags.allow_plaintext_auth;

  options.tls_sni = flags.tls_sni;
  options.tls_verify_name = flags.tls_verify_name;
  options.ca_file = flags.ca_file;
  if (!flags.ca_file.empty() && access(flags.ca_file.c_str(), R_OK) != 0)
    usage_error("--ca-file", "cannot read " + flags.ca_file);
  options.insecure = flags.insecure;
  options.relay_test = flags.relay_test;

  options.only = probe_list("--only", flags.only);
  options.skip = probe_list("--skip", flags.skip);
  if (!flags.quit_after.empty()) {
    options.quit_after = stage_from_name(flags.quit_after);
    if (!options.quit_after)
      usage_error("--quit-after",
                  "unknown stage '" + flags.quit_after +
                      "' (connect, banner, ehlo, starttls, helo, auth, mail, rcpt)");
  }
  if (!flags.timeout.empty()) options.timeout = duration_flag("--timeout", flags.timeout);
  if (!flags.deadline.empty()) options.deadline = duration_flag("--deadline", flags.deadline);
  options.strict = flags.strict;
  options.verbose = flags.verbose;
  mail_path_options(flags, options);
  return options;
}

// The targets file's text, bounded: a list of hosts is small, and stdin may be endless.
std::string read_targets_file(const std::string& path) {
  constexpr std::size_t kMaxTargetsFile = 16 * 1024 * 1024;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) usage_error("--targets", "cannot read " + path);
    in = &file;
  }
  std::string text;
  char buffer[65536];
  while (in->read(buffer, sizeof buffer) || in->gcount() > 0) {
    text.append(buffer, std::size_t(in->gcount()));
    if (text.size() > kMaxTargetsFile)
      usage_error("--targets", path + " is larger than 16 MiB: split it");
  }
  return text;
}

// --targets: the command line's options once, then each line's target and ports on top.
std::vector<CheckOptions> batch_options(CheckFlags flags) {
  if (!flags.target.empty() || !flags.server.empty())
    usage_error("--targets", "give TARGET (or --server) or --targets, not both");
  TargetsFile file = parse_targets_file(read_targets_file(flags.targets));
  for (const auto& error : file.errors)
    std::cerr << "smtpdoctor check: --targets " << error << " (skipped)\n";
  if (file.targets.empty())
    usage_error("--targets", file.errors.empty() ? flags.targets + " names no target"
                                                 : flags.targets + " has no valid target line");
  flags.target = "localhost";  // replaced by each line's target below
  const CheckOptions base = to_options(flags);
  std::vector<CheckOptions> targets;
  for (const auto& line : file.targets) {
    std::string why;
    auto options = options_for_target(base, line, &why);
    if (options) targets.push_back(std::move(*options));
  }
  return targets;
}

}  // namespace

void setup_check_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<CheckFlags>();
  auto* sub = app.add_subcommand(
      "check",
      "walk the mail path to a server (TCP, banner, EHLO, TLS, AUTH, MAIL/RCPT dry run) "
      "and say where and why it breaks");
  sub->add_option("TARGET", flags->target, "host, host:port, [v6]:port, domain or user@domain");

  const char* where = "Where";
  sub->add_option("-s,--server", flags->server,
                  "the host to connect to (TARGET may then be "
                  "user@domain for the recipient)")
      ->group(where);
  sub->add_option("-p,--port", flags->port,
                  "one port to check, PORT or PORT/ROLE with ROLE mx, submission or submissions "
                  "(repeatable)")
      ->check(port_spec())
      ->group(where);
  sub->add_option("--ports", flags->ports,
                  "ports to check, e.g. 25,465,587 or 25/mx,2525/submission (default 587,465,25)")
      ->group(where);
  sub->add_flag("-4", flags->ipv4, "IPv4 only")->group(where);
  sub->add_flag("-6", flags->ipv6, "IPv6 only")->group(where);
  sub->add_flag("--offline", flags->offline,
                "contact nothing but the named target (no internet probe, no look-ups of our own)")
      ->group(where);
  sub->add_option("--mx-limit", flags->mx_limit, "check at most N MX hosts (default: all)")
      ->check(whole_number())
      ->group(where);

  const char* dns = "DNS and reachability";
  sub->add_option("--dns-server", flags->dns_servers,
                  "ask this resolver, IP[:PORT], instead of the system's (repeatable)")
      ->group(dns);
  sub->add_option("--reachability-target", flags->reachability_targets,
                  "HOST:PORT for the internet probe (repeatable; default 1.1.1.1:443, "
                  "8.8.8.8:443, 9.9.9.9:443)")
      ->group(dns);
  sub->add_option("--reachability-name", flags->reachability_name,
                  "the name the internet probe resolves (default example.com)")
      ->group(dns);
  sub->add_option("--dnsbl", flags->dnsbl,
                  "DNS blocklist zone to look our address up in (repeatable; default "
                  "zen.spamhaus.org, bl.spamcop.net, b.barracudacentral.org)")
      ->group(dns);

  const char* smtp = "SMTP";
  sub->add_option("--helo,--ehlo", flags->helo, "EHLO name (default: this host's FQDN)")
      ->group(smtp);
  sub->add_option("-f,--from", flags->from, "envelope sender (default: postmaster@<helo>)")
      ->group(smtp);
  sub->add_option("-t,--to", flags->to, "envelope recipient to try (repeatable)")->group(smtp);
  sub->add_option("--size", flags->size, "declare a message of N octets (SIZE=N on MAIL FROM)")
      ->check(whole_number())
      ->group(smtp);
  sub->add_flag("--submission", flags->submission,
                "find the address's outgoing (submission) server from SRV records or the usual "
                "names, check it, and print the settings for a mail program")
      ->group(smtp);
  sub->add_flag("--relay-test", flags->relay_test,
                "try an outside recipient without AUTH: an open relay is a failure")
      ->group(smtp);
  sub->add_option("--quit-after", flags->quit_after,
                  "stop after this stage: connect, banner, ehlo, starttls, helo, auth, mail, rcpt")
      ->group(smtp);

  const char* tls = "TLS";
  sub->add_option("--tls-sni", flags->tls_sni,
                  "server name to send in SNI and to match the certificate against")
      ->group(tls);
  sub->add_option("--tls-verify-name", flags->tls_verify_name,
                  "match the certificate against this name (over --tls-sni and the host)")
      ->group(tls);
  sub->add_option("--ca-file", flags->ca_file, "trust this PEM CA bundle instead of the system's")
      ->group(tls);
  sub->add_flag("--insecure", flags->insecure,
                "go on when the certificate does not verify or TLS is older than 1.2 (reported)")
      ->group(tls);
  sub->add_flag("--tls-on-connect", flags->tls_on_connect,
                "implicit TLS on every checked port (465 always uses it)")
      ->group(tls);

  const char* auth = "Login";
  sub->add_option("-u,--auth-user", flags->auth_user, "log in as this user")->group(auth);
  sub->add_option("--password-env", flags->password_env, "read the password from this variable")
      ->group(auth);
  sub->add_option("--password-file", flags->password_file, "read the password from this file")
      ->group(auth);
  sub->add_option("-a,--auth", flags->auth,
                  "mechanism: PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER (default: best "
                  "offered)")
      ->group(auth);
  sub->add_option("--oauth2-token-env", flags->token.env,
                  "log in with the OAuth2 bearer token in this variable (XOAUTH2, OAUTHBEARER)")
      ->type_name("VAR")
      ->group(auth);
  sub->add_option("--oauth2-token-file", flags->token.file,
                  "the same with the first line of this file")
      ->type_name("FILE")
      ->group(auth);
  sub->add_option("--oauth2-token-cmd", flags->token.command,
                  "the same with the first line this command prints (run without a shell, "
                  "30 s at most)")
      ->type_name("COMMAND")
      ->group(auth);
  sub->add_flag("--auth-all", flags->auth_all,
                "try every advertised mechanism, each in its own connection")
      ->group(auth);
  sub->add_flag("--allow-plaintext-auth", flags->allow_plaintext_auth,
                "send credentials even without TLS")
      ->group(auth);
  sub->add_option("--pop", flags->pop,
                  "when SMTP AUTH fails, log in to this POP3 server too, HOST[:PORT] (995: "
                  "implicit TLS, else STLS; pop3s:// or pop3:// to say which)")
      ->group(auth);
  sub->add_option("--imap", flags->imap,
                  "the same with IMAP, HOST[:PORT] (993: implicit TLS, else STARTTLS; imaps:// "
                  "or imap://)")
      ->group(auth);
  sub->add_option("--pop-user", flags->pop_user,
                  "user name for --pop/--imap (default: --auth-user)")
      ->group(auth);

  const char* run = "Run";
  sub->add_option("--only", flags->only, "run only these probes (comma list)")->group(run);
  sub->add_option("--skip", flags->skip, "skip these probes (comma list)")->group(run);
  sub->add_option("--timeout", flags->timeout, "limit for each network operation (e.g. 10s)")
      ->group(run);
  sub->add_option("--deadline", flags->deadline, "limit for the whole run (e.g. 30s)")->group(run);
  sub->add_option("--targets", flags->targets,
                  "check every target in FILE (- for stdin): one per line, optional ports after "
                  "it, # comments")
      ->group(run);
  sub->add_option("--concurrency", flags->concurrency,
                  "with --targets, check at most N targets at once (default 64)")
      ->check(whole_number(1))
      ->group(run);

  const char* output = "Output";
  sub->add_option("--format", flags->format, "human, json, nagios or openmetrics")
      ->check(CLI::IsMember({"human", "json", "nagios", "openmetrics"}))
      ->group(output);
  sub->add_flag("--json", global.json, "the report as JSON (same as --format json)")->group(output);
  sub->add_flag("-v,--verbose", flags->verbose, "all details and the SMTP transcript")
      ->group(output);
  sub->add_flag("--strict", flags->strict, "a warning fails the check (exit 1)")->group(output);

  sub->footer(
      "Probes: " + probe_list_text() +
      ". check never sends DATA.\n"
      "Exit codes: 0 no probe failed (warnings allowed; --strict: none), 1 a probe failed,\n"
      "2 usage error, 3 could not run (or nothing was checked), 130 interrupted.\n"
      "With --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");

  sub->callback([flags, &global, &exit_code] {
    if (flags->format == "json") global.json = true;  // so a usage error below is JSON too
    OutputOptions output;
    output.format = global.json
                        ? OutputFormat::json
                        : output_format_from_name(flags->format).value_or(OutputFormat::human);
    output.verbose = flags->verbose;
    if (!flags->targets.empty()) {
      exit_code = run_batch_and_print(batch_options(*flags), flags->concurrency, output);
      return;
    }
    CheckOptions options = to_options(*flags);
    exit_code = run_and_print(options, output);
  });
}

}  // namespace smtpdoctor::cli
