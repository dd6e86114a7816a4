// The message `smtpdoctor send` builds: complete headers, and the user's headers winning.
#include "core/smtp/test_message.hpp"

#include <doctest/doctest.h>

using namespace smtpdoctor;

TEST_CASE("the test message carries the headers a real server's content checks expect") {
  TestMessage m;
  m.from = "me@example.org";
  m.to = {"a@example.org", "b@example.org"};
  m.domain = "client.example.org";
  m.date = std::chrono::system_clock::from_time_t(0);
  std::string text = build_test_message(m);
  CHECK(text.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\n") != std::string::npos);
  CHECK(text.find("From: <me@example.org>\n") != std::string::npos);
  CHECK(text.find("To: <a@example.org>, <b@example.org>\n") != std::string::npos);
  CHECK(text.find("Subject: smtpdoctor test message\n") != std::string::npos);
  CHECK(text.find("Content-Type: text/plain; charset=UTF-8\n") != std::string::npos);
  CHECK(text.find("@client.example.org>\n") != std::string::npos);  // Message-ID
  CHECK(text.find("\n\nThis is a test message") != std::string::npos);
}

TEST_CASE("a --header with a default's name replaces it; other headers are added") {
  TestMessage m;
  m.from = "me@example.org";
  m.to = {"a@example.org"};
  m.headers = {"subject: Quarterly numbers", "X-Test: 1"};
  m.body = "hi";
  std::string text = build_test_message(m);
  CHECK(text.find("smtpdoctor test message") == std::string::npos);
  CHECK(text.find("subject: Quarterly numbers\n") != std::string::npos);
  CHECK(text.find("X-Test: 1\n") != std::string::npos);
  CHECK(text.substr(text.size() - 4) == "\nhi\n");
}

TEST_CASE("a header with a line break or without a name is refused") {
  CHECK(check_header_line("X-Ok: yes") == std::nullopt);
  CHECK(check_header_line("X-Bad: a\r\nBcc: victim@example.org").has_value());
  CHECK(check_header_line("no colon").has_value());
  CHECK(check_header_line(": empty name").has_value());
  CHECK(check_header_line("Bad Name: x").has_value());
}
