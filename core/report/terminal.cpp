#include "core/report/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "core/base/utf8.hpp"

namespace smtpdoctor {
namespace {

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the escape sequence starting at text[i] ("\x1b[31m"), or 0 when there is none.
std::size_t escape_length(std::string_view text, std::size_t i) {
  if (text[i] != '\x1b' || i + 1 >= text.size() || text[i + 1] != '[') return 0;
  std::size_t j = i + 2;
  while (j < text.size() && !(text[j] >= '@' && text[j] <= '~')) ++j;
  return j < text.size() ? j - i + 1 : text.size() - i;
}

}  // namespace

bool should_colour(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return isatty(fd) == 1;
}

std::size_t terminal_width(int fd, std::size_t fallback) {
  winsize size{};
  if (isatty(fd) == 1 && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return fallback;
}

std::size_t terminal_height(int fd, std::size_t fallback) {
  winsize size{};
  if (isatty(fd) == 1 && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_row > 0) return size.ws_row;
  return fallback;
}

std::size_t display_width(std::string_view text) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (std::size_t n = escape_length(text, i); n > 0) {
      i += n;
      continue;
    }
    if (!is_continuation(static_cast<unsigned char>(text[i]))) ++columns;
    ++i;
  }
  return columns;
}

std::string printable_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t run = 0;  // start of the text since the last line break or tab
  auto flush = [&](std::size_t end) { append_terminal_safe(out, text.substr(run, end - run)); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r' || c == '\n' || c == '\t') {
      flush(i);
      run = i + 1;
      if (out.empty() || out.back() != ' ') out += ' ';
    }
  }
  flush(text.size());
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string truncate_to_width(std::string_view text, std::size_t columns) {
  if (display_width(text) <= columns) return std::string(text);
  if (columns == 0) return {};
  std::size_t used = 0;
  std::size_t i = 0;
  // Leave one column for the ellipsis.
  while (i < text.size()) {
    if (std::size_t n = escape_length(text, i); n > 0) {
      i += n;
      continue;
    }
    if (used == columns - 1) break;
    ++used;
    ++i;
    while (i < text.size() && is_continuation(static_cast<unsigned char>(text[i]))) ++i;
  }
  return std::string(text.substr(0, i)) + "…";
}

}  // namespace smtpdoctor
