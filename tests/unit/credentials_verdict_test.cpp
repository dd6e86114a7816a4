#include <doctest/doctest.h>

#include "core/mailbox/mail_login_client.hpp"
#include "probes/credentials_probe.hpp"
#include "probes/internet_probe.hpp"
#include "probes/name_consistency.hpp"

using namespace smtpdoctor;

namespace {
MailboxLogin login(MailProtocol p, LoginOutcome o, bool temporary = false) {
  return {p, o, temporary, o == LoginOutcome::ok ? "" : "[AUTH] Authentication failed."};
}
}  // namespace

TEST_CASE("SMTP refusing what POP3 accepts is credentials_differ_from_pop") {
  CredentialsEvidence e;
  e.smtp = SmtpLogin::rejected;
  e.mailbox = {login(MailProtocol::pop3, LoginOutcome::ok)};
  auto v = credentials_verdict(e);
  CHECK(v.finding == CredentialsFinding::differ_from_pop);
  CHECK(v.status == ProbeStatus::fail);
  REQUIRE(v.diagnosis);
  CHECK(v.diagnosis->category == Category::credentials_differ_from_pop);
  CHECK(v.diagnosis->cause.find("app password") != std::string::npos);
  CHECK(v.diagnosis->cause.find("log in to POP3 but SMTP AUTH refuses") != std::string::npos);
  CHECK(v.diagnosis->rule == "pop-login-ok-smtp-auth-failed");
  CHECK(v.summary == "SMTP AUTH refused the credentials that POP3 accepted");
}

TEST_CASE("IMAP accepting is enough even when POP3 refuses") {
  CredentialsEvidence e;
  e.smtp = SmtpLogin::rejected;
  e.mailbox = {login(MailProtocol::pop3, LoginOutcome::rejected),
               login(MailProtocol::imap, LoginOutcome::ok)};
  auto v = credentials_verdict(e);
  CHECK(v.finding == CredentialsFinding::differ_from_pop);
  CHECK(v.summary.find("IMAP") != std::string::npos);
}

TEST_CASE("SMTP and POP3 both refusing means the password is wrong: auth_failed") {
  CredentialsEvidence e;
  e.smtp = SmtpLogin::rejected;
  e.mailbox = {login(MailProtocol::pop3, LoginOutcome::rejected),
               login(MailProtocol::imap, LoginOutcome::rejected)};
  auto v = credentials_verdict(e);
  CHECK(v.finding == CredentialsFinding::both_rejected);
  REQUIRE(v.diagnosis);
  CHECK(v.diagnosis->category == Category::auth_failed);
  CHECK(v.diagnosis->fix.find("full e-mail address as the user name") != std::string::npos);
  CHECK(v.diagnosis->cause.find("SMTP AUTH and POP3 and IMAP both refuse") != std::string::npos);
  CHECK(v.diagnosis->rule == "credentials-both-rejected");
  CHECK(v.summary == "SMTP AUTH and POP3 and IMAP both refused the credentials");
}

TEST_CASE("a temporary POP3 refusal or an error is not read as a wrong password") {
  CredentialsEvidence e;
  e.smtp = SmtpLogin::rejected;
  e.mailbox = {login(MailProtocol::pop3, LoginOutcome::rejected, true),
               {MailProtocol::imap, LoginOutcome::error, false, "connection refused"}};
  auto v = credentials_verdict(e);
  CHECK(v.finding == CredentialsFinding::inconclusive);
  CHECK(v.status == ProbeStatus::warn);
  CHECK_FALSE(v.diagnosis);
}

TEST_CASE("SMTP accepting needs no comparison") {
  CredentialsEvidence e;
  e.smtp = SmtpLogin::ok;
  e.mailbox = {login(MailProtocol::pop3, LoginOutcome::ok)};
  auto v = credentials_verdict(e);
  CHECK(v.finding == CredentialsFinding::none);
  CHECK(v.status == ProbeStatus::ok);
  CHECK_FALSE(v.diagnosis);
}

TEST_CASE("relay refused before a POP3 login and allowed after it is POP-before-SMTP") {
  CredentialsEvidence e;
  e.relay_refused_before_pop = true;
  e.relay_accepted_after_pop = true;
  auto v = credentials_verdict(e);
  CHECK(v.finding == CredentialsFinding::pop_before_smtp);
  REQUIRE(v.diagnosis);
  CHECK(v.diagnosis->cause.find("POP-before-SMTP") != std::string::npos);
  CHECK(v.diagnosis->category == Category::relay_denied);
  CHECK_FALSE(v.diagnosis->permanent);
  CHECK(v.diagnosis->rule == "pop-before-smtp");
  e.relay_accepted_after_pop = false;
  CHECK(credentials_verdict(e).finding != CredentialsFinding::pop_before_smtp);
}

