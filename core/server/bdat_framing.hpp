// The message a client sends in BDAT chunks (RFC 3030 §2): each "BDAT size [LAST]" is followed
// by exactly `size` octets of message, with no dot-stuffing and no line structure, and the chunk
// ends where the count says, not where a read happens to end. Pure and incremental like
// DataFraming, so the session feeds it whatever each read brought and the fuzz target can split
// the same bytes anywhere.
//
// A message that grows past its limit is still read to the end of every chunk (the octets must
// be taken off the wire to find the next command) but no longer kept; the transaction then ends
// in 552.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtpdoctor {

struct BdatCommand {
  std::uint64_t size = 0;
  bool last = false;
  bool operator==(const BdatCommand&) const = default;
};

// BDAT's argument, "1000" or "1000 LAST" (LAST in any case): nullopt for anything else, a size
// that is not all digits or does not fit 64 bits included, since then the chunk cannot be skipped.
std::optional<BdatCommand> parse_bdat_argument(std::string_view argument);

class BdatFraming {
 public:
  explicit BdatFraming(std::size_t max_message_octets);

  // A new chunk of `size` octets; the previous one must be done().
  void start_chunk(std::uint64_t size);
  // Takes at most what the current chunk still lacks; returns how many octets of `bytes` it took
  // (what follows belongs to the next command).
  std::size_t feed(std::string_view bytes);
  bool chunk_done() const { return remaining_ == 0; }

  // The whole message has passed its limit: nothing more is kept.
  bool too_big() const { return too_big_; }
  // Every chunk so far, concatenated (empty once too_big()).
  std::string& message() { return message_; }

 private:
  std::size_t max_message_octets_;
  std::uint64_t remaining_ = 0;
  bool too_big_ = false;
  std::string message_;
};

}  // namespace smtpdoctor
