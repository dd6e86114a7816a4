#include "core/diagnosis/port25_verdict.hpp"

#include <doctest/doctest.h>

using namespace smtpdoctor;

namespace {
using O = TcpOutcome;
PortAttempt at(std::string host, std::uint16_t port, TcpOutcome outcome) {
  return {std::move(host), port, outcome};
}
}  // namespace

TEST_CASE("25 timing out while 587 connects on the same host means our network blocks 25") {
  Port25Evidence e;
  e.attempts = {at("mx.example.org", 587, O::connected), at("mx.example.org", 465, O::timed_out),
                at("mx.example.org", 25, O::timed_out)};
  auto v = port25_verdicts(e);
  REQUIRE(v.size() == 1);
  CHECK(v[0].finding == Port25Finding::blocked);
  CHECK(v[0].diagnosis.category == Category::port_blocked);
  CHECK(v[0].diagnosis.cause.find("Outbound port 25 is blocked by your network") !=
        std::string::npos);
  CHECK(v[0].diagnosis.fix.find("587 with STARTTLS or 465") != std::string::npos);
  CHECK(v[0].diagnosis.rule == "port25-blocked");
  CHECK(v[0].diagnosis.permanent);
  CHECK(v[0].evidence ==
        "port 25 on mx.example.org timed out while 587 on the same host "
        "connected");
}

TEST_CASE("465 connecting counts as much as 587") {
  Port25Evidence e;
  e.attempts = {at("h", 25, O::timed_out), at("h", 465, O::connected)};
  auto v = port25_verdicts(e);
  REQUIRE(v.size() == 1);
  CHECK(v[0].finding == Port25Finding::blocked);
}

TEST_CASE("submission connecting on another host says nothing about this host's 25") {
  Port25Evidence e;
  e.attempts = {at("a", 25, O::timed_out), at("b", 587, O::connected)};
  CHECK(port25_verdicts(e).empty());
}

TEST_CASE("a host whose every port times out is down or filtered, not a port-25 block") {
  Port25Evidence e;
  e.attempts = {at("h", 25, O::timed_out), at("h", 587, O::timed_out), at("h", 465, O::timed_out)};
  e.internet_ok = true;
  CHECK(port25_verdicts(e).empty());
}

TEST_CASE("a refused 25 means the host is not listening there: connection_refused") {
  Port25Evidence e;
  e.attempts = {at("h", 25, O::refused), at("h", 587, O::connected)};
  auto v = port25_verdicts(e);
  REQUIRE(v.size() == 1);
  CHECK(v[0].finding == Port25Finding::refused);
  CHECK(v[0].host == "h");
  CHECK(v[0].diagnosis.category == Category::connection_refused);
  CHECK(v[0].diagnosis.cause ==
        "h is not listening on port 25: it answered the connection with a reset.");
  CHECK(v[0].diagnosis.rule == "port25-refused");
}

TEST_CASE("25 timing out on every reference MX while the internet works means a block") {
  Port25Evidence e;
  e.attempts = {at("mx.example.org", 25, O::timed_out)};
  e.reference = {at("gmail-smtp-in.l.google.com", 25, O::timed_out),
                 at("mta5.am0.yahoodns.net", 25, O::timed_out)};
  e.internet_ok = true;
  auto v = port25_verdicts(e);
  REQUIRE(v.size() == 1);
  CHECK(v[0].finding == Port25Finding::blocked);
  CHECK(v[0].evidence.find("every reference mail server") != std::string::npos);
}

TEST_CASE("reference MX timing out proves nothing when the internet probe failed or did not run") {
  Port25Evidence e;
  e.reference = {at("gmail-smtp-in.l.google.com", 25, O::timed_out)};
  e.internet_ok = false;
  CHECK(port25_verdicts(e).empty());
  e.internet_ok.reset();
  CHECK(port25_verdicts(e).empty());
}

TEST_CASE("one reference MX answering on 25 means 25 is not blocked by us") {
  Port25Evidence e;
  e.reference = {at("a", 25, O::timed_out), at("b", 25, O::connected)};
  e.internet_ok = true;
  CHECK(port25_verdicts(e).empty());
}

TEST_CASE("a block and a refusal on different hosts are both reported, the block first") {
  Port25Evidence e;
  e.attempts = {at("a", 25, O::refused), at("b", 25, O::timed_out), at("b", 587, O::connected),
                at("a", 25, O::refused)};
  auto v = port25_verdicts(e);
  REQUIRE(v.size() == 2);
  CHECK(v[0].finding == Port25Finding::blocked);
  CHECK(v[1].finding == Port25Finding::refused);
  CHECK(v[1].host == "a");
}

TEST_CASE("the tcp probe's outcome words read back as outcomes") {
  CHECK(tcp_outcome_from_name("timed out") == O::timed_out);
  CHECK(tcp_outcome_from_name("refused") == O::refused);
  CHECK(tcp_outcome_from_name("connected") == O::connected);
  CHECK(tcp_outcome_from_name("unreachable") == O::unreachable);
  CHECK_FALSE(tcp_outcome_from_name("maybe"));
}

// ---- through a proxy: the proxy's network, not ours -----------------------------------------

TEST_CASE("through a proxy, 25 timing out while 587 connects is the proxy's network blocking 25") {
  Port25Evidence e;
  e.proxy = "socks5://127.0.0.2:1080";
  e.attempts = {at("mx.example.org", 587, O::connected), at("mx.example.org", 25, O::timed_out)};
  auto v = port25_verdicts(e);
  REQUIRE(v.size() == 1);
  CHECK(v[0].finding == Port25Finding::blocked);
  CHECK(v[0].diagnosis.category == Category::port_blocked);
  CHECK(v[0].diagnosis.rule == "port25-blocked-via-proxy");
  CHECK(v[0].diagnosis.cause.find("network of the proxy socks5://127.0.0.2:1080, not "
                                  "necessarily on yours") != std::string::npos);
  CHECK(v[0].diagnosis.cause.find("blocked by your network") == std::string::npos);
  CHECK(v[0].evidence.find("through the proxy socks5://127.0.0.2:1080") != std::string::npos);
}

TEST_CASE("through a proxy, the reference MX hosts never make a verdict about our network") {
  Port25Evidence e;
  e.proxy = "http://127.0.0.2:3128";
  e.attempts = {at("h", 25, O::timed_out)};
  e.reference = {at("gmail-smtp-in.l.google.com", 25, O::timed_out),
                 at("mta5.am0.yahoodns.net", 25, O::timed_out)};
  e.internet_ok = true;
  CHECK(port25_verdicts(e).empty());
}

TEST_CASE("through a proxy, a refused 25 is left to the proxy's own diagnosis") {
  Port25Evidence e;
  e.proxy = "socks5://127.0.0.2:1080";
  e.attempts = {at("h", 25, O::refused), at("h", 587, O::connected)};
  CHECK(port25_verdicts(e).empty());
}
