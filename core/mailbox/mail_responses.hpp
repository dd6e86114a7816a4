// What a POP3 or IMAP server's lines say, read without any I/O: the login conversations in
// mail_login_client.cpp read a line and hand it here, so the parsing of bytes from the peer can
// be unit-tested and fuzzed apart from the sockets. Library `smtpdoctor_mailbox_responses` (no
// Asio).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smtpdoctor {

// ---- POP3 ------------------------------------------------------------------------------------

struct PopReply {
  bool ok = false;
  std::string text;  // after "+OK " / "-ERR "; "+" for a SASL continuation request
};

// One POP3 status line: "+OK ...", "-ERR ..." (case-insensitive), or the SASL continuation
// "+ ..." / "+" (RFC 5034), which reads as {true, "+"}. Nullopt for anything else.
std::optional<PopReply> parse_pop_line(std::string_view line);

// True when a CAPA line's first word is `name` ("STLS", "SASL PLAIN LOGIN" for "SASL").
bool pop_offers(const std::vector<std::string>& capabilities, std::string_view name);
// True when a "SASL ..." CAPA line lists `mechanism`.
bool pop_offers_sasl(const std::vector<std::string>& capabilities, std::string_view mechanism);

// ---- IMAP ------------------------------------------------------------------------------------

enum class ImapLineKind {
  continuation,  // "+" or "+ ...": the server waits for more of the command
  untagged,      // "* ...": data before the tagged response
  tagged,        // "<tag> OK|NO|BAD ...": the end of the command's response
  invalid,       // anything else, a tagged line with another status included
};

struct ImapLine {
  ImapLineKind kind = ImapLineKind::invalid;
  std::string status;  // tagged: "OK", "NO" or "BAD" (upper-cased)
  std::string text;    // tagged: what follows the status
  // From "* CAPABILITY ..." or a "[CAPABILITY ...]" response code, when the line has one.
  std::optional<std::vector<std::string>> capabilities;
};

// One line of the response to the command tagged `tag`.
ImapLine parse_imap_line(std::string_view line, std::string_view tag);

// "CAPABILITY IMAP4rev1 STARTTLS ..." or "[CAPABILITY ...] text": the words after the keyword,
// or nullopt.
std::optional<std::vector<std::string>> capability_words(std::string_view text);

// An IMAP quoted string ("a\"b" for a"b), or nullopt when the value needs a literal (CR, LF,
// NUL or 8-bit octets): we do not send literals, so the caller must use AUTHENTICATE instead.
std::optional<std::string> imap_quote(std::string_view value);
// "[AUTH] Authentication failed." -> {"AUTH", "Authentication failed."}; no code: {"", text}.
std::pair<std::string, std::string> split_response_code(std::string_view text);
// True when an IMAP capability list (as words) contains `name`, case-insensitively.
bool has_capability(const std::vector<std::string>& capabilities, std::string_view name);

}  // namespace smtpdoctor
