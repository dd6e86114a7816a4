// The pure judgements behind the probes (probes/session_findings.hpp).
#include "probes/session_findings.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace smtpdoctor;
using std::chrono::milliseconds;

namespace {

Reply reply_of(std::string_view wire) {
  std::string why;
  auto reply = parse_reply(wire, &why);
  INFO(why);
  REQUIRE(reply.has_value());
  return *reply;
}

Capabilities caps_of(std::string_view wire) {
  return parse_capabilities(reply_of(wire));
}

bool contains(const std::vector<std::string>& lines, std::string_view text) {
  for (const auto& line : lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("port 25 is the relay port, 465 implicit TLS, anything else submission") {
  CHECK(port_role(25, false) == PortRole::relay);
  CHECK(port_role(465, false) == PortRole::implicit_tls);
  CHECK(port_role(587, false) == PortRole::submission);
  CHECK(port_role(26, false) == PortRole::submission);
  CHECK(port_role(2525, true) == PortRole::implicit_tls);
  // PORT/ROLE as given wins over the port's default.
  CHECK(port_role(2525, false, "mx") == PortRole::relay);
  CHECK(port_role(25, false, "submission") == PortRole::submission);
  CHECK(port_role(4650, false, "submissions") == PortRole::implicit_tls);
  CHECK(port_role_name(PortRole::implicit_tls) == "submissions");
  CHECK(port_role_name(PortRole::relay) == "mx");
}

TEST_CASE("an EHLO name must be a real FQDN, not a bare or private name") {
  CHECK(looks_like_fqdn("mail.example.org"));
  CHECK(looks_like_fqdn("client.example.test"));
  CHECK(looks_like_fqdn("[192.0.2.1]"));
  CHECK(looks_like_fqdn("[IPv6:2001:db8::1]"));
  CHECK_FALSE(looks_like_fqdn("laptop"));
  CHECK_FALSE(looks_like_fqdn("localhost"));
  CHECK_FALSE(looks_like_fqdn("localhost.localdomain"));
  CHECK_FALSE(looks_like_fqdn("printer.local"));
  CHECK_FALSE(looks_like_fqdn("box.lan"));
  CHECK_FALSE(looks_like_fqdn("192.0.2.1"));  // a bare address must be bracketed
  CHECK_FALSE(looks_like_fqdn(""));
}

TEST_CASE("a banner held back seconds after a fast connect is a greet-pause, not a slow network") {
  CHECK(classify_greeting_delay(milliseconds(1), milliseconds(20)) == GreetingDelay::prompt);
  CHECK(classify_greeting_delay(milliseconds(2), milliseconds(5000)) == GreetingDelay::greet_pause);
  CHECK(classify_greeting_delay(milliseconds(300), milliseconds(3000)) ==
        GreetingDelay::greet_pause);
  // The network is slow: the connect took a good part of the greeting time too.
  CHECK(classify_greeting_delay(milliseconds(900), milliseconds(4000)) == GreetingDelay::slow);
  // Over a second but short of a deliberate pause.
  CHECK(classify_greeting_delay(milliseconds(1), milliseconds(1500)) == GreetingDelay::slow);
  CHECK(greeting_delay_name(GreetingDelay::greet_pause) == "greet-pause");
}

TEST_CASE("a greeting masked by a firewall's SMTP inspection is recognised") {
  CHECK(greeting_is_masked(reply_of("220 ****************************************\r\n")));
  CHECK(greeting_is_masked(
      reply_of("220 ******************************0*0*0*****2*0***0*****0******0*0**0\r\n")));
  CHECK_FALSE(greeting_is_masked(reply_of("220 mx.example.org ESMTP Postfix\r\n")));
  CHECK_FALSE(greeting_is_masked(reply_of("220 mx.example.org ESMTP *** no UCE ***\r\n")));
}

TEST_CASE("EHLO keywords overwritten with X's are found, with a guess at what they were") {
  auto caps = caps_of(
      "250-mx.example.org\r\n250-PIPELINING\r\n250-XXXXXXXA\r\n250-XXXA\r\n"
      "250-X-EXPS GSSAPI\r\n250 8BITMIME\r\n");
  auto mangled = mangled_keywords(caps);
  REQUIRE(mangled.size() == 2);
  CHECK(mangled[0] == "XXXXXXXA");
  CHECK(mangled_keyword_guess(mangled[0]) == "STARTTLS");
  CHECK(mangled_keyword_guess(mangled[1]) == "AUTH");
  CHECK(mangled_keywords(caps_of("250-mx\r\n250-STARTTLS\r\n250 XEXCH50\r\n")).empty());
}

TEST_CASE("the banner's host name is its first word when that is a name") {
  CHECK(banner_host(reply_of("220 mx.example.org ESMTP Postfix\r\n")) == "mx.example.org");
  CHECK(banner_host(reply_of("220 ESMTP ready\r\n")) == "ESMTP");
  CHECK(banner_host(reply_of("220 ***********\r\n")).empty());
}

TEST_CASE("capabilities are listed one per line as the server meant them") {
  auto caps = caps_of(
      "250-mx.example.org\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n"
      "250-AUTH=PLAIN LOGIN\r\n250 STARTTLS\r\n");
  auto lines = capability_lines(caps);
  CHECK(lines == std::vector<std::string>{"SIZE 10240000", "AUTH PLAIN LOGIN", "STARTTLS"});
}

TEST_CASE("a server that offers AUTH only after STARTTLS is said to do so") {
  auto before = caps_of("250-mx\r\n250-SIZE 1000\r\n250 STARTTLS\r\n");
  auto after = caps_of("250-mx\r\n250-SIZE 1000\r\n250 AUTH PLAIN LOGIN\r\n");
  auto changes = capability_changes(before, after);
  CHECK(contains(changes, "AUTH is offered only after STARTTLS (PLAIN LOGIN)"));
  CHECK_FALSE(contains(changes, "no longer offers STARTTLS"));
}

TEST_CASE("AUTH offered before STARTTLS too is noted as a password risk") {
  auto before = caps_of("250-mx\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n");
  auto after = caps_of("250-mx\r\n250 AUTH PLAIN\r\n");
  CHECK(contains(capability_changes(before, after), "before STARTTLS too"));
}

TEST_CASE("mechanisms and keywords that change across STARTTLS are each named") {
  auto before = caps_of("250-mx\r\n250-AUTH LOGIN\r\n250-CHUNKING\r\n250 STARTTLS\r\n");
  auto after = caps_of("250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n");
  auto changes = capability_changes(before, after);
  CHECK(contains(changes, "AUTH mechanisms change after STARTTLS: PLAIN LOGIN (before: LOGIN)"));
  CHECK(contains(changes, "SMTPUTF8 is offered only after STARTTLS"));
  CHECK(contains(changes, "no longer offers CHUNKING"));
}

TEST_CASE("identical capabilities before and after TLS give no notes") {
  auto caps = caps_of("250-mx\r\n250 SIZE 1000\r\n");
  CHECK(capability_changes(caps, caps).empty());
  CHECK(join_or_none({}) == "none");
  CHECK(join_or_none({"PLAIN", "LOGIN"}) == "PLAIN LOGIN");
}
