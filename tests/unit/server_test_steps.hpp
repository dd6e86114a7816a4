// The steps the loopback server's tests share: a server with one user, the greeting and EHLO,
// and an AUTH PLAIN line.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "core/smtp/sasl.hpp"
#include "tests/unit/server_test_client.hpp"

namespace smtpdoctor::test {

// Alice (password s3cret) may log in; everything else as the defaults.
inline ServerOptions server_options() {
  ServerOptions o;
  o.users = {{"alice", "s3cret"}};
  return o;
}

// Connects, checks the greeting, says EHLO.
inline void greet(ServerTestClient& c) {
  REQUIRE(c.connected());
  REQUIRE(reply_code(c.read_reply()) == 220);
  REQUIRE(reply_code(c.command("EHLO client.test")) == 250);
}

inline std::string auth_plain(std::string_view user, std::string_view pass) {
  return "AUTH PLAIN " + base64_encode(sasl_plain_message(user, pass));
}

}  // namespace smtpdoctor::test
