// The steps after the ports read the ports' typed outcomes, never their printed details.
#include <doctest/doctest.h>

#include "probes/check_steps.hpp"

using namespace smtpdoctor;

namespace {
PortOutcome outcome(std::string host, std::uint16_t port, TcpOutcome tcp) {
  PortOutcome o;
  o.plan.host = std::move(host);
  o.plan.port = port;
  o.tcp = tcp;
  ProbeResult result;
  result.id = ProbeId::tcp;
  result.target = {o.plan.host, port, ""};
  result.status = tcp == TcpOutcome::connected ? ProbeStatus::ok : ProbeStatus::fail;
  o.results.push_back(result);
  return o;
}

struct Fixture {
  CheckOptions options;
  RunControl control;
  Report report;
  CheckRun run{options, control, report};
};
}  // namespace

TEST_CASE("the tcp outcomes become the port-25 verdict's attempts") {
  std::vector<PortOutcome> outcomes{outcome("mx", 25, TcpOutcome::timed_out),
                                    outcome("mx", 587, TcpOutcome::connected)};
  PortOutcome not_run;
  not_run.plan = {"mx", "", 465, PortRole::implicit_tls};
  outcomes.push_back(not_run);
  auto attempts = port_attempts(outcomes);
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].outcome == TcpOutcome::timed_out);
  CHECK(attempts[1].port == 587);
  auto verdicts = port25_verdicts({attempts, {}, std::nullopt});
  REQUIRE(verdicts.size() == 1);
  CHECK(verdicts[0].finding == Port25Finding::blocked);
}

TEST_CASE("SMTP AUTH is read as rejected only when a login was tried and failed") {
  std::vector<PortOutcome> outcomes{outcome("mx", 587, TcpOutcome::connected)};
  CHECK(smtp_login_from(outcomes) == SmtpLogin::not_tried);
  outcomes[0].login = LoginAttempt{"PLAIN", false};
  CHECK(smtp_login_from(outcomes) == SmtpLogin::rejected);
  auto other = outcome("mx", 465, TcpOutcome::connected);
  other.login = LoginAttempt{"PLAIN", true};
  outcomes.push_back(other);
  CHECK(smtp_login_from(outcomes) == SmtpLogin::ok);
}

TEST_CASE(
    "after the ports, a port-25 block is named once, and a refusal the tcp probe named is "
    "not repeated") {
  Fixture f;
  f.options.offline = true;  // no reference hosts, no egress look-ups
  f.run.ports = {outcome("mx", 25, TcpOutcome::timed_out),
                 outcome("mx", 587, TcpOutcome::connected)};
  for (const auto& o : f.run.ports) f.report.probes.push_back(o.results.front());
  Port25Evidence evidence{port_attempts(f.run.ports), {}, std::nullopt};
  add_port25_verdicts(f.run, evidence);
  REQUIRE(f.report.diagnoses.size() == 1);
  CHECK(f.report.diagnoses[0].category == Category::port_blocked);
  CHECK(f.report.diagnoses[0].rule == "port25-blocked");
  add_port25_verdicts(f.run, evidence);
  CHECK(f.report.diagnoses.size() == 1);

  Fixture quiet;
  quiet.run.ports = {outcome("mx", 25, TcpOutcome::refused)};
  Diagnosis said;
  said.category = Category::connection_refused;
  quiet.run.ports[0].results[0].diagnoses.push_back(said);
  quiet.report.probes.push_back(quiet.run.ports[0].results[0]);
  add_port25_verdicts(quiet.run, {port_attempts(quiet.run.ports), {}, std::nullopt});
  CHECK(quiet.report.diagnoses.empty());
}

TEST_CASE("refused (RST) on port 25 while 587 connects is not a block: the host answered") {
  Fixture f;
  f.run.ports = {outcome("mx", 25, TcpOutcome::refused), outcome("mx", 587, TcpOutcome::connected)};
  add_port25_verdicts(f.run, {port_attempts(f.run.ports), {}, std::nullopt});
  for (const auto& d : f.report.diagnoses) CHECK(d.category != Category::port_blocked);
}
