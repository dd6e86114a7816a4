// `explain` of a whole bounce reports the failing recipients' reasons: the DSN's
// delivery-status fields, an Exchange NDR's quoted reply, a qmail or Exim bounce's reply — not
// the first code-looking line of the headers or of the returned message. The texts are real
// bounces from public sources, noted on each test.
#include <doctest/doctest.h>

#include <string>

#include "core/diagnosis/bounce.hpp"
#include "core/diagnosis/explain.hpp"

using namespace smtpdoctor;

// https://github.com/rjbs/Mail-DeliveryStatus-BounceParser/pull/2
TEST_CASE("a Postfix delivery-status part with only a Status: the Status is the enhanced code") {
  std::string dsn =
      "Final-Recipient: rfc822; xxx@example.com\n"
      "Original-Recipient: rfc822;xxx@example.com\n"
      "Action: failed\n"
      "Status: 5.2.2\n"
      "Diagnostic-Code: X-Postfix; Mailbox is full\n";
  auto bounce = bounce_diagnostics(dsn);
  REQUIRE(bounce.size() == 1);
  CHECK(bounce[0].recipient == "xxx@example.com");
  CHECK(bounce[0].status == "5.2.2");
  CHECK(bounce[0].text == "Mailbox is full");
  auto f = explain_text(dsn);
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::mailbox_full);
  REQUIRE(f[0].diagnosis.enhanced);
  CHECK(f[0].diagnosis.enhanced->str() == "5.2.2");
  CHECK(f[0].diagnosis.permanent);
}

// https://github.com/mautic/mautic/pull/3154
TEST_CASE("a delivery-status part's Diagnostic-Code keeps its reply code and enhanced code") {
  auto f = explain_text(
      "Final-Recipient: rfc822;abc@example.com\n"
      "Action: failed\n"
      "Status: 5.4.317\n"
      "Diagnostic-Code: smtp;550 5.4.317 Message expired, cannot connect to remote server\n");
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.code == 550);
  REQUIRE(f[0].diagnosis.enhanced);
  CHECK(f[0].diagnosis.enhanced->str() == "5.4.317");
  CHECK(f[0].text.find("abc@example.com") != std::string::npos);
}

// https://github.com/sympa-community/sympa/issues/447 (excerpt: the human-readable part and the
// first recipient's delivery-status fields)
TEST_CASE("a Postfix bounce: the reason of a recipient whose Diagnostic-Code is missing") {
  std::string bounce =
      "This is the mail system at host monserveur.fr.\n"
      "\n"
      "I'm sorry to have to inform you that your message could not\n"
      "be delivered to one or more recipients. It's attached below.\n"
      "\n"
      "For further assistance, please send mail to postmaster.\n"
      "\n"
      "If you do so, please include this problem report. You can\n"
      "delete your own text from the attached returned message.\n"
      "\n"
      "The mail system\n"
      "\n"
      "<camille.ct@gmail.com>: Spam message rejected\n"
      "\n"
      "<lm0@sfr.fr>: Spam message rejected\n"
      "\n"
      "Reporting-MTA: dns; monserveur.fr\n"
      "X-Postfix-Queue-ID: 325E31E2B87\n"
      "X-Postfix-Sender: rfc822; bibliotheque-boz-owner@listes.xxxxxx.org\n"
      "Arrival-Date: Wed, 17 Oct 2018 09:43:12 +0200 (CEST)\n"
      "\n"
      "Final-Recipient: rfc822; camille.ct@gmail.com\n"
      "Original-Recipient: rfc822;camille.ct@gmail.com\n"
      "Action: failed\n"
      "Status: 5.7.1\n";
  auto f = explain_text(bounce);
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::content_rejected);
  REQUIRE(f[0].diagnosis.enhanced);
  CHECK(f[0].diagnosis.enhanced->str() == "5.7.1");
  CHECK(f[0].text.find("camille.ct@gmail.com") != std::string::npos);
}

// https://intercom.help/rechargly/en/articles/11735795-email-forwarding-blocked-by-microsoft-outlook
TEST_CASE("a Microsoft 365 NDR: the reply the remote server returned") {
  auto f = explain_text(
      "Delivery has failed to these recipients or groups:\n"
      "\n"
      "Your message wasn't delivered because the recipient's email provider rejected it.\n"
      "\n"
      "Diagnostic information for administrators:\n"
      "\n"
      "Remote server returned '550 5.7.520 Access denied, Your organization does not allow "
      "external forwarding. Please contact your administrator for further assistance. "
      "AS(7555)'\n");
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.code == 550);
  REQUIRE(f[0].diagnosis.enhanced);
  CHECK(f[0].diagnosis.enhanced->str() == "5.7.520");
}

