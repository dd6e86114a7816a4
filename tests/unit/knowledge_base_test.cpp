#include "core/diagnosis/knowledge_base.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "core/diagnosis/enhanced_codes.hpp"

using namespace smtpdoctor;

namespace {

Reply reply(int code, std::string text) {
  Reply r;
  r.code = code;
  r.enhanced = parse_enhanced_code(text);
  if (r.enhanced) text = text.substr(r.enhanced->str().size() + 1);
  r.lines.push_back(std::move(text));
  return r;
}

Diagnosis at(Stage stage, int code, std::string text) {
  Evidence ev;
  ev.stage = stage;
  ev.reply = reply(code, std::move(text));
  return diagnose(ev);
}

}  // namespace

TEST_CASE("a server that answers 530 to MAIL before AUTH is diagnosed auth_required") {
  Diagnosis d = at(Stage::mail, 530, "5.7.0 Authentication required");
  CHECK(d.category == Category::auth_required);
  CHECK(d.permanent);
  CHECK(d.code == 530);
  REQUIRE(d.enhanced);
  CHECK(d.enhanced->str() == "5.7.0");
  CHECK_FALSE(d.cause.empty());
  CHECK_FALSE(d.fix.empty());
  CHECK_FALSE(d.refs.empty());
}

TEST_CASE("530 'Must issue a STARTTLS command first' is tls_required, not auth_required") {
  CHECK(at(Stage::auth, 530, "5.7.0 Must issue a STARTTLS command first").category ==
        Category::tls_required);
}

TEST_CASE("Gmail's app-password and bad-credential replies are told apart") {
  CHECK(at(Stage::auth, 534,
           "5.7.9 Application-specific password required. Learn more at "
           "https://support.google.com/mail/?p=InvalidSecondFactor")
            .category == Category::app_password_required);
  CHECK(at(Stage::auth, 535, "5.7.8 Username and Password not accepted.").category ==
        Category::auth_failed);
}

TEST_CASE("Microsoft 365 with SMTP AUTH disabled says how to enable it") {
  Diagnosis d = at(Stage::auth, 535,
                   "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled "
                   "for the Tenant.");
  CHECK(d.category == Category::auth_failed);
  CHECK(d.rule == "m365-smtp-auth-disabled");
  CHECK(d.fix.find("SMTP") != std::string::npos);
}

TEST_CASE("envelope refusals map to their categories") {
  CHECK(at(Stage::rcpt, 554, "5.7.1 <x@example.org>: Relay access denied").category ==
        Category::relay_denied);
  CHECK(at(Stage::rcpt, 550, "5.1.1 <x@example.org>: Recipient address rejected: User unknown")
            .category == Category::recipient_unknown);
  CHECK(at(Stage::mail, 553, "5.7.1 <a@b.example>: Sender address rejected: not owned by user")
            .category == Category::sender_rejected);
  Diagnosis grey =
      at(Stage::rcpt, 450, "4.2.0 <x@example.org>: Recipient address rejected: Greylisted");
  CHECK(grey.category == Category::greylisted);
  CHECK_FALSE(grey.permanent);
  CHECK(at(Stage::rcpt, 452, "4.2.2 mailbox full").category == Category::mailbox_full);
  CHECK(at(Stage::data, 552, "5.3.4 Message size exceeds fixed limit").category ==
        Category::message_too_large);
}

TEST_CASE("connection-level policy replies map to their categories") {
  CHECK(at(Stage::rcpt, 550,
           "5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org")
            .category == Category::blocklisted);
  CHECK(at(Stage::banner, 421, "4.7.0 Too many connections").category ==
        Category::too_many_connections);
  CHECK(at(Stage::rcpt, 450,
           "4.7.1 Client host rejected: cannot find your reverse hostname, "
           "[192.0.2.1]")
            .category == Category::reverse_dns);
  CHECK(at(Stage::ehlo, 504,
           "5.5.2 <localhost>: Helo command rejected: need fully-qualified "
           "hostname")
            .category == Category::helo_rejected);
  CHECK(at(Stage::mail, 421,
           "4.7.28 Our system has detected an unusual rate of mail, rate "
           "limited")
            .category == Category::rate_limited);
  CHECK(at(Stage::data, 550, "5.7.26 This mail is unauthenticated; DMARC/SPF checks failed")
            .category == Category::policy_spf_dmarc);
}

