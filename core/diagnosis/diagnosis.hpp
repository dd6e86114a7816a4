// A diagnosis: what broke, whether retrying can help, and what to do about it (DESIGN §3).
// Produced only by the knowledge base (core/diagnosis/knowledge_base.hpp) from evidence; probes,
// `explain` and the reports all carry this one type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/base/reply.hpp"
#include "core/base/stage.hpp"

namespace smtpdoctor {

// Stable category names (DESIGN §3), used in JSON and by `explain`. More may be added; none
// renamed.
enum class Category {
  relay_denied,
  auth_required,
  auth_failed,
  app_password_required,
  tls_required,
  tls_failure,
  cert_invalid,
  sender_rejected,
  recipient_unknown,
  mailbox_full,
  message_too_large,
  rate_limited,
  greylisted,
  blocklisted,
  reverse_dns,
  helo_rejected,
  policy_spf_dmarc,
  service_unavailable,
  too_many_connections,
  port_blocked,
  connection_refused,
  dns_failure,
  null_mx,
  temporary_failure,
  no_internet,
  credentials_differ_from_pop,
  // Added after DESIGN §3's first list (more may be added; none renamed):
  open_relay,  // the server relays for anyone: it will be abused and blocklisted
  middlebox,   // a firewall's SMTP inspection tampers with the session (masking, STARTTLS strip)
  auth_unavailable,  // the server offers no usable AUTH on this port/connection
  other,
};

std::string_view category_name(Category category);
std::optional<Category> category_from_name(std::string_view name);

struct Diagnosis {
  Category category = Category::other;
  bool permanent = false;
  Stage stage = Stage::none;
  std::string cause;              // one sentence
  std::string fix;                // what the user should do
  std::vector<std::string> refs;  // "RFC 5321 §4.2.2", URLs of vendor docs
  std::string rule;               // id of the knowledge-base rule that matched
  std::optional<int> code;        // the reply code it came from, if any
  std::optional<EnhancedCode> enhanced;
};

}  // namespace smtpdoctor
