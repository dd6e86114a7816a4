// SPF (RFC 7208) and DMARC (RFC 7489) records read for a summary, not evaluated: what the domain
// publishes, and what a mail administrator should know about it ("+all lets anyone send as you",
// "more than 10 DNS lookups: receivers give up with permerror", "p=none only monitors").
// Pure parsers over the TXT text, bounded by the record length and a cap on terms.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/dns_records.hpp"

namespace smtpdoctor {

// ---- SPF -------------------------------------------------------------------------------------

enum class SpfQualifier { pass, fail, softfail, neutral };  // + - ~ ?

// "pass" / "fail" / "softfail" / "neutral".
std::string_view spf_qualifier_name(SpfQualifier qualifier);

struct SpfMechanism {
  SpfQualifier qualifier = SpfQualifier::pass;
  std::string name;   // lower case: all, include, a, mx, ptr, ip4, ip6, exists
  std::string value;  // what follows ':' (and any "/cidr"), as written; empty when absent
};

struct SpfRecord {
  std::vector<SpfMechanism> mechanisms;  // in order, including those after "all"
  std::optional<SpfQualifier> all;       // the qualifier of "all", when present
  std::optional<std::string> redirect;   // redirect= domain
  std::vector<std::string> includes;     // include: domains, in order (for a recursive walk)
  int dns_lookups = 0;  // terms here that cost a DNS lookup (RFC 7208 §4.6.4), not counting
                        // the lookups inside includes and redirect
  std::vector<std::string> errors;    // each one makes receivers return permerror
  std::vector<std::string> warnings;  // valid but probably not what the domain wants
  bool ok() const { return errors.empty(); }
};

// True for "v=spf1" alone or followed by a space (case-insensitive), the RFC 7208 §4.5 test.
bool is_spf_record(std::string_view text);

// Parses one SPF record (`text` should pass is_spf_record; otherwise an error says so).
SpfRecord parse_spf(std::string_view text);

// The SPF record among a name's TXT records. `count` > 1 is a permerror of its own (RFC 7208
// §4.5); `record` is then the first one, parsed, with that error added.
struct SpfSelection {
  std::size_t count = 0;
  std::optional<SpfRecord> record;
};
SpfSelection select_spf(const std::vector<TxtRecord>& txt_records);

// ---- DMARC -----------------------------------------------------------------------------------

enum class DmarcPolicy { none, quarantine, reject };
std::string_view dmarc_policy_name(DmarcPolicy policy);

struct DmarcRecord {
  DmarcPolicy policy = DmarcPolicy::none;          // p=
  std::optional<DmarcPolicy> subdomain_policy;     // sp= (absent: p= applies to subdomains)
  int percent = 100;                               // pct=
  std::vector<std::string> aggregate_report_uris;  // rua=
  std::vector<std::string> failure_report_uris;    // ruf=
  bool strict_dkim_alignment = false;              // adkim=s
  bool strict_spf_alignment = false;               // aspf=s
  std::vector<std::string> errors;    // the record is ignored by receivers (or that tag is)
  std::vector<std::string> warnings;  // valid but weak or probably unintended
  bool ok() const { return errors.empty(); }
};

// True when the record starts with the tag "v=DMARC1" (RFC 7489 §6.4).
bool is_dmarc_record(std::string_view text);

DmarcRecord parse_dmarc(std::string_view text);

// The DMARC record among the TXT records of _dmarc.<domain>. More than one means receivers
// apply none (RFC 7489 §6.6.3): `record` is then the first, with that error added.
struct DmarcSelection {
  std::size_t count = 0;
  std::optional<DmarcRecord> record;
};
DmarcSelection select_dmarc(const std::vector<TxtRecord>& txt_records);

}  // namespace smtpdoctor