TEST_CASE("an unknown reply still gets the code-class meaning") {
  Diagnosis temp = at(Stage::rcpt, 451, "4.2.4 something odd happened");
  CHECK(temp.category == Category::temporary_failure);
  CHECK_FALSE(temp.permanent);
  CHECK(temp.rule == "code-class");
  CHECK(temp.basis == Basis::enhanced_code);
  Diagnosis perm = at(Stage::data, 554, "5.1.0 something odd happened");
  CHECK(perm.category == Category::other);
  CHECK(perm.permanent);
  CHECK(perm.cause.find("Other address status") != std::string::npos);
}

TEST_CASE("a reply whose words no rule knows is read by its enhanced code, then its reply code") {
  Diagnosis system = at(Stage::rcpt, 451, "4.3.9 something odd happened");
  CHECK(system.category == Category::temporary_failure);
  CHECK(system.basis == Basis::enhanced_code);
  Diagnosis media = at(Stage::data, 554, "5.6.0 something odd happened");
  CHECK(media.category == Category::content_rejected);
  CHECK(media.basis == Basis::enhanced_code);
  Diagnosis login = at(Stage::auth, 535, "no words we know");
  CHECK(login.category == Category::auth_failed);
  CHECK(login.basis == Basis::reply_code);
  Diagnosis words = at(Stage::rcpt, 550, "5.1.1 <a@b>: Recipient address rejected: User unknown");
  CHECK(words.basis == Basis::text);
  Diagnosis yahoo = at(Stage::rcpt, 421,
                       "4.7.0 [TSS04] Messages from 192.0.2.1 temporarily "
                       "deferred due to unexpected volume or user complaints");
  CHECK(yahoo.category == Category::rate_limited);
  CHECK(yahoo.basis == Basis::provider_code);
}

TEST_CASE("socket errors: refused, filtered port, unreachable network") {
  Evidence refused;
  refused.stage = Stage::connect;
  refused.socket_error = std::make_error_code(std::errc::connection_refused);
  CHECK(diagnose(refused).category == Category::connection_refused);

  Evidence filtered;
  filtered.stage = Stage::connect;
  filtered.socket_error = std::make_error_code(std::errc::timed_out);
  CHECK(diagnose(filtered).category == Category::port_blocked);

  Evidence stalled = filtered;
  stalled.stage = Stage::data;
  CHECK(diagnose(stalled).category == Category::temporary_failure);

  Evidence unreachable;
  unreachable.socket_error = std::make_error_code(std::errc::network_unreachable);
  CHECK(diagnose(unreachable).category == Category::no_internet);
}

TEST_CASE("X.509 verification results and OpenSSL reasons") {
  Evidence expired;
  expired.stage = Stage::tls;
  expired.x509_verify_result = 10;  // X509_V_ERR_CERT_HAS_EXPIRED
  CHECK(diagnose(expired).rule == "x509-expired");
  CHECK(diagnose(expired).category == Category::cert_invalid);

  Evidence ip_mismatch = expired;
  ip_mismatch.x509_verify_result = 64;  // X509_V_ERR_IP_ADDRESS_MISMATCH
  CHECK(diagnose(ip_mismatch).rule == "x509-ip-address-mismatch");
  CHECK(diagnose(ip_mismatch).category == Category::cert_invalid);

  Evidence odd = expired;
  odd.x509_verify_result = 7;  // X509_V_ERR_CERT_SIGNATURE_FAILURE: no specific rule
  CHECK(diagnose(odd).category == Category::cert_invalid);

  Evidence version;
  version.stage = Stage::tls;
  version.tls_error = "error:0A00010B:SSL routines::wrong version number";
  CHECK(diagnose(version).category == Category::tls_failure);
}

