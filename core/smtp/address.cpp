// RFC 5321 §4.1.2 Mailbox grammar, checked octet by octet, plus the command builders that are the
// only way an address or parameter reaches the wire. The CR/LF/NUL check comes first in every
// builder, so even a value that some later rule would accept can never end a command line early.
//
// Non-ASCII is allowed only with SMTPUTF8 (RFC 6531): then it must be well-formed UTF-8 (no
// overlong forms, no surrogates, nothing past U+10FFFF), wherever atext, qtext or a domain label
// may appear.
#include "core/smtp/address.hpp"

#include <arpa/inet.h>

#include "core/base/ascii.hpp"
#include "core/base/utf8.hpp"

#include <algorithm>
#include <string_view>

namespace smtpdoctor {

namespace {

constexpr std::size_t kMaxLocalPart = 64;  // RFC 5321 §4.5.3.1.1
constexpr std::size_t kMaxDomain = 255;    // RFC 5321 §4.5.3.1.2
constexpr std::size_t kMaxLabel = 63;      // RFC 1035 §2.3.4
constexpr std::size_t kMaxMailbox = 254;   // a Path is at most 256 octets with its "<" ">"

using ascii::is_alnum;
using ascii::is_digit;
using ascii::is_ldh;

bool is_non_ascii(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}

bool is_atext(char c) {
  return is_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// Checks the non-ASCII bytes of `s`: refused without SMTPUTF8, else must be valid UTF-8.
bool check_non_ascii(std::string_view s, bool utf8, std::string& why) {
  for (std::size_t i = 0; i < s.size();) {
    if (!is_non_ascii(s[i])) {
      ++i;
      continue;
    }
    if (!utf8) {
      why = "non-ASCII characters need SMTPUTF8, which is not in use";
      return false;
    }
    std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      why = "malformed UTF-8";
      return false;
    }
    i += n;
  }
  return true;
}

bool check_dot_string(std::string_view local, std::string& why) {
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    why = "local part has a leading, trailing or double dot (quote it to allow that)";
    return false;
  }
  for (char c : local) {
    if (c != '.' && !is_atext(c) && !is_non_ascii(c)) {
      why = std::string("character '") + c + "' is not allowed in an unquoted local part";
      return false;
    }
  }
  return true;
}

// `quoted` includes both DQUOTEs.
bool check_quoted_string(std::string_view quoted, std::string& why) {
  for (std::size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c == '\\') {
      // quoted-pairSMTP = %d92 %d32-126; the closing quote cannot be the escaped character.
      if (i + 2 >= quoted.size() || quoted[i + 1] < 32 || quoted[i + 1] > 126) {
        why = "bad backslash escape in quoted local part";
        return false;
      }
      ++i;
    } else if (!is_non_ascii(c) && (c < 32 || c > 126 || c == '"')) {
      why = "character not allowed in a quoted local part";
      return false;
    }
  }
  return true;
}

bool check_domain(std::string_view domain, std::string& why) {
  if (domain.size() > kMaxDomain) {
    why = "domain longer than 255 octets";
    return false;
  }
  std::size_t start = 0;
  while (true) {
    std::size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) {
      why = "domain has an empty label (leading, trailing or double dot)";
      return false;
    }
    bool ascii = true;
    for (char c : label) {
      if (is_non_ascii(c)) {
        ascii = false;  // a U-label (RFC 6531); its octet length is not the DNS length
      } else if (!is_alnum(c) && c != '-') {
        why = std::string("character '") + c + "' is not allowed in a domain";
        return false;
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      why = "domain label starts or ends with '-'";
      return false;
    }
    if (ascii && label.size() > kMaxLabel) {
      why = "domain label longer than 63 octets";
      return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool check_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t start = i;
    int value = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < 3) value = value * 10 + (s[i++] - '0');
    if (i == start || value > 255) return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

// `literal` includes the brackets (RFC 5321 §4.1.3).
bool check_address_literal(std::string_view literal, std::string& why) {
  std::string_view inside = literal.substr(1, literal.size() - 2);
  if (check_ipv4(inside)) return true;
  std::size_t colon = inside.find(':');
  if (colon == std::string_view::npos) {
    why = "address literal is not a valid IPv4 address";
    return false;
  }
  std::string_view tag = inside.substr(0, colon);
  std::string_view value = inside.substr(colon + 1);
  if (ascii::iequals(tag, "IPv6")) {
    unsigned char buffer[16];
    if (inet_pton(AF_INET6, std::string(value).c_str(), buffer) != 1) {
      why = "address literal is not a valid IPv6 address";
      return false;
    }
    return true;
  }
  // General-address-literal: Standardized-tag ":" 1*dcontent.
  bool tag_ok = !tag.empty() && is_alnum(tag.front()) && tag.back() != '-' && is_ldh(tag);
  bool value_ok = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return c >= 33 && c <= 126 && c != '[' && c != '\\' && c != ']';
  });
  if (!tag_ok || !value_ok) why = "malformed address literal";
  return tag_ok && value_ok;
}

bool set_why(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return false;
}

// esmtp-param = esmtp-keyword ["=" esmtp-value] (RFC 5321 §4.1.2, RFC 6531 §3.3 for UTF-8).
bool check_param(std::string_view param, bool utf8, std::string& why) {
  std::size_t eq = param.find('=');
  std::string_view keyword = param.substr(0, eq);
  if (keyword.empty() || !is_alnum(keyword.front()) || !is_ldh(keyword)) {
    why = "parameter keyword must be a letter or digit followed by letters, digits or '-'";
    return false;
  }
  if (eq == std::string_view::npos) return true;
  std::string_view value = param.substr(eq + 1);
  if (value.empty()) {
    why = "parameter has '=' but no value";
    return false;
  }
  for (char c : value)
    if (!is_non_ascii(c) && (c < 33 || c > 126 || c == '=')) {
      why = "parameter value may not hold spaces, control characters or '='";
      return false;
    }
  return check_non_ascii(value, utf8, why);
}

