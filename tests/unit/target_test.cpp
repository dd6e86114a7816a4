#include "core/base/target.hpp"

#include <doctest/doctest.h>

using namespace smtpdoctor;

TEST_CASE("a bare host name checks the default ports") {
  auto t = parse_target("mail.example.test");
  REQUIRE(t);
  CHECK(t->host == "mail.example.test");
  CHECK_FALSE(t->port);
  CHECK_FALSE(t->is_ip_literal);
}

TEST_CASE("host:port and [v6]:port name one port") {
  auto t = parse_target("127.0.0.1:2525");
  REQUIRE(t);
  CHECK(t->host == "127.0.0.1");
  CHECK(t->port == 2525);
  CHECK(t->is_ip_literal);

  auto v6 = parse_target("[::1]:587");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 587);
  CHECK(v6->is_ipv6);
  CHECK(v6->endpoint(25) == "[::1]:25");

  auto bare6 = parse_target("::1");
  REQUIRE(bare6);
  CHECK(bare6->host == "::1");
  CHECK_FALSE(bare6->port);
}

TEST_CASE("user@domain names the recipient and the mail domain") {
  auto t = parse_target("alice@example.test");
  REQUIRE(t);
  CHECK(t->host == "example.test");
  CHECK(t->recipient == "alice@example.test");
  CHECK(t->from_address);
}

TEST_CASE("bad targets are refused with a reason a person can act on") {
  std::string why;
  CHECK_FALSE(parse_target("", &why));
  CHECK_FALSE(parse_target("mail.example.test:0", &why));
  CHECK(why.find("bad port") != std::string::npos);
  CHECK_FALSE(parse_target("mail.example.test:70000", &why));
  CHECK_FALSE(parse_target("2001:db8::1:25x", &why));
  CHECK_FALSE(parse_target("[::1", &why));
  CHECK_FALSE(parse_target("host\r\nRCPT TO:<x@y>", &why));
  CHECK_FALSE(parse_target("-bad-.example", &why));
  CHECK_FALSE(parse_target("@example.test", &why));
}

TEST_CASE("port lists keep order and drop duplicates") {
  auto ports = parse_port_list("587,465,25,587");
  REQUIRE(ports);
  CHECK(*ports == std::vector<std::uint16_t>{587, 465, 25});
  std::string why;
  CHECK_FALSE(parse_port_list("25,,587", &why));
  CHECK_FALSE(parse_port_list("smtp", &why));
}

TEST_CASE("ports with roles: PORT or PORT/ROLE, comma-separated") {
  auto specs = parse_port_specs("25/mx,2525/submission,465");
  REQUIRE(specs);
  CHECK(*specs == std::vector<PortSpec>{{25, "mx"}, {2525, "submission"}, {465, ""}});
  // A port given twice is kept once; its role, when given again, is the last one.
  specs = parse_port_specs("2525,2525/mx");
  REQUIRE(specs);
  CHECK(*specs == std::vector<PortSpec>{{2525, "mx"}});
  std::string why;
  CHECK_FALSE(parse_port_specs("25/relay", &why));
  CHECK(why.find("expected mx, submission or submissions") != std::string::npos);
  CHECK_FALSE(parse_port_specs("70000/mx", &why));
  CHECK_FALSE(parse_port_specs("25/", &why));
}
