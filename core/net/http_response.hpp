// A strict, bounded reader of one HTTP/1.1 response (RFC 9112), for the MTA-STS policy fetch:
// status line, header fields, and the body framed by Content-Length, chunked transfer coding, or
// the end of the connection. Pure: it is handed every byte received so far and says whether the
// response is complete, needs more, or is broken, so the same function serves the client
// (core/net/https_get.hpp) and the fuzzer.
//
// Strict where leniency hides a broken server or an ambiguity (both Content-Length and
// Transfer-Encoding, two different Content-Lengths, folded header lines, a transfer coding other
// than chunked); lenient only where RFC 9112 allows recipients to be (a bare LF ends a line).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smtpdoctor {

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;  // status line and header fields together
  std::size_t max_headers = 64;
  std::size_t max_body = 64 * 1024;  // RFC 8461 §3.3's bound for a policy
};

struct HttpResponse {
  std::string version;                                       // "HTTP/1.1"
  int status = 0;                                            // 200
  std::string reason;                                        // "OK"; may be empty
  std::vector<std::pair<std::string, std::string>> headers;  // names lower case, values trimmed
  std::string body;                                          // decoded (chunks joined)
  // The first field of that (lower-case) name.
  std::optional<std::string> header(std::string_view name) const;
};

enum class HttpParseState { incomplete, complete, failed };

struct HttpParse {
  HttpParseState state = HttpParseState::incomplete;
  HttpResponse response;   // complete: the response; failed: what was read of it
  std::string error;       // failed: what is wrong, in words
  bool too_large = false;  // failed because a limit was passed
};

// `data`: every byte of the connection so far; `at_eof`: the server closed it (so a body with no
// length ends here, and anything incomplete is an error). 1xx interim responses are skipped.
HttpParse parse_http_response(std::string_view data, bool at_eof, const HttpLimits& limits = {});

// "text/plain; charset=utf-8" -> "text/plain" (lower case, parameters dropped).
std::string media_type(std::string_view content_type);

}  // namespace smtpdoctor
