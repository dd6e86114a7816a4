// Turning a raw DNS answer (the bytes c-ares hands back) into records. Pure functions over bytes
// with hard caps, so they can be tested and fuzzed without a network. Each returns status ok
// with the records, nodata when the answer holds none of the type asked for, or error for a
// malformed message.
#pragma once

#include <cstddef>
#include <span>

#include "core/dns/dns_records.hpp"

namespace smtpdoctor {

struct DnsParseLimits {
  std::size_t max_records = 64;       // per answer; more sets DnsAnswer::truncated
  std::size_t max_txt_octets = 8192;  // per TXT record after joining its strings
};

using DnsMessage = std::span<const unsigned char>;

DnsAnswer<MxRecord> parse_mx_answer(DnsMessage message, const DnsParseLimits& limits);
DnsAnswer<AddressRecord> parse_a_answer(DnsMessage message, const DnsParseLimits& limits);
DnsAnswer<AddressRecord> parse_aaaa_answer(DnsMessage message, const DnsParseLimits& limits);
DnsAnswer<PtrRecord> parse_ptr_answer(DnsMessage message, const DnsParseLimits& limits);
DnsAnswer<TxtRecord> parse_txt_answer(DnsMessage message, const DnsParseLimits& limits);
DnsAnswer<TlsaRecord> parse_tlsa_answer(DnsMessage message, const DnsParseLimits& limits);
// Sorted by priority, then by weight, heaviest first: a fixed order, so a report is the same
// every run (RFC 2782's weighted random choice spreads load; a diagnosis needs no spreading).
DnsAnswer<SrvRecord> parse_srv_answer(DnsMessage message, const DnsParseLimits& limits);

}  // namespace smtpdoctor