TEST_CASE("--pop and --imap take HOST[:PORT]; port 0 means the implicit-TLS default") {
  auto pop = parse_mailbox_server(MailProtocol::pop3, "pop.example.org");
  REQUIRE(pop);
  CHECK(pop->host == "pop.example.org");
  CHECK(pop->port == 0);
  auto imap = parse_mailbox_server(MailProtocol::imap, "[::1]:1143");
  REQUIRE(imap);
  CHECK(imap->host == "::1");
  CHECK(imap->port == 1143);
  CHECK_FALSE(parse_mailbox_server(MailProtocol::pop3, "user@example.org"));
  CHECK_FALSE(parse_mailbox_server(MailProtocol::pop3, "bad host"));
  auto pop3s = parse_mailbox_server(MailProtocol::pop3, "pop3s://127.0.0.1:2995");
  REQUIRE(pop3s);
  CHECK(pop3s->tls == MailTls::implicit);
  CHECK(pop3s->port == 2995);
  auto imap_plain = parse_mailbox_server(MailProtocol::imap, "imap://mail.example.org");
  REQUIRE(imap_plain);
  CHECK(imap_plain->tls == MailTls::starttls);
  CHECK(imap_plain->port == 143);
  CHECK_FALSE(parse_mailbox_server(MailProtocol::imap, "pop3s://mail.example.org"));
  CHECK(default_mail_port(MailProtocol::pop3, true) == 995);
  CHECK(default_mail_port(MailProtocol::imap, false) == 143);
}

TEST_CASE("IMAP LOGIN arguments are quoted; values needing a literal are refused") {
  CHECK(imap_quote("alice@example.org") == "\"alice@example.org\"");
  CHECK(imap_quote("pa\"ss\\word") == "\"pa\\\"ss\\\\word\"");
  CHECK_FALSE(imap_quote("line\r\nbreak"));
  CHECK_FALSE(imap_quote("caf\xc3\xa9"));
  CHECK_FALSE(imap_quote(std::string("nul\0x", 5)));
}

TEST_CASE("response codes are split from the server's words") {
  auto [code, text] = split_response_code("[AUTHENTICATIONFAILED] Authentication failed.");
  CHECK(code == "AUTHENTICATIONFAILED");
  CHECK(text == "Authentication failed.");
  auto [code2, text2] = split_response_code("[SYS/TEMP extra] try later");
  CHECK(code2 == "SYS/TEMP");
  CHECK(text2 == "try later");
  CHECK(split_response_code("plain words").first.empty());
  MailLoginResult r;
  r.response_code = "SYS/TEMP";
  CHECK(r.temporary());
  r.response_code = "AUTH";
  CHECK_FALSE(r.temporary());
}

TEST_CASE("internet state: online, DNS broken, no network, restricted") {
  TcpReach up;
  up.outcome = TcpOutcome::connected;
  TcpReach reset;
  reset.outcome = TcpOutcome::refused;
  TcpReach silent;
  silent.outcome = TcpOutcome::timed_out;
  TcpReach no_route;
  no_route.outcome = TcpOutcome::unreachable;
  CHECK(internet_state({DnsStatus::ok, {silent, up}}) == InternetState::online);
  CHECK(internet_state({DnsStatus::ok, {reset}}) == InternetState::online);
  CHECK(internet_state({DnsStatus::timeout, {up}}) == InternetState::dns_broken);
  CHECK(internet_state({DnsStatus::servfail, {silent, no_route}}) == InternetState::no_network);
  CHECK(internet_state({DnsStatus::timeout, {}}) == InternetState::no_network);
  CHECK(internet_state({DnsStatus::ok, {silent, no_route}}) == InternetState::restricted);
}

TEST_CASE("--reachability-target needs HOST:PORT") {
  auto t = parse_reachability_target("127.0.0.1:8443");
  REQUIRE(t);
  CHECK(t->host == "127.0.0.1");
  CHECK(t->port == 8443);
  CHECK(parse_reachability_target("[::1]:443")->host == "::1");
  CHECK_FALSE(parse_reachability_target("127.0.0.1"));
  CHECK_FALSE(parse_reachability_target("host:99999"));
}

TEST_CASE("a banner of localhost is a warning; a load balancer's differing names are notes") {
  NameEvidence e;
  e.asked_host = "mx.example.org";
  e.banner_host = "localhost";
  CHECK(name_consistency(e).status == ProbeStatus::warn);

  e.banner_host = "mx.example.org";
  e.ehlo_host = "node7.example.org";
  e.ptr_names = {"mx.example.org"};
  e.cert_names = {"*.example.org"};
  auto c = name_consistency(e);
  CHECK(c.status == ProbeStatus::ok);
  REQUIRE(c.notes.size() == 1);
  CHECK(c.notes[0].find("load balancer") != std::string::npos);
}

TEST_CASE("a banner name that neither PTR nor certificate vouches for is a warning") {
  NameEvidence e;
  e.asked_host = "mail.example.org";
  e.banner_host = "mail.other.example";
  e.ptr_names = {"host-1.isp.example"};
  e.cert_names = {"mail.example.org"};
  auto c = name_consistency(e);
  CHECK(c.status == ProbeStatus::warn);
  CHECK(c.notes.size() >= 3);
}

TEST_CASE("certificate wildcards match exactly one left-most label") {
  CHECK(certificate_name_matches("*.example.org", "mx.example.org"));
  CHECK(certificate_name_matches("MX.Example.ORG.", "mx.example.org"));
  CHECK_FALSE(certificate_name_matches("*.example.org", "a.b.example.org"));
  CHECK_FALSE(certificate_name_matches("*.example.org", "example.org"));
  CHECK(first_word("mx.example.org ESMTP Postfix") == "mx.example.org");
  CHECK(first_word("").empty());
}
