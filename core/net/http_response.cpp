#include "core/net/http_response.hpp"

#include <algorithm>
#include <cctype>

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

// One line from `pos`: without its CRLF (or bare LF); nullopt when no line end has arrived yet.
std::optional<std::string_view> next_line(std::string_view data, std::size_t& pos) {
  auto lf = data.find('\n', pos);
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view line = data.substr(pos, lf - pos);
  pos = lf + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  return ascii::is_alnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

HttpParse failed(HttpParse parse, std::string error, bool too_large = false) {
  parse.state = HttpParseState::failed;
  parse.error = std::move(error);
  parse.too_large = too_large;
  return parse;
}

// The status line and header fields starting at `pos`; true with `pos` past the empty line once
// they are complete; false while incomplete, or with `parse` failed on an error.
bool read_head(std::string_view data, std::size_t& pos, bool at_eof, const HttpLimits& limits,
               HttpParse& parse) {
  const std::size_t head_start = pos;
  auto too_long = [&] { return pos - head_start > limits.max_header_bytes; };
  std::size_t at = pos;
  auto status_line = next_line(data, at);
  if (!status_line) {
    if (data.size() - head_start > limits.max_header_bytes)
      parse = failed(std::move(parse), "the status line is longer than the limit", true);
    else if (at_eof)
      parse = failed(std::move(parse), data.size() == head_start
                                           ? "the server closed the connection without a response"
                                           : "the connection closed inside the status line");
    return false;
  }
  pos = at;
  if (too_long()) {
    parse = failed(std::move(parse), "the status line is longer than the limit", true);
    return false;
  }
  // HTTP-version SP 3DIGIT SP [reason]
  std::string_view line = *status_line;
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !ascii::is_digit(line[7]) ||
      line[8] != ' ' || !ascii::is_digit(line[9]) || !ascii::is_digit(line[10]) ||
      !ascii::is_digit(line[11]) || (line.size() > 12 && line[12] != ' ')) {
    std::string shown(line.substr(0, 40));
    for (auto& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    parse = failed(std::move(parse), "not an HTTP/1.x status line: \"" + shown + "\"");
    return false;
  }
  parse.response.version = std::string(line.substr(0, 8));
  parse.response.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  parse.response.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
  parse.response.headers.clear();
  while (true) {
    auto field = next_line(data, at);
    if (!field) {
      if (data.size() - head_start > limits.max_header_bytes)
        parse = failed(std::move(parse), "the header is larger than the limit", true);
      else if (at_eof)
        parse = failed(std::move(parse), "the connection closed inside the header");
      return false;
    }
    pos = at;
    if (too_long()) {
      parse = failed(std::move(parse), "the header is larger than the limit", true);
      return false;
    }
    if (field->empty()) return true;
    if (is_ows(field->front())) {
      parse = failed(std::move(parse), "a folded header line (obsolete line folding)");
      return false;
    }
    auto colon = field->find(':');
    std::string_view name = field->substr(0, colon);
    if (colon == std::string_view::npos || name.empty() ||
        !std::all_of(name.begin(), name.end(), is_tchar)) {
      parse = failed(std::move(parse), "a malformed header field line");
      return false;
    }
    std::string_view value = field->substr(colon + 1);
    while (!value.empty() && is_ows(value.front())) value.remove_prefix(1);
    while (!value.empty() && is_ows(value.back())) value.remove_suffix(1);
    if (std::any_of(value.begin(), value.end(), [](char c) {
          return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
        })) {
      parse = failed(std::move(parse), "a control character in a header field");
      return false;
    }
    if (parse.response.headers.size() >= limits.max_headers) {
      parse = failed(std::move(parse), "more header fields than the limit", true);
      return false;
    }
    parse.response.headers.emplace_back(ascii::lower(name), std::string(value));
  }
}

// The chunked body from `pos` (RFC 9112 §7.1): sizes in hex, extensions ignored, trailers read
// and dropped.
HttpParse read_chunked(std::string_view data, std::size_t pos, bool at_eof,
                       const HttpLimits& limits, HttpParse parse) {
  auto incomplete = [&](HttpParse p) {
    if (at_eof) return failed(std::move(p), "the connection closed inside the chunked body");
    p.state = HttpParseState::incomplete;
    return p;
  };
  while (true) {
    std::size_t at = pos;
    auto size_line = next_line(data, at);
    if (!size_line) {
      if (data.size() - pos > 1025)
        return failed(std::move(parse), "a chunk size line is too long");
      return incomplete(std::move(parse));
    }
    if (size_line->size() > 1024) return failed(std::move(parse), "a chunk size line is too long");
    std::string_view hex = size_line->substr(0, size_line->find(';'));
    while (!hex.empty() && is_ows(hex.back())) hex.remove_suffix(1);
    if (hex.empty() || hex.size() > 8 || !std::all_of(hex.begin(), hex.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c));
        }))
      return failed(std::move(parse), "a malformed chunk size");
    std::size_t size = std::stoul(std::string(hex), nullptr, 16);
    if (size > limits.max_body || parse.response.body.size() + size > limits.max_body)
      return failed(std::move(parse), "the body is larger than the limit", true);
    if (size == 0) {
      // Trailer fields, then the empty line.
      const std::size_t trailer_start = at;
      while (true) {
        if (at - trailer_start > limits.max_header_bytes)
          return failed(std::move(parse), "the trailer is larger than the limit", true);
        auto trailer = next_line(data, at);
        if (!trailer) {
          if (data.size() - at > limits.max_header_bytes)
            return failed(std::move(parse), "the trailer is larger than the limit", true);
          return incomplete(std::move(parse));
        }
        if (trailer->empty()) {
          parse.state = HttpParseState::complete;
          return parse;
        }
      }
    }
    if (data.size() - at < size + 1) return incomplete(std::move(parse));
    parse.response.body.append(data.substr(at, size));
    at += size;
    // The chunk's own CRLF (or LF).
    if (data[at] == '\r') {
      if (data.size() - at < 2) return incomplete(std::move(parse));
      ++at;
    }
    if (data[at] != '\n') return failed(std::move(parse), "a chunk is longer than its size says");
    pos = at + 1;
  }
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return std::nullopt;
}

