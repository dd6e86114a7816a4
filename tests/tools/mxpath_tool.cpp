// mxpath_tool: the issue-5 runners on the command line, for the integration tests. Prints one
// JSON document on stdout. Never uses the system resolver: `--server` is required wherever DNS
// is involved.
//
//   mxpath_tool dns --server IP:PORT [--mx-limit N] [--host] NAME
//   mxpath_tool plan --server IP:PORT [--mx-limit N] TARGET   (check's step 1, offline)
//   mxpath_tool internet --server IP:PORT [--name NAME] [--timeout-ms N] --target HOST:PORT...
//   mxpath_tool egress --server IP:PORT [--dnsbl ZONE]... [--include-non-global]
//                      (--address IP | --ehlo-line TEXT | --greeting-line TEXT)
//   mxpath_tool login pop3|imap --host H --port P [--tls auto|implicit|starttls]
//                      [--ca-file F] [--insecure] [--allow-plaintext] --user U --password-env V
//   mxpath_tool compare --smtp ok|rejected [--pop H:P] [--imap H:P] [--ca-file F]
//                      --user U --password-env V
//                      [--smtp-server IP:PORT]   (a real SMTP AUTH over STARTTLS first)
//   mxpath_tool pop-before-smtp --smtp-server IP:PORT --pop IP:PORT --from A --to B
//                      [--ca-file F] --user U --password-env V
//   mxpath_tool port25 [--timeout-ms N] --host A --port25 P --submission P
//                      [--reference A:P]... [--internet-ok]
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/base/target.hpp"
#include "core/diagnosis/egress_identity.hpp"
#include "core/diagnosis/port25_verdict.hpp"
#include "core/dns/resolver.hpp"
#include "core/mailbox/mail_login_client.hpp"
#include "core/net/tcp_reach.hpp"
#include "core/report/render_json.hpp"
#include "probes/check_pipeline.hpp"
#include "probes/check_steps.hpp"
#include "probes/credentials_probe.hpp"
#include "probes/dns_probe.hpp"
#include "probes/egress_probe.hpp"
#include "probes/internet_probe.hpp"

using namespace smtpdoctor;
using json = nlohmann::ordered_json;

namespace {

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::multimap<std::string, std::string> values;
  std::vector<std::string> flags;
  bool has(const std::string& k) const {
    return values.count(k) || std::find(flags.begin(), flags.end(), k) != flags.end();
  }
  std::string get(const std::string& k, std::string fallback = "") const {
    auto it = values.find(k);
    return it == values.end() ? fallback : it->second;
  }
  std::vector<std::string> all(const std::string& k) const {
    std::vector<std::string> out;
    auto [a, b] = values.equal_range(k);
    for (auto it = a; it != b; ++it) out.push_back(it->second);
    return out;
  }
};

[[noreturn]] void die(const std::string& why) {
  std::cerr << "mxpath_tool: " << why << "\n";
  std::exit(2);
}

json probes_json(const std::vector<ProbeResult>& results) {
  Report report = make_report("mxpath_tool");
  report.probes = results;
  auto doc = report_json(report);
  return doc["probes"];
}

Resolver make_resolver(asio::io_context& io, const Args& args) {
  ResolverOptions options;
  for (const auto& s : args.all("--server")) {
    auto server = parse_dns_server(s);
    if (!server) die(server.error().message);
    options.servers.push_back(*server);
  }
  if (options.servers.empty()) die("--server is required (never the system resolver)");
  options.timeout = std::chrono::milliseconds(std::stol(args.get("--dns-timeout-ms", "1000")));
  options.tries = 1;
  auto resolver = Resolver::create(io.get_executor(), options);
  if (!resolver) die(resolver.error().message);
  return std::move(*resolver);
}

template <typename F>
json run(asio::io_context& io, F body) {
  json out;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { out = co_await body(); }, asio::detached);
  io.run();
  return out;
}

std::string password_from(const Args& args) {
  auto var = args.get("--password-env");
  if (var.empty()) die("--password-env VAR is required");
  const char* value = std::getenv(var.c_str());
  if (!value) die("environment variable " + var + " is not set");
  return value;
}

