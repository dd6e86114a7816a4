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

// Text from a server or DNS made safe for one report line: CR/LF/TAB become one space; other
// controls (C0, DEL, C1 — which include a one-character CSI — and the bidirectional overrides)
// and bytes that are not well-formed UTF-8 become "\xNN" (append_terminal_safe); trailing spaces
// go. A server's escape sequences and stray 8-bit bytes never reach the terminal raw, and a line
// stays one line.
std::string printable_line(std::string_view text);

// The longest prefix of `text` that fits in `columns`, cut on a code-point boundary, with "…"
// at the end when something was cut.
std::string truncate_to_width(std::string_view text, std::size_t columns);

}  // namespace smtpdoctor
