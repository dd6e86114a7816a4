// UTF-8 as peers send it: well-formed sequences told apart from stray 8-bit bytes, and text made
// safe to print on a terminal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace smtpdoctor {

// Length of the well-formed UTF-8 sequence starting at s[i], 0 when malformed (RFC 3629 §4:
// no overlong forms, no surrogates, nothing past U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// Appends `text` so that no byte of it can act on a terminal: control characters (C0 but tab,
// DEL, C1), the bidirectional controls that reorder what is shown (U+202A..U+202E,
// U+2066..U+2069), and bytes that are not well-formed UTF-8 (8-bit text in another charset, or
// garbage) become "\xNN", one per byte. Well-formed UTF-8 otherwise stays as it is, so replies
// in other languages read normally.
void append_terminal_safe(std::string& out, std::string_view text);

// A short excerpt of a peer's bad input for an error message, in double quotes: at most `max`
// octets ("..." after when cut), printable ASCII as it is and every other octet (and '"', '\\')
// as "\xNN" — the peer controls these bytes, so they are never echoed raw or in full.
std::string quoted_excerpt(std::string_view text, std::size_t max);

}  // namespace smtpdoctor
