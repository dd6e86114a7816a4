#include "core/diagnosis/diagnosis.hpp"

#include <array>
#include <utility>

namespace smtpdoctor {
namespace {

constexpr std::array<std::pair<Category, std::string_view>, 36> kCategoryNames{{
    {Category::relay_denied, "relay_denied"},
    {Category::auth_required, "auth_required"},
    {Category::auth_failed, "auth_failed"},
    {Category::app_password_required, "app_password_required"},
    {Category::tls_required, "tls_required"},
    {Category::tls_failure, "tls_failure"},
    {Category::cert_invalid, "cert_invalid"},
    {Category::sender_rejected, "sender_rejected"},
    {Category::recipient_unknown, "recipient_unknown"},
    {Category::mailbox_full, "mailbox_full"},
    {Category::message_too_large, "message_too_large"},
    {Category::rate_limited, "rate_limited"},
    {Category::greylisted, "greylisted"},
    {Category::blocklisted, "blocklisted"},
    {Category::reverse_dns, "reverse_dns"},
    {Category::helo_rejected, "helo_rejected"},
    {Category::policy_spf_dmarc, "policy_spf_dmarc"},
    {Category::service_unavailable, "service_unavailable"},
    {Category::too_many_connections, "too_many_connections"},
    {Category::port_blocked, "port_blocked"},
    {Category::connection_refused, "connection_refused"},
    {Category::dns_failure, "dns_failure"},
    {Category::null_mx, "null_mx"},
    {Category::temporary_failure, "temporary_failure"},
    {Category::no_internet, "no_internet"},
    {Category::credentials_differ_from_pop, "credentials_differ_from_pop"},
    {Category::open_relay, "open_relay"},
    {Category::middlebox, "middlebox"},
    {Category::auth_unavailable, "auth_unavailable"},
    {Category::content_rejected, "content_rejected"},
    {Category::protocol_violation, "protocol_violation"},
    {Category::mta_sts, "mta_sts"},
    {Category::tls_reporting, "tls_reporting"},
    {Category::dane_mismatch, "dane_mismatch"},
    {Category::proxy_failure, "proxy_failure"},
    {Category::other, "other"},
}};

constexpr std::array<std::pair<Basis, std::string_view>, 7> kBasisNames{{
    {Basis::evidence, "evidence"},
    {Basis::text, "text"},
    {Basis::provider_code, "provider_code"},
    {Basis::enhanced_code, "enhanced_code"},
    {Basis::reply_code, "reply_code"},
    {Basis::client_error, "client_error"},
    {Basis::none, "none"},
}};

}  // namespace

std::string_view basis_name(Basis basis) {
  for (auto& [b, name] : kBasisNames)
    if (b == basis) return name;
  return "none";
}

std::string_view category_name(Category category) {
  for (auto& [c, name] : kCategoryNames)
    if (c == category) return name;
  return "other";
}

std::optional<Category> category_from_name(std::string_view name) {
  for (auto& [c, n] : kCategoryNames)
    if (n == name) return c;
  return std::nullopt;
}

}  // namespace smtpdoctor
