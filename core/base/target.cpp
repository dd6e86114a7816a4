#include "core/base/target.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

bool set_why(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return false;
}

}  // namespace

std::string Target::endpoint(std::uint16_t p) const {
  return (is_ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(p);
}

bool is_ipv4_literal(std::string_view text) {
  if (text.empty() || text.size() > 15) return false;
  std::string s(text);
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6_literal(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  std::string s(text);
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool is_valid_hostname(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);  // a rooted name is fine
  if (text.empty() || text.size() > 253) return false;
  std::size_t label = 0;
  char previous = '.';
  for (char c : text) {
    if (c == '.') {
      if (label == 0 || previous == '-') return false;
      label = 0;
    } else {
      bool alnum = ascii::is_alnum(c);
      // '_' appears in real names (SRV-like labels, some internal hosts); accept it.
      if (!alnum && c != '-' && c != '_') return false;
      if (c == '-' && label == 0) return false;
      if (++label > 63) return false;
    }
    previous = c;
  }
  return previous != '-';
}

std::optional<Target> parse_target(std::string_view text, std::string* why) {
  Target t;
  if (text.empty()) return set_why(why, "the target is empty"), std::nullopt;
  for (char c : text)
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0')
      return set_why(why, "the target contains white space or a line break"), std::nullopt;

  if (auto at = text.rfind('@'); at != std::string_view::npos) {
    if (at == 0 || at + 1 == text.size())
      return set_why(why, "'" + std::string(text) + "' is not an address of the form user@domain"),
             std::nullopt;
    t.recipient = std::string(text);
    t.from_address = true;
    text = text.substr(at + 1);
    if (!text.empty() && text.front() == '[' && text.back() == ']') {
      text = text.substr(1, text.size() - 2);
      if (text.starts_with("IPv6:")) text.remove_prefix(5);
    }
  }

  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return set_why(why, "missing ']' after the IPv6 address"), std::nullopt;
    t.host = std::string(text.substr(1, close - 1));
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || !(t.port = parse_port(rest.substr(1))))
        return set_why(why, "bad port after ']': '" + std::string(rest) + "'"), std::nullopt;
    }
    if (!is_ipv6_literal(t.host) && !is_ipv4_literal(t.host))
      return set_why(why, "'" + t.host + "' is not an IP address"), std::nullopt;
  } else if (is_ipv6_literal(text)) {
    t.host = std::string(text);
  } else {
    auto colon = text.find(':');
    if (colon != std::string_view::npos) {
      if (text.find(':', colon + 1) != std::string_view::npos)
        return set_why(why, "an IPv6 address with a port needs brackets: [::1]:587"), std::nullopt;
      if (!(t.port = parse_port(text.substr(colon + 1))))
        return set_why(why,
                       "bad port '" + std::string(text.substr(colon + 1)) + "' (expected 1-65535)"),
               std::nullopt;
      text = text.substr(0, colon);
    }
    t.host = std::string(text);
    if (!is_ipv4_literal(t.host) && !is_valid_hostname(t.host))
      return set_why(why, "'" + t.host + "' is not a valid host name"), std::nullopt;
  }
  t.is_ipv6 = is_ipv6_literal(t.host);
  t.is_ip_literal = t.is_ipv6 || is_ipv4_literal(t.host);
  return t;
}

std::optional<std::vector<std::uint16_t>> parse_port_list(std::string_view text, std::string* why) {
  std::vector<std::uint16_t> ports;
  while (true) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    auto port = parse_port(item);
    if (!port) {
      if (why) *why = "bad port '" + std::string(item) + "' (expected 1-65535)";
      return std::nullopt;
    }
    bool seen = false;
    for (auto p : ports) seen = seen || p == *port;
    if (!seen) ports.push_back(*port);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return ports;
}

std::optional<std::vector<PortSpec>> parse_port_specs(std::string_view text, std::string* why) {
  std::vector<PortSpec> specs;
  while (true) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    auto slash = item.find('/');
    std::string_view number = item.substr(0, slash);
    std::string_view role = slash == std::string_view::npos ? "" : item.substr(slash + 1);
    auto port = parse_port(number);
    if (!port) {
      if (why) *why = "bad port '" + std::string(item) + "' (expected 1-65535, or PORT/ROLE)";
      return std::nullopt;
    }
    if (slash != std::string_view::npos &&
        std::find(std::begin(kPortRoleNames), std::end(kPortRoleNames), role) ==
            std::end(kPortRoleNames)) {
      if (why)
        *why = "bad role '" + std::string(role) + "' in '" + std::string(item) +
               "' (expected mx, submission or submissions)";
      return std::nullopt;
    }
    auto same = std::find_if(specs.begin(), specs.end(),
                             [&](const PortSpec& s) { return s.port == *port; });
    if (same == specs.end())
      specs.push_back({*port, std::string(role)});
    else if (!role.empty())
      same->role = std::string(role);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return specs;
}

}  // namespace smtpdoctor