TEST_CASE("DNS outcomes") {
  Evidence null_mx;
  null_mx.dns = DnsOutcome::null_mx;
  CHECK(diagnose(null_mx).category == Category::null_mx);
  Evidence nx;
  nx.dns = DnsOutcome::nxdomain;
  CHECK(diagnose(nx).category == Category::dns_failure);
  CHECK(diagnose(nx).permanent);
}

TEST_CASE("SMTP AUTH refused while POP3/IMAP accepts the same login") {
  Evidence ev;
  ev.stage = Stage::auth;
  ev.reply = reply(535, "5.7.8 Authentication failed");
  ev.other_protocol_login_ok = true;
  CHECK(diagnose(ev).category == Category::credentials_differ_from_pop);
}

TEST_CASE("diagnose(Error) for a probe's failed connect and a refused RCPT") {
  Error timeout;
  timeout.kind = ErrorKind::timeout;
  timeout.stage = Stage::connect;
  timeout.message = "connect to 192.0.2.1:25 timed out after 10s";
  CHECK(diagnose(timeout).category == Category::port_blocked);

  Error rejected;
  rejected.kind = ErrorKind::rejected;
  rejected.stage = Stage::rcpt;
  rejected.reply = reply(554, "5.7.1 <x@example.org>: Relay access denied");
  Diagnosis d = diagnose(rejected);
  CHECK(d.category == Category::relay_denied);
  CHECK(d.stage == Stage::rcpt);
}

namespace {
// Stands in for core/dns/dns_records.hpp's "dns" category, which lives in another library.
struct FakeDnsCategory : std::error_category {
  const char* name() const noexcept override { return "dns"; }
  std::string message(int) const override { return "the domain does not exist (NXDOMAIN)"; }
};
}  // namespace

TEST_CASE("a failed MX lookup reported as an Error is diagnosed dns_failure") {
  static FakeDnsCategory dns;
  Error e;
  e.kind = ErrorKind::resolve;
  e.stage = Stage::resolve;
  e.code = std::error_code(1, dns);
  e.message = "example.invalid: the domain does not exist (NXDOMAIN)";
  Diagnosis d = diagnose(e);
  CHECK(d.category == Category::dns_failure);
  CHECK(d.rule == "dns-nxdomain");
}

TEST_CASE("the rule table is well-formed") {
  std::set<std::string_view> ids;
  std::set<Category> covered;
  for (const Rule& r : rules()) {
    CAPTURE(r.id);
    CHECK(ids.insert(r.id).second);  // ids are unique
    bool has_criterion = !r.text.empty() || !r.enhanced.empty() || r.code != 0 ||
                         r.stage != Stage::none || r.signal != Signal::none ||
                         r.finding != Finding::none;
    CHECK(has_criterion);
    CHECK_FALSE(r.cause.empty());
    CHECK_FALSE(r.fix.empty());
    CHECK_FALSE(r.refs.empty());
    for (char c : r.text) CHECK_FALSE((c >= 'A' && c <= 'Z'));  // patterns are lower-case
    covered.insert(r.category);
  }
  // Every DESIGN §3 category except the catch-all has a rule that produces it.
  for (int c = 0; c < static_cast<int>(Category::other); ++c) {
    CAPTURE(category_name(static_cast<Category>(c)));
    CHECK(covered.count(static_cast<Category>(c)) == 1);
  }
}

TEST_CASE("enhanced status codes have their RFC 3463 / IANA meanings") {
  CHECK(enhanced_code_meaning({5, 7, 1}) ==
        "Permanent failure: Delivery not authorized, message refused");
  CHECK(enhanced_code_meaning({4, 2, 2}) == "Persistent transient failure: Mailbox full");
  CHECK(enhanced_code_meaning({5, 1, 10}) == "Permanent failure: Recipient address has null MX");
  CHECK(enhanced_code_meaning({5, 7, 99}).find("Security or policy status") != std::string::npos);
  CHECK(enhanced_subject_meaning(9).empty());
}