json login_json(const MailLoginResult& r) {
  json j;
  j["outcome"] = std::string(login_outcome_name(r.outcome));
  j["method"] = r.method;
  j["server_text"] = r.server_text;
  j["response_code"] = r.response_code;
  j["temporary"] = r.temporary();
  j["error"] = r.error ? r.error->message : "";
  j["error_kind"] = r.error ? std::string(error_kind_name(r.error->kind)) : "";
  j["tls"] = r.tls ? r.tls->protocol : "";
  j["tls_verified"] = r.tls ? r.tls->verified : false;
  j["capabilities"] = r.capabilities;
  j["address"] = r.address;
  j["port"] = r.port;
  j["transcript"] = r.transcript.render();
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc < 2) die("usage: mxpath_tool dns|internet|egress|login|compare|port25 ...");
  args.command = argv[1];
  static const std::vector<std::string> kFlags{"--host-mode", "--include-non-global", "--insecure",
                                               "--allow-plaintext", "--internet-ok"};
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (std::find(kFlags.begin(), kFlags.end(), a) != kFlags.end()) {
      args.flags.push_back(a);
    } else if (a.rfind("--", 0) == 0) {
      if (i + 1 >= argc) die("missing value after " + a);
      args.values.emplace(a, argv[++i]);
    } else {
      args.positional.push_back(a);
    }
  }
  asio::io_context io;
  json out;

  if (args.command == "dns") {
    if (args.positional.size() != 1) die("dns takes one NAME");
    Resolver resolver = make_resolver(io, args);
    DnsProbeOptions options;
    options.domain = args.positional[0];
    options.mail_domain = !args.has("--host-mode");
    options.mx_limit = std::stoul(args.get("--mx-limit", "0"));
    out = run(io, [&]() -> asio::awaitable<json> {
      auto outcome = co_await run_dns_probe(resolver, options);
      json j;
      j["deliverable"] = outcome.deliverable;
      j["null_mx"] = outcome.null_mx;
      j["exchangers_not_checked"] = outcome.exchangers_not_checked;
      j["exchangers"] = json::array();
      for (const auto& e : outcome.exchangers)
        j["exchangers"].push_back({{"host", e.host},
                                   {"preference", e.preference},
                                   {"implicit", e.implicit},
                                   {"addresses", e.address_list()}});
      j["results"] = probes_json(outcome.results);
      co_return j;
    });
  } else if (args.command == "plan") {
    // What `check` would walk: the mail-path plan for TARGET (internet skipped: --offline).
    if (args.positional.size() != 1) die("plan takes one TARGET");
    CheckOptions options;
    std::string why;
    auto target = parse_target(args.positional[0], &why);
    if (!target) die(why);
    options.target = *target;
    options.offline = true;
    for (const auto& s : args.all("--server")) {
      auto server = parse_dns_server(s);
      if (!server) die(server.error().message);
      options.mail_path.dns_servers.push_back(*server);
    }
    options.mail_path.mx_limit = std::stoul(args.get("--mx-limit", "0"));
    Report report;
    CheckLoop loop(options);
    CheckRun run(options, loop.control(), report);
    run.resolver = loop.resolver();
    run.resolver_error = loop.resolver_error();
    auto crash = loop.run([](CheckRun& run) -> asio::awaitable<void> {
      co_await check_internet(run);
      co_await find_mail_hosts(run);
    }(run));
    if (crash) die(*crash);
    out["hosts"] = json::array();
    // The target itself, unresolved, is what is walked when the dns step did not run: no plan.
    const bool target_itself = run.hosts.size() == 1 && run.hosts[0].address.empty();
    if (run.transport_skip_reason.empty() && !target_itself)
      for (const auto& h : run.hosts)
        out["hosts"].push_back({{"host", h.host}, {"address", h.address}});
    out["transport_skip_reason"] = run.transport_skip_reason;
    out["results"] = probes_json(report.probes);
  } else if (args.command == "internet") {
    Resolver resolver = make_resolver(io, args);
    InternetProbeOptions options;
    options.targets.clear();
    for (const auto& t : args.all("--target")) {
      auto target = parse_reachability_target(t);
      if (!target) die(target.error().message);
      options.targets.push_back(*target);
    }
    options.name = args.get("--name", std::string(kDefaultReachabilityName));
    options.connect_timeout =
        std::chrono::milliseconds(std::stol(args.get("--timeout-ms", "2000")));
    out = run(io, [&]() -> asio::awaitable<json> {
      auto outcome = co_await run_internet_probe(resolver, options);
      json j;
      j["state"] = std::string(internet_state_name(outcome.state));
      j["connects"] = outcome.connects();
      j["results"] = probes_json({outcome.result});
      co_return j;
    });
  } else if (args.command == "egress") {
    Resolver resolver = make_resolver(io, args);
    EgressProbeOptions options;
    options.include_non_global = args.has("--include-non-global");
    if (args.has("--dnsbl")) options.dnsbl_zones = args.all("--dnsbl");
    std::optional<std::string> address;
    if (args.has("--address")) {
      address = args.get("--address");
    } else {
      Reply ehlo, greeting;
      ehlo.code = 250;
      greeting.code = 220;
      if (args.has("--ehlo-line")) ehlo.lines.push_back(args.get("--ehlo-line"));
      if (args.has("--greeting-line")) greeting.lines.push_back(args.get("--greeting-line"));
      address = echoed_client_address(ehlo, greeting);
    }
    if (!address) {
      out = {{"echoed", nullptr}};
    } else {
      options.address = *address;
      out = run(io, [&]() -> asio::awaitable<json> {
        auto outcome = co_await run_egress_probe(resolver, options);
        json j;
        j["echoed"] = *address;
        j["results"] = probes_json({outcome.result});
        co_return j;
      });
    }
  } else if (args.command == "login") {
    if (args.positional.size() != 1) die("login takes pop3 or imap");
    MailLoginOptions options;
    options.protocol = args.positional[0] == "imap" ? MailProtocol::imap : MailProtocol::pop3;
    options.host = args.get("--host", "127.0.0.1");
    options.port = static_cast<std::uint16_t>(std::stoi(args.get("--port", "0")));
    auto tls = args.get("--tls", "auto");
    options.tls = tls == "implicit"   ? MailTls::implicit
                  : tls == "starttls" ? MailTls::starttls
                                      : MailTls::automatic;
    options.tls_options.ca_file = args.get("--ca-file");
    options.tls_options.insecure = args.has("--insecure");
    options.verify_host = args.get("--verify-host");
    options.allow_plaintext = args.has("--allow-plaintext");
    options.user = args.get("--user");
    options.password = password_from(args);
    auto ms = std::chrono::milliseconds(std::stol(args.get("--timeout-ms", "5000")));
    options.limits.connect_timeout = options.limits.command_timeout =
        options.limits.greeting_timeout = options.limits.tls_handshake_timeout = ms;
    out = run(io, [&]() -> asio::awaitable<json> {
      co_return login_json(co_await mail_login(io.get_executor(), options));
    });
  } else if (args.command == "compare") {
    MailboxLoginOptions options;
    for (const auto& spec : args.all("--pop")) {
      auto s = parse_mailbox_server(MailProtocol::pop3, spec);
      if (!s) die(s.error().message);
      options.servers.push_back(*s);
    }
    for (const auto& spec : args.all("--imap")) {
      auto s = parse_mailbox_server(MailProtocol::imap, spec);
      if (!s) die(s.error().message);
      options.servers.push_back(*s);
    }
    options.user = args.get("--user");
    options.password = password_from(args);
    options.tls.ca_file = args.get("--ca-file");
    options.limits.connect_timeout = options.limits.command_timeout =
        options.limits.greeting_timeout = options.limits.tls_handshake_timeout =
            std::chrono::seconds(5);
    CredentialsEvidence evidence;
    evidence.smtp = args.get("--smtp") == "ok" ? SmtpLogin::ok : SmtpLogin::rejected;
    json smtp_json;
    out = run(io, [&]() -> asio::awaitable<json> {
      if (args.has("--smtp-server")) {
        // A real SMTP AUTH over STARTTLS, as the auth probe does it.
        auto target = parse_reachability_target(args.get("--smtp-server"));
        if (!target) die(target.error().message);
        ClientOptions smtp;
        smtp.host = target->host;
        smtp.port = target->port;
        smtp.tls.ca_file = options.tls.ca_file;
        SmtpClient client(io.get_executor(), smtp);
        Result<Reply> auth = Error{};
        if (auto c = co_await client.connect(); !c) die(c.error().message);
        if (auto g = co_await client.read_greeting(); !g) die(g.error().message);
        if (auto e = co_await client.ehlo("client.smtpdoctor.test"); !e) die(e.error().message);
        if (auto t = co_await client.starttls(); !t) die(t.error().message);
        if (auto e = co_await client.ehlo("client.smtpdoctor.test"); !e) die(e.error().message);
        auth = co_await client.auth("PLAIN", options.user, options.password);
        (void)co_await client.quit();
        evidence.smtp = auth ? SmtpLogin::ok : SmtpLogin::rejected;
        smtp_json = auth ? std::string("ok") : auth.error().message;
      }
      auto logins = co_await run_mailbox_logins(options);
      evidence.mailbox = mailbox_evidence(logins, options.servers);
      auto verdict = credentials_verdict(evidence);
      auto result = credentials_result({"smtp.test", 587, ""}, verdict, logins, options.servers);
      json j;
      j["smtp"] = smtp_json;
      j["results"] = probes_json({result});
      co_return j;
    });
  } else if (args.command == "pop-before-smtp") {
    auto target = parse_reachability_target(args.get("--smtp-server"));
    if (!target) die(target.error().message);
    ClientOptions smtp;
    smtp.host = target->host;
    smtp.port = target->port;
    smtp.tls.ca_file = args.get("--ca-file");
    auto pop_server = parse_mailbox_server(MailProtocol::pop3, args.get("--pop"));
    if (!pop_server) die(pop_server.error().message);
    MailLoginOptions pop;
    pop.protocol = MailProtocol::pop3;
    pop.host = pop_server->host;
    pop.port = pop_server->port;
    pop.tls = pop_server->tls;
    pop.limits.connect_timeout = pop.limits.command_timeout = std::chrono::seconds(5);
    pop.tls_options.ca_file = args.get("--ca-file");
    pop.user = args.get("--user");
    pop.password = password_from(args);
    out = run(io, [&]() -> asio::awaitable<json> {
      auto r = co_await check_pop_before_smtp(smtp, "client.smtpdoctor.test", args.get("--from"),
                                              args.get("--to"), pop);
      CredentialsEvidence evidence;
      evidence.relay_refused_before_pop = r.refused_before;
      evidence.relay_accepted_after_pop = r.accepted_after;
      auto verdict = credentials_verdict(evidence);
      json j;
      j["outcome"] = r.outcome;
      j["refused_before"] = r.refused_before ? json(*r.refused_before) : json(nullptr);
      j["accepted_after"] = r.accepted_after ? json(*r.accepted_after) : json(nullptr);
      j["pop_before_smtp"] = verdict.finding == CredentialsFinding::pop_before_smtp;
      co_return j;
    });
  } else if (args.command == "port25") {
    auto timeout = std::chrono::milliseconds(std::stol(args.get("--timeout-ms", "1500")));
    std::string host = args.get("--host", "127.0.0.1");
    auto p25 = static_cast<std::uint16_t>(std::stoi(args.get("--port25")));
    auto psub = static_cast<std::uint16_t>(std::stoi(args.get("--submission")));
    std::vector<TcpEndpoint> endpoints{{host, p25}, {host, psub}};
    for (const auto& r : args.all("--reference")) {
      auto t = parse_reachability_target(r);
      if (!t) die(t.error().message);
      endpoints.push_back({t->host, t->port});
    }
    out = run(io, [&]() -> asio::awaitable<json> {
      auto reaches = co_await tcp_reach_all(endpoints, timeout);
      Port25Evidence evidence;
      // The listeners are on high ports; they play 25 and 587 here.
      evidence.attempts = {{host, 25, reaches[0].outcome}, {host, 587, reaches[1].outcome}};
      for (std::size_t i = 2; i < reaches.size(); ++i)
        evidence.reference.push_back(
            {endpoints[i].address + ":" + std::to_string(endpoints[i].port), 25,
             reaches[i].outcome});
      if (args.has("--internet-ok")) evidence.internet_ok = true;
      json j;
      j["reaches"] = json::array();
      for (const auto& r : reaches)
        j["reaches"].push_back({{"address", r.address},
                                {"port", r.port},
                                {"outcome", std::string(tcp_outcome_name(r.outcome))},
                                {"elapsed_ms", r.elapsed.count()}});
      j["verdicts"] = json::array();
      for (const auto& v : port25_verdicts(evidence))
        j["verdicts"].push_back(
            {{"finding", v.finding == Port25Finding::blocked ? "blocked" : "refused"},
             {"host", v.host},
             {"evidence", v.evidence},
             {"diagnosis", diagnosis_json(v.diagnosis)}});
      co_return j;
    });
  } else {
    die("unknown command " + args.command);
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}