// https://help.mgcld.com/hc/en-us/articles/216227437-Email-Undeliverable
TEST_CASE("an Exchange NDR whose reply is only an enhanced code in angle brackets") {
  auto f = explain_text("Remote Server returned '< #4.4.7>'");
  REQUIRE(f.size() == 1);
  REQUIRE(f[0].diagnosis.enhanced);
  CHECK(f[0].diagnosis.enhanced->str() == "4.4.7");
  CHECK(f[0].diagnosis.category == Category::temporary_failure);
}

// https://senders.yahooinc.com/smtp-error-codes, as kept in
// azumakuniyuki/feb-2024-no-auth-no-entry:yahoo-senders-smtp-error-codes.txt
TEST_CASE("a qmail bounce from Yahoo: the remote host's reply, not the returned message") {
  auto f = explain_text(
      "Hi. This is the qmail-send program at yahoo.com.\n"
      "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
      "This is a permanent error; I've given up. Sorry it didn't work out.\n"
      "\n"
      "123.45.67.89 failed after I sent the message.\n"
      "Remote host said: 554 delivery error: dd This user doesn't have a yahoo.com\n"
      "account (testing123@yahoo.com) [-5] - mta123.mail.mud.yahoo.com\n"
      "\n"
      "--- Below this line is a copy of the message.\n"
      "\n"
      "Return-Path:\n"
      "Received: (qmail 24519 invoked by uid 60001); 11 Nov 2010 15:37:25 -0000\n"
      "...\n"
      "...\n"
      "X-Mailer: YahooMail/11.4.9 YahooMailWebService/0.8.107.285259\n"
      "Date: Thu, 11 Nov 2010 07:37:24 -0800 (PST)\n"
      "From: Yahoo Customer Care\n"
      "Subject: Test Message\n"
      "To: testing123@yahoo.com\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/alternative; boundary=\"0-162906830-1289489844=:24510\"\n"
      "\n"
      "--0-162906830-1289489844=:24510\n"
      "Content-Type: text/plain; charset=us-ascii\n"
      "\n"
      "[Text of the original message here]\n"
      "\n"
      "--0-162906830-1289489844=:24510--\n");
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::recipient_unknown);
  CHECK(f[0].diagnosis.code == 554);
}

// https://cisco.com/c/en/us/support/docs/security/email-security-appliance/200436-Identify-and-allow-poor-SenderBase-Reput.html
TEST_CASE("an Exim bounce: the multi-line reply after 'SMTP error from remote mail server'") {
  auto f = explain_text(
      "This message was created automatically by mail delivery software.\n"
      "A message that you sent could not be delivered to one or more of its\n"
      "recipients. This is a permanent error. The following address(es) failed:\n"
      "person@example.domain.com\n"
      "SMTP error from remote mail server after initial connection:\n"
      "host gatekeeper.companyx.com [195.195.195.1]: 554-gatekeeper1.companyx.com\n"
      "554 Your access to this mail system has been rejected due to the sending\n"
      "MTA's poor reputation. If you believe that this failure is in error, please\n"
      "contact the intended recipient via alternate means.\n");
  REQUIRE_FALSE(f.empty());
  CHECK(f[0].diagnosis.category == Category::blocklisted);
  CHECK(f[0].diagnosis.code == 554);
}

TEST_CASE("recipients that were delivered or relayed are not reasons; failed ones win") {
  // RFC 3464 §3.2.3: a DSN may report several recipients with different actions.
  auto bounce = bounce_diagnostics(
      "Final-Recipient: rfc822; ok@example.org\n"
      "Action: delivered\n"
      "Status: 2.0.0\n"
      "\n"
      "Final-Recipient: rfc822; slow@example.org\n"
      "Action: delayed\n"
      "Status: 4.4.1\n"
      "Diagnostic-Code: smtp; 451 4.4.1 No answer from host\n"
      "\n"
      "Final-Recipient: rfc822; gone@example.org\n"
      "Action: failed\n"
      "Status: 5.1.1\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected:\n"
      "    User unknown in local recipient table\n");
  REQUIRE(bounce.size() == 1);
  CHECK(bounce[0].recipient == "gone@example.org");
  CHECK(bounce[0].text ==
        "550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown in local "
        "recipient table");
}

