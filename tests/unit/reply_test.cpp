#include "core/base/reply.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace smtpdoctor;

namespace {

// Feeds `wire` one byte at a time, as the slowest possible network would deliver it.
ReplyParser::State feed_bytewise(ReplyParser& parser, std::string_view wire) {
  for (char c : wire) {
    if (parser.state() != ReplyParser::State::need_more) break;
    parser.feed(std::string_view(&c, 1));
  }
  return parser.state();
}

constexpr std::string_view kGmailRejection =
    "550-5.7.1 [192.0.2.10] The IP you're using to send mail is not authorized to\r\n"
    "550-5.7.1 send email directly to our servers. Please use the SMTP relay at your\r\n"
    "550-5.7.1 service provider instead. For more information, go to\r\n"
    "550 5.7.1  https://support.google.com/mail/?p=NotAuthorizedError "
    "a1-20020a05600c000000b00400000000si1234567wmq.123 - gsmtp\r\n";

constexpr std::string_view kPostfixEhlo =
    "250-mail.example.org\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250-VRFY\r\n"
    "250-ETRN\r\n"
    "250-STARTTLS\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n"
    "250-DSN\r\n"
    "250-SMTPUTF8\r\n"
    "250 CHUNKING\r\n";

std::string parse_error(std::string_view wire) {
  std::string why;
  CHECK_FALSE(parse_reply(wire, &why).has_value());
  return why;
}

}  // namespace

TEST_CASE("a Postfix EHLO reply arriving one byte at a time is parsed whole") {
  ReplyParser parser;
  REQUIRE(feed_bytewise(parser, kPostfixEhlo) == ReplyParser::State::complete);
  Reply reply = parser.take();
  CHECK(reply.code == 250);
  REQUIRE(reply.lines.size() == 11);
  CHECK(reply.lines.front() == "mail.example.org");
  CHECK(reply.lines[2] == "SIZE 10240000");
  CHECK(reply.lines.back() == "CHUNKING");
  CHECK_FALSE(reply.bare_lf);
  CHECK(reply.wire() == kPostfixEhlo);
  CHECK(parser.state() == ReplyParser::State::need_more);
}

TEST_CASE("Gmail's multi-line 550 rejection keeps its text and yields enhanced code 5.7.1") {
  auto reply = parse_reply(kGmailRejection);
  REQUIRE(reply.has_value());
  CHECK(reply->code == 550);
  CHECK(reply->permanent_failure());
  REQUIRE(reply->enhanced.has_value());
  CHECK(reply->enhanced->str() == "5.7.1");
  REQUIRE(reply->lines.size() == 4);
  // Text is kept verbatim, the enhanced code included, so transcripts show what the server said.
  CHECK(reply->lines[0] ==
        "5.7.1 [192.0.2.10] The IP you're using to send mail is not authorized to");
  CHECK(reply->text().find("NotAuthorizedError") != std::string::npos);
  CHECK(reply->wire() == kGmailRejection);
}

TEST_CASE("greetings of Exim, Exchange and a multi-line banner are understood") {
  auto exim = parse_reply("220 mx.example.net ESMTP Exim 4.96 Sun, 22 Nov 2026 21:00:00 +0000\r\n");
  REQUIRE(exim.has_value());
  CHECK(exim->code == 220);
  CHECK_FALSE(exim->enhanced.has_value());

  auto exchange = parse_reply(
      "220 mail.contoso.com Microsoft ESMTP MAIL Service ready at Sun, 22 Nov 2026 21:00:00 "
      "+0000\r\n");
  REQUIRE(exchange.has_value());
  CHECK(exchange->lines.front().starts_with("mail.contoso.com Microsoft ESMTP"));

  auto banner = parse_reply(
      "220-mx.example.com ESMTP\r\n"
      "220-We do not authorize the use of this system to transport unsolicited\r\n"
      "220 and/or bulk e-mail.\r\n");
  REQUIRE(banner.has_value());
  CHECK(banner->lines.size() == 3);
  CHECK(banner->text() ==
        "mx.example.com ESMTP\nWe do not authorize the use of this system to transport "
        "unsolicited\nand/or bulk e-mail.");
}

TEST_CASE("pipelined replies delivered in one read are handed out one at a time") {
  std::string wire =
      "250 2.1.0 Ok\r\n"
      "450 4.2.0 <x@example.com>: Recipient address rejected: Greylisted\r\n"
      "354 End data with <CR><LF>.<CR><LF>\r\n";
  ReplyParser parser;
  std::string_view rest = wire;
  std::vector<Reply> replies;
  while (!rest.empty()) {
    std::size_t used = parser.feed(rest);
    REQUIRE(parser.state() == ReplyParser::State::complete);
    replies.push_back(parser.take());
    rest.remove_prefix(used);
  }
  REQUIRE(replies.size() == 3);
  CHECK(replies[0].code == 250);
  CHECK(replies[0].enhanced->str() == "2.1.0");
  CHECK(replies[1].transient_failure());
  CHECK(replies[1].enhanced == EnhancedCode{4, 2, 0});
  CHECK(replies[2].positive_intermediate());
  CHECK_FALSE(replies[2].enhanced.has_value());
}