std::optional<std::string> path_command(std::string_view prefix, std::string_view address,
                                        const std::vector<std::string>& params, bool utf8,
                                        bool allow_empty, std::string* why) {
  if (has_line_break(address)) {
    set_why(why, "address contains CR, LF or NUL");
    return std::nullopt;
  }
  for (const auto& p : params)
    if (has_line_break(p)) {
      set_why(why, "parameter contains CR, LF or NUL");
      return std::nullopt;
    }
  // RCPT TO:<Postmaster> without a domain must always be accepted (RFC 5321 §4.1.1.3).
  bool postmaster = !allow_empty && ascii::iequals(address, "postmaster");
  if (address.empty()) {
    if (!allow_empty) {
      set_why(why, "recipient address is empty");
      return std::nullopt;
    }
  } else if (!postmaster && !parse_mailbox(address, utf8, why)) {
    return std::nullopt;
  }
  std::string out(prefix);
  out += '<';
  out.append(address);
  out += '>';
  for (const auto& p : params) {
    std::string reason;
    if (!check_param(p, utf8, reason)) {
      set_why(why, "bad parameter \"" + p + "\": " + reason);
      return std::nullopt;
    }
    out += ' ';
    out += p;
  }
  out += "\r\n";
  return out;
}

}  // namespace

bool has_line_break(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::optional<Mailbox> parse_mailbox(std::string_view text, bool utf8, std::string* why) {
  std::string reason;
  auto refuse = [&](std::string message) -> std::optional<Mailbox> {
    set_why(why, std::move(message));
    return std::nullopt;
  };
  if (has_line_break(text)) return refuse("address contains CR, LF or NUL");
  if (text.empty()) return refuse("address is empty");
  if (text.size() > kMaxMailbox) return refuse("address longer than 254 octets");
  if (!check_non_ascii(text, utf8, reason)) return refuse("address: " + reason);

  // The local part ends at the closing quote of a quoted string, else at the first '@' (atext
  // has no '@'). A quoted local part may itself contain '@'.
  std::size_t at;
  if (text.front() == '"') {
    std::size_t i = 1;
    while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
    if (i >= text.size()) return refuse("unterminated quoted local part");
    at = i + 1;
    if (at >= text.size() || text[at] != '@')
      return refuse("expected '@' after the quoted local part");
  } else {
    at = text.find('@');
    if (at == std::string_view::npos) return refuse("address has no '@'");
  }
  std::string_view local = text.substr(0, at);
  std::string_view domain = text.substr(at + 1);

  if (local.empty()) return refuse("local part (before '@') is empty");
  if (local.size() > kMaxLocalPart) return refuse("local part longer than 64 octets");
  bool ok =
      local.front() == '"' ? check_quoted_string(local, reason) : check_dot_string(local, reason);
  if (!ok) return refuse(reason);

  if (domain.empty()) return refuse("domain (after '@') is empty");
  if (domain.front() == '[') {
    if (domain.back() != ']') return refuse("address literal lacks its closing ']'");
    if (!check_address_literal(domain, reason)) return refuse(reason);
  } else if (!check_domain(domain, reason)) {
    return refuse(reason);
  }
  return Mailbox{std::string(local), std::string(domain)};
}

std::optional<std::string> mail_from_command(std::string_view from,
                                             const std::vector<std::string>& params, bool utf8,
                                             std::string* why) {
  return path_command("MAIL FROM:", from, params, utf8, /*allow_empty=*/true, why);
}

std::optional<std::string> rcpt_to_command(std::string_view to,
                                           const std::vector<std::string>& params, bool utf8,
                                           std::string* why) {
  return path_command("RCPT TO:", to, params, utf8, /*allow_empty=*/false, why);
}

std::optional<std::string> simple_command(std::string_view verb, std::string_view argument,
                                          std::string* why) {
  if (has_line_break(verb) || has_line_break(argument)) {
    set_why(why, "command contains CR, LF or NUL");
    return std::nullopt;
  }
  if (verb.empty()) {
    set_why(why, "command verb is empty");
    return std::nullopt;
  }
  if (!is_ldh(verb)) {
    set_why(why, "command verb may hold only letters, digits and '-'");
    return std::nullopt;
  }
  std::string out(verb);
  if (!argument.empty()) {
    out += ' ';
    out.append(argument);
  }
  out += "\r\n";
  return out;
}

std::string dot_stuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 5);
  bool line_start = true;
  for (std::size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (c == '\r' || c == '\n') {
      // CRLF, bare LF and bare CR all end a line.
      if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      out += "\r\n";
      line_start = true;
      continue;
    }
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

std::string dot_unstuff(std::string_view data) {
  // Drop the terminating "." line: the whole input for an empty message, else the "\r\n.\r\n"
  // tail keeps its first CRLF (it ends the last text line).
  if (data == ".\r\n") return {};
  if (data.ends_with("\r\n.\r\n")) data.remove_suffix(3);
  std::string out;
  out.reserve(data.size());
  bool line_start = true;
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (line_start && c == '.') {
      line_start = false;
      continue;  // the transparency dot (RFC 5321 §4.5.2)
    }
    out += c;
    // Only CRLF ends a line on the wire; a bare LF inside a line is data.
    line_start = c == '\n' && i > 0 && data[i - 1] == '\r';
  }
  return out;
}

}  // namespace smtpdoctor
