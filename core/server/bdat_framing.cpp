#include "core/server/bdat_framing.hpp"

#include <algorithm>
#include <charconv>

#include "core/base/ascii.hpp"

namespace smtpdoctor {

std::optional<BdatCommand> parse_bdat_argument(std::string_view argument) {
  auto space = argument.find(' ');
  std::string_view size_text = argument.substr(0, space);
  std::string_view rest =
      space == std::string_view::npos ? std::string_view{} : argument.substr(space + 1);
  if (size_text.empty() || !std::all_of(size_text.begin(), size_text.end(), ascii::is_digit))
    return std::nullopt;
  BdatCommand command;
  auto [end, ec] =
      std::from_chars(size_text.data(), size_text.data() + size_text.size(), command.size);
  if (ec != std::errc{} || end != size_text.data() + size_text.size()) return std::nullopt;
  if (space == std::string_view::npos) return command;
  if (!ascii::iequals(rest, "LAST")) return std::nullopt;
  command.last = true;
  return command;
}

BdatFraming::BdatFraming(std::size_t max_message_octets)
    : max_message_octets_(max_message_octets) {}

void BdatFraming::start_chunk(std::uint64_t size) {
  remaining_ = size;
}

std::size_t BdatFraming::feed(std::string_view bytes) {
  std::size_t take = std::size_t(std::min<std::uint64_t>(remaining_, bytes.size()));
  if (!too_big_ && message_.size() + take <= max_message_octets_) {
    message_.append(bytes.substr(0, take));
  } else if (!too_big_) {
    too_big_ = true;
    message_.clear();
    message_.shrink_to_fit();
  }
  remaining_ -= take;
  return take;
}

}  // namespace smtpdoctor
