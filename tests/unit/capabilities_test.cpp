#include "core/smtp/capabilities.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace smtpdoctor;

namespace {

Capabilities caps_of(std::string_view wire) {
  std::string why;
  auto reply = parse_reply(wire, &why);
  INFO(why);
  REQUIRE(reply.has_value());
  return parse_capabilities(*reply);
}

}  // namespace

TEST_CASE("Postfix's EHLO reply: STARTTLS, SIZE, PIPELINING, SMTPUTF8, CHUNKING") {
  auto caps = caps_of(
      "250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
      "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n"
      "250 CHUNKING\r\n");
  CHECK(caps.greeting_domain == "mail.example.org");
  CHECK(caps.greeting_text.empty());
  CHECK(caps.pipelining);
  CHECK(caps.size_advertised);
  CHECK(caps.size == 10240000u);
  CHECK(caps.size_limit() == 10240000u);
  CHECK(caps.starttls);
  CHECK(caps.enhancedstatuscodes);
  CHECK(caps.eightbitmime);
  CHECK(caps.dsn);
  CHECK(caps.smtputf8);
  CHECK(caps.chunking);
  CHECK_FALSE(caps.binarymime);
  CHECK_FALSE(caps.requiretls);
  CHECK(caps.auth.empty());
  CHECK(caps.unknown == std::vector<std::string>{"VRFY", "ETRN"});
  CHECK(caps.keywords.size() == 10);
}

TEST_CASE("Exim's EHLO reply offers AUTH PLAIN LOGIN after the greeting") {
  auto caps = caps_of(
      "250-mx.example.net Hello client.example.com [192.0.2.10]\r\n250-SIZE 52428800\r\n"
      "250-8BITMIME\r\n250-PIPELINING\r\n250-PIPECONNECT\r\n250-AUTH PLAIN LOGIN\r\n"
      "250-CHUNKING\r\n250-STARTTLS\r\n250-PRDR\r\n250 HELP\r\n");
  CHECK(caps.greeting_domain == "mx.example.net");
  CHECK(caps.greeting_text == "Hello client.example.com [192.0.2.10]");
  CHECK(caps.auth == std::vector<std::string>{"PLAIN", "LOGIN"});
  CHECK(caps.has_auth("plain"));
  CHECK(caps.has_auth("LOGIN"));
  CHECK_FALSE(caps.has_auth("CRAM-MD5"));
  CHECK(caps.unknown == std::vector<std::string>{"PIPECONNECT", "PRDR", "HELP"});
}

TEST_CASE("Office 365's EHLO reply has BINARYMIME and CHUNKING") {
  auto caps = caps_of(
      "250-AM0PR01MB1234.eurprd01.prod.exchangelabs.com Hello [192.0.2.10]\r\n"
      "250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n"
      "250-STARTTLS\r\n250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n");
  CHECK(caps.greeting_domain == "AM0PR01MB1234.eurprd01.prod.exchangelabs.com");
  CHECK(caps.binarymime);
  CHECK(caps.chunking);
  CHECK(caps.smtputf8);
  CHECK(caps.size_limit() == 157286400u);
  CHECK(caps.unknown.empty());
}

TEST_CASE("old Exchange: AUTH= form, lower-case keywords and SIZE without a number") {
  auto caps = caps_of(
      "250-mail.contoso.com Hello [192.0.2.10]\r\n250-TURN\r\n250-SIZE\r\n250-ETRN\r\n"
      "250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-8bitmime\r\n"
      "250-BINARYMIME\r\n250-CHUNKING\r\n250-VRFY\r\n250-X-EXPS GSSAPI NTLM LOGIN\r\n"
      "250-X-EXPS=LOGIN\r\n250-AUTH GSSAPI NTLM LOGIN\r\n250-AUTH=LOGIN\r\n"
      "250-X-LINK2STATE\r\n250-XEXCH50\r\n250 OK\r\n");
  CHECK(caps.eightbitmime);
  CHECK(caps.size_advertised);
  CHECK_FALSE(caps.size.has_value());
  CHECK_FALSE(caps.size_limit().has_value());
  // LOGIN appears in both forms but is listed once.
  CHECK(caps.auth == std::vector<std::string>{"GSSAPI", "NTLM", "LOGIN"});
  // Unknown lines are kept exactly as the server sent them.
  CHECK(caps.unknown == std::vector<std::string>{"TURN", "ETRN", "VRFY", "X-EXPS GSSAPI NTLM LOGIN",
                                                 "X-EXPS=LOGIN", "X-LINK2STATE", "XEXCH50", "OK"});
}

TEST_CASE("only the old AUTH=LOGIN PLAIN form still yields the mechanisms") {
  auto caps = caps_of("250-mx Hi\r\n250 AUTH=login PLAIN\r\n");
  CHECK(caps.auth == std::vector<std::string>{"LOGIN", "PLAIN"});
  CHECK(caps.keywords == std::vector<std::string>{"AUTH"});
}