TEST_CASE("a probe's own findings get their diagnosis, and pasted text cannot fake one") {
  auto finding = [](Finding id) {
    Evidence ev;
    ev.finding = id;
    return diagnose(ev).category;
  };
  CHECK(finding(Finding::open_relay) == Category::open_relay);
  CHECK(finding(Finding::starttls_stripping) == Category::middlebox);
  CHECK(finding(Finding::middlebox_masked_greeting) == Category::middlebox);
  CHECK(finding(Finding::middlebox_mangled_ehlo) == Category::middlebox);
  CHECK(finding(Finding::starttls_not_offered) == Category::tls_failure);
  CHECK(finding(Finding::tls_version_too_old) == Category::tls_failure);
  CHECK(finding(Finding::auth_not_offered) == Category::auth_unavailable);

  Evidence pasted;
  pasted.text = "open-relay";
  CHECK(diagnose(pasted).category != Category::open_relay);
}

TEST_CASE("every finding's name reads back as the same finding, and every one has a rule") {
  for (Finding f : all_findings()) {
    CAPTURE(finding_name(f));
    CHECK(finding_from_name(finding_name(f)) == f);
    if (f == Finding::none) continue;
    bool has_rule = false;
    for (const Rule& r : rules()) has_rule = has_rule || r.finding == f;
    CHECK(has_rule);
  }
  CHECK_FALSE(finding_from_name("open_relay").has_value());
}

TEST_CASE("a port that answers HTTP or SSH is told apart from a broken SMTP server") {
  auto protocol_error = [](std::string message) {
    Error e;
    e.kind = ErrorKind::protocol;
    e.stage = Stage::banner;
    e.message = std::move(message);
    return diagnose(e);
  };
  CHECK(protocol_error("malformed reply: malformed reply line \"HTTP/1.1 400 Bad Request\": it "
                       "must start with a three-digit code")
            .rule == "protocol-not-smtp-http");
  CHECK(protocol_error("malformed reply: malformed reply line \"SSH-2.0-OpenSSH_9.2p1\": it must "
                       "start with a three-digit code")
            .rule == "protocol-not-smtp-ssh");
  CHECK(protocol_error("malformed reply: reply line exceeds 4096 octets").rule ==
        "protocol-malformed-reply");
}

TEST_CASE("our address without reverse DNS is named in the diagnosis") {
  Evidence ev;
  ev.finding = Finding::egress_no_ptr;
  ev.add_fact("address", "198.51.100.7");
  Diagnosis d = diagnose(ev);
  CHECK(d.category == Category::reverse_dns);
  CHECK(d.rule == "egress-no-ptr");
  CHECK(d.cause ==
        "Your address 198.51.100.7 has no PTR (reverse DNS) record: many receivers refuse or "
        "junk mail from such addresses.");
}

TEST_CASE("a blocklisted address names the address and the zones") {
  Evidence ev;
  ev.finding = Finding::egress_blocklisted;
  ev.add_fact("address", "198.51.100.7");
  ev.add_fact("zones", "zen.example, bl.example");
  Diagnosis d = diagnose(ev);
  CHECK(d.category == Category::blocklisted);
  CHECK(d.rule == "egress-blocklisted");
  CHECK(d.cause.find("198.51.100.7 is listed on zen.example, bl.example") != std::string::npos);

  Evidence ptr;
  ptr.finding = Finding::egress_ptr_not_confirmed;
  ptr.add_fact("address", "198.51.100.7");
  ptr.add_fact("ptr", "host.example");
  CHECK(diagnose(ptr).cause.find("198.51.100.7 (host.example) does not resolve back") !=
        std::string::npos);
}

TEST_CASE("a placeholder the evidence does not fill reads as a neutral phrase") {
  Evidence ev;
  ev.finding = Finding::egress_no_ptr;
  Diagnosis d = diagnose(ev);
  CHECK(d.cause.find("Your address your address") == std::string::npos);
  CHECK(d.cause.find('{') == std::string::npos);
  CHECK(fill_placeholders("{nonsense} and {host}", ev) == "this and The server");
}

