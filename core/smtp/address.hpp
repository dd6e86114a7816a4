// RFC 5321 Mailbox validation and SMTP command building.
//
// Every value that goes into a command passes through here, and any value holding CR or LF is
// refused, so no caller can smuggle a second command into the stream (command injection).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpdoctor {

struct Mailbox {
  std::string local_part;  // as written, quotes included when quoted
  std::string domain;      // domain or address literal "[192.0.2.1]" / "[IPv6:...]"
  std::string str() const { return local_part + "@" + domain; }
};

// Validates `text` as an RFC 5321 Mailbox (Local-part "@" ( Domain / address-literal )).
// Accepts quoted local parts and address literals; non-ASCII (UTF-8) only when `utf8` is true
// (SMTPUTF8, RFC 6531). On failure returns nullopt and sets *why to a one-line reason.
std::optional<Mailbox> parse_mailbox(std::string_view text, bool utf8 = false,
                                     std::string* why = nullptr);

// True when `value` contains CR, LF or NUL: never allowed in a command argument.
bool has_line_break(std::string_view value);

// Builders return nullopt (and set *why) on invalid input. The result ends with CRLF.
// An empty `from` gives the null reverse-path "MAIL FROM:<>".
std::optional<std::string> mail_from_command(std::string_view from,
                                             const std::vector<std::string>& params, bool utf8,
                                             std::string* why = nullptr);
std::optional<std::string> rcpt_to_command(std::string_view to,
                                           const std::vector<std::string>& params, bool utf8,
                                           std::string* why = nullptr);
// EHLO/HELO/AUTH/any verb with one optional argument, refusing CR/LF.
std::optional<std::string> simple_command(std::string_view verb, std::string_view argument = {},
                                          std::string* why = nullptr);

// DATA body: CRLF line endings everywhere (bare LF and bare CR converted), leading dots doubled
// (RFC 5321 §4.5.2), ends with "\r\n.\r\n".
std::string dot_stuff(std::string_view message);
// The reverse, for the server: removes the terminating ".\r\n" line and one leading dot of each
// line. `data` is everything up to and including "\r\n.\r\n".
std::string dot_unstuff(std::string_view data);

}  // namespace smtpdoctor