TEST_CASE("feed stops right after a reply so early data from the server can be noticed") {
  ReplyParser parser;
  std::string_view wire = "220 ready\r\nEXTRA";
  CHECK(parser.feed(wire) == 11);
  CHECK(parser.state() == ReplyParser::State::complete);
  CHECK(parser.feed("more") == 0);  // nothing more until take()
}

TEST_CASE("a bare code with no text is a valid reply") {
  auto reply = parse_reply("250\r\n");
  REQUIRE(reply.has_value());
  CHECK(reply->code == 250);
  REQUIRE(reply->lines.size() == 1);
  CHECK(reply->lines[0].empty());
  CHECK(reply->wire() == "250\r\n");

  auto empty_continuation = parse_reply("250-\r\n250 ok\r\n");
  REQUIRE(empty_continuation.has_value());
  CHECK(empty_continuation->lines == std::vector<std::string>{"", "ok"});
}

TEST_CASE("a server ending lines with bare LF is tolerated and reported") {
  auto reply = parse_reply("250-first\n250 second\r\n");
  REQUIRE(reply.has_value());
  CHECK(reply->bare_lf);
  CHECK(reply->lines == std::vector<std::string>{"first", "second"});

  auto clean = parse_reply("250 ok\r\n");
  REQUIRE(clean.has_value());
  CHECK_FALSE(clean->bare_lf);
}

TEST_CASE("a CRLF split across two reads is still one line end") {
  ReplyParser parser;
  parser.feed("221 2.0.0 Bye\r");
  CHECK(parser.state() == ReplyParser::State::need_more);
  parser.feed("\n");
  REQUIRE(parser.state() == ReplyParser::State::complete);
  Reply reply = parser.take();
  CHECK_FALSE(reply.bare_lf);
  CHECK(reply.lines[0] == "2.0.0 Bye");
}

TEST_CASE("malformed replies are protocol errors with a reason") {
  CHECK(parse_error("2x0 hi\r\n").find("three-digit code") != std::string::npos);
  CHECK(parse_error("25\r\n").find("three-digit code") != std::string::npos);
  CHECK(parse_error("\r\n").find("three-digit code") != std::string::npos);
  CHECK(parse_error("hello\r\n").find("\"hello\"") != std::string::npos);
  CHECK(parse_error("100 continue\r\n") == "reply code 100 is outside 200-599");
  CHECK(parse_error("600 nope\r\n") == "reply code 600 is outside 200-599");
  CHECK(parse_error("2500 four digits\r\n").find("expected ' ' or '-'") != std::string::npos);
  CHECK(parse_error("250_ok\r\n").find("expected ' ' or '-'") != std::string::npos);
  CHECK(parse_error("250-a\r\n251 b\r\n") == "reply code changed from 250 to 251 within one reply");
  CHECK(parse_error(std::string_view("250 a\0b\r\n", 9)) == "reply line contains a NUL byte");
  CHECK(parse_error("250 a\rb\r\n") == "reply line contains a CR not followed by LF");
  CHECK(parse_error("250-more to come\r\n").find("incomplete") != std::string::npos);
  CHECK(parse_error("250 ok\r\n250 again\r\n").find("after the end") != std::string::npos);
  CHECK(parse_error("") == "empty reply");
}

TEST_CASE("a reply pasted without its final line break is still parsed") {
  auto reply = parse_reply("550 5.1.1 <bob@example.com>: Recipient address rejected");
  REQUIRE(reply.has_value());
  CHECK(reply->enhanced == EnhancedCode{5, 1, 1});
}

TEST_CASE("garbage control bytes from the server are escaped in the error message") {
  std::string why = parse_error("\x1b[31mevil\r\n");
  CHECK(why.find('\x1b') == std::string::npos);
  CHECK(why.find("\\x1b") != std::string::npos);
}

TEST_CASE("after an error the parser stays in error and consumes nothing") {
  ReplyParser parser;
  parser.feed("abc\r\n");
  REQUIRE(parser.state() == ReplyParser::State::error);
  std::string message = parser.error_message();
  CHECK(parser.feed("250 ok\r\n") == 0);
  CHECK(parser.state() == ReplyParser::State::error);
  CHECK(parser.take().lines.empty());
  CHECK(parser.state() == ReplyParser::State::error);
  CHECK(parser.error_message() == message);
}

