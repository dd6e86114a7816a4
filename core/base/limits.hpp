// All of smtpdoctor's hard limits in one place, so that a hostile peer meets the same bounds
// everywhere and a test can shrink them.
#pragma once

#include <chrono>
#include <cstddef>

namespace smtpdoctor {

struct Limits {
  // Reply parsing (RFC 5321 §4.5.3.1 allows 512 octets; real servers go past that, so be lenient
  // but bounded).
  std::size_t max_line_octets = 4096;
  std::size_t max_reply_lines = 256;
  std::size_t max_reply_octets = 64 * 1024;

  // Client timeouts: every network operation has one.
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds greeting_timeout{30'000};
  std::chrono::milliseconds command_timeout{30'000};
  std::chrono::milliseconds tls_handshake_timeout{15'000};
  std::chrono::milliseconds data_timeout{120'000};

  // Server side.
  std::size_t max_command_line_octets = 1000;  // RFC 5321 §4.5.3.1.4 (incl. CRLF)
  std::size_t max_text_line_octets = 1000;     // RFC 5321 §4.5.3.1.6
  std::size_t max_message_octets = 10 * 1024 * 1024;
  std::size_t max_recipients = 100;
  std::size_t max_connections = 1000;
  std::chrono::milliseconds idle_timeout{300'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  // Password guessing (issue 13): the first failed AUTH is answered at once (a typo), each
  // later one after a delay that doubles from `auth_failure_delay` up to 8 s, and the session
  // ends with 421 after `max_auth_failures` in it. One client address gets at most
  // `max_auth_failures_per_address` failures per `auth_failure_window` over all its sessions;
  // after that its AUTH gets 421 until the window has passed. 0 turns a limit off.
  unsigned max_auth_failures = 5;
  unsigned max_auth_failures_per_address = 20;
  std::chrono::milliseconds auth_failure_window{600'000};
  std::chrono::milliseconds auth_failure_delay{1'000};
};

}  // namespace smtpdoctor
