// What the reports need to know about the terminal they print to, and how wide UTF-8 text is
// on it. Kept apart from the renderers so those stay pure functions of the report.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace smtpdoctor {

// Colour only on a terminal, and never when NO_COLOR is set to anything non-empty
// (https://no-color.org). TERM=dumb also means no escape sequences.
bool should_colour(int fd);

// Columns of the terminal on `fd`; `fallback` when it is not a terminal or does not say.
std::size_t terminal_width(int fd, std::size_t fallback = 80);
// Lines of the terminal on `fd`; `fallback` when it is not a terminal or does not say.
std::size_t terminal_height(int fd, std::size_t fallback = 24);

// Columns `text` occupies: one per UTF-8 code point (our glyphs ✓ ✗ – … are all one column),
// escape sequences not counted.
std::size_t display_width(std::string_view text);

// Text from a server or DNS made safe for one report line: CR/LF/TAB become one space, other
// C0 controls, DEL and the UTF-8 encoded C1 controls (U+0080..U+009F, which include a
// one-character CSI) become '?', trailing spaces go. A server's escape sequences never reach the
// terminal, and a line stays one line.
std::string printable_line(std::string_view text);

// The longest prefix of `text` that fits in `columns`, cut on a code-point boundary, with "…"
// at the end when something was cut.
std::string truncate_to_width(std::string_view text, std::size_t columns);

}  // namespace smtpdoctor