std::string media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  std::string_view type = content_type.substr(0, semi);
  while (!type.empty() && is_ows(type.back())) type.remove_suffix(1);
  while (!type.empty() && is_ows(type.front())) type.remove_prefix(1);
  return ascii::lower(type);
}

HttpParse parse_http_response(std::string_view data, bool at_eof, const HttpLimits& limits) {
  HttpParse parse;
  std::size_t pos = 0;
  // Interim (1xx) responses come before the final one; a bounded number of them.
  for (int interim = 0;; ++interim) {
    if (!read_head(data, pos, at_eof, limits, parse)) {
      if (parse.state != HttpParseState::failed) parse.state = HttpParseState::incomplete;
      return parse;
    }
    if (parse.response.status >= 200) break;
    if (parse.response.status < 100 || interim >= 8)
      return failed(std::move(parse), "an invalid status code or too many interim responses");
  }
  const HttpResponse& r = parse.response;
  if (r.status == 204 || r.status == 304) {
    parse.state = HttpParseState::complete;
    return parse;
  }
  std::optional<std::string> length;
  bool chunked = false;
  bool has_transfer_encoding = false;
  for (const auto& [name, value] : r.headers) {
    if (name == "content-length") {
      if (length && *length != value)
        return failed(std::move(parse), "two different Content-Length fields");
      length = value;
    } else if (name == "transfer-encoding") {
      if (has_transfer_encoding) return failed(std::move(parse), "more than one Transfer-Encoding");
      has_transfer_encoding = true;
      if (!ascii::iequals(value, "chunked"))
        return failed(std::move(parse), "an unsupported Transfer-Encoding (only chunked is read)");
      chunked = true;
    }
  }
  if (chunked && length)
    return failed(std::move(parse), "both Content-Length and Transfer-Encoding");
  if (chunked) return read_chunked(data, pos, at_eof, limits, std::move(parse));
  if (length) {
    if (length->empty() || length->size() > 12 ||
        !std::all_of(length->begin(), length->end(), [](char c) { return ascii::is_digit(c); }))
      return failed(std::move(parse), "a malformed Content-Length");
    std::size_t size = std::stoull(*length);
    if (size > limits.max_body)
      return failed(std::move(parse), "the body is larger than the limit", true);
    if (data.size() - pos < size) {
      if (at_eof) return failed(std::move(parse), "the connection closed before the body ended");
      return parse;  // incomplete
    }
    parse.response.body = std::string(data.substr(pos, size));
    parse.state = HttpParseState::complete;
    return parse;
  }
  // No length: the body runs to the end of the connection.
  if (data.size() - pos > limits.max_body)
    return failed(std::move(parse), "the body is larger than the limit", true);
  if (!at_eof) return parse;
  parse.response.body = std::string(data.substr(pos));
  parse.state = HttpParseState::complete;
  return parse;
}

}  // namespace smtpdoctor
