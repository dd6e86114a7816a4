#include "core/dns/dns_query.hpp"

namespace smtpdoctor {
namespace {

constexpr std::uint16_t kClassIn = 1;
constexpr std::uint16_t kTypeOpt = 41;
constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxName = 255;  // octets on the wire, length bytes and root included

void put16(std::vector<unsigned char>& out, std::uint16_t value) {
  out.push_back(static_cast<unsigned char>(value >> 8));
  out.push_back(static_cast<unsigned char>(value & 0xff));
}

// `name` as length-prefixed labels ending in the root label; false when it cannot be one.
bool put_name(std::vector<unsigned char>& out, std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::size_t start = out.size();
  while (!name.empty()) {
    std::size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabel) return false;
    out.push_back(static_cast<unsigned char>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
    if (name.empty()) return false;  // "a..": an empty label before the final dot
  }
  out.push_back(0);
  return out.size() - start <= kMaxName;
}

}  // namespace

std::optional<std::vector<unsigned char>> build_query(std::string_view name, std::uint16_t type,
                                                      std::uint16_t id, const QueryFlags& flags) {
  std::vector<unsigned char> query;
  put16(query, id);
  unsigned char flags_high = flags.recursion_desired ? 0x01 : 0x00;  // QR=0 OPCODE=0 RD
  unsigned char flags_low = 0;
  if (flags.authentic_data) flags_low |= 0x20;
  if (flags.checking_disabled) flags_low |= 0x10;
  query.push_back(flags_high);
  query.push_back(flags_low);
  put16(query, 1);                        // QDCOUNT
  put16(query, 0);                        // ANCOUNT
  put16(query, 0);                        // NSCOUNT
  put16(query, flags.dnssec_ok ? 1 : 0);  // ARCOUNT: the OPT record
  if (!put_name(query, name)) return std::nullopt;
  put16(query, type);
  put16(query, kClassIn);
  if (flags.dnssec_ok) {
    query.push_back(0);  // the root name
    put16(query, kTypeOpt);
    put16(query, kEdnsPayloadSize);  // CLASS carries the payload size
    query.push_back(0);              // extended RCODE
    query.push_back(0);              // EDNS version 0
    put16(query, 0x8000);            // the DO bit
    put16(query, 0);                 // no options
  }
  return query;
}

std::optional<AnswerHeader> read_answer_header(DnsMessage message) {
  if (message.size() < kHeaderSize) return std::nullopt;
  AnswerHeader header;
  header.id = static_cast<std::uint16_t>(message[0] << 8 | message[1]);
  header.response = (message[2] & 0x80) != 0;
  header.truncated = (message[2] & 0x02) != 0;
  header.authentic_data = (message[3] & 0x20) != 0;
  header.rcode = message[3] & 0x0f;
  return header;
}

}  // namespace smtpdoctor
