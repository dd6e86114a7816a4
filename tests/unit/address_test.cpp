#include "core/smtp/address.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace smtpdoctor;
using namespace std::string_literals;

namespace {

std::string refusal(std::string_view address, bool utf8 = false) {
  std::string why;
  CHECK_FALSE(parse_mailbox(address, utf8, &why).has_value());
  CHECK_FALSE(why.empty());
  return why;
}

}  // namespace

TEST_CASE("everyday addresses are valid mailboxes") {
  for (std::string_view ok :
       {"alice@example.com", "first.last@sub.example.co.uk", "user+tag@example.com",
        "a!#$%&'*+-/=?^_`{|}~z@example.com", "x@a-b.example", "1@2.3", "postmaster@localhost"}) {
    INFO(ok);
    std::string why;
    CHECK(parse_mailbox(ok, false, &why).has_value());
    CHECK(why.empty());
  }
  auto mailbox = parse_mailbox("first.last@sub.example.co.uk");
  REQUIRE(mailbox.has_value());
  CHECK(mailbox->local_part == "first.last");
  CHECK(mailbox->domain == "sub.example.co.uk");
  CHECK(mailbox->str() == "first.last@sub.example.co.uk");
}

TEST_CASE("quoted local parts allow spaces, '@' and escaped quotes") {
  auto spaced = parse_mailbox("\"john doe\"@example.com");
  REQUIRE(spaced.has_value());
  CHECK(spaced->local_part == "\"john doe\"");
  CHECK(spaced->domain == "example.com");

  auto at_sign = parse_mailbox("\"a@b\"@example.com");
  REQUIRE(at_sign.has_value());
  CHECK(at_sign->local_part == "\"a@b\"");

  CHECK(parse_mailbox(R"("say \"hi\""@example.com)").has_value());
  CHECK(parse_mailbox(R"("back\\slash"@example.com)").has_value());
  CHECK(parse_mailbox("\"..double..dots.\"@example.com").has_value());
  CHECK(parse_mailbox("\"\"@example.com").has_value());

  CHECK(refusal("\"unterminated@example.com") == "unterminated quoted local part");
  CHECK(refusal(R"("ends with backslash\"@example.com)") == "unterminated quoted local part");
  CHECK(refusal("\"tab\there\"@example.com").find("quoted local part") != std::string::npos);
  CHECK(refusal("\"a\"b@example.com") == "expected '@' after the quoted local part");
}

TEST_CASE("address literals: IPv4 and IPv6 are accepted, malformed ones are refused") {
  auto v4 = parse_mailbox("root@[192.0.2.1]");
  REQUIRE(v4.has_value());
  CHECK(v4->domain == "[192.0.2.1]");
  CHECK(parse_mailbox("root@[IPv6:2001:db8::1]").has_value());
  CHECK(parse_mailbox("root@[IPv6:::1]").has_value());
  CHECK(parse_mailbox("root@[IPv6:::ffff:192.0.2.1]").has_value());
  CHECK(parse_mailbox("root@[x-tag:opaque]").has_value());

  CHECK(refusal("root@[192.0.2.256]").find("IPv4") != std::string::npos);
  CHECK(refusal("root@[192.0.2]").find("IPv4") != std::string::npos);
  CHECK(refusal("root@[192.0.2.1.5]").find("IPv4") != std::string::npos);
  CHECK(refusal("root@[IPv6:2001:db8::g]").find("IPv6") != std::string::npos);
  CHECK(refusal("root@[IPv6:1.2.3.4]").find("IPv6") != std::string::npos);
  CHECK(refusal("root@[192.0.2.1").find("']'") != std::string::npos);
  CHECK_FALSE(parse_mailbox("root@[]").has_value());
  CHECK_FALSE(parse_mailbox("root@[:x]").has_value());
}

TEST_CASE("malformed addresses are refused with a reason a user understands") {
  CHECK(refusal("") == "address is empty");
  CHECK(refusal("alice") == "address has no '@'");
  CHECK(refusal("@example.com") == "local part (before '@') is empty");
  CHECK(refusal("alice@") == "domain (after '@') is empty");
  CHECK(refusal(".alice@example.com").find("dot") != std::string::npos);
  CHECK(refusal("alice.@example.com").find("dot") != std::string::npos);
  CHECK(refusal("al..ice@example.com").find("dot") != std::string::npos);
  CHECK(refusal("al ice@example.com").find("' '") != std::string::npos);
  CHECK(refusal("a@b@example.com").find("'@'") != std::string::npos);
  CHECK(refusal("<alice@example.com>").find("'<'") != std::string::npos);
  CHECK(refusal("alice@example..com").find("empty label") != std::string::npos);
  CHECK(refusal("alice@example.com.").find("empty label") != std::string::npos);
  CHECK(refusal("alice@-example.com").find("'-'") != std::string::npos);
  CHECK(refusal("alice@example-.com").find("'-'") != std::string::npos);
  CHECK(refusal("alice@exa_mple.com").find("'_'") != std::string::npos);
}

TEST_CASE("RFC 5321 length limits: 64 octets local part, 63 per label, 255 domain") {
  std::string local64(64, 'a');
  CHECK(parse_mailbox(local64 + "@example.com").has_value());
  CHECK(refusal(local64 + "a@example.com") == "local part longer than 64 octets");

  std::string label63(63, 'b');
  CHECK(parse_mailbox("a@" + label63 + ".com").has_value());
  CHECK(refusal("a@" + label63 + "b.com") == "domain label longer than 63 octets");

  std::string long_domain;
  for (int i = 0; i < 5; ++i) long_domain += label63 + ".";
  long_domain += "com";  // 323 octets
  CHECK(refusal("a@" + long_domain).find("longer than") != std::string::npos);
}

TEST_CASE("non-ASCII addresses need SMTPUTF8 and must be well-formed UTF-8") {
  std::string_view german =
      "j\xc3\xbcrgen@b\xc3\xbc"
      "cher.example";
  CHECK(refusal(german, false).find("SMTPUTF8") != std::string::npos);
  auto ok = parse_mailbox(german, true);
  REQUIRE(ok.has_value());
  CHECK(ok->local_part == "j\xc3\xbcrgen");
  CHECK(parse_mailbox("\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\x85\xac\xe5\x8f\xb8",
                      true)
            .has_value());  // 用户@例子.公司
  CHECK(parse_mailbox("\"\xc3\xa9t\xc3\xa9\"@example.com", true).has_value());  // quoted UTF-8
  CHECK(parse_mailbox("\xf0\x9f\x98\x80@example.com", true).has_value());       // 4-byte emoji

  CHECK(refusal("a\xc3@example.com", true).find("malformed UTF-8") != std::string::npos);
  CHECK(refusal("a\xc0\xaf@example.com", true).find("malformed UTF-8") != std::string::npos);
  CHECK(refusal("a\xed\xa0\x80@example.com", true).find("malformed UTF-8") != std::string::npos);
  CHECK(refusal("a\xf4\x90\x80\x80@example.com", true).find("malformed UTF-8") !=
        std::string::npos);
  CHECK(refusal("a\xff@example.com", true).find("malformed UTF-8") != std::string::npos);
  CHECK(refusal("a\x80@example.com", true).find("malformed UTF-8") != std::string::npos);
}

TEST_CASE("CR, LF and NUL are refused in every value, so no command can be injected") {
  const std::string injections[] = {"a@b.c>\r\nRCPT TO:<x@y>", "a@b.c\nRSET", "a@b.c\rRSET",
                                    "a@b.c\0RSET"s, "\"a\r\nb\"@example.com"};
  for (const auto& evil : injections) {
    INFO(evil);
    CHECK(has_line_break(evil));
    std::string why;
    CHECK_FALSE(parse_mailbox(evil, true, &why).has_value());
    CHECK(why == "address contains CR, LF or NUL");
    CHECK_FALSE(mail_from_command(evil, {}, false, &why).has_value());
    CHECK_FALSE(mail_from_command(evil, {}, true).has_value());
    CHECK_FALSE(rcpt_to_command(evil, {}, false, &why).has_value());
    CHECK_FALSE(rcpt_to_command(evil, {}, true).has_value());
    CHECK_FALSE(simple_command("EHLO", evil, &why).has_value());
    CHECK_FALSE(simple_command(evil).has_value());
    CHECK_FALSE(mail_from_command("a@example.com", {"SIZE=1" + evil}, true).has_value());
    CHECK_FALSE(rcpt_to_command("a@example.com", {"NOTIFY=NEVER", evil}, true).has_value());
  }
  // Without a line break the closing '>' still cannot sneak in.
  CHECK_FALSE(mail_from_command("a@b.c> SIZE=1", {}, false).has_value());
  CHECK_FALSE(has_line_break("alice@example.com"));
}

TEST_CASE("MAIL FROM and RCPT TO are built with validated parameters") {
  CHECK(mail_from_command("alice@example.com", {}, false) == "MAIL FROM:<alice@example.com>\r\n");
  CHECK(mail_from_command("", {}, false) == "MAIL FROM:<>\r\n");
  CHECK(mail_from_command("alice@example.com", {"SIZE=1024", "BODY=8BITMIME"}, false) ==
        "MAIL FROM:<alice@example.com> SIZE=1024 BODY=8BITMIME\r\n");
  CHECK(mail_from_command("j\xc3\xbcrgen@example.com", {"SMTPUTF8"}, true) ==
        "MAIL FROM:<j\xc3\xbcrgen@example.com> SMTPUTF8\r\n");
  CHECK(rcpt_to_command("bob@example.com", {"NOTIFY=SUCCESS,FAILURE"}, false) ==
        "RCPT TO:<bob@example.com> NOTIFY=SUCCESS,FAILURE\r\n");
  CHECK(rcpt_to_command("Postmaster", {}, false) == "RCPT TO:<Postmaster>\r\n");

  std::string why;
  CHECK_FALSE(rcpt_to_command("", {}, false, &why).has_value());
  CHECK(why == "recipient address is empty");
  CHECK_FALSE(mail_from_command("alice", {}, false, &why).has_value());
  CHECK(why == "address has no '@'");
  CHECK_FALSE(mail_from_command("j\xc3\xbcrgen@example.com", {}, false, &why).has_value());
  CHECK(why.find("SMTPUTF8") != std::string::npos);

  for (std::string bad : {"SIZE 10", "=x", "", "SIZE=", "SI_ZE=1", "-X=1", "A=b=c", "A=b\tc"}) {
    INFO(bad);
    CHECK_FALSE(mail_from_command("alice@example.com", {bad}, false, &why).has_value());
    CHECK(why.starts_with("bad parameter"));
  }
  CHECK_FALSE(mail_from_command("a@example.com", {"ORCPT=rfc822;\xc3\xbc"}, false).has_value());
  CHECK(mail_from_command("a@example.com", {"ORCPT=rfc822;\xc3\xbc"}, true).has_value());
}

TEST_CASE("simple commands: verb and optional argument, nothing else") {
  CHECK(simple_command("EHLO", "client.example.com") == "EHLO client.example.com\r\n");
  CHECK(simple_command("QUIT") == "QUIT\r\n");
  CHECK(simple_command("AUTH", "PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm") ==
        "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
  std::string why;
  CHECK_FALSE(simple_command("", "x", &why).has_value());
  CHECK(why == "command verb is empty");
  CHECK_FALSE(simple_command("MAIL FROM:", "x").has_value());
  CHECK_FALSE(simple_command("EHLO", "x\r\nQUIT", &why).has_value());
  CHECK(why == "command contains CR, LF or NUL");
}

TEST_CASE("dot-stuffing doubles leading dots and round-trips byte for byte") {
  std::string message = "Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nmid.dle\r\nend\r\n";
  std::string stuffed = dot_stuff(message);
  CHECK(stuffed == "Subject: dots\r\n\r\n..leading\r\n...two\r\n..\r\nmid.dle\r\nend\r\n.\r\n");
  CHECK(dot_unstuff(stuffed) == message);
}

TEST_CASE("a message that is just a lone dot line does not end DATA early") {
  CHECK(dot_stuff(".\r\n") == "..\r\n.\r\n");
  CHECK(dot_unstuff("..\r\n.\r\n") == ".\r\n");
  CHECK(dot_stuff(".") == "..\r\n.\r\n");
}

TEST_CASE("bare LF and bare CR become CRLF so the server sees proper lines") {
  CHECK(dot_stuff("a\nb\rc\r\n.d\n") == "a\r\nb\r\nc\r\n..d\r\n.\r\n");
  CHECK(dot_unstuff(dot_stuff("a\nb\rc\r\n.d\n")) == "a\r\nb\r\nc\r\n.d\r\n");
  // A bare "\n.\n" in the message must not turn into an end-of-data marker.
  std::string stuffed = dot_stuff("x\n.\ny\n");
  CHECK(stuffed == "x\r\n..\r\ny\r\n.\r\n");
  CHECK(stuffed.find("\r\n.\r\n") == stuffed.size() - 5);
}

TEST_CASE("a message without a final newline gets one; an empty message is just the dot") {
  CHECK(dot_stuff("no newline") == "no newline\r\n.\r\n");
  CHECK(dot_unstuff(dot_stuff("no newline")) == "no newline\r\n");
  CHECK(dot_stuff("") == ".\r\n");
  CHECK(dot_unstuff(".\r\n") == "");
  CHECK(dot_stuff("\r\n") == "\r\n.\r\n");
  CHECK(dot_unstuff("\r\n.\r\n") == "\r\n");
}

TEST_CASE("the server unstuffs only dots at the start of CRLF lines") {
  // On the wire a bare LF is not a line end, so the dot after it is data.
  CHECK(dot_unstuff("a\n.b\r\n.\r\n") == "a\n.b\r\n");
  CHECK(dot_unstuff("..a\r\n...\r\n.\r\n") == ".a\r\n..\r\n");
}

TEST_CASE("a large message with many dot lines survives the round trip") {
  std::string message;
  for (int i = 0; i < 2000; ++i)
    message += (i % 3 == 0 ? "." : "line ") + std::to_string(i) + "\r\n";
  CHECK(dot_unstuff(dot_stuff(message)) == message);
}
