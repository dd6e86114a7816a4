#include "core/diagnosis/finding.hpp"

#include <array>
#include <utility>

namespace smtpdoctor {
namespace {

constexpr std::array<std::pair<Finding, std::string_view>, 37> kNames{{
    {Finding::none, "none"},
    {Finding::open_relay, "open-relay"},
    {Finding::starttls_not_offered, "starttls-not-offered"},
    {Finding::tls_version_too_old, "tls-version-too-old"},
    {Finding::starttls_stripping, "starttls-stripping"},
    {Finding::middlebox_masked_greeting, "middlebox-masked-greeting"},
    {Finding::middlebox_mangled_ehlo, "middlebox-mangled-ehlo"},
    {Finding::middlebox_tampering, "middlebox-tampering"},
    {Finding::internet_dns_broken, "internet-dns-broken"},
    {Finding::internet_none, "internet-none"},
    {Finding::internet_restricted, "internet-restricted"},
    {Finding::auth_not_offered, "auth-not-offered"},
    {Finding::egress_no_ptr, "egress-no-ptr"},
    {Finding::egress_ptr_not_confirmed, "egress-ptr-not-confirmed"},
    {Finding::egress_blocklisted, "egress-blocklisted"},
    {Finding::pop_before_smtp, "pop-before-smtp"},
    {Finding::credentials_both_rejected, "credentials-both-rejected"},
    {Finding::port25_blocked, "port25-blocked"},
    {Finding::port25_refused, "port25-refused"},
    {Finding::mta_sts_record_invalid, "mta-sts-record-invalid"},
    {Finding::mta_sts_policy_unavailable, "mta-sts-policy-unavailable"},
    {Finding::mta_sts_policy_invalid, "mta-sts-policy-invalid"},
    {Finding::mta_sts_mx_not_listed, "mta-sts-mx-not-listed"},
    {Finding::mta_sts_tls_enforce, "mta-sts-tls-enforce"},
    {Finding::mta_sts_tls_testing, "mta-sts-tls-testing"},
    {Finding::tlsrpt_invalid, "tlsrpt-invalid"},
    {Finding::submission_not_found, "submission-not-found"},
    {Finding::dane_mismatch, "dane-mismatch"},
    {Finding::dane_ta_name_mismatch, "dane-ta-name-mismatch"},
    {Finding::dane_without_tls, "dane-without-tls"},
    {Finding::dane_tlsa_bogus, "dane-tlsa-bogus"},
    {Finding::port25_blocked_via_proxy, "port25-blocked-via-proxy"},
    {Finding::proxy_unreachable, "proxy-unreachable"},
    {Finding::proxy_auth_required, "proxy-auth-required"},
    {Finding::proxy_auth_failed, "proxy-auth-failed"},
    {Finding::proxy_target_failed, "proxy-target-failed"},
    {Finding::proxy_protocol, "proxy-protocol"},
}};

constexpr auto kAll = [] {
  std::array<Finding, kNames.size()> all{};
  for (std::size_t i = 0; i < kNames.size(); ++i) all[i] = kNames[i].first;
  return all;
}();

}  // namespace

std::span<const Finding> all_findings() {
  return kAll;
}

std::string_view finding_name(Finding finding) {
  for (auto& [f, name] : kNames)
    if (f == finding) return name;
  return "none";
}

// Exact names only: finding ids are ours, never typed by a user.
std::optional<Finding> finding_from_name(std::string_view name) {
  for (auto& [f, n] : kNames)
    if (n == name) return f;
  return std::nullopt;
}

}  // namespace smtpdoctor
