#include "core/diagnosis/egress_identity.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "core/base/ascii.hpp"
#include "core/dns/dns_name.hpp"

namespace smtpdoctor {
namespace {

// Longest textual IPv6 address with an embedded IPv4 part, plus slack.
constexpr std::size_t kMaxAddressText = 64;

std::optional<std::string> canonical_address(std::string_view text) {
  if (text.empty() || text.size() > kMaxAddressText) return std::nullopt;
  std::string s(text);
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_pton(AF_INET, s.c_str(), bytes.data()) == 1) {
    inet_ntop(AF_INET, bytes.data(), out.data(), out.size());
    return std::string(out.data());
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) {
    inet_ntop(AF_INET6, bytes.data(), out.data(), out.size());
    return std::string(out.data());
  }
  return std::nullopt;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ascii::iequals(text.substr(0, prefix.size()), prefix);
}

// "[IPv6:2001:db8::1]" / "[198.51.100.7]" / "(198.51.100.7)": the inside, without "IPv6:".
std::optional<std::string> enclosed_address(std::string_view inside) {
  if (iequals_prefix(inside, "ipv6:")) inside.remove_prefix(5);
  return canonical_address(inside);
}

std::string_view trim_punctuation(std::string_view word) {
  while (!word.empty() && (word.back() == ',' || word.back() == '.' || word.back() == ';'))
    word.remove_suffix(1);
  return word;
}

bool is_echo_keyword(std::string_view word) {
  word = trim_punctuation(word);
  for (std::string_view keyword : {"hello", "helo", "service", "from", "client"})
    if (ascii::iequals(word, keyword)) return true;
  return false;
}

}  // namespace

std::optional<std::string> echoed_address_in_line(std::string_view line) {
  auto words = ascii::words(line);
  // The first word is the server's own name (or its own bracketed address): never ours.
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::string_view word = trim_punctuation(words[i]);
    if (word.size() >= 2 && ((word.front() == '[' && word.back() == ']') ||
                             (word.front() == '(' && word.back() == ')'))) {
      if (auto address = enclosed_address(word.substr(1, word.size() - 2))) return address;
      continue;
    }
    if (is_echo_keyword(words[i - 1]))
      if (auto address = canonical_address(word)) return address;
  }
  return std::nullopt;
}

std::optional<std::string> echoed_client_address(const std::optional<Reply>& ehlo_reply,
                                                 const std::optional<Reply>& greeting) {
  if (ehlo_reply && !ehlo_reply->lines.empty())
    if (auto address = echoed_address_in_line(ehlo_reply->lines.front())) return address;
  if (greeting)
    for (const auto& line : greeting->lines)
      if (auto address = echoed_address_in_line(line)) return address;
  return std::nullopt;
}

bool is_global_address(std::string_view address) {
  std::string s(address);
  std::array<unsigned char, 16> b{};
  if (inet_pton(AF_INET, s.c_str(), b.data()) == 1) {
    if (b[0] == 0 || b[0] == 10 || b[0] == 127) return false;
    if (b[0] == 169 && b[1] == 254) return false;
    if (b[0] == 172 && (b[1] & 0xf0) == 16) return false;
    if (b[0] == 192 && b[1] == 168) return false;
    if (b[0] == 100 && (b[1] & 0xc0) == 64) return false;  // CGNAT, RFC 6598
    if (b[0] == 192 && b[1] == 0 && b[2] == 2) return false;
    if (b[0] == 198 && b[1] == 51 && b[2] == 100) return false;
    if (b[0] == 203 && b[1] == 0 && b[2] == 113) return false;
    if (b[0] >= 224) return false;  // multicast, reserved, broadcast
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), b.data()) == 1) {
    static constexpr std::array<unsigned char, 16> kZero{};
    std::array<unsigned char, 16> loopback{};
    loopback[15] = 1;
    if (b == kZero || b == loopback) return false;
    if ((b[0] & 0xfe) == 0xfc) return false;                  // unique local, RFC 4193
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;  // link-local
    if (b[0] == 0xff) return false;                           // multicast
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // doc
    bool v4_mapped = std::memcmp(b.data(), kZero.data(), 10) == 0 && b[10] == 0xff && b[11] == 0xff;
    if (v4_mapped) {
      std::array<char, INET_ADDRSTRLEN> v4{};
      inet_ntop(AF_INET, b.data() + 12, v4.data(), v4.size());
      return is_global_address(v4.data());
    }
    return true;
  }
  return false;
}

std::optional<std::string> dnsbl_query_name(std::string_view address, std::string_view zone) {
  auto reverse = reverse_lookup_name(address);
  if (!reverse) return std::nullopt;
  std::string_view name = *reverse;
  for (std::string_view suffix : {".in-addr.arpa", ".ip6.arpa"}) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      name.remove_suffix(suffix.size());
      break;
    }
  }
  if (!zone.empty() && zone.back() == '.') zone.remove_suffix(1);
  std::string query = std::string(name) + "." + std::string(zone);
  if (zone.empty() || !is_valid_dns_name(query)) return std::nullopt;
  return query;
}

DnsblListing classify_dnsbl_answer(const DnsAnswer<AddressRecord>& answer) {
  if (answer.status == DnsStatus::nxdomain || answer.status == DnsStatus::nodata)
    return DnsblListing::not_listed;
  if (!answer.ok()) return DnsblListing::unexpected_answer;
  bool listed = false;
  for (const auto& record : answer.records) {
    std::array<unsigned char, 4> b{};
    if (inet_pton(AF_INET, record.address.c_str(), b.data()) != 1 || b[0] != 127)
      return DnsblListing::unexpected_answer;  // RFC 5782 §2.1: answers are in 127.0.0.0/8
    if (b[1] == 255 && b[2] == 255) return DnsblListing::refused_query;
    if (b[1] == 0 && b[2] == 0 && b[3] == 1) return DnsblListing::unexpected_answer;
    listed = true;
  }
  return listed ? DnsblListing::listed : DnsblListing::not_listed;
}

}  // namespace smtpdoctor
