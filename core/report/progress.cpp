#include "core/report/progress.hpp"

#include <unistd.h>

#include <cerrno>

#include "core/report/terminal.hpp"

namespace smtpdoctor {

std::string format_progress(std::size_t done, std::size_t total, const ProbeResult* last) {
  std::string text =
      "checking… " + std::to_string(done) + "/" + std::to_string(total) + " probes done";
  if (last != nullptr) {
    text += " (" + std::string(probe_name(last->id)) + " ";
    if (last->target.port != 0)
      text += std::to_string(last->target.port);
    else if (!last->target.host.empty())
      text += printable_line(last->target.host);
    if (text.back() != ' ') text += ' ';
    text += std::string(status_glyph(last->status)) + ")";
  }
  return text;
}

ProgressLine::ProgressLine(int fd) : ProgressLine(fd, isatty(fd) == 1, terminal_width(fd)) {}

ProgressLine::ProgressLine(int fd, bool enabled, std::size_t width)
    : fd_(fd), enabled_(enabled), width_(width) {}

ProgressLine::~ProgressLine() {
  clear();
}

void ProgressLine::update(std::size_t done, std::size_t total, const ProbeResult* last) {
  if (!enabled_) return;
  // One column short of the width: some terminals wrap when the last column is written.
  std::size_t columns = width_ > 1 ? width_ - 1 : 1;
  // "\x1b[K" erases what a longer previous line left behind.
  write_all("\r" + truncate_to_width(format_progress(done, total, last), columns) + "\x1b[K");
  drawn_ = true;
}

void ProgressLine::clear() {
  if (!enabled_ || !drawn_) return;
  write_all("\r\x1b[K");
  drawn_ = false;
}

void ProgressLine::write_all(const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a progress line is not worth failing the run for
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace smtpdoctor
