// The reply parser works byte by byte so that it can be fed whatever a socket read returned: one
// byte, half a line, or several pipelined replies at once. It stops right after the final line of
// one reply, so the caller sees any bytes that follow (pipelining, or a server talking out of
// turn).
//
// Memory is bounded by construction: a line is never buffered past Limits::max_line_octets, and
// the reply as a whole is checked against max_reply_lines/max_reply_octets as it grows.
#include "core/base/reply.hpp"

#include "core/base/utf8.hpp"

#include "core/base/ascii.hpp"

#include <utility>

namespace smtpdoctor {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Error messages quote at most 40 octets of the peer's bad line, escaped.
std::string excerpt(std::string_view line) {
  return quoted_excerpt(line, 40);
}

// Reads 1..3 digits at `pos`; advances pos.
std::optional<int> read_number(std::string_view text, std::size_t& pos) {
  std::size_t start = pos;
  int value = 0;
  while (pos < text.size() && is_digit(text[pos]) && pos - start < 3) {
    value = value * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos == start) return std::nullopt;
  return value;
}

}  // namespace

std::string EnhancedCode::str() const {
  return std::to_string(klass) + "." + std::to_string(subject) + "." + std::to_string(detail);
}

std::optional<EnhancedCode> parse_enhanced_code(std::string_view text) {
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.')
    return std::nullopt;
  EnhancedCode code;
  code.klass = text[0] - '0';
  std::size_t pos = 2;
  auto subject = read_number(text, pos);
  if (!subject || pos >= text.size() || text[pos] != '.') return std::nullopt;
  ++pos;
  auto detail = read_number(text, pos);
  if (!detail) return std::nullopt;
  // "5.7.1234" or "5.7.1abc" is not a status code; it must end the text or be followed by space.
  if (pos < text.size() && text[pos] != ' ' && text[pos] != '\t') return std::nullopt;
  code.subject = *subject;
  code.detail = *detail;
  return code;
}

std::string Reply::text() const {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += lines[i];
  }
  return out;
}

std::string Reply::one_line() const {
  std::string out = std::to_string(code);
  const std::string repeated = enhanced ? enhanced->str() + " " : std::string();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (i > 0 && !repeated.empty() && line.starts_with(repeated))
      line.remove_prefix(repeated.size());
    if (line.empty()) continue;
    out += ' ';
    out += line;
    if (out.size() > kMaxLine) {
      // Cut on a UTF-8 character boundary, so a long non-English reply stays valid text.
      std::size_t cut = kMaxLine;
      while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
      out.resize(cut);
      out += "\u2026";
      break;
    }
  }
  return out;
}

std::string Reply::wire() const {
  std::string code_str = std::to_string(code);
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    bool last = i + 1 == lines.size();
    out += code_str;
    // "250\r\n" is the valid form of a last line without text (RFC 5321 §4.2).
    if (!last || !lines[i].empty()) {
      out += last ? ' ' : '-';
      out += lines[i];
    }
    out += "\r\n";
  }
  if (lines.empty()) out = code_str + "\r\n";
  return out;
}

ReplyParser::ReplyParser(const Limits& limits) : limits_(limits) {}

void ReplyParser::fail(std::string message) {
  state_ = State::error;
  error_ = std::move(message);
  line_.clear();
}

std::size_t ReplyParser::feed(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (state_ != State::need_more) return i;
    char c = bytes[i];
    if (++total_ > limits_.max_reply_octets) {
      fail("reply exceeds " + std::to_string(limits_.max_reply_octets) + " octets");
      return i + 1;
    }
    if (c == '\n') {
      finish_line();
      continue;
    }
    if (cr_) {
      fail("reply line contains a CR not followed by LF");
      return i + 1;
    }
    if (c == '\r') {
      cr_ = true;
      continue;
    }
    if (c == '\0') {
      fail("reply line contains a NUL byte");
      return i + 1;
    }
    if (line_.size() >= limits_.max_line_octets) {
      fail("reply line exceeds " + std::to_string(limits_.max_line_octets) + " octets");
      return i + 1;
    }
    line_ += c;
  }
  return bytes.size();
}

void ReplyParser::finish_line() {
  if (!cr_) reply_.bare_lf = true;
  cr_ = false;
  std::string_view line = line_;
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
    fail("malformed reply line " + excerpt(line) + ": it must start with a three-digit code");
    return;
  }
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 200 || code > 599) {
    fail("reply code " + std::string(line.substr(0, 3)) + " is outside 200-599");
    return;
  }
  bool last = true;
  if (line.size() > 3) {
    if (line[3] == '-') {
      last = false;
    } else if (line[3] != ' ') {
      fail("malformed reply line " + excerpt(line) + ": expected ' ' or '-' after the code");
      return;
    }
  }
  if (!reply_.lines.empty() && code != reply_.code) {
    fail("reply code changed from " + std::to_string(reply_.code) + " to " + std::to_string(code) +
         " within one reply");
    return;
  }
  if (reply_.lines.size() >= limits_.max_reply_lines) {
    fail("reply exceeds " + std::to_string(limits_.max_reply_lines) + " lines");
    return;
  }
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
  if (reply_.lines.empty()) {
    reply_.code = code;
    reply_.enhanced = parse_enhanced_code(text);
  }
  reply_.lines.emplace_back(text);
  line_.clear();
  if (last) state_ = State::complete;
}

Reply ReplyParser::take() {
  // An error is sticky: the stream is out of sync and nothing after it can be trusted.
  if (state_ != State::complete) return Reply{};
  Reply out = std::move(reply_);
  reply_ = Reply{};
  line_.clear();
  cr_ = false;
  total_ = 0;
  error_.clear();
  state_ = State::need_more;
  return out;
}

std::optional<Reply> parse_reply(std::string_view wire, std::string* error) {
  ReplyParser parser;
  std::size_t used = parser.feed(wire);
  // A reply pasted into `explain` usually lacks its final line break; supply it.
  if (parser.state() == ReplyParser::State::need_more && used == wire.size() && !wire.empty() &&
      wire.back() != '\n') {
    parser.feed("\r\n");
  }
  std::string why;
  if (parser.state() == ReplyParser::State::error) {
    why = parser.error_message();
  } else if (parser.state() == ReplyParser::State::need_more) {
    why = wire.empty() ? "empty reply" : "incomplete reply: no final line (\"NNN text\" + CRLF)";
  } else if (used != wire.size()) {
    why = "unexpected data after the end of the reply";
  } else {
    return parser.take();
  }
  if (error) *error = why;
  return std::nullopt;
}

}  // namespace smtpdoctor
