#include "core/dns/dns_name.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdio>

#include "core/base/ascii.hpp"

namespace smtpdoctor {

namespace {

bool is_label_char(char c) {
  return ascii::is_alnum(c) || c == '-' || c == '_';
}

Error bad_server(std::string_view spec, std::string_view why) {
  Error error;
  error.kind = ErrorKind::usage;
  error.stage = Stage::resolve;
  error.message = "invalid DNS server '" + std::string(spec) + "': " + std::string(why);
  return error;
}

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

}  // namespace

bool is_valid_dns_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!is_label_char(c) || ++label > 63) return false;
  }
  return label > 0;
}

std::optional<std::string> reverse_lookup_name(std::string_view address) {
  std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    auto* b = reinterpret_cast<const unsigned char*>(&v4);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
    return std::string(buf);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string name;
    for (int i = 15; i >= 0; --i) {
      name += hex[v6.s6_addr[i] & 0xf];
      name += '.';
      name += hex[v6.s6_addr[i] >> 4];
      name += '.';
    }
    return name + "ip6.arpa";
  }
  return std::nullopt;
}

std::string DnsServer::to_string() const {
  auto port_text = std::to_string(port);
  return is_ipv6() ? "[" + address + "]:" + port_text : address + ":" + port_text;
}

Result<DnsServer> parse_dns_server(std::string_view spec) {
  if (spec.empty()) return bad_server(spec, "empty");
  if (spec.size() > 64) return bad_server(spec.substr(0, 64), "too long");
  std::string host;
  std::string_view port_text;
  if (spec.front() == '[') {
    auto close = spec.find(']');
    if (close == std::string_view::npos) return bad_server(spec, "missing ']'");
    host = std::string(spec.substr(1, close - 1));
    auto rest = spec.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad_server(spec, "expected ':PORT' after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return bad_server(spec, "empty port");
    }
    if (!is_ipv6(host)) return bad_server(spec, "not an IPv6 address inside [...]");
  } else if (spec.find(':') != spec.rfind(':')) {
    host = std::string(spec);  // bare IPv6: several colons, no port
    if (!is_ipv6(host)) return bad_server(spec, "not an IP address");
  } else {
    auto colon = spec.find(':');
    host = std::string(spec.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = spec.substr(colon + 1);
      if (port_text.empty()) return bad_server(spec, "empty port");
    }
    if (!is_ipv4(host)) return bad_server(spec, "not an IP address (use IP[:PORT] or [IPv6]:PORT)");
  }
  DnsServer server{.address = host};
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
      return bad_server(spec, "port must be a number from 1 to 65535");
    server.port = std::uint16_t(value);
  }
  return server;
}

std::string without_trailing_dot(std::string name) {
  if (name.size() > 1 && name.back() == '.') name.pop_back();
  return name;
}

bool same_address(const std::string& a, const std::string& b) {
  std::array<unsigned char, 16> x{}, y{};
  int family = a.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (inet_pton(family, a.c_str(), x.data()) != 1) return a == b;
  if (inet_pton(family, b.c_str(), y.data()) != 1) return false;
  return x == y;
}

}  // namespace smtpdoctor
