// MTA-STS (RFC 8461) and SMTP TLS reporting (RFC 8460), read the way a sending MTA reads them:
// the `_mta-sts` TXT record that announces a policy, the policy file served at
// https://mta-sts.DOMAIN/.well-known/mta-sts.txt, the `mx` patterns it lists, and the
// `_smtp._tls` TXT record that says where senders report TLS failures.
//
// Pure parsers, bounded by their input (the policy body is capped at 64 KiB by the fetch, TXT
// records by the resolver). Every problem is worded for the domain's administrator, with the
// line it is on for the policy file, so "line 3: mode must be enforce, testing or none, not
// \"enforcing\"" can be fixed without reading the RFC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/dns_records.hpp"

namespace smtpdoctor {

// ---- the _mta-sts TXT record (RFC 8461 §3.1) --------------------------------------------------

struct StsRecord {
  std::string id;                   // 1-32 letters and digits; a new id tells senders to refetch
  std::vector<std::string> errors;  // any one makes senders assume there is no policy
  bool ok() const { return errors.empty(); }
};

// True when the record starts with "v=STSv1" (the records senders consider; others are
// discarded, §3.1).
bool is_sts_record(std::string_view text);
StsRecord parse_sts_record(std::string_view text);

// The _mta-sts record among a name's TXT records: more than one is an error of its own (senders
// then assume no policy); `record` is the first, with that error added.
struct StsSelection {
  std::size_t count = 0;
  std::optional<StsRecord> record;
};
StsSelection select_sts(const std::vector<TxtRecord>& txt_records);

// ---- the policy file (RFC 8461 §3.2) ----------------------------------------------------------

enum class StsMode { enforce, testing, none };
std::string_view sts_mode_name(StsMode mode);  // "enforce", "testing", "none"

// RFC 8461 §3.2: max_age is at most 31557600 seconds (about one year).
inline constexpr std::uint64_t kStsMaxAgeLimit = 31557600;

struct StsPolicyProblem {
  std::size_t line = 0;  // 1-based; 0: the file as a whole (a field that is missing)
  std::string message;   // without the line number
};

// "line 3: mode must be ..." or the message alone for line 0.
std::string format_problem(const StsPolicyProblem& problem);

struct StsPolicy {
  std::optional<std::string> version;  // "STSv1" when valid
  std::optional<StsMode> mode;
  std::vector<std::string>
      mx;  // patterns as written, lower case ("mx1.example.org", "*.example.org")
  std::optional<std::uint64_t> max_age;
  std::vector<StsPolicyProblem> errors;  // senders treat the policy as absent (or keep an old one)
  std::vector<StsPolicyProblem> warnings;  // valid, but probably not what the domain wants
  bool ok() const { return errors.empty(); }
};

StsPolicy parse_sts_policy(std::string_view body);

// RFC 8461 §4.1: a pattern matches the host exactly, or "*.example.org" matches one leftmost
// label ("mx.example.org", not "a.b.example.org" nor "example.org"). Case-insensitive; a trailing
// dot on either side is ignored.
bool mx_pattern_matches(std::string_view pattern, std::string_view host);
// The first of `patterns` that matches `host`, if any.
std::optional<std::string> matching_mx_pattern(const std::vector<std::string>& patterns,
                                               std::string_view host);

// ---- the _smtp._tls TXT record (RFC 8460 §3) -------------------------------------------------

struct TlsRptRecord {
  std::vector<std::string> rua;     // report URIs, as written ("mailto:tlsrpt@example.org")
  std::vector<std::string> errors;  // any one makes senders send no reports
  bool ok() const { return errors.empty(); }
};

// True when the record starts with "v=TLSRPTv1" (the records senders consider).
bool is_tlsrpt_record(std::string_view text);
TlsRptRecord parse_tlsrpt_record(std::string_view text);

struct TlsRptSelection {
  std::size_t count = 0;
  std::optional<TlsRptRecord> record;
};
TlsRptSelection select_tlsrpt(const std::vector<TxtRecord>& txt_records);

}  // namespace smtpdoctor