// The shapes below are written after the bounces Gmail and Microsoft 365 send today; headers and
// the returned message carry code-looking numbers and replies of their own that must not win.
TEST_CASE("a Gmail 'Delivery Status Notification (Failure)': the remote server's reply") {
  std::string bounce =
      "Delivered-To: alice@gmail.com\n"
      "Received: by 2002:a05:6a10:550:b0:421:5f1:8c3 with SMTP id 550sm421;\n"
      "        Tue, 3 Dec 2024 09:14:03 -0800 (PST)\n"
      "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
      "Subject: Delivery Status Notification (Failure)\n"
      "\n"
      "** Address not found **\n"
      "\n"
      "Your message wasn't delivered to bob@example.org because the address couldn't be found,\n"
      "or is unable to receive mail.\n"
      "\n"
      "The response from the remote server was:\n"
      "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox "
      "table\n"
      "\n"
      "----- Original message -----\n"
      "\n"
      "Subject: Re: 421 errors from your relay\n"
      "> We keep seeing 452 4.2.2 Mailbox full for carol@example.net\n";
  auto f = explain_text(bounce);
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::recipient_unknown);
  CHECK(f[0].diagnosis.code == 550);
  REQUIRE(f[0].diagnosis.enhanced);
  CHECK(f[0].diagnosis.enhanced->str() == "5.1.1");
}

TEST_CASE("a current Microsoft 365 NDR: the 'Reported error' of each failing recipient") {
  std::string ndr =
      "Your message to bob@example.org couldn't be delivered.\n"
      "bob wasn't found at example.org.\n"
      "\n"
      "Diagnostic information for administrators\n"
      "Generating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com\n"
      "\n"
      "bob@example.org\n"
      "Remote server returned an error:\n"
      "Error Details\n"
      "Reported error: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
      "address lookup\n"
      "DSN generated by: AM0PR01MB1234.eurprd01.prod.exchangelabs.com\n"
      "\n"
      "Original message headers:\n"
      "Received: from AM0PR01MB1234 (2603:10a6:208:550::21) by AM0PR01MB5678 with HTTPS;\n"
      " Tue, 3 Dec 2024 17:14:03 +0000\n"
      "X-MS-Exchange-Organization-SCL: 1\n"
      "Subject: 552 quota report\n";
  auto bounce = bounce_diagnostics(ndr);
  REQUIRE(bounce.size() == 1);
  CHECK(bounce[0].text.starts_with("550 5.1.10 RESOLVER.ADR.RecipientNotFound"));
  auto f = explain_text(ndr);
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::recipient_unknown);
  REQUIRE(f[0].diagnosis.enhanced);
  CHECK(f[0].diagnosis.enhanced->str() == "5.1.10");
}

TEST_CASE("a DSN for two recipients, one delayed and one failed: the failed one's diagnostic") {
  std::string dsn =
      "Reporting-MTA: dns; mail.example.com\n"
      "Arrival-Date: Tue,  3 Dec 2024 18:02:11 +0100 (CET)\n"
      "\n"
      "Final-Recipient: rfc822; slow@example.net\n"
      "Action: delayed\n"
      "Status: 4.4.1\n"
      "Diagnostic-Code: X-Postfix; connect to mx.example.net[192.0.2.9]:25: Connection timed "
      "out\n"
      "\n"
      "Final-Recipient: rfc822; full@example.org\n"
      "Original-Recipient: rfc822;full@example.org\n"
      "Action: failed\n"
      "Status: 5.2.2\n"
      "Remote-MTA: dns; mx.example.org\n"
      "Diagnostic-Code: smtp; 552 5.2.2 <full@example.org>: Recipient address rejected:\n"
      "    Mailbox is full\n";
  auto bounce = bounce_diagnostics(dsn);
  REQUIRE(bounce.size() == 1);
  CHECK(bounce[0].recipient == "full@example.org");
  auto f = explain_text(dsn);
  REQUIRE(f.size() == 1);
  CHECK(f[0].diagnosis.category == Category::mailbox_full);
  CHECK(f[0].text.find("full@example.org") != std::string::npos);
}
