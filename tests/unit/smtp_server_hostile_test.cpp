// Clients that attack the loopback server (issue 13): SMTP smuggling inside DATA, password
// guessing, BDAT chunks that lie about their size, commands pipelined behind the final dot, and a
// client that never reads its replies. Each case asserts what the attacker gets and that nothing
// of a well-behaved client is lost.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/unit/server_test_client.hpp"
#include "tests/unit/server_test_steps.hpp"

using namespace smtpdoctor;
using namespace smtpdoctor::test;
using namespace std::chrono_literals;

namespace {

// MAIL and RCPT, pipelined, both accepted.
void open_envelope(ServerTestClient& c) {
  c.send("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@localhost>\r\n");
  REQUIRE(reply_code(c.read_reply()) == 250);
  REQUIRE(reply_code(c.read_reply()) == 250);
}

// ... and DATA up to the 354.
void open_data(ServerTestClient& c) {
  open_envelope(c);
  REQUIRE(reply_code(c.command("DATA")) == 354);
}

}  // namespace

TEST_CASE("SMTP smuggling: a fake end of data never ends the message, and bare LF is refused") {
  // Each hides a second transaction behind an end-of-data sequence that some servers honour.
  const char* fake_ends[] = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n"};
  for (const char* fake_end : fake_ends) {
    CAPTURE(std::string(fake_end).size());
    ServerUnderTest server(server_options());
    ServerTestClient c(server.port());
    greet(c);
    open_data(c);
    c.send(std::string("Subject: first\r\n\r\nbody") + fake_end +
           "MAIL FROM:<evil@client.test>\r\nRCPT TO:<victim@localhost>\r\nDATA\r\n"
           "Subject: smuggled\r\n\r\nx\r\n.\r\n");
    // One reply for the whole thing, at the real end of data: refused, and nothing stored.
    std::string reply = c.read_reply();
    CHECK(reply.rfind("554 5.5.2", 0) == 0);
    CHECK(reply.find("bare <LF>") != std::string::npos);
    CHECK(reply_code(c.command("NOOP")) == 250);  // no smuggled command was run
    CHECK(server.events("message").empty());
  }
}

TEST_CASE("--bare-lf accept stores a bare LF as sent, still without ending the data there") {
  auto o = server_options();
  o.accept_bare_newlines = true;
  ServerUnderTest server(o);
  ServerTestClient c(server.port());
  greet(c);
  open_data(c);
  c.send("Subject: lax\r\n\r\nline one\nline two\n.\nstill data\r\n.\r\n");
  CHECK(c.read_reply().rfind("250 2.0.0", 0) == 0);
  auto messages = server.events("message");
  REQUIRE(messages.size() == 1);
  CHECK(messages[0]["size"] ==
        std::string("Subject: lax\r\n\r\nline one\nline two\n.\nstill data\r\n").size());
  CHECK(reply_code(c.command("NOOP")) == 250);
}

TEST_CASE("password guessing: answers slow down, then 421, per session and per address") {
  auto o = server_options();
  o.limits.auth_failure_delay = 100ms;
  o.limits.max_auth_failures = 4;
  o.limits.max_auth_failures_per_address = 6;
  ServerUnderTest server(o);

  ServerTestClient c(server.port(), 10s);
  greet(c);
  auto timed = [&](const std::string& line) {
    auto start = std::chrono::steady_clock::now();
    std::string reply = c.command(line);
    return std::pair{reply, std::chrono::steady_clock::now() - start};
  };
  auto [first, first_took] = timed(auth_plain("alice", "guess1"));
  CHECK(first.rfind("535 5.7.8", 0) == 0);
  CHECK(first_took < 100ms);  // a typo is answered at once
  auto [second, second_took] = timed(auth_plain("alice", "guess2"));
  CHECK(second.rfind("535 5.7.8", 0) == 0);
  CHECK(second_took >= 100ms);
  auto [third, third_took] = timed(auth_plain("alice", "guess3"));
  CHECK(third.rfind("535 5.7.8", 0) == 0);
  CHECK(third_took >= 200ms);  // doubled
  auto [fourth, fourth_took] = timed(auth_plain("alice", "guess4"));
  CHECK(fourth.rfind("421 4.7.0", 0) == 0);  // the session's limit
  CHECK(c.wait_closed());

  // A new session from the same address does not start afresh: two more failures reach the
  // address's limit, and after that even the right password gets 421 until the window passes.
  ServerTestClient d(server.port(), 10s);
  greet(d);
  CHECK(d.command(auth_plain("alice", "guess5")).rfind("535 5.7.8", 0) == 0);
  CHECK(d.command(auth_plain("alice", "guess6")).rfind("421 4.7.0", 0) == 0);
  CHECK(d.wait_closed());
  ServerTestClient e(server.port(), 10s);
  greet(e);
  CHECK(e.command(auth_plain("alice", "s3cret")).rfind("421 4.7.0", 0) == 0);
  // Mail that needs no login is still taken from that address.
  ServerTestClient f(server.port(), 10s);
  greet(f);
  CHECK(reply_code(f.command("MAIL FROM:<a@client.test>")) == 250);
}

