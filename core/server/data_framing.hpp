// The message a client sends after DATA's 354, as the server reads it (RFC 5321 §4.5.2): lines
// end only at CRLF, the line "." ends the data, one leading dot of every other line is the
// client's stuffing and goes. Pure and incremental, so the session feeds it whatever each read
// brought and the fuzz target can split the same bytes anywhere.
//
// Every problem is kept reading to the real end of data (so the client and server stay in step)
// and then reported once: the message grew past its limit, a line was too long, or a CR or LF
// stood alone inside a line — the hiding place of SMTP smuggling ("<LF>.<LF>", "<CR>.<CR>"),
// refused unless the server was told to accept it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace smtpdoctor {

struct DataFramingLimits {
  std::size_t max_line_octets = 1000;  // with its CRLF (RFC 5321 §4.5.3.1.6)
  std::size_t max_message_octets = 10 * 1024 * 1024;
  bool accept_bare_newlines = false;  // store a lone CR or LF as it came instead of refusing
};

class DataFraming {
 public:
  enum class Verdict { ok, too_big, line_too_long, bare_newline };

  // `buffer` becomes the message (cleared first): a session hands in its previous message's
  // string so its capacity is reused instead of grown again for every message.
  explicit DataFraming(const DataFramingLimits& limits, std::string buffer = {});

  // Consumes bytes up to and including the final ".\r\n"; returns how many of `bytes` it took
  // (all of them until the end of data; what follows belongs to the next command).
  std::size_t feed(std::string_view bytes);
  bool done() const { return done_; }

  // After done(): whether the message may be accepted, and the message itself (unstuffed, every
  // line ending in CRLF; empty unless the verdict is ok).
  Verdict verdict() const;
  std::string& message() { return message_; }

 private:
  void append(std::string_view piece);
  void finish_line(std::string_view line);  // the whole line, with its CRLF

  DataFramingLimits limits_;
  std::string line_;         // the current line so far, with its CRLF once complete
  bool discarding_ = false;  // line_ holds only the tail of a line already too long
  bool done_ = false, too_big_ = false, line_too_long_ = false, bare_newline_ = false;
  std::string message_;
};

}  // namespace smtpdoctor
