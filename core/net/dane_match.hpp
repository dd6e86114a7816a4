// DANE for SMTP (RFC 7672 §3): which TLSA records a server's certificate chain satisfies. Pure:
// the records as the resolver gave them, the chain as the server sent it (DER, its own
// certificate first); no I/O, no clock (DANE-EE ignores dates and names, RFC 7672 §3.1.1).
//
// SMTP uses two of the four certificate usages. DANE-EE (3) pins the server's own certificate
// or key; DANE-TA (2) pins a CA certificate or key in the chain the server sends, and the server
// certificate must then name the MX host (RFC 7672 §3.2.2) — that name check is the caller's,
// from the handshake. PKIX-TA (0) and PKIX-EE (1) are unusable for SMTP (RFC 7672 §3.1.3): no
// sender has a CA list that MTAs agree on, so a sender treats them as absent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dns/dns_records.hpp"
#include "core/net/tls_client.hpp"

namespace smtpdoctor {

inline constexpr std::uint8_t kDaneTa = 2;
inline constexpr std::uint8_t kDaneEe = 3;

struct TlsaCheck {
  TlsaRecord record;
  bool usable = false;          // usage 2/3, selector 0/1, matching type 0/1/2, data well formed
  std::string unusable_reason;  // why not, when not: "usage 1 (PKIX-EE) is not used for SMTP ..."
  bool matched = false;
  std::size_t matched_depth = 0;  // 0: the server's own certificate; 1..: the CA above it
};

struct DaneMatch {
  std::vector<TlsaCheck> checks;  // one per record, in the order given
  bool any_usable() const;
  const TlsaCheck* first_match() const;  // nullptr: no usable record matched
};

DaneMatch match_tlsa(std::span<const TlsaRecord> records, std::span<const DerCertificate> chain);

// The certificate association data `cert` gives for a selector (0 full certificate, 1 public
// key) and matching type (0 exact, 1 SHA-256, 2 SHA-512), in lower-case hex; nullopt for a
// selector or matching type outside those, or a certificate that does not parse. What to publish:
// "3 1 1 " + tlsa_association(leaf, 1, 1).
std::optional<std::string> tlsa_association(const DerCertificate& cert, std::uint8_t selector,
                                            std::uint8_t matching_type);

// "3 1 1 1f2e…" as in a zone file (the data shortened past 16 hex digits for one-line reports
// unless `full`).
std::string tlsa_text(const TlsaRecord& record, bool full = false);
// "DANE-EE", "DANE-TA", "PKIX-EE", "PKIX-TA" (RFC 7218), or "usage N".
std::string tlsa_usage_name(std::uint8_t usage);

}  // namespace smtpdoctor