TEST_CASE("every placeholder in the rule table is a known one") {
  auto known = [](std::string_view name) {
    for (std::string_view n : placeholder_names())
      if (n == name) return true;
    return false;
  };
  for (const Rule& r : rules()) {
    for (std::string_view text : {r.cause, r.fix}) {
      for (auto open = text.find('{'); open != std::string_view::npos;
           open = text.find('{', open + 1)) {
        auto close = text.find('}', open);
        CAPTURE(r.id);
        REQUIRE(close != std::string_view::npos);
        CHECK(known(text.substr(open + 1, close - open - 1)));
      }
    }
  }
}

namespace {

Diagnosis rcpt_in_context(std::string text, SessionContext context) {
  Evidence ev;
  ev.stage = Stage::rcpt;
  ev.reply = reply(550, std::move(text));
  ev.context = context;
  return diagnose(ev);
}

SessionContext outside_without_login() {
  SessionContext context;
  context.known = true;
  context.recipient_local = false;
  return context;
}

}  // namespace

TEST_CASE("a refused outside recipient without login is a relay refusal, whatever the wording") {
  // OpenSMTPD's and Haraka's stock wordings for a domain they do not relay to.
  for (const char* text :
       {"Invalid recipient: <x@outside.test>", "I cannot deliver mail for <x@outside.test>",
        "5.7.0 <x@outside.test>: not permitted"}) {
    CAPTURE(text);
    Diagnosis d = rcpt_in_context(text, outside_without_login());
    CHECK(d.category == Category::relay_denied);
    CHECK(d.fix.find("Log in") != std::string::npos);
  }
}

TEST_CASE("the context stands back when the words are clear or the facts differ") {
  // The server says plainly that the mailbox does not exist.
  CHECK(rcpt_in_context("5.1.1 <x@outside.test>: Recipient address rejected: User unknown",
                        outside_without_login())
            .category == Category::recipient_unknown);
  // The server's own relay wording keeps its own rule.
  CHECK(rcpt_in_context("5.7.1 <x@outside.test>: Relay access denied", outside_without_login())
            .rule != "rcpt-outside-domain-without-login");
  // Logged in: a refusal is not about relaying for strangers.
  SessionContext logged_in = outside_without_login();
  logged_in.logged_in = true;
  CHECK(rcpt_in_context("Invalid recipient: <x@outside.test>", logged_in).rule !=
        "rcpt-outside-domain-without-login");
  // The recipient's domain is the server's own.
  SessionContext local = outside_without_login();
  local.recipient_local = true;
  CHECK(rcpt_in_context("Invalid recipient: <x@example.test>", local).rule !=
        "rcpt-outside-domain-without-login");
  // `explain` knows nothing of the conversation.
  CHECK(rcpt_in_context("Invalid recipient: <x@outside.test>", SessionContext{}).rule !=
        "rcpt-outside-domain-without-login");
}

TEST_CASE("graded fallback: a provider's documented code decides before the words") {
  Diagnosis dmarc = at(Stage::data, 550,
                       "5.7.509 Access denied, sending domain example.com does not pass DMARC "
                       "verification and has a DMARC policy of reject.");
  CHECK(dmarc.category == Category::policy_spf_dmarc);
  CHECK(dmarc.basis == Basis::provider_code);
  // A detail inside one of Microsoft's documented ranges (5.7.606-5.7.649: banned sending IP).
  Diagnosis banned = at(Stage::rcpt, 550, "5.7.620 Access denied, banned sending IP [192.0.2.1]");
  CHECK(banned.category == Category::blocklisted);
  CHECK(banned.basis == Basis::provider_code);
  CHECK(banned.rule == "m365-ip-banned");
  Diagnosis busy = at(Stage::rcpt, 451, "4.7.500 Server busy. Please try again later");
  CHECK(busy.category == Category::temporary_failure);
  CHECK_FALSE(busy.permanent);
  Diagnosis reputation = at(Stage::rcpt, 451, "4.7.650 The mail server has been rate limited");
  CHECK(reputation.category == Category::blocklisted);
  Diagnosis yahoo = at(Stage::mail, 553,
                       "5.7.2 [TSS09] All messages from 192.0.2.1 will be "
                       "permanently deferred; Retrying will NOT succeed.");
  CHECK(yahoo.category == Category::blocklisted);
  CHECK(yahoo.basis == Basis::provider_code);
}

