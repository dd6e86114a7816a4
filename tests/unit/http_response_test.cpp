// The HTTP/1.1 response reader of the MTA-STS fetch: framing by Content-Length, chunked and
// end of connection; incomplete input waits, broken or ambiguous input fails, limits hold.
#include <doctest/doctest.h>

#include <string>

#include "core/net/http_response.hpp"

using namespace smtpdoctor;

TEST_CASE("a Content-Length response, complete only when the whole body arrived") {
  std::string r =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
      "5\r\n\r\nhello";
  auto done = parse_http_response(r, false);
  REQUIRE(done.state == HttpParseState::complete);
  CHECK(done.response.status == 200);
  CHECK(done.response.reason == "OK");
  CHECK(done.response.body == "hello");
  CHECK(media_type(*done.response.header("content-type")) == "text/plain");
  CHECK(parse_http_response(r.substr(0, r.size() - 1), false).state == HttpParseState::incomplete);
  auto cut = parse_http_response(r.substr(0, r.size() - 1), true);
  CHECK(cut.state == HttpParseState::failed);
  CHECK(cut.error.find("closed before the body ended") != std::string::npos);
}

TEST_CASE("a chunked body is joined; extensions and trailers are read and dropped") {
  std::string r =
      "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n4;x=y\r\nvers\r\n6\r\nion: S\r\n0\r\n"
      "Trailer: 1\r\n\r\n";
  auto p = parse_http_response(r, false);
  REQUIRE(p.state == HttpParseState::complete);
  CHECK(p.response.body == "version: S");
  CHECK(parse_http_response(r.substr(0, 30), false).state == HttpParseState::incomplete);
  CHECK(parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false)
            .state == HttpParseState::failed);
}

TEST_CASE("no length: the body runs to the end of the connection") {
  std::string r = "HTTP/1.0 200 OK\r\n\r\nversion: STSv1\n";
  CHECK(parse_http_response(r, false).state == HttpParseState::incomplete);
  auto p = parse_http_response(r, true);
  REQUIRE(p.state == HttpParseState::complete);
  CHECK(p.response.body == "version: STSv1\n");
}

TEST_CASE("a redirect is a response like any other; interim 1xx responses are skipped") {
  auto p = parse_http_response(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 301 Moved Permanently\r\nLocation: "
      "https://elsewhere.example/\r\nContent-Length: 0\r\n\r\n",
      false);
  REQUIRE(p.state == HttpParseState::complete);
  CHECK(p.response.status == 301);
  CHECK(*p.response.header("location") == "https://elsewhere.example/");
}

TEST_CASE("ambiguous and malformed responses fail with the reason") {
  auto fails_with = [](const std::string& text, const std::string& why) {
    auto p = parse_http_response(text, true);
    CHECK(p.state == HttpParseState::failed);
    CHECK_MESSAGE(p.error.find(why) != std::string::npos, p.error);
  };
  fails_with("SSH-2.0-OpenSSH_9.2\r\n", "not an HTTP/1.x status line");
  fails_with("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
             "two different Content-Length");
  fails_with("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             "both Content-Length and Transfer-Encoding");
  fails_with("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "unsupported Transfer-Encoding");
  fails_with("HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", "folded header");
  fails_with("HTTP/1.1 200 OK\r\nBad Name: a\r\n\r\n", "malformed header field");
  fails_with("", "without a response");
}

TEST_CASE("limits: body, header size and header count") {
  HttpLimits limits;
  limits.max_body = 10;
  auto big = parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", false, limits);
  CHECK(big.state == HttpParseState::failed);
  CHECK(big.too_large);
  auto chunks = parse_http_response(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n", false, limits);
  CHECK(chunks.too_large);
  auto to_eof =
      parse_http_response("HTTP/1.1 200 OK\r\n\r\n" + std::string(11, 'x'), false, limits);
  CHECK(to_eof.too_large);
  limits.max_headers = 2;
  auto many = parse_http_response("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", false, limits);
  CHECK(many.too_large);
  limits.max_header_bytes = 64;
  auto endless =
      parse_http_response("HTTP/1.1 200 OK\r\nA: " + std::string(100, 'a'), false, limits);
  CHECK(endless.state == HttpParseState::failed);
  CHECK(endless.too_large);
}
