// SMTP replies (RFC 5321 §4.2) and their incremental parser.
//
// The parser is pure: it takes bytes as they arrive and never allocates past Limits, so a hostile
// server can neither crash nor balloon us. It rejects what OpenSMTPD rejects: short lines,
// non-digit or out-of-range codes, a code that changes between lines of one reply, a bad
// separator, and overlong lines/replies.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/limits.hpp"

namespace smtpdoctor {

// RFC 3463 class.subject.detail, e.g. 5.7.1.
struct EnhancedCode {
  int klass = 0;  // 2, 4 or 5
  int subject = 0;
  int detail = 0;
  std::string str() const;  // "5.7.1"
  friend bool operator==(const EnhancedCode&, const EnhancedCode&) = default;
};

// Finds an enhanced status code at the start of `text` ("5.7.1 Relay denied"); the class must
// be 2, 4 or 5 and subject/detail at most 3 digits.
std::optional<EnhancedCode> parse_enhanced_code(std::string_view text);

struct Reply {
  int code = 0;                          // 200..599
  std::optional<EnhancedCode> enhanced;  // from the first line, when present
  std::vector<std::string> lines;        // text of each line, without "NNN-"/"NNN " and CRLF
  bool bare_lf = false;                  // a line ended with LF alone (tolerated, reported)

  // Lines joined with '\n' (no code prefix).
  std::string text() const;
  // The whole reply on one line for a summary or an error message: "550 5.1.1 No such user here
  // (see https://…)". Continuation lines are joined with a space, without the enhanced code that
  // big providers repeat on every line; past kMaxLine characters it ends in "…".
  std::string one_line() const;
  static constexpr std::size_t kMaxLine = 400;
  // The reply as it went over the wire, "250-a\r\n250 b\r\n" (for transcripts and tests).
  std::string wire() const;
  bool positive_completion() const { return code >= 200 && code < 300; }
  bool positive_intermediate() const { return code >= 300 && code < 400; }
  bool transient_failure() const { return code >= 400 && code < 500; }
  bool permanent_failure() const { return code >= 500 && code < 600; }
};

class ReplyParser {
 public:
  enum class State { need_more, complete, error };

  explicit ReplyParser(const Limits& limits = {});

  // Consumes bytes up to and including the end of one reply. Returns how many bytes of `bytes`
  // were consumed; bytes after a complete reply are left for the next one (the caller can tell
  // pipelined replies apart, and notice data the server sent before it should have).
  std::size_t feed(std::string_view bytes);

  State state() const { return state_; }
  // The completed reply; resets the parser for the next one. Only valid in State::complete.
  Reply take();
  // Why the parser is in State::error, one line for people.
  const std::string& error_message() const { return error_; }
  // Whether part of a reply has arrived (a line, or some bytes of one) that is not complete yet:
  // a connection closed now ends in the middle of a reply. lines_so_far() counts its full lines.
  bool mid_reply() const {
    return state_ == State::need_more && (!reply_.lines.empty() || !line_.empty() || cr_);
  }
  std::size_t lines_so_far() const { return reply_.lines.size(); }

 private:
  void fail(std::string message);
  void finish_line();

  Limits limits_;
  State state_ = State::need_more;
  std::string line_;  // the current, unterminated line (never longer than the limit)
  bool cr_ = false;   // the previous byte was CR; the line ends at the next LF
  std::size_t total_ = 0;
  Reply reply_;
  std::string error_;
};

// Parses one complete reply from a string (convenience for tests and `explain`).
// Returns nullopt and sets *error when the input is not exactly one well-formed reply. The final
// line break may be missing (pasted text).
std::optional<Reply> parse_reply(std::string_view wire, std::string* error = nullptr);

}  // namespace smtpdoctor
