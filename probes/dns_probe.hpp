// The dns probe (DESIGN §2): where does mail for a domain go, and do those names hold up?
//
//   1. MX, SPF (TXT) and DMARC (_dmarc TXT) at once;
//   2. MX in preference order; a null MX (RFC 7505) ends it: the domain accepts no mail
//      (permanent, null_mx); no MX but an address -> the implicit MX (RFC 5321 §5.1), with a
//      warning; NXDOMAIN / SERVFAIL / timeout / REFUSED -> fail, dns_failure;
//   3. each exchanger (up to --mx-limit) at once: A and AAAA; then each address's PTR and the
//      forward confirmation of every PTR name (FCrDNS);
//   4. SPF and DMARC summarised (core/mail_auth_records), problems as notes and a warning.
//
// Results: one "dns" ProbeResult for the domain, then one per exchanger checked. The exchangers
// with their addresses are returned for the transport probes, in preference order.
#pragma once

#include <asio/awaitable.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/dns/resolver.hpp"
#include "core/report/report.hpp"

namespace smtpdoctor {

struct DnsProbeOptions {
  std::string domain;  // a mail domain (of user@domain), or a host name with mail_domain false
  // false: `domain` is a server's host name (check smtp.example.org): A/AAAA and PTR only, no
  // MX, SPF or DMARC; the one "exchanger" is the host itself.
  bool mail_domain = true;
  std::size_t mx_limit = 0;       // --mx-limit: check at most this many exchangers; 0 = all
  std::size_t max_ptr_names = 4;  // PTR names forward-checked per address
};

struct AddressCheck {
  std::string address;
  DnsStatus ptr_status = DnsStatus::error;
  std::vector<std::string> ptr_names;  // without the trailing dot
  std::string confirmed_name;          // the PTR name whose A/AAAA leads back; empty: none
  bool forward_confirmed() const { return !confirmed_name.empty(); }
};

struct Exchanger {
  std::string host;  // without the trailing dot
  std::uint16_t preference = 0;
  bool implicit = false;  // the domain itself (no MX)
  DnsStatus a_status = DnsStatus::error;
  DnsStatus aaaa_status = DnsStatus::error;
  std::vector<AddressCheck> addresses;  // IPv4 first, then IPv6
  std::vector<std::string> address_list() const;
};

struct DnsProbeOutcome {
  std::vector<ProbeResult> results;        // the domain's, then one per exchanger checked
  std::vector<Exchanger> exchangers;       // preference order, at most mx_limit, addresses resolved
  std::size_t exchangers_not_checked = 0;  // beyond --mx-limit
  bool null_mx = false;
  // The MX look-up's own status; nullopt when it was not asked (a server's host name).
  std::optional<DnsStatus> mx_status;
  // Mail can be attempted: at least one exchanger has an address. False for a null MX and for
  // every DNS failure; the transport probes are then skipped with the dns result's summary.
  bool deliverable = false;
};

// The knowledge base's diagnosis of a failed lookup (NXDOMAIN, SERVFAIL, a timeout ...), with
// `detail` as the evidence's text: for steps that make their own look-ups (--submission's SRV).
Diagnosis dns_lookup_diagnosis(DnsStatus status, const std::string& detail);

// Never throws for DNS trouble: that is in the results. The Resolver must live on the calling
// coroutine's executor.
asio::awaitable<DnsProbeOutcome> run_dns_probe(Resolver& resolver, DnsProbeOptions options);

}  // namespace smtpdoctor