TEST_CASE("graded fallback: an addressing status or a bare 550/553 answers its stage") {
  Diagnosis rcpt = at(Stage::rcpt, 550, "5.1.0 Address rejected");
  CHECK(rcpt.category == Category::recipient_unknown);
  CHECK(rcpt.basis == Basis::enhanced_code);
  Diagnosis mail = at(Stage::mail, 550, "5.1.0 Address rejected");
  CHECK(mail.category == Category::sender_rejected);
  Diagnosis bare = at(Stage::rcpt, 553, "sorry, that domain isn't in my list");
  CHECK(bare.category == Category::recipient_unknown);
  CHECK(bare.basis == Basis::reply_code);
  CHECK(at(Stage::mail, 552, "Transaction failed").category == Category::message_too_large);
  CHECK(at(Stage::none, 552, "Requested action aborted").category == Category::mailbox_full);
  CHECK(at(Stage::auth, 538, "5.7.11 Encryption required").category == Category::tls_required);
}

TEST_CASE("precision guards: words that contradict the codes or the stage stand back") {
  // 503 "bad sequence" at MAIL FROM is about the order of commands, not the sender.
  Diagnosis sequence = at(Stage::mail, 503, "Bad sequence of commands");
  CHECK(sequence.category == Category::other);
  // A media status code (5.6.x) is about the content even when the words name the sender.
  Diagnosis media = at(Stage::data, 554, "5.6.0 Sender's message has invalid MIME structure");
  CHECK(media.category == Category::content_rejected);
  CHECK(media.basis == Basis::enhanced_code);
  // A recipient's mailbox cannot be the subject of a reply to MAIL FROM, nor of a 421.
  CHECK(at(Stage::mail, 550, "User unknown in local table").category !=
        Category::recipient_unknown);
  CHECK(at(Stage::none, 421, "4.3.2 Mailbox unavailable, closing").category !=
        Category::recipient_unknown);
  // A positive reply is no failure, whatever it says.
  CHECK(at(Stage::data, 250, "2.0.0 Ok: queued, spam score 0.1").category == Category::other);
  // A size detail (5.3.4) outweighs loose words for another cause.
  Diagnosis size = at(Stage::data, 552, "5.3.4 Message size exceeds the limit for this sender");
  CHECK(size.category == Category::message_too_large);
}

TEST_CASE("localized replies: patterns match whatever the case of Latin-1 and Cyrillic letters") {
  CHECK(normalize_for_match("Требуется Аутентификация") == "требуется аутентификация");
  CHECK(normalize_for_match("ÉCHEC DE L'AUTHENTIFICATION") == "échec de l'authentification");
  // Other scripts and invalid bytes pass through unchanged.
  CHECK(normalize_for_match("必须认证 \xC3") == "必须认证 \xC3");
  CHECK(at(Stage::mail, 530, "Требуется аутентификация").category == Category::auth_required);
  CHECK(at(Stage::rcpt, 550, "Benutzer unbekannt").category == Category::recipient_unknown);
  CHECK(at(Stage::data, 554, "Message refusé: SPAM détecté").category ==
        Category::content_rejected);
  CHECK(at(Stage::rcpt, 452, "Boîte pleine").category == Category::mailbox_full);
  CHECK(at(Stage::auth, 454, "Временный сбой аутентификации").category ==
        Category::temporary_failure);
}

TEST_CASE("a reply-code guess stands back when the enhanced code puts the cause elsewhere") {
  // 550 to RCPT TO is "mailbox unavailable"; with 5.7.1 it is a policy refusal instead.
  Diagnosis policy = at(Stage::rcpt, 550, "5.7.1 Go away");
  CHECK(policy.category == Category::other);
  CHECK(policy.basis == Basis::enhanced_code);
  Diagnosis bare = at(Stage::rcpt, 550, "Go away");
  CHECK(bare.category == Category::recipient_unknown);
  CHECK(bare.basis == Basis::reply_code);
}
