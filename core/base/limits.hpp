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
};

}  // namespace smtpdoctor
