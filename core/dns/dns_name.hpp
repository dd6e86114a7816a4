// Pure helpers around DNS names and resolver addresses: checking a name before it goes on the
// wire, building the reverse-lookup name of an address, and reading `--dns-server IP[:PORT]`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.hpp"

namespace smtpdoctor {

// A name we are willing to query: 1..253 octets (a trailing dot allowed), labels of 1..63
// octets of letters, digits, '-' and '_' (for _dmarc, _25._tcp ...). Anything else is a usage
// error, not a lookup.
bool is_valid_dns_name(std::string_view name);

// "mx.example.com." -> "mx.example.com" (the root "." stays).
std::string without_trailing_dot(std::string name);

// Whether two address texts name the same address ("::1" and "0:0::1" do); texts that are not
// addresses are compared as they are.
bool same_address(const std::string& a, const std::string& b);

// "192.0.2.7" -> "7.2.0.192.in-addr.arpa", "2001:db8::1" -> "1.0.0.0...8.b.d.0.1.0.0.2.ip6.arpa".
// nullopt when `address` is not a literal IPv4/IPv6 address.
std::optional<std::string> reverse_lookup_name(std::string_view address);

struct DnsServer {
  std::string address;  // literal IPv4 or IPv6 address, no brackets
  std::uint16_t port = 53;
  bool is_ipv6() const { return address.find(':') != std::string::npos; }
  // "127.0.0.1:5353" or "[::1]:5353", the form c-ares' ares_set_servers_ports_csv reads.
  std::string to_string() const;
};

// Reads "IP", "IP:PORT", "[IPv6]", "[IPv6]:PORT" or a bare IPv6 address (port 53). Host names
// are refused: the resolver cannot resolve its own address.
Result<DnsServer> parse_dns_server(std::string_view spec);

}  // namespace smtpdoctor
