// The check pipeline end to end against the in-process loopback server, plus the pure parts of
// sequencing (--quit-after) and the cross-port findings.
#include "probes/check_pipeline.hpp"

#include <doctest/doctest.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <thread>

#include "core/server/smtp_server.hpp"
#include "probes/check_steps.hpp"

using namespace smtpdoctor;

namespace {

// A loopback server on its own thread, for one test.
class LoopbackServer {
 public:
  explicit LoopbackServer(ServerOptions options) : server_(io_, std::move(options)) {
    auto bound = server_.start();
    REQUIRE(bound.ok());
    REQUIRE(!bound->empty());
    port = bound->front().port;
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LoopbackServer() {
    asio::post(io_, [this] { server_.stop(std::chrono::milliseconds(200)); });
    thread_.join();
  }
  std::uint16_t port = 0;

 private:
  asio::io_context io_;
  SmtpServer server_;
  std::thread thread_;
};

ServerOptions loopback_options() {
  ServerOptions options;
  options.listen = {ListenAddress{"127.0.0.1", 0, false}};
  return options;
}

CheckOptions check_options(std::vector<std::uint16_t> ports) {
  CheckOptions options;
  options.target_text = "127.0.0.1";
  options.target.host = "127.0.0.1";
  options.target.is_ip_literal = true;
  options.ports = std::move(ports);
  options.offline = true;
  options.insecure = true;  // the in-memory self-signed certificate
  options.helo = "client.example.test";
  options.timeout = std::chrono::seconds(5);
  return options;
}

const ProbeResult& find(const Report& report, ProbeId id, std::uint16_t port) {
  for (const auto& probe : report.probes)
    if (probe.id == id && probe.target.port == port) return probe;
  FAIL("no such probe");
  return report.probes.front();
}

bool has_note(const ProbeResult& result, std::string_view text) {
  if (!result.details.contains("notes")) return false;
  for (const auto& note : result.details["notes"])
    if (note.get<std::string>().find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("--quit-after maps each stage to the last probe that runs") {
  CHECK(quit_point(std::nullopt).last == 5);
  CHECK(quit_point(Stage::connect).last == 0);
  CHECK(quit_point(Stage::banner).last == 1);
  CHECK(quit_point(Stage::ehlo).last == 2);
  CHECK(quit_point(Stage::starttls).last == 3);
  CHECK(quit_point(Stage::starttls).partial);  // no EHLO again inside TLS
  CHECK_FALSE(quit_point(Stage::helo).partial);
  CHECK(quit_point(Stage::auth).last == 4);
  CHECK(quit_point(Stage::mail).partial);  // MAIL FROM only
  CHECK(quit_point(Stage::rcpt).last == 5);
}

TEST_CASE("port plans give every host each port with its role") {
  auto options = check_options({587, 25});
  auto plans = port_plans(options, {{"a.example.test", ""}, {"b.example.test", "192.0.2.7"}});
  REQUIRE(plans.size() == 4);
  CHECK(plans[1].host == "a.example.test");
  CHECK(plans[1].role == PortRole::relay);
  CHECK(plans[2].host == "b.example.test");
  CHECK(plans[2].address == "192.0.2.7");
  // Connecting to the resolved address still checks the certificate against the name.
  auto client = client_options(options, plans[2]);
  CHECK(client.host == "192.0.2.7");
  CHECK(client.verify_host == "b.example.test");
  CHECK(client.tls_sni == "b.example.test");
}

TEST_CASE("with --tls-sni the certificate is checked against that name, not the address") {
  auto options = check_options({465});
  options.tls_sni = "mx.example.test";
  auto plans = port_plans(options, {{"127.0.0.1", ""}, {"a.example.test", "192.0.2.7"}});
  REQUIRE(plans.size() == 2);
  for (const auto& plan : plans) {
    auto client = client_options(options, plan);
    CHECK(client.tls_sni == "mx.example.test");
    CHECK(certificate_name(client.host, client.tls_sni, client.verify_host) == "mx.example.test");
  }
}

TEST_CASE("the ports step walks the hosts the dns step chose, at the addresses it found") {
  LoopbackServer server(loopback_options());
  auto options = check_options({server.port});
  options.target.host = "mail.example.test";  // never resolved: the dns step's address is used
  Report report;
  CheckLoop loop(options);
  CheckRun run(options, loop.control(), report);
  run.hosts = {{"mail.example.test", "127.0.0.1"}};
  auto crash = loop.run(walk_ports(run));
  CHECK_FALSE(crash);
  REQUIRE(report.probes.size() == 6);
  const auto& tcp = find(report, ProbeId::tcp, server.port);
  CHECK(tcp.target.host == "mail.example.test");
  CHECK(tcp.target.address == "127.0.0.1");
  CHECK(tcp.status == ProbeStatus::ok);
  REQUIRE(run.ports.size() == 1);
  CHECK(run.ports[0].tcp == TcpOutcome::connected);
  CHECK(run.ports[0].connect->address == "127.0.0.1");
}

TEST_CASE("with no mail host to walk, the transport probes are skipped with the dns reason") {
  auto options = check_options({587, 25});
  Report report;
  CheckLoop loop(options);
  CheckRun run(options, loop.control(), report);
  run.transport_skip_reason = "the domain has a null MX: it accepts no mail";
  auto crash = loop.run(walk_ports(run));
  CHECK_FALSE(crash);
  CHECK(run.ports.empty());
  REQUIRE(report.probes.size() == 12);
  for (const auto& probe : report.probes) {
    CHECK(probe.status == ProbeStatus::skip);
    CHECK(probe.skip_reason == "the domain has a null MX: it accepts no mail");
  }
}

TEST_CASE("a healthy loopback server passes every transport probe; internet and dns say why not") {
  auto server_options = loopback_options();
  server_options.users = {{"alice", "secret"}};
  LoopbackServer server(server_options);
  auto options = check_options({server.port});
  options.to = {"bob@example.test"};
  Report report = run_check(options);
  CHECK(compute_verdict(report) != Verdict::fail);
  for (ProbeId id :
       {ProbeId::tcp, ProbeId::banner, ProbeId::ehlo, ProbeId::auth, ProbeId::envelope})
    CHECK_MESSAGE(find(report, id, server.port).status == ProbeStatus::ok, probe_name(id));
  CHECK(report.probes[0].id == ProbeId::internet);
  CHECK(report.probes[0].skip_reason.find("--offline") != std::string::npos);
  CHECK(report.probes[1].skip_reason.find("IP address") != std::string::npos);
}

TEST_CASE("STARTTLS offered on one port of a host and not another is suspected stripping") {
  LoopbackServer with_tls(loopback_options());
  auto stripped_options = loopback_options();
  stripped_options.capabilities.starttls = false;
  LoopbackServer stripped(stripped_options);
  Report report = run_check(check_options({with_tls.port, stripped.port}));
  const auto& tls = find(report, ProbeId::tls, stripped.port);
  CHECK(tls.status == ProbeStatus::fail);
  CHECK(has_note(tls, "STARTTLS stripping"));
  CHECK(tls.details["starttls_stripping_suspected"] == true);
  CHECK(find(report, ProbeId::tls, with_tls.port).status != ProbeStatus::fail);
}

TEST_CASE("the deadline stops every port's conversation and says so") {
  auto options = loopback_options();
  options.faults.tarpit = std::chrono::milliseconds(3000);
  LoopbackServer server(options);
  auto check = check_options({server.port});
  check.deadline = std::chrono::milliseconds(300);
  auto started = std::chrono::steady_clock::now();
  Report report = run_check(check);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(2500));
  const auto& banner = find(report, ProbeId::banner, server.port);
  CHECK(banner.status == ProbeStatus::fail);
  CHECK(banner.summary == "cut short: --deadline reached");
  CHECK(find(report, ProbeId::ehlo, server.port).skip_reason == "--deadline reached");
  CHECK_FALSE(report.interrupted);
}
