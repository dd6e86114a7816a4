// The message `smtpdoctor send` sends: a proper RFC 5322 message (Date, Message-ID, From, To,
// Subject, MIME-Version, Content-Type UTF-8) so that a real server's content checks do not
// reject a test for being malformed. Headers the user gives replace the default of that name.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpdoctor {

struct TestMessage {
  std::string from;                  // envelope sender; empty for the null sender
  std::vector<std::string> to;       // envelope recipients
  std::string domain = "localhost";  // for the Message-ID (the HELO name)
  std::vector<std::string> headers;  // "Name: value", validated with check_header_line
  std::string body = "This is a test message sent by smtpdoctor.\n";
  std::chrono::system_clock::time_point date = std::chrono::system_clock::now();
};

// Headers then a blank line then the body, with LF line ends (the client converts to CRLF).
std::string build_test_message(const TestMessage& message);

// "Name: value" with a printable-ASCII name and no CR/LF anywhere; nullopt when fine, else why.
std::optional<std::string> check_header_line(std::string_view line);

// RFC 5322 date-time in UTC: "Sun, 22 Nov 2026 21:46:20 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point when);

}  // namespace smtpdoctor
