// A probe's own conclusions that no server reply carries ("the server offers no STARTTLS",
// "this is an open relay"). They travel to the knowledge base as an enum, not as text, so a
// misspelt finding fails to compile instead of silently matching no rule. The name table keeps
// the spelling used in tests and docs.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace smtpdoctor {

enum class Finding {
  none,  // the evidence carries no probe finding
  open_relay,
  starttls_not_offered,
  tls_version_too_old,
  starttls_stripping,
  middlebox_masked_greeting,
  middlebox_mangled_ehlo,
  middlebox_tampering,
  internet_dns_broken,
  internet_none,
  internet_restricted,
  auth_not_offered,
  egress_no_ptr,              // our sending address has no PTR record
  egress_ptr_not_confirmed,   // its PTR does not resolve back to it
  egress_blocklisted,         // it is listed on a DNS blocklist
  pop_before_smtp,            // relaying allowed only after a POP3 login
  credentials_both_rejected,  // SMTP AUTH and POP3/IMAP refuse the same login
  port25_blocked,             // 25 timed out while other ports got through
  port25_refused,             // the host reset the connection to 25
  // MTA-STS (RFC 8461) and TLS-RPT (RFC 8460), from the mta_sts and tlsrpt probes.
  mta_sts_record_invalid,      // the _mta-sts TXT record is malformed (or there are several)
  mta_sts_policy_unavailable,  // the TXT record exists but the HTTPS policy cannot be fetched
  mta_sts_policy_invalid,      // the policy file does not parse
  mta_sts_mx_not_listed,       // an MX host matches no mx pattern of the policy
  mta_sts_tls_enforce,         // mode enforce: an MX host's TLS fails what the policy requires
  mta_sts_tls_testing,         // the same in mode testing: reported, mail still delivered
  tlsrpt_invalid,              // the _smtp._tls TXT record is malformed
  submission_not_found,        // --submission: no SRV records and no conventional name exists
  dane_mismatch,               // secure TLSA records, none matches the certificate presented
  dane_ta_name_mismatch,       // a DANE-TA record matches, the certificate lacks the MX name
  dane_without_tls,            // secure TLSA records, but no TLS session to match them against
  dane_tlsa_bogus,             // the TLSA records fail DNSSEC validation
  port25_blocked_via_proxy,   // the same, seen through --proxy: the proxy's network blocks 25
  proxy_unreachable,          // no TCP connection to the --proxy
  proxy_auth_required,        // the proxy wants a login and none was given
  proxy_auth_failed,          // the proxy refused the login
  proxy_target_failed,        // the proxy could not reach the server (SOCKS reply, HTTP status)
  proxy_protocol,             // the proxy does not speak the protocol its URL names
};

// Every finding, for tests and docs that walk the table.
std::span<const Finding> all_findings();
std::string_view finding_name(Finding finding);
std::optional<Finding> finding_from_name(std::string_view name);

}  // namespace smtpdoctor
