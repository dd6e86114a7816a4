// The egress check: how receivers see the address we send from. The address comes from the
// servers' own echo (core/egress_identity: "250-mx Hello [198.51.100.7]"); this looks up its PTR
// with forward confirmation and asks each DNS blocklist (RFC 5782) about it, all at once, and
// warns before a server rejects us: "your address has no PTR" (reverse_dns), "your address is
// listed on zen.spamhaus.org" (blocklisted). Reported as a dns-probe result about the address.
#pragma once

#include <asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnosis/egress_identity.hpp"
#include "core/dns/resolver.hpp"
#include "core/report/report.hpp"

namespace smtpdoctor {

struct EgressProbeOptions {
  std::string address;    // the echoed client address
  std::string echoed_by;  // the server that echoed it, for the report ("mx.example.org:25")
  std::vector<std::string> dnsbl_zones = kDefaultDnsblZones;  // --dnsbl (repeatable) replaces
  // Look up a loopback/private address too. Off for real runs (a private address says nothing
  // about how the internet sees us, and leaking it to blocklists helps no one); tests turn it on
  // because their servers echo 127.0.0.x.
  bool include_non_global = false;
};

struct DnsblResult {
  std::string zone;
  DnsblListing listing = DnsblListing::not_listed;
  std::vector<std::string> codes;  // the A answers (127.0.0.x)
  std::string reason;              // the TXT answer, when listed
  std::string detail;              // lookup trouble, one line
};

struct EgressFindings {
  std::string address;
  bool global = true;
  DnsStatus ptr_status = DnsStatus::error;
  std::vector<std::string> ptr_names;
  bool forward_confirmed = false;
  std::vector<DnsblResult> dnsbl;
};

struct EgressProbeOutcome {
  ProbeResult result;  // id dns, target host = the address
  EgressFindings findings;
};

asio::awaitable<EgressProbeOutcome> run_egress_probe(Resolver& resolver,
                                                     EgressProbeOptions options);

}  // namespace smtpdoctor
