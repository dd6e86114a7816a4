// The DATA framing (RFC 5321 §4.5.2): dot-stuffing the client does and the unstuffing the server
// side of it. The session itself unstuffs line by line inside its DATA coroutine (Session::
// cmd_data), which has no pure piece to call; dot_stuff / dot_unstuff are the framing's pure
// functions, and what the client sends must come back as it was meant: CRLF everywhere, one
// final CRLF.
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

}  // namespace

void data_framing(std::string_view input) {
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
