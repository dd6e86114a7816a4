// Egress identity: the address the world sees us connect from. Many SMTP servers echo the
// client's address in their greeting or EHLO reply ("250-mx.example.com Hello foo
// [198.51.100.7]", Gmail's "at your service, [198.51.100.7]", Exchange's "Hello
// [IPv6:2001:db8::1]"). Behind NAT that echo is the only cheap way to learn our public address,
// which is what receivers check against PTR records and DNS blocklists. Pure parsers and name
// builders here; the lookups are in probes/egress_probe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/reply.hpp"
#include "core/dns/dns_records.hpp"

namespace smtpdoctor {

// The client address a server echoed in one line of its reply text (without the code), or
// nullopt. Recognised: "[IP]", "[IPv6:IP]", "(IP)" anywhere after the first word; and a bare IP
// right after "Hello", "service,", "from" or "client". The first word is the server's own name
// and never taken. Only literal IPv4/IPv6 addresses are returned, in canonical text form.
std::optional<std::string> echoed_address_in_line(std::string_view line);

// The echoed address from the EHLO reply (its first line, where every known server puts it) or,
// failing that, from the greeting's lines; nullopt when neither echoes one.
std::optional<std::string> echoed_client_address(const std::optional<Reply>& ehlo_reply,
                                                 const std::optional<Reply>& greeting);

// True for an address receivers on the internet could see: not loopback, private (RFC 1918,
// RFC 4193), link-local, CGNAT (RFC 6598), documentation or unspecified. PTR and blocklist
// checks of a non-global address say nothing about how the world sees us.
bool is_global_address(std::string_view address);

// The DNSBL query name for `address` in `zone` (RFC 5782 §2.1): "7.100.51.198.zen.spamhaus.org",
// or the nibble-reversed form for IPv6. nullopt for a bad address or an invalid zone name.
std::optional<std::string> dnsbl_query_name(std::string_view address, std::string_view zone);

// What a DNSBL's A answer means (RFC 5782 §2.1): 127.0.0.2.. listed; 127.255.255.x are the
// Spamhaus-style error codes (the list refuses our resolver: public resolvers are blocked).
enum class DnsblListing { not_listed, listed, refused_query, unexpected_answer };
DnsblListing classify_dnsbl_answer(const DnsAnswer<AddressRecord>& answer);

// The blocklists egress_probe asks when `--dnsbl` is not given. Only lists that answer queries
// without a key; all three refuse queries that come through large public resolvers, which
// classify_dnsbl_answer reports as refused_query rather than as a listing.
inline const std::vector<std::string> kDefaultDnsblZones{
    "zen.spamhaus.org",
    "bl.spamcop.net",
    "b.barracudacentral.org",
};

}  // namespace smtpdoctor
