// SMTP replies as a server sends them: ReplyParser fed in chunks whose sizes come from the input's
// first byte (a socket read returns any split), which must give the same replies as one feed of
// everything; and parse_reply, the one-shot form `explain` uses. A parsed reply must say again
// what it parsed: parse_reply(reply.wire()) is the same reply.
#include <cstdint>

#include "core/base/reply.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

struct Outcome {
  std::vector<Reply> replies;
  ReplyParser::State last = ReplyParser::State::need_more;
};

bool same(const Reply& a, const Reply& b) {
  return a.code == b.code && a.enhanced == b.enhanced && a.lines == b.lines &&
         a.bare_lf == b.bare_lf;
}

void check_reply(const Reply& r, const Limits& limits) {
  SMTPDOCTOR_FUZZ_CHECK(r.code >= 200 && r.code <= 599);
  SMTPDOCTOR_FUZZ_CHECK(!r.lines.empty() && r.lines.size() <= limits.max_reply_lines);
  for (const auto& line : r.lines) {
    SMTPDOCTOR_FUZZ_CHECK(line.size() <= limits.max_line_octets);
    SMTPDOCTOR_FUZZ_CHECK(line.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
  }
  if (r.enhanced) {
    SMTPDOCTOR_FUZZ_CHECK(r.enhanced->klass == 2 || r.enhanced->klass == 4 ||
                          r.enhanced->klass == 5);
    SMTPDOCTOR_FUZZ_CHECK(r.enhanced->subject >= 0 && r.enhanced->subject <= 999);
    SMTPDOCTOR_FUZZ_CHECK(r.enhanced->detail >= 0 && r.enhanced->detail <= 999);
    SMTPDOCTOR_FUZZ_CHECK(parse_enhanced_code(r.enhanced->str()) == r.enhanced);
  }
  std::string wire = r.wire();
  // A reply of bare-LF lines grows by one CR per line when written back; past the cap it cannot
  // be read again, which says nothing about the parser.
  if (wire.size() > Limits{}.max_reply_octets) return;
  std::string why;
  auto again = parse_reply(wire, &why);
  SMTPDOCTOR_FUZZ_CHECK(again.has_value());
  Reply expected = r;
  expected.bare_lf = false;  // wire() always writes CRLF
  SMTPDOCTOR_FUZZ_CHECK(same(*again, expected));
}

// Feeds `wire` in chunks of next_chunk() octets, taking every complete reply (pipelining).
template <typename NextChunk>
Outcome feed_all(std::string_view wire, const Limits& limits, NextChunk next_chunk) {
  Outcome out;
  ReplyParser parser(limits);
  while (!wire.empty()) {
    std::string_view chunk = wire.substr(0, next_chunk());
    std::size_t used = parser.feed(chunk);
    SMTPDOCTOR_FUZZ_CHECK(used <= chunk.size());
    wire.remove_prefix(used);
    if (parser.state() == ReplyParser::State::complete) {
      out.replies.push_back(parser.take());
      SMTPDOCTOR_FUZZ_CHECK(parser.state() == ReplyParser::State::need_more);
    } else if (parser.state() == ReplyParser::State::error) {
      SMTPDOCTOR_FUZZ_CHECK(!parser.error_message().empty());
      break;
    } else {
      SMTPDOCTOR_FUZZ_CHECK(used == chunk.size());  // it only stops early at a reply's end
    }
  }
  out.last = parser.state();
  return out;
}

void incremental(std::string_view input, const Limits& limits) {
  if (input.empty()) return;
  std::uint32_t seed = static_cast<unsigned char>(input.front());
  std::string_view wire = input.substr(1);

  Outcome whole = feed_all(wire, limits, [&] { return wire.size(); });
  Outcome split = feed_all(wire, limits, [&] {
    seed = seed * 1103515245u + 12345u;  // any split a socket read could give
    return std::size_t(1 + (seed >> 16) % 17);
  });
  SMTPDOCTOR_FUZZ_CHECK(whole.last == split.last);
  SMTPDOCTOR_FUZZ_CHECK(whole.replies.size() == split.replies.size());
  for (std::size_t i = 0; i < whole.replies.size(); ++i) {
    SMTPDOCTOR_FUZZ_CHECK(same(whole.replies[i], split.replies[i]));
    check_reply(whole.replies[i], limits);
  }
}

}  // namespace

void reply(std::string_view input) {
  incremental(input, Limits{});
  Limits tight;  // the caps themselves, reached with short inputs
  tight.max_line_octets = 16;
  tight.max_reply_lines = 3;
  tight.max_reply_octets = 64;
  incremental(input, tight);

  std::string why;
  if (auto one = parse_reply(input, &why)) {
    check_reply(*one, Limits{});
  } else {
    SMTPDOCTOR_FUZZ_CHECK(!why.empty());
  }
  parse_enhanced_code(input);
}

}  // namespace smtpdoctor::fuzz