TEST_CASE("keywords are whole tokens: STARTTLSX is not STARTTLS") {
  auto caps = caps_of(
      "250-mx\r\n250-STARTTLSX\r\n250-XSTARTTLS\r\n250-PIPELININGS\r\n250-SIZE10\r\n"
      "250 AUTHPLAIN\r\n");
  CHECK_FALSE(caps.starttls);
  CHECK_FALSE(caps.pipelining);
  CHECK_FALSE(caps.size_advertised);
  CHECK(caps.auth.empty());
  CHECK(caps.unknown.size() == 5);
}

TEST_CASE("keywords are case-insensitive and parameters may be separated by several spaces") {
  auto caps = caps_of("250-mx\r\n250-starttls\r\n250-Auth  Plain   cram-md5\r\n250 size  2048\r\n");
  CHECK(caps.starttls);
  CHECK(caps.auth == std::vector<std::string>{"PLAIN", "CRAM-MD5"});
  CHECK(caps.size_limit() == 2048u);
}

TEST_CASE("SIZE 0 means advertised without a fixed limit; a bad number is ignored") {
  auto zero = caps_of("250-mx\r\n250 SIZE 0\r\n");
  CHECK(zero.size_advertised);
  CHECK(zero.size == 0u);
  CHECK_FALSE(zero.size_limit().has_value());

  auto junk = caps_of("250-mx\r\n250 SIZE 12abc\r\n");
  CHECK(junk.size_advertised);
  CHECK_FALSE(junk.size.has_value());

  auto huge = caps_of("250-mx\r\n250 SIZE 99999999999999999999999\r\n");
  CHECK(huge.size_advertised);
  CHECK_FALSE(huge.size.has_value());
}

TEST_CASE("a one-line EHLO reply has no extensions") {
  auto caps = caps_of("250 mx.example.com\r\n");
  CHECK(caps.greeting_domain == "mx.example.com");
  CHECK(caps.keywords.empty());
  CHECK_FALSE(caps.starttls);
}

TEST_CASE("every keyword of IANA's SMTP Service Extensions registry has a meaning") {
  // https://www.iana.org/assignments/smtp (SMTP Service Extensions), as of 2025-05.
  for (std::string_view keyword : {"SEND",
                                   "SOML",
                                   "SAML",
                                   "VRFY",
                                   "EXPN",
                                   "HELP",
                                   "TURN",
                                   "8BITMIME",
                                   "SIZE",
                                   "VERB",
                                   "ONEX",
                                   "CHUNKING",
                                   "BINARYMIME",
                                   "CHECKPOINT",
                                   "DELIVERBY",
                                   "PIPELINING",
                                   "DSN",
                                   "ETRN",
                                   "ENHANCEDSTATUSCODES",
                                   "STARTTLS",
                                   "NO-SOLICITING",
                                   "MTRK",
                                   "AUTH",
                                   "ATRN",
                                   "BURL",
                                   "FUTURERELEASE",
                                   "UTF8SMTP",
                                   "CONPERM",
                                   "CONNEG",
                                   "SMTPUTF8",
                                   "MT-PRIORITY",
                                   "RRVS",
                                   "REQUIRETLS",
                                   "LIMITS"}) {
    INFO(keyword);
    CHECK_FALSE(capability_meaning(keyword).empty());
  }
  // Exim offers PIPECONNECT by default (outside the registry).
  CHECK(capability_meaning("PIPECONNECT").find("round trip") != std::string_view::npos);
}

TEST_CASE("every keyword the parser knows has a one-line meaning citing its RFC") {
  for (std::string_view keyword :
       {"SIZE", "AUTH", "PIPELINING", "8BITMIME", "SMTPUTF8", "DSN", "CHUNKING", "BINARYMIME",
        "ENHANCEDSTATUSCODES", "STARTTLS", "REQUIRETLS", "VRFY", "ETRN", "HELP"}) {
    INFO(keyword);
    auto meaning = capability_meaning(keyword);
    CHECK(meaning.find("RFC ") != std::string_view::npos);
    CHECK(meaning.find('\n') == std::string_view::npos);
  }
  CHECK(capability_meaning("pipelining").find("RFC 2920") != std::string_view::npos);
  CHECK(capability_meaning("AUTH=LOGIN") == capability_meaning("AUTH"));
  CHECK(capability_meaning("SIZE 1000") == capability_meaning("SIZE"));
  CHECK(capability_meaning("XCLIENT").find("Postfix") != std::string_view::npos);
  CHECK(capability_meaning("STARTTLSX").empty());
  CHECK(capability_meaning("").empty());
}
