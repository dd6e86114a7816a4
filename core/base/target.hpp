// What the user asked `check` to look at: "host", "host:port", "[v6]:port", "domain" or
// "user@domain" (which also names the envelope recipient). Pure parsing, no lookups.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpdoctor {

struct Target {
  std::string host;                      // name or address literal, without brackets
  std::optional<std::uint16_t> port;     // when given as host:port
  std::optional<std::string> recipient;  // "user@domain" form: the address itself
  bool is_ip_literal = false;            // host is an IPv4/IPv6 address
  bool is_ipv6 = false;
  bool from_address = false;  // came from user@domain: host is a mail domain (MX applies)

  // "host:port", with brackets around IPv6 literals.
  std::string endpoint(std::uint16_t port) const;
};

// Returns nullopt and sets *why on bad input: empty, spaces, CR/LF, port out of range, an IPv6
// literal with a port but without brackets, a name that is not a valid host name.
std::optional<Target> parse_target(std::string_view text, std::string* why = nullptr);

// "25,465,587" → ports; nullopt (and *why) on junk, duplicates are removed, order kept.
std::optional<std::vector<std::uint16_t>> parse_port_list(std::string_view text,
                                                          std::string* why = nullptr);

// A port as --port, --ports and the targets file take it: "587", or "2525/submission" with the
// role the port plays: mx (server to server), submission (STARTTLS and a login expected) or
// submissions (implicit TLS). An empty role: the port's default.
struct PortSpec {
  std::uint16_t port = 0;
  std::string role;
  friend bool operator==(const PortSpec&, const PortSpec&) = default;
};
inline constexpr std::string_view kPortRoleNames[] = {"mx", "submission", "submissions"};
// One spec, or a comma-separated list of them ("25/mx,2525/submission,465"); a port given twice
// is kept once (its last role wins).
std::optional<std::vector<PortSpec>> parse_port_specs(std::string_view text,
                                                      std::string* why = nullptr);

bool is_ipv4_literal(std::string_view text);
bool is_ipv6_literal(std::string_view text);
bool is_valid_hostname(std::string_view text);

}  // namespace smtpdoctor
