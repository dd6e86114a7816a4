#include "core/diagnosis/explain.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>

using namespace smtpdoctor;

TEST_CASE("a Postfix bounce line: code, enhanced code, stage from 'in reply to'") {
  auto f = explain_text(
      "<x@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <x@example.org>: "
      "Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO "
      "command)");
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::recipient_unknown);
  CHECK(f[0].diagnosis.code == 550);
  REQUIRE(f[0].diagnosis.enhanced);
  CHECK(f[0].diagnosis.enhanced->str() == "5.1.1");
  CHECK(f[0].diagnosis.stage == Stage::rcpt);
}

TEST_CASE("a multi-line Gmail reply folded by Postfix is one finding") {
  auto f = explain_text(
      "host gmail-smtp-in.l.google.com[192.0.2.2] said:\n"
      "    550-5.7.26 This mail is unauthenticated, which poses a security risk to the\n"
      "    550-5.7.26 sender and Gmail users, and has been blocked. The sender must\n"
      "    550 5.7.26 authenticate with at least one of SPF or DKIM. - gsmtp (in reply to end\n"
      "    of DATA command)\n");
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::policy_spf_dmarc);
  CHECK(f[0].diagnosis.stage == Stage::data);
}

TEST_CASE("nodemailer and smtplib errors") {
  auto node = explain_text("Error: Invalid login: 535-5.7.8 Username and Password not accepted.");
  REQUIRE(node.size() == 1);
  CHECK(node[0].diagnosis.category == Category::auth_failed);
  CHECK(node[0].diagnosis.stage == Stage::auth);

  auto py = explain_text(
      "smtplib.SMTPAuthenticationError: (534, b'5.7.9 Application-specific password required. "
      "Learn more at\\n5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor - gsmtp')");
  REQUIRE(py.size() == 1);
  CHECK(py[0].diagnosis.category == Category::app_password_required);
  CHECK(py[0].diagnosis.code == 534);

  auto refused = explain_text("Error: connect ECONNREFUSED 127.0.0.1:587");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].diagnosis.category == Category::connection_refused);
  CHECK(refused[0].diagnosis.stage == Stage::connect);
}

TEST_CASE("an Exchange NDR line") {
  auto f = explain_text(
      "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by "
      "SMTP address lookup'");
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::recipient_unknown);
}

TEST_CASE("several different errors in one log give several findings; repeats give one") {
  auto f = explain_text(
      "Jan 1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 554 5.7.1 <x@y.example>: "
      "Relay access denied\n"
      "Jan 1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 450 4.2.0 <x@y.example>: "
      "Recipient address rejected: Greylisted\n"
      "\n"
      "Diagnostic-Code: smtp; 554 5.7.1 <x@y.example>: Relay access denied\n");
  REQUIRE(f.size() == 2);
  CHECK(f[0].diagnosis.category == Category::relay_denied);
  CHECK(f[1].diagnosis.category == Category::greylisted);
}

TEST_CASE("an unknown reply is reported as 'other' with its code meaning; prose is not") {
  auto f = explain_text("The server said 554 5.1.0 something we never heard of");
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::other);
  CHECK(f[0].diagnosis.permanent);
  CHECK(explain_text("Hello, I cannot send mail, please help. Version 3.1.8 on line 455.").empty());
  CHECK(explain_text("Connecting to 10.0.0.1:587 at 12:40:34, pid 4454").empty());
  CHECK(explain_text("Running PHP 5.6.25 with PHPMailer 6.1.8").empty());
}

TEST_CASE("reply codes are only taken where they stand as tokens") {
  CHECK_FALSE(find_reply("from 192.168.450.1 port 4500"));
  CHECK_FALSE(find_reply("File \"smtplib.py\", line 455, in send"));
  auto r = find_reply("got response [530 5.7.0 Must issue a STARTTLS command first]");
  REQUIRE(r);
  CHECK(r->code == 530);
  REQUIRE(r->enhanced);
  CHECK(r->enhanced->str() == "5.7.0");
}

TEST_CASE("stage inference from context") {
  CHECK(infer_stage("(in reply to MAIL FROM command)") == Stage::mail);
  CHECK(infer_stage("SMTP error from remote mail server after RCPT TO:<a@b>:") == Stage::rcpt);
  CHECK(infer_stage("said: 552 ... (in reply to end of DATA command)") == Stage::data);
  CHECK(infer_stage("nothing here") == Stage::none);
}

TEST_CASE("random bytes and huge input never crash and stay bounded") {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::string junk(rng() % 4096, '\0');
    for (char& c : junk) c = static_cast<char>(rng() & 0xff);
    // Sprinkle SMTP-looking tokens so the matcher paths are exercised too.
    if (round % 3 == 0) junk += "\n550-5.7.1 relay\n550 5.7.1 x\\n";
    auto f = explain_text(junk);
    CHECK(f.size() <= ExplainLimits{}.max_findings);
    for (const auto& x : f) CHECK(x.text.size() <= ExplainLimits{}.max_finding_octets);
  }
  std::string huge;
  for (int i = 0; i < 40000; ++i) huge += "550 5.1.1 user unknown " + std::to_string(i) + "\n";
  ExplainLimits limits;
  auto f = explain_text(huge, limits);
  CHECK(f.size() <= limits.max_findings);
  CHECK(f.size() == 1);  // one reply repeated is one finding
}

TEST_CASE("printable_excerpt strips terminal escapes and invalid UTF-8") {
  std::string s = "bad \x1b[31mred\x1b[0m \xff\xfe ok \xc2\x9b done — é";
  std::string p = printable_excerpt(s, 200);
  CHECK(p.find('\x1b') == std::string::npos);
  CHECK(p.find("\xc2\x9b") == std::string::npos);
  CHECK(p.find("— é") != std::string::npos);
  CHECK(printable_excerpt(std::string(500, 'a'), 10).size() <= 10 + 3);
}

TEST_CASE("printable_excerpt is cut at max_octets whatever the text is made of") {
  // Found by fuzzing: replacement '?'s and collapsed spaces were not counted against the cap.
  CHECK(printable_excerpt(std::string(500, '\xff'), 10) == "??????????…");
  CHECK(printable_excerpt("needs at least", 8) == "needs at…");
  CHECK(printable_excerpt("needs at least", 9) == "needs at …");
}

TEST_CASE("the command a reply answered, as other MTAs and client libraries name it") {
  auto python = explain_text(
      "smtplib.SMTPRecipientsRefused: {'x@example.org': (550, b'Sorry, no such luck here')}");
  REQUIRE(python.size() == 1);
  CHECK(python[0].diagnosis.stage == Stage::rcpt);
  CHECK(python[0].diagnosis.category == Category::recipient_unknown);
  auto sender = explain_text(
      "smtplib.SMTPSenderRefused: (553, b'Sorry, no such luck here', "
      "'me@example.com')");
  REQUIRE(sender.size() == 1);
  CHECK(sender[0].diagnosis.stage == Stage::mail);
  CHECK(sender[0].diagnosis.category == Category::sender_rejected);
  auto postfix = explain_text(
      "lost connection with mx.example.org[192.0.2.1] while sending end of data -- message may "
      "be sent more than once");
  REQUIRE(postfix.size() == 1);
  CHECK(postfix[0].diagnosis.stage == Stage::data);
  CHECK(infer_stage("SMTP error from remote mail server after initial connection:") ==
        Stage::banner);
  CHECK(infer_stage("Fehler: RCPT TO <x@example.org> gescheitert") == Stage::rcpt);
}
