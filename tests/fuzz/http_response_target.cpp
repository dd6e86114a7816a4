// One HTTP/1.1 response as a server might send it (core/net/http_response.hpp), whole and cut at
// a point the first byte chooses, with the default limits and tiny ones.
#include "core/base/ascii.hpp"
#include "core/net/http_response.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

void check_one(std::string_view input, const HttpLimits& limits) {
  HttpParse open = parse_http_response(input, false, limits);
  HttpParse closed = parse_http_response(input, true, limits);
  // With the connection closed nothing can still be incomplete.
  SMTPDOCTOR_FUZZ_CHECK(closed.state != HttpParseState::incomplete);
  for (const HttpParse* p : {&open, &closed}) {
    if (p->state == HttpParseState::failed) SMTPDOCTOR_FUZZ_CHECK(!p->error.empty());
    if (p->state != HttpParseState::complete) continue;
    const HttpResponse& r = p->response;
    SMTPDOCTOR_FUZZ_CHECK(r.status >= 200 && r.status <= 999);
    SMTPDOCTOR_FUZZ_CHECK(r.body.size() <= limits.max_body);
    SMTPDOCTOR_FUZZ_CHECK(r.body.size() <= input.size());
    SMTPDOCTOR_FUZZ_CHECK(r.headers.size() <= limits.max_headers);
    for (const auto& [name, value] : r.headers) {
      SMTPDOCTOR_FUZZ_CHECK(!name.empty() && name == ascii::lower(name));
      SMTPDOCTOR_FUZZ_CHECK(value.find('\n') == std::string::npos);
    }
    media_type(r.header("content-type").value_or(""));
  }
  // A response complete before the close is the same response after it.
  if (open.state == HttpParseState::complete) {
    SMTPDOCTOR_FUZZ_CHECK(closed.state == HttpParseState::complete);
    SMTPDOCTOR_FUZZ_CHECK(closed.response.body == open.response.body);
    SMTPDOCTOR_FUZZ_CHECK(closed.response.status == open.response.status);
  }
}

}  // namespace

void http_response(std::string_view input) {
  if (input.empty()) return;
  std::size_t cut = static_cast<unsigned char>(input.front());
  input.remove_prefix(1);
  check_one(input, HttpLimits{});
  HttpLimits tiny;
  tiny.max_header_bytes = 64;
  tiny.max_headers = 2;
  tiny.max_body = 16;
  check_one(input, tiny);
  // What a prefix says does not contradict the whole: a prefix that failed stays failed.
  std::string_view prefix = input.substr(0, std::min(input.size(), cut * input.size() / 255));
  HttpParse part = parse_http_response(prefix, false);
  if (part.state == HttpParseState::failed)
    SMTPDOCTOR_FUZZ_CHECK(parse_http_response(input, false).state == HttpParseState::failed);
}

}  // namespace smtpdoctor::fuzz
