#include "core/server/data_framing.hpp"

namespace smtpdoctor {

DataFraming::DataFraming(const DataFramingLimits& limits, std::string buffer)
    : limits_(limits), message_(std::move(buffer)) {
  message_.clear();
}

std::size_t DataFraming::feed(std::string_view bytes) {
  std::size_t taken = 0;
  while (taken < bytes.size() && !done_) {
    // A line ends only at CRLF, so look for LF and check the octet before it.
    std::size_t lf = bytes.find('\n', taken);
    std::size_t end = lf == std::string_view::npos ? bytes.size() : lf + 1;
    std::string_view piece = bytes.substr(taken, end - taken);
    taken = end;
    // The common case: a whole line of acceptable length within these bytes. It is judged
    // where it lies, not copied into line_ first (exactly what append + finish_line would do).
    if (line_.empty() && !discarding_ && piece.ends_with("\r\n") &&
        piece.size() <= limits_.max_line_octets + 1) {
      finish_line(piece);
      continue;
    }
    append(piece);
    if (lf != std::string_view::npos && line_.ends_with("\r\n")) finish_line(line_);
  }
  return taken;
}

// Keeps the line bounded: past its limit only the last two octets matter (is it CRLF yet?).
void DataFraming::append(std::string_view piece) {
  // One octet of slack: the limit does not count the dot a client doubled (RFC 5321
  // §4.5.3.1.6), so a 998-octet line that starts with "." arrives as 999 octets.
  if (!discarding_ && line_.size() + piece.size() > limits_.max_line_octets + 1) discarding_ = true;
  line_.append(piece);
  if (discarding_ && line_.size() > 2) line_.erase(0, line_.size() - 2);
}

void DataFraming::finish_line(std::string_view line) {
  line.remove_suffix(2);  // CRLF
  const std::size_t max_text = limits_.max_line_octets - 2;
  if (discarding_ || (line.size() > max_text && line.front() != '.')) {
    line_too_long_ = true;
  } else if (line == ".") {
    done_ = true;
  } else if (!limits_.accept_bare_newlines && line.find_first_of("\r\n") != line.npos) {
    bare_newline_ = true;
  } else {
    if (line.starts_with('.')) line.remove_prefix(1);
    if (too_big_ || message_.size() + line.size() + 2 > limits_.max_message_octets) {
      too_big_ = true;  // keep reading to the final dot, but store nothing more
      message_.clear();
    } else {
      message_.append(line);
      message_ += "\r\n";
    }
  }
  line_.clear();
  discarding_ = false;
  if (done_ && verdict() != Verdict::ok) message_.clear();
}

DataFraming::Verdict DataFraming::verdict() const {
  if (too_big_) return Verdict::too_big;
  if (line_too_long_) return Verdict::line_too_long;
  if (bare_newline_) return Verdict::bare_newline;
  return Verdict::ok;
}

}  // namespace smtpdoctor
