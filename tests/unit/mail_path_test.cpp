#include "probes/mail_path.hpp"

#include <doctest/doctest.h>

using namespace smtpdoctor;

namespace {
PortOutcome outcome(std::string host, std::uint16_t port, std::string tcp_outcome,
                    ProbeStatus tcp_status) {
  PortOutcome o;
  o.plan.host = std::move(host);
  o.plan.port = port;
  ProbeResult tcp;
  tcp.id = ProbeId::tcp;
  tcp.status = tcp_status;
  tcp.details["outcome"] = tcp_outcome;
  o.results.push_back(tcp);
  return o;
}

ProbeResult auth(ProbeStatus status, bool tried) {
  ProbeResult r;
  r.id = ProbeId::auth;
  r.status = status;
  if (tried) r.details["mechanism"] = "PLAIN";
  return r;
}
}  // namespace

TEST_CASE("the tcp probe's outcomes become the port-25 verdict's attempts") {
  std::vector<PortOutcome> outcomes{outcome("mx", 25, "timed out", ProbeStatus::fail),
                                    outcome("mx", 587, "connected", ProbeStatus::ok)};
  auto attempts = port_attempts(outcomes);
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].outcome == TcpOutcome::timed_out);
  CHECK(attempts[1].port == 587);
  auto verdicts = port25_verdicts({attempts, {}, std::nullopt});
  REQUIRE(verdicts.size() == 1);
  CHECK(verdicts[0].finding == Port25Finding::blocked);
}

TEST_CASE("SMTP AUTH is read as rejected only when a login was tried and failed") {
  auto o = outcome("mx", 587, "connected", ProbeStatus::ok);
  std::vector<PortOutcome> outcomes{o};
  CHECK(smtp_login_from(outcomes) == SmtpLogin::not_tried);
  outcomes[0].results.push_back(auth(ProbeStatus::fail, false));  // no AUTH offered
  CHECK(smtp_login_from(outcomes) == SmtpLogin::not_tried);
  outcomes[0].results.back() = auth(ProbeStatus::fail, true);
  CHECK(smtp_login_from(outcomes) == SmtpLogin::rejected);
  auto other = outcome("mx", 465, "connected", ProbeStatus::ok);
  other.results.push_back(auth(ProbeStatus::ok, true));
  outcomes.push_back(other);
  CHECK(smtp_login_from(outcomes) == SmtpLogin::ok);
}

TEST_CASE(
    "after the ports, a port-25 block is named once, and a refusal the tcp probe named is "
    "not repeated") {
  CheckOptions options;
  options.offline = true;  // no reference hosts, no egress look-ups
  MailPathOptions mail_path;
  MailPathPlan plan;

  std::vector<PortOutcome> outcomes{outcome("mx", 25, "timed out", ProbeStatus::fail),
                                    outcome("mx", 587, "connected", ProbeStatus::ok)};
  Report report;
  for (const auto& o : outcomes) report.probes.push_back(o.results.front());
  add_mail_path_findings(report, outcomes, plan, options, mail_path);
  REQUIRE(report.diagnoses.size() == 1);
  CHECK(report.diagnoses[0].category == Category::port_blocked);
  CHECK(report.diagnoses[0].rule == "port25-blocked");
  add_mail_path_findings(report, outcomes, plan, options, mail_path);
  CHECK(report.diagnoses.size() == 1);

  std::vector<PortOutcome> refused{outcome("mx", 25, "refused", ProbeStatus::fail)};
  Diagnosis said;
  said.category = Category::connection_refused;
  refused[0].results[0].diagnoses.push_back(said);
  refused[0].results[0].target = {"mx", 25, ""};
  Report quiet;
  quiet.probes.push_back(refused[0].results[0]);
  add_mail_path_findings(quiet, refused, plan, options, mail_path);
  CHECK(quiet.diagnoses.empty());
}

TEST_CASE("without --pop or --imap no mailbox login is made, whatever SMTP said") {
  CheckOptions options;
  options.offline = true;
  options.auth_user = "bob@example.test";
  auto o = outcome("mx", 587, "connected", ProbeStatus::ok);
  o.results.push_back(auth(ProbeStatus::fail, true));
  Report report;
  add_mail_path_findings(report, {o}, MailPathPlan{}, options, MailPathOptions{});
  CHECK(report.probes.empty());
  CHECK(report.diagnoses.empty());
}
