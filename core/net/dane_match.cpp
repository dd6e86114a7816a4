#include "core/net/dane_match.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace smtpdoctor {
namespace {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex += digits[data[i] >> 4];
    hex += digits[data[i] & 0xf];
  }
  return hex;
}

// The octets a selector picks from a certificate: all of it, or its SubjectPublicKeyInfo.
std::optional<std::vector<unsigned char>> selected(const DerCertificate& der,
                                                   std::uint8_t selector) {
  if (selector == 0) return der;
  if (selector != 1) return std::nullopt;
  const unsigned char* in = der.data();
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &in, long(der.size())));
  if (!cert) return std::nullopt;
  int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), nullptr);
  if (length <= 0) return std::nullopt;
  std::vector<unsigned char> spki(static_cast<std::size_t>(length));
  unsigned char* out = spki.data();
  i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &out);
  return spki;
}

// The digest length a matching type calls for; 0 for "exact" (any length).
std::optional<std::size_t> digest_octets(std::uint8_t matching_type) {
  switch (matching_type) {
    case 0:
      return 0;
    case 1:
      return 32;
    case 2:
      return 64;
    default:
      return std::nullopt;
  }
}

bool is_hex(const std::string& text) {
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Empty when a sender would use the record; else why it ignores it.
std::string unusable_reason(const TlsaRecord& record) {
  if (record.usage == 0 || record.usage == 1)
    return "usage " + std::to_string(record.usage) + " (" + tlsa_usage_name(record.usage) +
           ") is not used for SMTP: senders ignore it (RFC 7672 §3.1.3)";
  if (record.usage != kDaneTa && record.usage != kDaneEe)
    return "usage " + std::to_string(record.usage) + " is not defined";
  if (record.selector > 1)
    return "selector " + std::to_string(record.selector) + " is not defined (0 or 1)";
  auto octets = digest_octets(record.matching_type);
  if (!octets)
    return "matching type " + std::to_string(record.matching_type) + " is not defined (0, 1 or 2)";
  if (record.data_hex.empty() || !is_hex(record.data_hex))
    return "the record carries no certificate association data";
  if (*octets != 0 && record.data_hex.size() != *octets * 2)
    return "a " + std::string(record.matching_type == 1 ? "SHA-256" : "SHA-512") + " digest is " +
           std::to_string(*octets) + " octets, this one is " +
           std::to_string(record.data_hex.size() / 2);
  return {};
}

}  // namespace

bool DaneMatch::any_usable() const {
  for (const auto& check : checks)
    if (check.usable) return true;
  return false;
}

const TlsaCheck* DaneMatch::first_match() const {
  for (const auto& check : checks)
    if (check.matched) return &check;
  return nullptr;
}

std::optional<std::string> tlsa_association(const DerCertificate& cert, std::uint8_t selector,
                                            std::uint8_t matching_type) {
  auto data = selected(cert, selector);
  if (!data) return std::nullopt;
  const EVP_MD* md = nullptr;
  if (matching_type == 0) return to_hex(data->data(), data->size());
  if (matching_type == 1) md = EVP_sha256();
  if (matching_type == 2) md = EVP_sha512();
  if (!md) return std::nullopt;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data->data(), data->size(), digest, &length, md, nullptr) != 1)
    return std::nullopt;
  return to_hex(digest, length);
}

DaneMatch match_tlsa(std::span<const TlsaRecord> records, std::span<const DerCertificate> chain) {
  DaneMatch match;
  for (const auto& record : records) {
    TlsaCheck check;
    check.record = record;
    check.unusable_reason = unusable_reason(record);
    check.usable = check.unusable_reason.empty();
    if (check.usable) {
      // DANE-EE is about the server's own certificate; DANE-TA about an issuer above it, which
      // the server must send (RFC 7671 §5.2.2).
      std::size_t first = record.usage == kDaneEe ? 0 : 1;
      std::size_t last =
          record.usage == kDaneEe ? std::min<std::size_t>(1, chain.size()) : chain.size();
      for (std::size_t depth = first; depth < last && !check.matched; ++depth) {
        auto data = tlsa_association(chain[depth], record.selector, record.matching_type);
        if (data && *data == record.data_hex) {
          check.matched = true;
          check.matched_depth = depth;
        }
      }
    }
    match.checks.push_back(std::move(check));
  }
  return match;
}

std::string tlsa_text(const TlsaRecord& record, bool full) {
  std::string text = std::to_string(record.usage) + " " + std::to_string(record.selector) + " " +
                     std::to_string(record.matching_type) + " ";
  constexpr std::size_t kShort = 16;
  if (full || record.data_hex.size() <= kShort)
    text += record.data_hex;
  else
    text += record.data_hex.substr(0, kShort) + "...";
  return text;
}

std::string tlsa_usage_name(std::uint8_t usage) {
  switch (usage) {
    case 0:
      return "PKIX-TA";
    case 1:
      return "PKIX-EE";
    case 2:
      return "DANE-TA";
    case 3:
      return "DANE-EE";
    default:
      return "usage " + std::to_string(usage);
  }
}

}  // namespace smtpdoctor
