// The report as a user sees it: golden files for the human and JSON output of a realistic run
// (submission port fine, port 25 blocked), the exit codes scripts depend on, and the Nagios line
// a monitoring engine parses. SMTPDOCTOR_UPDATE_GOLDEN=1 rewrites the golden files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/base/duration_text.hpp"
#include "core/base/exit_code.hpp"
#include "core/report/render.hpp"
#include "core/report/render_human.hpp"
#include "core/report/render_json.hpp"
#include "core/report/render_nagios.hpp"
#include "core/report/report.hpp"

using namespace smtpdoctor;
using namespace std::chrono_literals;

namespace {

std::string golden_path(const std::string& name) {
  return std::string(SMTPDOCTOR_SOURCE_DIR) + "/tests/data/golden/" + name;
}

// Compares `actual` with the golden file, or rewrites the file when asked to.
void check_golden(const std::string& name, const std::string& actual) {
  const char* update = std::getenv("SMTPDOCTOR_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(golden_path(name), std::ios::binary) << actual;
    MESSAGE("rewrote golden file " << name);
    return;
  }
  std::ifstream in(golden_path(name), std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing golden file " << golden_path(name)
                                                    << " (run with SMTPDOCTOR_UPDATE_GOLDEN=1)");
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

std::chrono::system_clock::time_point fixed_start() {
  // 2026-11-22 09:30:00 UTC
  return std::chrono::system_clock::time_point(std::chrono::seconds(1795339800));
}

// A report with what every test pins: version, target and start time.
Report pinned_report(std::string target) {
  Report r;
  r.tool_version = "0.0.0-test";
  r.target = std::move(target);
  r.started_at = fixed_start();
  return r;
}

ProbeResult probe(ProbeId id, std::uint16_t port, ProbeStatus status, int ms, std::string summary) {
  ProbeResult p;
  p.id = id;
  p.target = {"mail.example.test", port, "127.0.0.1"};
  p.status = status;
  p.duration = std::chrono::milliseconds(ms);
  p.summary = std::move(summary);
  return p;
}

ProbeResult skipped(ProbeId id, std::uint16_t port, std::string reason) {
  ProbeResult p = probe(id, port, ProbeStatus::skip, 0, "");
  p.skip_reason = std::move(reason);
  return p;
}

Diagnosis port_blocked() {
  Diagnosis d;
  d.category = Category::port_blocked;
  d.permanent = false;
  d.stage = Stage::connect;
  d.cause =
      "Nothing answered on port 25 while ports 587 and 465 of the same server did: your network "
      "blocks outbound connections to port 25.";
  d.fix =
      "Send through port 587 with STARTTLS (or 465 with TLS) and log in; port 25 is for "
      "server-to-server mail and most providers block it for customers.";
  d.refs = {"RFC 8314", "RFC 6409"};
  d.rule = "tcp.timeout.port25";
  d.basis = Basis::evidence;
  return d;
}

// 587: STARTTLS + AUTH fine; 465: implicit TLS fine; 25: timed out, diagnosed as blocked.
// Probes are added in the order they finished, not pipeline order, as a concurrent run would.
Report realistic_report() {
  Report r = pinned_report("mail.example.test");
  r.duration = 10'021ms;
  r.options.offline = true;
  r.options.ports = {587, 465, 25};
  r.options.helo = "client.example.test";

  r.probes.push_back(probe(ProbeId::tcp, 587, ProbeStatus::ok, 4, "connected"));
  r.probes.push_back(probe(ProbeId::tcp, 465, ProbeStatus::ok, 3, "connected"));
  r.probes.push_back(
      probe(ProbeId::banner, 587, ProbeStatus::ok, 12, "220 mail.example.test ESMTP Postfix"));

  ProbeResult ehlo = probe(ProbeId::ehlo, 587, ProbeStatus::ok, 2,
                           "EHLO accepted, 7 capabilities; STARTTLS offered");
  ehlo.details["capabilities"] = {"PIPELINING", "SIZE 10240000", "STARTTLS", "ENHANCEDSTATUSCODES",
                                  "8BITMIME",   "DSN",           "SMTPUTF8"};
  ehlo.details["notes"] = {"AUTH is offered only after STARTTLS"};
  r.probes.push_back(ehlo);

  ProbeResult tls =
      probe(ProbeId::tls, 587, ProbeStatus::ok, 21,
            "STARTTLS: TLSv1.3, TLS_AES_256_GCM_SHA384, certificate valid 80 more days");
  tls.details["protocol"] = "TLSv1.3";
  tls.details["cipher"] = "TLS_AES_256_GCM_SHA384";
  tls.details["subject"] = "CN=mail.example.test";
  tls.details["sans"] = {"mail.example.test", "smtp.example.test"};
  tls.details["issuer"] = "CN=Example Test CA";
  tls.details["days_to_expiry"] = 80;
  tls.details["verified"] = true;
  tls.details["hostname_match"] = true;
  r.probes.push_back(tls);

  ProbeResult auth =
      probe(ProbeId::auth, 587, ProbeStatus::ok, 9, "logged in as alice@example.test with PLAIN");
  auth.details["mechanisms_before_tls"] = Details::array();
  auth.details["mechanisms_after_tls"] = {"PLAIN", "LOGIN"};
  auth.details["mechanism"] = "PLAIN";
  r.probes.push_back(auth);

  ProbeResult envelope = probe(ProbeId::envelope, 587, ProbeStatus::ok, 5,
                               "MAIL FROM and RCPT TO accepted, then RSET (no message sent)");
  envelope.details["from"] = "postmaster@client.example.test";
  envelope.details["recipients"] = {
      {{"address", "bob@example.test"}, {"code", 250}, {"text", "2.1.5 Ok"}}};
  r.probes.push_back(envelope);

  r.probes.push_back(probe(ProbeId::banner, 465, ProbeStatus::ok, 8,
                           "220 mail.example.test ESMTP Postfix (inside TLS)"));
  r.probes.push_back(
      probe(ProbeId::tls, 465, ProbeStatus::ok, 18,
            "implicit TLS: TLSv1.3, TLS_AES_256_GCM_SHA384, certificate valid 80 more days"));
  ProbeResult ehlo465 =
      probe(ProbeId::ehlo, 465, ProbeStatus::ok, 2, "EHLO accepted, 4 capabilities");
  ehlo465.details["capabilities"] = {"PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN",
                                     "X-VENDOR-THING"};
  r.probes.push_back(ehlo465);
  r.probes.push_back(skipped(ProbeId::auth, 465, "already logged in on port 587"));
  r.probes.push_back(skipped(ProbeId::envelope, 465, "already checked on port 587"));

  ProbeResult tcp25 = probe(ProbeId::tcp, 25, ProbeStatus::fail, 10'000,
                            "timed out after 10 s: nothing answered (filtered)");
  tcp25.diagnoses.push_back(port_blocked());
  r.probes.push_back(tcp25);
  for (ProbeId id :
       {ProbeId::banner, ProbeId::ehlo, ProbeId::tls, ProbeId::auth, ProbeId::envelope})
    r.probes.push_back(skipped(id, 25, "no connection"));
  return r;
}

Report one_probe_report(ProbeStatus status) {
  Report r = pinned_report("127.0.0.1");
  r.duration = 123ms;
  ProbeResult p;
  p.id = ProbeId::tcp;
  p.target = {"127.0.0.1", 2525, ""};
  p.status = status;
  p.duration = 4ms;
  p.summary = status == ProbeStatus::ok ? "connected" : "something is off";
  r.probes.push_back(p);
  return r;
}

}  // namespace

TEST_CASE("a check where 587 works and 25 is blocked reads as one line per probe, with the fix") {
  Report report = realistic_report();
  std::string text = render_human(report, {.colour = false, .verbose = false, .width = 80});
  check_golden("report_mixed.txt", text);

  // What a help-desk person needs, whatever the golden file says today.
  CHECK(text.find("✗ tcp") != std::string::npos);
  CHECK(text.find("fix  Send through port 587") != std::string::npos);
  CHECK(text.find("At a glance") != std::string::npos);
  CHECK(text.find("Result: FAILED") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);  // no colour unless asked
}

TEST_CASE("with -v the report adds every detail and the swaks-style transcript") {
  Report report = realistic_report();
  ConversationTranscript conversation{"mail.example.test:587", {}};
  conversation.transcript.received(Stage::banner, false, "220 mail.example.test ESMTP Postfix");
  conversation.transcript.sent(Stage::ehlo, false, "EHLO client.example.test");
  conversation.transcript.received(Stage::ehlo, false, "250-mail.example.test");
  conversation.transcript.received(Stage::ehlo, false, "250 STARTTLS");
  conversation.transcript.sent(Stage::starttls, false, "STARTTLS");
  conversation.transcript.received(Stage::starttls, false, "220 2.0.0 Ready to start TLS");
  conversation.transcript.sent(Stage::auth, true, "AUTH PLAIN [redacted]");
  conversation.transcript.received(Stage::auth, true, "235 2.7.0 Authentication successful");
  conversation.transcript.error(Stage::quit, "connection closed by server");
  report.transcripts.push_back(conversation);

  std::string text = render_human(report, {.colour = false, .verbose = true, .width = 80});
  check_golden("report_mixed_verbose.txt", text);
  CHECK(text.find("cipher:") != std::string::npos);
  CHECK(text.find(" ~> AUTH PLAIN [redacted]") != std::string::npos);
  CHECK(text.find("*** connection closed by server") != std::string::npos);
}

TEST_CASE("the report reads the same however the concurrent probes happened to finish") {
  Report in_order = realistic_report();
  Report shuffled = realistic_report();
  std::reverse(shuffled.probes.begin(), shuffled.probes.end());
  CHECK(render_human(shuffled) == render_human(in_order));
}

// Two MX hosts on port 587: a login that fails on both (the same diagnosis, explained once), a
// certificate close to expiry, a finding that spans probes, --insecure and --strict.
Report two_mx_report() {
  Report r = pinned_report("alice@example.test");
  r.duration = 1'530ms;
  r.options.offline = true;
  r.options.insecure = true;
  r.options.strict = true;
  r.options.ports = {587};

  ProbeResult dns;
  dns.id = ProbeId::dns;
  dns.target = {"example.test", 0, ""};
  dns.duration = 3ms;
  dns.summary = "2 MX: mx1.example.test (10), mx2.example.test (20)";
  dns.details["mx"] = {{{"preference", 10}, {"exchange", "mx1.example.test"}},
                       {{"preference", 20}, {"exchange", "mx2.example.test"}}};

  Diagnosis wrong_password;
  wrong_password.category = Category::auth_failed;
  wrong_password.permanent = true;
  wrong_password.stage = Stage::auth;
  wrong_password.cause = "The server rejected the user name or password.";
  wrong_password.fix =
      "Check the password; many providers want the full address as the user name, and some an "
      "app password instead of the account password.";
  wrong_password.code = 535;
  wrong_password.enhanced = EnhancedCode{5, 7, 8};
  wrong_password.rule = "auth.535.5.7.8";
  wrong_password.basis = Basis::text;

  Diagnosis expiring;
  expiring.category = Category::cert_invalid;
  expiring.stage = Stage::tls;
  expiring.cause = "The certificate of mx2.example.test expires in 9 days.";
  expiring.fix =
      "Ask the server's administrator to renew it before mail clients start refusing it.";
  expiring.rule = "tls.expiry.soon";
  expiring.basis = Basis::evidence;

  Diagnosis same_credentials_everywhere;
  same_credentials_everywhere.category = Category::auth_failed;
  same_credentials_everywhere.permanent = true;
  same_credentials_everywhere.stage = Stage::auth;
  same_credentials_everywhere.cause =
      "Every mail exchanger refused the login, so the credentials, not one server, are wrong.";
  same_credentials_everywhere.fix = "Reset the password or ask your provider for an app password.";
  same_credentials_everywhere.rule = "auth.all_mx_refused";
  same_credentials_everywhere.basis = Basis::evidence;
  r.diagnoses.push_back(same_credentials_everywhere);

  r.probes.push_back(dns);
  for (std::string host : {"mx1.example.test", "mx2.example.test"}) {
    std::string address = host == "mx1.example.test" ? "127.0.0.2" : "::1";
    auto add = [&](ProbeId id, ProbeStatus status, int ms, std::string summary) {
      ProbeResult p;
      p.id = id;
      p.target = {host, 587, address};
      p.status = status;
      p.duration = std::chrono::milliseconds(ms);
      p.summary = std::move(summary);
      r.probes.push_back(p);
      return &r.probes.back();
    };
    add(ProbeId::tcp, ProbeStatus::ok, 1, "connected");
    add(ProbeId::banner, ProbeStatus::ok, 2, "220 " + host + " ESMTP");
    add(ProbeId::ehlo, ProbeStatus::ok, 1, "EHLO accepted, STARTTLS offered");
    ProbeResult* tls =
        add(ProbeId::tls, host == "mx2.example.test" ? ProbeStatus::warn : ProbeStatus::ok, 12,
            host == "mx2.example.test"
                ? "TLSv1.3; certificate expires in 9 days (not verified: --insecure)"
                : "TLSv1.3; certificate valid 200 more days (not verified: --insecure)");
    if (host == "mx2.example.test") tls->diagnoses.push_back(expiring);
    ProbeResult* auth =
        add(ProbeId::auth, ProbeStatus::fail, 40, "535 5.7.8 Authentication credentials invalid");
    auth->diagnoses.push_back(wrong_password);
    ProbeResult* envelope = add(ProbeId::envelope, ProbeStatus::skip, 0, "");
    envelope->skip_reason = "login failed";
  }
  return r;
}

TEST_CASE("two MX hosts failing the same login explain it once, and say --insecure plainly") {
  Report report = two_mx_report();
  std::string text = render_human(report);
  check_golden("report_two_mx.txt", text);
  CHECK(text.find("TLS certificates NOT verified (--insecure)") != std::string::npos);
  CHECK(text.find("same as above (auth_failed)") != std::string::npos);
  CHECK(text.find("! tls") != std::string::npos);
  check_golden("report_two_mx.json", render_json(report));
  check_golden("report_two_mx.nagios", render_nagios(report));
  CHECK(report_exit_code(report) == kExitFailed);
}

TEST_CASE("a run that could not start says why in one line") {
  Report report = pinned_report("mail.example.test");
  report.run_error = "no DNS resolver is configured (/etc/resolv.conf is empty)";
  std::string text = render_human(report);
  check_golden("report_could_not_run.txt", text);
  CHECK(text.find("Result: could not run — no DNS resolver is configured") != std::string::npos);
}

TEST_CASE("colour is only added when asked for, around the status glyphs") {
  Report report = realistic_report();
  std::string coloured = render_human(report, {.colour = true});
  CHECK(coloured.find("\x1b[31;1m✗\x1b[0m tcp") != std::string::npos);
  CHECK(coloured.find("\x1b[32m✓\x1b[0m tcp") != std::string::npos);
}

TEST_CASE("a server's control characters never reach the terminal and stay on one line") {
  Report report = one_probe_report(ProbeStatus::ok);
  report.probes[0].summary =
      "220 evil\x1b]0;owned\x07\r\nsecond \xc2\x9b"
      "31m line";
  report.probes[0].target.host = "mx\x1b[2J.example.test";
  std::string text = render_human(report);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\x07') == std::string::npos);
  CHECK(text.find("\xc2\x9b") == std::string::npos);
  CHECK(text.find("220 evil\\x1b]0;owned\\x07 second \\xc2\\x9b31m line") != std::string::npos);
  CHECK(text.find("mx\\x1b[2J.example.test:2525") != std::string::npos);
}

TEST_CASE("one port gives no matrix; several ports do") {
  CHECK(render_human(one_probe_report(ProbeStatus::ok)).find("At a glance") == std::string::npos);
  CHECK(render_human(realistic_report()).find("At a glance") != std::string::npos);
}

TEST_CASE("the JSON report carries every probe, its details and the fix, as documented") {
  Report report = realistic_report();
  std::string text = render_json(report);
  check_golden("report_mixed.json", text);

  auto j = nlohmann::json::parse(text);
  CHECK(j["schema"] == "smtpdoctor.report/1");
  CHECK(j["verdict"] == "fail");
  CHECK(j["exit_code"] == 1);
  CHECK(j["started_at"] == "2026-11-22T09:30:00.000Z");
  CHECK(j["probes"].size() == report.probes.size());
  // The one diagnosis is listed once at the top, saying where it was found.
  REQUIRE(j["diagnoses"].size() == 1);
  CHECK(j["diagnoses"][0]["category"] == "port_blocked");
  CHECK(j["diagnoses"][0]["found_in"][0] == "tcp mail.example.test:25");
  CHECK(j.contains("transcript") == false);
}

TEST_CASE("a run that could not start is a JSON report with verdict error and exit code 3") {
  Report report = pinned_report("mail.example.test");
  report.run_error = "no DNS resolver is configured (/etc/resolv.conf is empty)";
  check_golden("report_could_not_run.json", render_json(report));
  CHECK(report_exit_code(report) == kExitCannotRun);
}

TEST_CASE("errors in --json mode are JSON too") {
  auto j = nlohmann::ordered_json::parse(error_json("usage", "unknown option --prots", kExitUsage));
  CHECK(j["schema"] == "smtpdoctor.error/1");
  CHECK(j["exit_code"] == 2);
  j["version"] = "0.0.0-test";  // the golden file must not change with each release
  check_golden("error_usage.json", j.dump(2) + "\n");
}

TEST_CASE("the transcript in JSON says who said what, inside TLS or not, at which stage") {
  Report report = one_probe_report(ProbeStatus::ok);
  ConversationTranscript conversation{"127.0.0.1:2525", {}};
  conversation.transcript.sent(Stage::ehlo, false, "EHLO client.example.test");
  conversation.transcript.received(Stage::auth, true, "235 2.7.0 ok");
  report.transcripts.push_back(conversation);
  auto j = nlohmann::ordered_json::parse(render_json(report));
  REQUIRE(j["transcript"].size() == 1);
  auto lines = j["transcript"][0]["lines"];
  CHECK(j["transcript"][0]["target"] == "127.0.0.1:2525");
  CHECK(lines[0]["direction"] == "sent");
  CHECK(lines[0]["tls"] == false);
  CHECK(lines[0]["stage"] == "ehlo");
  CHECK(lines[1]["direction"] == "received");
  CHECK(lines[1]["tls"] == true);
  CHECK(lines[1]["text"] == "235 2.7.0 ok");
  CHECK(lines[1]["at"].get<std::string>().size() == 24);  // 2026-11-22T09:30:00.000Z

  // Stamped now, so pinned for the golden file that the schema test validates.
  for (auto& line : j["transcript"][0]["lines"]) line["at"] = "2026-11-22T09:30:00.004Z";
  check_golden("report_transcript.json", j.dump(2) + "\n");
}

TEST_CASE("invalid UTF-8 from a hostile server does not break the JSON report") {
  Report report = one_probe_report(ProbeStatus::ok);
  report.probes[0].summary = "220 \xff\xfe bad bytes";
  std::string text;
  REQUIRE_NOTHROW(text = render_json(report));
  auto j = nlohmann::json::parse(text);
  CHECK(j["probes"][0]["summary"].get<std::string>().find("bad bytes") != std::string::npos);
}

TEST_CASE("exit codes follow DESIGN §4: warnings pass unless --strict, failures are 1") {
  CHECK(report_exit_code(one_probe_report(ProbeStatus::ok)) == kExitOk);
  CHECK(report_exit_code(one_probe_report(ProbeStatus::warn)) == kExitOk);
  CHECK(report_exit_code(one_probe_report(ProbeStatus::fail)) == kExitFailed);

  Report strict = one_probe_report(ProbeStatus::warn);
  strict.options.strict = true;
  CHECK(report_exit_code(strict) == kExitFailed);
  CHECK(compute_verdict(strict) == Verdict::warn);  // the verdict still tells what was found

  Report interrupted = one_probe_report(ProbeStatus::ok);
  interrupted.interrupted = true;
  CHECK(report_exit_code(interrupted) == kExitInterrupted);

  // Nothing checked must not look like success to a script.
  Report all_skipped = one_probe_report(ProbeStatus::skip);
  CHECK(compute_verdict(all_skipped) == Verdict::error);
  CHECK(report_exit_code(all_skipped) == kExitCannotRun);
  CHECK(report_exit_code(Report{}) == kExitCannotRun);
}

TEST_CASE("Nagios sees OK, WARNING, CRITICAL or UNKNOWN with its own exit codes") {
  Report ok = one_probe_report(ProbeStatus::ok);
  CHECK(render_nagios(ok) == "SMTP OK - 127.0.0.1: 1 ok | time=0.123s;;;0 tcp_2525=0.004s;;;0\n");
  CHECK(nagios_exit_code(ok) == kNagiosOk);

  Report warn = one_probe_report(ProbeStatus::warn);
  CHECK(nagios_exit_code(warn) == kNagiosWarning);
  CHECK(render_nagios(warn).rfind("SMTP WARNING - tcp 127.0.0.1:2525: something is off; ", 0) == 0);
  warn.options.strict = true;
  CHECK(nagios_exit_code(warn) == kNagiosCritical);

  Report error = one_probe_report(ProbeStatus::ok);
  error.run_error = "cannot create a socket";
  CHECK(nagios_exit_code(error) == kNagiosUnknown);
  CHECK(render_nagios(error).rfind("SMTP UNKNOWN - could not run: cannot create a socket |", 0) ==
        0);
}

TEST_CASE("the Nagios line of a blocked port 25 names it and graphs every port") {
  Report report = realistic_report();
  std::string line = render_nagios(report);
  check_golden("report_mixed.nagios", line);
  CHECK(nagios_exit_code(report) == kNagiosCritical);
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(line.find(" tcp_25=10.000s;;;0") != std::string::npos);
}

TEST_CASE("one port reached over IPv4 and IPv6 gets one perfdata label per address") {
  Report report = one_probe_report(ProbeStatus::ok);
  report.probes.push_back(report.probes[0]);
  report.probes[0].target = {"mail.example.test", 587, "127.0.0.1"};
  report.probes[1].target = {"mail.example.test", 587, "::1"};
  std::string line = render_nagios(report);
  CHECK(line.find(" tcp_587_127.0.0.1=0.004s;;;0") != std::string::npos);
  CHECK(line.find(" 'tcp_587_::1'=0.004s;;;0") != std::string::npos);
}

TEST_CASE("a '|' or newline in a summary cannot corrupt the Nagios perfdata") {
  Report report = one_probe_report(ProbeStatus::fail);
  report.probes[0].summary = "554 a|b\r\nc";
  std::string line = render_nagios(report);
  CHECK(line.find("554 a/b c") != std::string::npos);
  CHECK(std::count(line.begin(), line.end(), '|') == 1);
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
}

TEST_CASE("a typo in --only or --skip gets a did-you-mean, a different word does not") {
  CHECK(probe_from_name("tls") == ProbeId::tls);
  CHECK_FALSE(probe_from_name("TLS").has_value());
  CHECK(probe_did_you_mean("tsl") == ProbeId::tls);
  CHECK(probe_did_you_mean("evnelope") == ProbeId::envelope);
  CHECK(probe_did_you_mean("baner") == ProbeId::banner);
  CHECK_FALSE(probe_did_you_mean("xyz").has_value());
  CHECK_FALSE(probe_did_you_mean("smtp").has_value());
  CHECK_FALSE(probe_did_you_mean(std::string(1000, 'a')).has_value());
}

TEST_CASE("targets print the way users type them, IPv6 literals in brackets") {
  CHECK(format_target({"mail.example.test", 587, ""}) == "mail.example.test:587");
  CHECK(format_target({"::1", 25, ""}) == "[::1]:25");
  CHECK(format_target({"example.test", 0, ""}) == "example.test");
}

TEST_CASE("durations read short and precise") {
  CHECK(format_duration(4ms) == "4 ms");
  CHECK(format_duration(1250ms) == "1.25 s");
  CHECK(format_duration(12'500ms) == "12.5 s");
  CHECK(format_duration(2000ms) == "2 s");
  CHECK(format_duration(30'000ms) == "30 s");
  CHECK(format_duration(120'000ms) == "2 min");
  CHECK(format_duration(125'000ms) == "2 min 5 s");
}

TEST_CASE("--format nagios exits with Nagios codes, the other formats with smtpdoctor's own") {
  Report warn = one_probe_report(ProbeStatus::warn);
  CHECK(render_report(warn, OutputFormat::human).exit_code == kExitOk);
  CHECK(render_report(warn, OutputFormat::json).exit_code == kExitOk);
  RenderedReport nagios = render_report(warn, OutputFormat::nagios);
  CHECK(nagios.exit_code == kNagiosWarning);
  CHECK(nagios.text.rfind("SMTP WARNING - ", 0) == 0);

  Report fail = one_probe_report(ProbeStatus::fail);
  CHECK(render_report(fail, OutputFormat::human).exit_code == kExitFailed);
  CHECK(render_report(fail, OutputFormat::nagios).exit_code == kNagiosCritical);
  CHECK(render_report(fail, OutputFormat::json).text.find("\"verdict\": \"fail\"") !=
        std::string::npos);

  CHECK(output_format_from_name("nagios") == OutputFormat::nagios);
  CHECK_FALSE(output_format_from_name("xml").has_value());
}
