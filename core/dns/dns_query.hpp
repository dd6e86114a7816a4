// The DNS message header on both sides of a DNSSEC-aware lookup. c-ares 1.18's ares_query can
// set neither the DO bit (RFC 3225) nor AD (RFC 6840 §5.7), and hides the AD bit of the answer,
// so the Resolver's *_dnssec lookups build their query here, send it with ares_send, and read
// RCODE and AD from the answer here. Pure functions over bytes, testable without a network.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/dns/dns_parse.hpp"

namespace smtpdoctor {

struct QueryFlags {
  bool recursion_desired = true;
  // AD in a query asks the resolver to say whether it validated the answer (RFC 6840 §5.7).
  bool authentic_data = false;
  // CD: "do not validate, give me the data anyway" (RFC 4035 §3.2.2) — tells bogus data apart
  // from a server that fails for other reasons.
  bool checking_disabled = false;
  // An EDNS0 OPT record with DO set (RFC 3225): the resolver includes the DNSSEC records.
  bool dnssec_ok = false;
};

// The UDP payload size the OPT record offers: the DNS flag day 2020 value, which avoids IP
// fragmentation; a larger answer comes back truncated and c-ares retries it over TCP.
inline constexpr std::uint16_t kEdnsPayloadSize = 1232;

// A query for `name` (as given, no search list; "." or empty is the root) of `type` in class IN.
// nullopt when the name cannot be encoded (a label over 63 octets, an empty label, over 255).
std::optional<std::vector<unsigned char>> build_query(std::string_view name, std::uint16_t type,
                                                      std::uint16_t id, const QueryFlags& flags);

// What the header of an answer says.
struct AnswerHeader {
  std::uint16_t id = 0;
  bool response = false;        // QR
  bool truncated = false;       // TC
  bool authentic_data = false;  // AD: the resolver validated every record in it
  int rcode = 0;                // 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED ...
};

// nullopt for a message shorter than a header.
std::optional<AnswerHeader> read_answer_header(DnsMessage message);

}  // namespace smtpdoctor