TEST_CASE("a hostile server sending an endless line meets the 4096-octet line limit") {
  ReplyParser parser;
  std::string flood = "250 " + std::string(1024 * 1024, 'A');
  std::size_t used = parser.feed(flood);
  REQUIRE(parser.state() == ReplyParser::State::error);
  CHECK(parser.error_message() == "reply line exceeds 4096 octets");
  // It stopped reading at the limit instead of buffering the megabyte.
  CHECK(used <= 4097);

  // Exactly at the limit is fine, CRLF not counted.
  std::string at_limit = "250 " + std::string(4096 - 4, 'A') + "\r\n";
  CHECK(parse_reply(at_limit).has_value());
  std::string over = "250 " + std::string(4096 - 3, 'A') + "\r\n";
  CHECK(parse_error(over) == "reply line exceeds 4096 octets");
}

TEST_CASE("a reply with more than 256 lines is refused") {
  std::string wire;
  for (int i = 0; i < 256; ++i) wire += "250-line\r\n";
  wire += "250 last\r\n";
  CHECK(parse_error(wire) == "reply exceeds 256 lines");

  std::string ok;
  for (int i = 0; i < 255; ++i) ok += "250-line\r\n";
  ok += "250 last\r\n";
  auto reply = parse_reply(ok);
  REQUIRE(reply.has_value());
  CHECK(reply->lines.size() == 256);
}

TEST_CASE("a reply over 64 KiB is refused even when every line is within limits") {
  std::string line = "250-" + std::string(4000, 'x') + "\r\n";
  std::string wire;
  for (int i = 0; i < 17; ++i) wire += line;  // 17 * 4006 > 65536
  wire += "250 end\r\n";
  CHECK(parse_error(wire) == "reply exceeds 65536 octets");
}

TEST_CASE("limits can be shrunk for a test or a strict mode") {
  Limits limits;
  limits.max_line_octets = 10;
  limits.max_reply_lines = 2;
  ReplyParser parser(limits);
  parser.feed("250 0123456789X\r\n");
  CHECK(parser.error_message() == "reply line exceeds 10 octets");

  ReplyParser lines(limits);
  lines.feed("250-a\r\n250-b\r\n250 c\r\n");
  CHECK(lines.error_message() == "reply exceeds 2 lines");
}

TEST_CASE("enhanced status codes follow RFC 3463 class.subject.detail") {
  CHECK(parse_enhanced_code("5.7.1 Relay access denied") == EnhancedCode{5, 7, 1});
  CHECK(parse_enhanced_code("4.7.0") == EnhancedCode{4, 7, 0});
  CHECK(parse_enhanced_code("2.0.0\tOk") == EnhancedCode{2, 0, 0});
  CHECK(parse_enhanced_code("5.100.999 x") == EnhancedCode{5, 100, 999});
  CHECK_FALSE(parse_enhanced_code("3.1.1 no such class").has_value());
  CHECK_FALSE(parse_enhanced_code("5.7 short").has_value());
  CHECK_FALSE(parse_enhanced_code("5.7.1234").has_value());
  CHECK_FALSE(parse_enhanced_code("5.1000.1").has_value());
  CHECK_FALSE(parse_enhanced_code("5.7.1abc").has_value());
  CHECK_FALSE(parse_enhanced_code("55.7.1").has_value());
  CHECK_FALSE(parse_enhanced_code(" 5.7.1").has_value());
  CHECK_FALSE(parse_enhanced_code("").has_value());
  CHECK(EnhancedCode{5, 7, 1}.str() == "5.7.1");
}

TEST_CASE("however the network splits a reply, the parser reaches the same verdict") {
  const std::string_view samples[] = {kPostfixEhlo, kGmailRejection, "250-a\r\n251 b\r\n",
                                      "250-first\n250 second\r\n", "2x0 bad\r\n"};
  for (std::string_view wire : samples) {
    ReplyParser whole;
    whole.feed(wire);
    for (std::size_t split = 0; split <= wire.size(); ++split) {
      INFO(wire, " split at ", split);
      ReplyParser parts;
      std::size_t used = parts.feed(wire.substr(0, split));
      if (parts.state() == ReplyParser::State::need_more) used += parts.feed(wire.substr(split));
      REQUIRE(parts.state() == whole.state());
      CHECK(parts.error_message() == whole.error_message());
      if (whole.state() == ReplyParser::State::complete) {
        CHECK(used == wire.size());
        CHECK(parts.take().lines == whole.take().lines);
        whole.feed(wire);  // take() reset it; parse again for the next split
      }
    }
  }
}
