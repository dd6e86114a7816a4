// The DATA framing (RFC 5321 §4.5.2), both sides: the dot-stuffing the client does (dot_stuff /
// dot_unstuff: what it sends must come back as it was meant, CRLF everywhere, one final CRLF),
// and the server's reading of arbitrary bytes after the 354 (DataFraming, the piece the session
// feeds every read): split anywhere, it must end at the same place with the same verdict and
// message, never at a fake end of data, and never store a bare CR or LF unless told to.
#include "core/server/data_framing.hpp"
#include "core/smtp/address.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

// `message` with bare LF and bare CR as CRLF and a CRLF after an unterminated last line: what
// dot_unstuff(dot_stuff(message)) must give.
std::string crlf_lines(std::string_view message) {
  std::string out;
  for (std::size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

struct Framed {
  std::size_t consumed = 0;
  bool done = false;
  DataFraming::Verdict verdict = DataFraming::Verdict::ok;
  std::string message;
  bool operator==(const Framed&) const = default;
};

// `input` fed in pieces of `step` octets (0: all at once), as reads would bring it.
Framed frame(std::string_view input, std::size_t step, const DataFramingLimits& limits) {
  DataFraming framing(limits);
  Framed out;
  while (out.consumed < input.size() && !framing.done()) {
    std::size_t n = step == 0 ? input.size() - out.consumed : step;
    std::string_view piece = input.substr(out.consumed, n);
    std::size_t took = framing.feed(piece);
    SMTPDOCTOR_FUZZ_CHECK(took <= piece.size());
    SMTPDOCTOR_FUZZ_CHECK(took == piece.size() || framing.done());
    out.consumed += took;
  }
  out.done = framing.done();
  if (out.done) {
    out.verdict = framing.verdict();
    out.message = framing.message();
  }
  return out;
}

void server_side(std::string_view input, bool accept_bare) {
  DataFramingLimits limits{64, 512, accept_bare};  // small, so the limits are reached too
  Framed whole = frame(input, 0, limits);
  for (std::size_t step : {1, 2, 3, 7, 64})
    SMTPDOCTOR_FUZZ_CHECK(frame(input, step, limits) == whole);
  if (!whole.done) return;
  // It ended at the first line that is exactly ".": after a CRLF (or at the start), ".\r\n".
  std::string_view taken = input.substr(0, whole.consumed);
  SMTPDOCTOR_FUZZ_CHECK(taken == ".\r\n" || taken.ends_with("\r\n.\r\n"));
  std::size_t first_end = input.starts_with(".\r\n") ? 3 : input.find("\r\n.\r\n") + 5;
  SMTPDOCTOR_FUZZ_CHECK(whole.consumed == first_end);
  SMTPDOCTOR_FUZZ_CHECK(whole.message.size() <= limits.max_message_octets);
  SMTPDOCTOR_FUZZ_CHECK(whole.message.size() <= taken.size());
  if (whole.verdict != DataFraming::Verdict::ok) {
    SMTPDOCTOR_FUZZ_CHECK(whole.message.empty());
    return;
  }
  SMTPDOCTOR_FUZZ_CHECK(whole.message.empty() || whole.message.ends_with("\r\n"));
  if (!accept_bare) {
    // Every CR is followed by LF and every LF preceded by CR: nothing smuggled is stored.
    for (std::size_t i = 0; i < whole.message.size(); ++i) {
      if (whole.message[i] == '\r')
        SMTPDOCTOR_FUZZ_CHECK(i + 1 < whole.message.size() && whole.message[i + 1] == '\n');
      if (whole.message[i] == '\n') SMTPDOCTOR_FUZZ_CHECK(i > 0 && whole.message[i - 1] == '\r');
    }
    // And it is the client's stuffing undone, as the client's side of the framing sees it.
    SMTPDOCTOR_FUZZ_CHECK(dot_unstuff(taken) == whole.message);
  }
}

}  // namespace

void data_framing(std::string_view input) {
  server_side(input, false);
  server_side(input, true);

  std::string stuffed = dot_stuff(input);
  SMTPDOCTOR_FUZZ_CHECK(stuffed.ends_with(".\r\n"));
  SMTPDOCTOR_FUZZ_CHECK(stuffed == ".\r\n" || stuffed.ends_with("\r\n.\r\n"));
  // Every line ends with CRLF; none but the last is "." (which would end the message early), and
  // no CR or LF is left on its own.
  std::string_view rest = stuffed;
  while (!rest.empty()) {
    auto crlf = rest.find("\r\n");
    SMTPDOCTOR_FUZZ_CHECK(crlf != std::string_view::npos);
    std::string_view line = rest.substr(0, crlf);
    SMTPDOCTOR_FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos);
    rest.remove_prefix(crlf + 2);
    SMTPDOCTOR_FUZZ_CHECK(line != "." || rest.empty());
  }
  SMTPDOCTOR_FUZZ_CHECK(dot_unstuff(stuffed) == crlf_lines(input));

  // The server's side of arbitrary bytes: never longer than what came in.
  SMTPDOCTOR_FUZZ_CHECK(dot_unstuff(input).size() <= input.size());
}

}  // namespace smtpdoctor::fuzz
