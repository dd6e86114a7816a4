// What a DNS lookup found, as plain values: the records smtpdoctor asks for (MX, A/AAAA, PTR,
// TXT, TLSA, SRV) and the outcome of the lookup. The outcome keeps NXDOMAIN, NODATA, SERVFAIL,
// REFUSED and a timeout apart because each means something different to a mail administrator:
// "the domain does not exist" is not "the domain has no MX" is not "your resolver is broken".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/base/error.hpp"

namespace smtpdoctor {

enum class DnsStatus {
  ok,           // the name has records of the type asked for
  nxdomain,     // the name does not exist (RCODE 3)
  nodata,       // the name exists but has no records of that type (NOERROR, empty answer)
  servfail,     // the server could not answer (RCODE 2), e.g. a broken DNSSEC chain
  refused,      // the server refused to answer (RCODE 5), e.g. not recursive for us
  timeout,      // no answer within the timeout, after every try
  unreachable,  // the server could not be reached at all (ICMP port unreachable, no route)
  error,        // anything else: malformed answer, bad name, resolver failure
};

// Stable lower-case names ("nxdomain", "servfail" ...), used in JSON and messages.
std::string_view dns_status_name(DnsStatus status);

// An error_code for a DnsStatus (category "dns"), so a lookup failure can travel in an Error.
std::error_code make_error_code(DnsStatus status);

// The Error for a lookup that did not succeed: kind timeout for DnsStatus::timeout, resolve
// otherwise, stage resolve, the status in `code` (so `error.code == DnsStatus::nxdomain` works).
Error dns_error(DnsStatus status, std::string detail);

// What DNSSEC says of an answer, as the resolver that gave it reported it (RFC 4035 §3.2.3,
// RFC 6840 §5.7-5.9). Only the lookups that ask for it (Resolver::*_dnssec) fill it in.
enum class DnssecState {
  unknown,   // not asked, or the lookup failed in a way that tells nothing (timeout, SERVFAIL)
  secure,    // AD set: the resolver validated the answer, or the name's non-existence
  insecure,  // answered without AD: an unsigned zone, or a resolver that does not validate
  bogus,     // SERVFAIL, yet the data is there with checking disabled (CD): signatures fail
};

// "unknown", "secure", "insecure", "bogus" (JSON and messages).
std::string_view dnssec_state_name(DnssecState state);

struct MxRecord {
  std::uint16_t preference = 0;
  std::string exchange;  // "." for a null MX (RFC 7505)
  bool is_null() const { return exchange == "."; }
};

struct AddressRecord {
  std::string address;  // textual IPv4 or IPv6 address
  std::uint32_t ttl = 0;
};

struct PtrRecord {
  std::string name;
};

// One TXT record: its character-strings joined without separators (RFC 7208 §3.3), so an SPF
// record split into 255-octet chunks reads as one string.
struct TxtRecord {
  std::string text;
};

struct TlsaRecord {
  std::uint8_t usage = 0;
  std::uint8_t selector = 0;
  std::uint8_t matching_type = 0;
  std::string data_hex;  // the certificate association data, lower-case hex
};

// The outcome of one lookup. `records` is empty unless status == ok.
// One SRV record (RFC 2782), e.g. _submissions._tcp.example.org for RFC 6186.
struct SrvRecord {
  std::uint16_t priority = 0;  // lower first
  std::uint16_t weight = 0;    // among equal priorities, higher first (no random choice here)
  std::uint16_t port = 0;
  std::string target;  // "." when the service is decidedly not available (RFC 2782)
  bool is_null() const { return target == "."; }
};

template <typename T>
struct DnsAnswer {
  DnsStatus status = DnsStatus::error;
  std::vector<T> records;
  std::string detail;      // one line for people when status != ok ("server 127.0.0.1 timed out")
  bool truncated = false;  // more records than the cap; the rest were dropped
  DnssecState dnssec = DnssecState::unknown;
  bool ok() const { return status == DnsStatus::ok; }
};

}  // namespace smtpdoctor

template <>
struct std::is_error_code_enum<smtpdoctor::DnsStatus> : std::true_type {};
