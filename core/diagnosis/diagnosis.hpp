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
  content_rejected,  // the message itself was refused: spam score, virus, attachment, malformed
  // The server breaks SMTP itself: talks out of turn, sends malformed or endless replies, closes
  // in the middle of one, never ends an AUTH exchange. Found by the client, never by words.
  protocol_violation,
  // MTA-STS (RFC 8461): the policy cannot be fetched or read, or it and the mail servers
  // disagree, so senders that enforce it refuse to deliver.
  mta_sts,
  tls_reporting,  // the TLS-RPT record (RFC 8460) is malformed: no TLS failure reports arrive
  // The MX host's DNSSEC-signed TLSA records and its TLS certificate disagree: senders that
  // enforce DANE (RFC 7672) defer mail to it.
  dane_mismatch,
  // The proxy of --proxy failed: unreachable, refused our login, or could not reach the server.
  // Kept apart from the server's own failures: what a proxy saw is its network, not ours.
  proxy_failure,
  other,
};

std::string_view category_name(Category category);
std::optional<Category> category_from_name(std::string_view name);

// What a diagnosis rests on, most specific first: a probe's own evidence (errno, X.509 result, DNS
// outcome, finding), the reply's wording, a provider's documented code ("[TSS04]",
// "RESOLVER.ADR.RecipientNotFound", "5.7.708"), the enhanced status code with the reply class
// (RFC 3463), the reply code and stage alone, or a client library's error wording. `none`: nothing
// was recognised. Shown as "basis" in JSON so a reader can weigh the conclusion.
enum class Basis { evidence, text, provider_code, enhanced_code, reply_code, client_error, none };

std::string_view basis_name(Basis basis);

struct Diagnosis {
  Category category = Category::other;
  bool permanent = false;
  Stage stage = Stage::none;
  std::string cause;              // one sentence
  std::string fix;                // what the user should do
  std::vector<std::string> refs;  // "RFC 5321 §4.2.2", URLs of vendor docs
  std::string rule;               // id of the knowledge-base rule that matched
  Basis basis = Basis::none;      // what the rule matched on
  std::optional<int> code;        // the reply code it came from, if any
  std::optional<EnhancedCode> enhanced;
};

}  // namespace smtpdoctor
