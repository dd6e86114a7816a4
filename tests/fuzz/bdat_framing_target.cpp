// The server's reading of BDAT chunks (RFC 3030): a client's stream of "BDAT size [LAST]" lines,
// each followed by its octets, fed to parse_bdat_argument and BdatFraming as the session does,
// whole and in pieces. Whatever the split, every chunk takes exactly its count (what follows is
// the next command, however much it looks like data), the message is the chunks' octets in
// order, and a message past its limit keeps nothing.
#include <algorithm>

#include "core/server/bdat_framing.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

constexpr std::size_t kMaxMessage = 256;  // small, so the limit is reached too

struct Chunked {
  std::vector<std::size_t> taken;  // octets each chunk took
  bool too_big = false;
  std::string message;
  bool operator==(const Chunked&) const = default;
};

// The stream read the way the session reads it, each read bringing at most `step` octets
// (0: everything that is left).
Chunked read_stream(std::string_view input, std::size_t step, std::string& expected) {
  Chunked out;
  BdatFraming bdat(kMaxMessage);
  expected.clear();
  std::string_view rest = input;
  while (!rest.empty()) {
    auto eol = rest.find("\r\n");
    if (eol == std::string_view::npos) break;
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    if (line.size() < 5 || !(line.substr(0, 5) == "BDAT " || line.substr(0, 5) == "bdat "))
      continue;
    std::optional<BdatCommand> command = parse_bdat_argument(line.substr(5));
    if (!command) continue;
    // What a client's "BDAT n" line must mean: n and LAST read back.
    std::string again = std::to_string(command->size) + (command->last ? " LAST" : "");
    SMTPDOCTOR_FUZZ_CHECK(parse_bdat_argument(again) == command);
    if (command->size > kMaxMessage * 4) continue;  // the session closes on those
    bdat.start_chunk(command->size);
    std::size_t took = 0;
    while (!bdat.chunk_done() && !rest.empty()) {
      std::size_t n = step == 0 ? rest.size() : std::min(step, rest.size());
      std::size_t t = bdat.feed(rest.substr(0, n));
      SMTPDOCTOR_FUZZ_CHECK(t <= n);
      SMTPDOCTOR_FUZZ_CHECK(t == n || bdat.chunk_done());
      expected.append(rest.substr(0, t));
      rest.remove_prefix(t);
      took += t;
    }
    SMTPDOCTOR_FUZZ_CHECK(took <= command->size);
    SMTPDOCTOR_FUZZ_CHECK(bdat.chunk_done() == (took == command->size));
    out.taken.push_back(took);
    if (!bdat.chunk_done()) break;  // the client went away mid-chunk
  }
  out.too_big = bdat.too_big();
  out.message = bdat.message();
  return out;
}

}  // namespace

void bdat_framing(std::string_view input) {
  std::string expected;
  Chunked whole = read_stream(input, 0, expected);
  SMTPDOCTOR_FUZZ_CHECK(whole.too_big == (expected.size() > kMaxMessage));
  SMTPDOCTOR_FUZZ_CHECK(whole.too_big ? whole.message.empty() : whole.message == expected);
  for (std::size_t step : {1, 2, 5, 64}) {
    std::string again;
    SMTPDOCTOR_FUZZ_CHECK(read_stream(input, step, again) == whole);
    SMTPDOCTOR_FUZZ_CHECK(again == expected);
  }
  // The argument parser on the raw input as one argument too: accepted only as digits [LAST].
  if (auto command = parse_bdat_argument(input)) {
    SMTPDOCTOR_FUZZ_CHECK(!input.empty() && input[0] >= '0' && input[0] <= '9');
    SMTPDOCTOR_FUZZ_CHECK(input.find_first_of("\r\n") == std::string_view::npos);
  }
}

}  // namespace smtpdoctor::fuzz