TEST_CASE("the per-address window passes, and a limit of 0 turns guessing limits off") {
  SUBCASE("after the window, the address may log in again") {
    auto o = server_options();
    o.limits.auth_failure_delay = 0ms;
    o.limits.max_auth_failures_per_address = 1;
    o.limits.auth_failure_window = 300ms;
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command(auth_plain("alice", "wrong")).rfind("421 4.7.0", 0) == 0);
    std::this_thread::sleep_for(400ms);
    ServerTestClient d(server.port());
    greet(d);
    CHECK(d.command(auth_plain("alice", "s3cret")).rfind("235", 0) == 0);
  }
  SUBCASE("0 = no limit: 30 wrong passwords each get 535") {
    auto o = server_options();
    o.limits.auth_failure_delay = 0ms;
    o.limits.max_auth_failures = 0;
    o.limits.max_auth_failures_per_address = 0;
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    greet(c);
    for (int i = 0; i < 30; ++i) CHECK(c.command(auth_plain("alice", "x")).rfind("535", 0) == 0);
    CHECK(c.command(auth_plain("alice", "s3cret")).rfind("235", 0) == 0);
  }
}

TEST_CASE("BDAT chunks that lie about their size") {
  auto o = server_options();
  o.limits.max_message_octets = 1000;
  o.limits.idle_timeout = 400ms;
  ServerUnderTest server(o);

  SUBCASE("shorter than sent: the rest is read as commands, and answered as such") {
    ServerTestClient c(server.port());
    greet(c);
    open_envelope(c);
    c.send("BDAT 5 LAST\r\nHelloQUUX now\r\n");
    CHECK(c.read_reply().rfind("250 2.0.0", 0) == 0);
    CHECK(c.read_reply().rfind("500 5.5.1", 0) == 0);  // "QUUX now" is no command
    auto messages = server.events("message");
    REQUIRE(messages.size() == 1);
    CHECK(messages[0]["size"] == 5);
  }
  SUBCASE("longer than sent: the server waits for the rest until the idle timeout") {
    ServerTestClient c(server.port());
    greet(c);
    open_envelope(c);
    c.send("BDAT 500 LAST\r\nonly a few octets");
    CHECK(c.read_reply().rfind("421 4.4.2", 0) == 0);
    CHECK(c.wait_closed());
    CHECK(server.events("message").empty());
  }
  SUBCASE("larger than any message could be: 552 at once, and the session ends") {
    ServerTestClient c(server.port());
    greet(c);
    open_envelope(c);
    c.send("BDAT 18446744073709551615 LAST\r\nxxxx");
    CHECK(c.read_reply().rfind("552 5.3.4", 0) == 0);
    CHECK(c.wait_closed());
  }
}

TEST_CASE("commands pipelined behind the final dot in the same packet are answered in order") {
  ServerUnderTest server(server_options());
  ServerTestClient c(server.port());
  greet(c);
  open_data(c);
  c.send(
      "Subject: one\r\n\r\n1\r\n.\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<c@localhost>\r\n"
      "DATA\r\n");
  CHECK(c.read_reply().rfind("250 2.0.0", 0) == 0);
  CHECK(c.read_reply().rfind("250 2.1.0", 0) == 0);
  CHECK(c.read_reply().rfind("250 2.1.5", 0) == 0);
  CHECK(reply_code(c.read_reply()) == 354);
  c.send("Subject: two\r\n\r\n2\r\n.\r\nQUIT\r\n");
  CHECK(c.read_reply().rfind("250 2.0.0", 0) == 0);
  CHECK(reply_code(c.read_reply()) == 221);
  CHECK(server.events("message").size() == 2);
}

TEST_CASE("a client that never reads its replies is dropped at the idle timeout") {
  auto o = server_options();
  o.limits.idle_timeout = 500ms;
  ServerUnderTest server(o);
  ServerTestClient hog(server.port());
  REQUIRE(hog.connected());
  // Commands whose replies are long (EHLO), far more than the socket buffers hold, sent without
  // reading: the server's writes stall, its own buffer holds at most one read's worth of
  // replies, and the write deadline ends the session.
  std::string burst;
  for (int i = 0; i < 200; ++i) burst += "EHLO hog.test\r\n";
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  while (std::chrono::steady_clock::now() - start < 20s) {
    if (!hog.try_send(burst)) {
      closed = true;  // the server gave up on us
      break;
    }
  }
  CHECK(closed);
  // Meanwhile (and after), a well-behaved client is served.
  ServerTestClient good(server.port());
  greet(good);
  CHECK(reply_code(good.command("QUIT")) == 221);
}
