// The proxy handshakes' pure pieces (core/net/proxy_protocol.hpp): the --proxy URL, the bytes of
// each request as RFC 1928/1929, SOCKS4a and HTTP CONNECT lay them out, and the reply parsers.
#include "core/net/proxy_protocol.hpp"

#include <doctest/doctest.h>

using namespace smtpdoctor;
using namespace std::string_literals;

TEST_CASE("a proxy URL names the kind, the user, the host and the port") {
  auto p = parse_proxy_url("SOCKS5H://alice@proxy.example:1080/");
  REQUIRE(p);
  CHECK(p->kind == ProxyKind::socks5h);
  CHECK(p->user == "alice");
  CHECK(p->host == "proxy.example");
  CHECK(p->port == 1080);
  CHECK(p->resolves_remotely());
  CHECK(p->display() == "socks5h://alice@proxy.example:1080");
  auto v6 = parse_proxy_url("http://[::1]:3128");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->display() == "http://[::1]:3128");
  CHECK_FALSE(parse_proxy_url("socks5://127.0.0.1:1080")->resolves_remotely());
}

TEST_CASE("a password in the proxy URL is refused, with the option to use instead") {
  auto p = parse_proxy_url("socks5://alice:s3cret@127.0.0.1:1080");
  REQUIRE_FALSE(p);
  CHECK(p.error().kind == ErrorKind::usage);
  CHECK(p.error().message.find("--proxy-password-env") != std::string::npos);
  CHECK(p.error().message.find("s3cret") == std::string::npos);
}

TEST_CASE("bad proxy URLs say what is wrong") {
  CHECK(parse_proxy_url("127.0.0.1:1080").error().message.find("not a proxy URL") !=
        std::string::npos);
  CHECK(parse_proxy_url("https://p:443").error().message.find("unsupported") != std::string::npos);
  CHECK(parse_proxy_url("socks5://p").error().message.find("needs a port") != std::string::npos);
  CHECK(parse_proxy_url("socks5://p:0").error().message.find("not a port") != std::string::npos);
  CHECK(parse_proxy_url("socks5://::1:80").error().message.find("brackets") != std::string::npos);
  CHECK_FALSE(parse_proxy_url("socks5://p:80/path"));
}

TEST_CASE("SOCKS5 greeting, login and CONNECT are laid out as RFC 1928 and 1929 say") {
  CHECK(socks5_greeting(false) == "\x05\x01\x00"s);
  CHECK(socks5_greeting(true) == "\x05\x02\x00\x02"s);
  CHECK(*socks5_login("bob", "pw") ==
        "\x01\x03"
        "bob"
        "\x02"
        "pw"s);
  CHECK_FALSE(socks5_login(std::string(256, 'u'), "pw"));
  CHECK(*socks5_connect_request("127.0.0.1", 25) == "\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x19"s);
  CHECK(*socks5_connect_request("mx.example", 587) ==
        "\x05\x01\x00\x03\x0a"
        "mx.example"
        "\x02\x4b"s);
  CHECK(socks5_connect_request("::1", 465)->size() == 4 + 16 + 2);
}

TEST_CASE("a SOCKS5 reply is read to its last octet, and no further") {
  auto partial = parse_socks5_reply("\x05\x00\x00\x03"s);
  CHECK(partial.state == ParseState::need_more);
  CHECK(partial.needed == 5);
  const std::string named =
      "\x05\x00\x00\x03\x02"
      "ab"
      "\x00\x19"s;
  CHECK(parse_socks5_reply(named.substr(0, 5)).needed == named.size());
  auto whole = parse_socks5_reply(named + "220 greeting");
  REQUIRE(whole.state == ParseState::complete);
  CHECK(whole.needed == named.size());
  CHECK(whole.value.bound_address == "ab");
  auto refused = parse_socks5_reply("\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00"s);
  REQUIRE(refused.state == ParseState::complete);
  CHECK(refused.value.code == 5);
  CHECK(socks5_reply_outcome(5) == TcpOutcome::refused);
  CHECK(socks5_reply_outcome(6) == TcpOutcome::timed_out);
  CHECK(socks5_reply_words(2).find("not allowed") != std::string::npos);
  CHECK(parse_socks5_reply("\x04\x00\x00\x01"s).state == ParseState::invalid);
  CHECK(parse_socks5_method("HT").state == ParseState::invalid);
}

TEST_CASE("SOCKS4a sends a name after the user id, and refuses IPv6") {
  CHECK(*socks4a_connect_request("mx.example", 25, "u") ==
        "\x04\x01\x00\x19\x00\x00\x00\x01u\x00mx.example\x00"s);
  CHECK(*socks4a_connect_request("10.1.2.3", 25, "") == "\x04\x01\x00\x19\x0a\x01\x02\x03\x00"s);
  CHECK_FALSE(socks4a_connect_request("::1", 25, ""));
  auto granted = parse_socks4_reply("\x00\x5a\x00\x00\x00\x00\x00\x00"s);
  REQUIRE(granted.state == ParseState::complete);
  CHECK(granted.value == 90);
  CHECK(parse_socks4_reply("\x00\x5b"s).state == ParseState::need_more);
}

TEST_CASE("HTTP CONNECT: the request, and the status line and headers of the answer") {
  CHECK(*http_connect_request("mx.example", 587, "", "") ==
        "CONNECT mx.example:587 HTTP/1.1\r\nHost: mx.example:587\r\n\r\n");
  CHECK(http_connect_request("::1", 25, "u", "p")->find("CONNECT [::1]:25 HTTP/1.1\r\n") == 0);
  CHECK(http_connect_request("::1", 25, "u", "p")->find("Proxy-Authorization: Basic dTpw\r\n") !=
        std::string::npos);
  CHECK_FALSE(http_connect_request("mx\r\nX-Evil: 1", 25, "", ""));

  const std::string head =
      "HTTP/1.0 407 Proxy Authentication Required\r\n"
      "proxy-authenticate: Basic realm=\"x\"\r\n\r\n";
  auto reply = parse_http_connect_reply(head + "220 after");
  REQUIRE(reply.state == ParseState::complete);
  CHECK(reply.needed == head.size());
  CHECK(reply.value.status == 407);
  CHECK(reply.value.reason == "Proxy Authentication Required");
  CHECK(reply.value.proxy_authenticate);
  CHECK(parse_http_connect_reply("HTTP/1.1 200 OK\r\n").needed == 18);
  CHECK(parse_http_connect_reply("SSH-2.0-OpenSSH").state == ParseState::invalid);
  CHECK(parse_http_connect_reply("HTTP/1.1 " + std::string(kMaxHttpConnectReply, 'x')).state ==
        ParseState::invalid);
  CHECK(http_connect_status_words(403, "Forbidden").find("does not allow") != std::string::npos);
  CHECK(http_status_wants_login(407));
  CHECK(http_status_outcome(504) == TcpOutcome::timed_out);
}
