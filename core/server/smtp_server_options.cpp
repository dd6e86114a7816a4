// Pure parsers for the server's flag values. Each refusal names what was wrong, because these
// messages end up as the one line `smtpdoctor serve` prints before exiting 2.
#include "core/server/smtp_server_options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

bool parse_unsigned(std::string_view text, unsigned long* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
    ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  std::string number(text.substr(0, digits));
  if (std::count(number.begin(), number.end(), '.') > 1 || number.front() == '.' ||
      number.back() == '.')
    return std::nullopt;
  double value = std::stod(number);
  std::string_view unit = text.substr(digits);
  double scale = 0;
  if (unit == "ms")
    scale = 1;
  else if (unit == "s" || unit.empty())
    scale = 1000;
  else if (unit == "m")
    scale = 60'000;
  else
    return std::nullopt;
  double ms = value * scale;
  if (ms > 24.0 * 3600 * 1000) return std::nullopt;  // a day is more than any test needs
  return std::chrono::milliseconds{static_cast<long long>(ms)};
}

bool add_fault(std::string_view spec, ServerFaults* faults, std::string* why) {
  auto eq = spec.find('=');
  std::string name = ascii::upper(spec.substr(0, eq));
  std::string_view value = eq == std::string_view::npos ? std::string_view{} : spec.substr(eq + 1);
  auto fail = [&](std::string message) {
    if (why) *why = "'" + std::string(spec) + "': " + message;
    return false;
  };
  auto need_value = [&] { return eq != std::string_view::npos && !value.empty(); };

  if (name == "GREETING-DELAY" || name == "TARPIT") {
    auto d = need_value() ? parse_duration(value) : std::nullopt;
    if (!d) return fail("expected a duration such as 500ms or 2s");
    (name == "TARPIT" ? faults->tarpit : faults->greeting_delay) = *d;
  } else if (name == "BANNER") {
    if (value == "421")
      faults->banner_code = 421;
    else if (value == "554")
      faults->banner_code = 554;
    else
      return fail("expected banner=421 or banner=554");
  } else if (name == "EHLO-REFUSED" && !need_value()) {
    faults->ehlo_refused = true;
  } else if (name == "GREYLIST") {
    std::string stage = ascii::upper(value);
    if (stage == "MAIL")
      faults->greylist_mail = true;
    else if (stage == "RCPT")
      faults->greylist_rcpt = true;
    else
      return fail("expected greylist=mail or greylist=rcpt");
  } else if (name == "UNKNOWN-USER") {
    if (!need_value() || value.find('@') == std::string_view::npos)
      return fail("expected unknown-user=LOCAL@DOMAIN");
    faults->unknown_users.emplace_back(value);
  } else if (name == "DROP-AFTER") {
    std::string verb = ascii::upper(value);
    static constexpr std::string_view kVerbs[] = {"EHLO", "HELO", "STARTTLS", "AUTH", "MAIL",
                                                  "RCPT", "DATA", "BDAT",     "RSET", "NOOP",
                                                  "QUIT", "VRFY", "HELP"};
    if (std::find(std::begin(kVerbs), std::end(kVerbs), verb) == std::end(kVerbs))
      return fail("expected an SMTP verb such as MAIL, RCPT or DATA");
    faults->drop_after = verb;
  } else if (name == "TLS-FAIL" && !need_value()) {
    faults->tls_fail = true;
  } else if (name == "421-AFTER") {
    unsigned long n = 0;
    if (!parse_unsigned(value, &n) || n > 1'000'000) return fail("expected 421-after=N");
    faults->close_after_messages = unsigned(n);
  } else {
    return fail(
        "unknown fault (known: greeting-delay=DUR, banner=421|554, ehlo-refused, "
        "greylist=mail|rcpt, unknown-user=ADDR, drop-after=VERB, tls-fail, tarpit=DUR, "
        "421-after=N)");
  }
  return true;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::uint16_t default_port,
                                                  std::string* why) {
  ListenAddress out;
  out.port = default_port;
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      if (why) *why = "missing ']' in '" + std::string(text) + "'";
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        if (why) *why = "expected ':PORT' after ']' in '" + std::string(text) + "'";
        return std::nullopt;
      }
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  // More than one ':' without brackets: a bare IPv6 address, no port.
  if (!port.empty() || (text.size() && text.back() == ':')) {
    unsigned long n = 0;
    if (!parse_unsigned(port, &n) || n > 65535) {
      if (why) *why = "bad port in '" + std::string(text) + "'";
      return std::nullopt;
    }
    out.port = std::uint16_t(n);
  }
  if (!host.empty()) out.host = std::string(host);
  return out;
}

std::optional<UsersFile> parse_users_text(std::string_view text, std::string* why) {
  UsersFile users;
  std::map<std::string, std::string>* section = &users.passwords;
  int line_number = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const bool tokens = section == &users.oauth_tokens;
    const std::string where = "line " + std::to_string(line_number) + ": ";
    if (line.front() == '[' && line.find(':') == std::string_view::npos) {
      if (line == "[oauth2-tokens]") {
        section = &users.oauth_tokens;
      } else if (line == "[passwords]") {
        section = &users.passwords;
      } else {
        if (why) *why = where + "unknown section (known: [passwords], [oauth2-tokens])";
        return std::nullopt;
      }
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || (tokens && colon + 1 == line.size())) {
      if (why) *why = where + (tokens ? "expected NAME:TOKEN" : "expected NAME:PASS");
      return std::nullopt;
    }
    (*section)[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
  }
  return users;
}

bool hide_capability(std::string_view keyword, ServerCapabilities* caps) {
  std::string k = ascii::upper(keyword);
  if (k == "SIZE")
    caps->size = false;
  else if (k == "PIPELINING")
    caps->pipelining = false;
  else if (k == "8BITMIME")
    caps->eightbitmime = false;
  else if (k == "SMTPUTF8")
    caps->smtputf8 = false;
  else if (k == "ENHANCEDSTATUSCODES")
    caps->enhancedstatuscodes = false;
  else if (k == "CHUNKING" || k == "BDAT")
    caps->chunking = false;
  else if (k == "DSN")
    caps->dsn = false;
  else if (k == "STARTTLS")
    caps->starttls = false;
  else if (k == "AUTH")
    caps->auth = false;
  else
    return false;
  return true;
}

}  // namespace smtpdoctor
