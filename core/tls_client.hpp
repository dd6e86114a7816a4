// The client side of TLS: the SSL context we connect with, and what we learned from the handshake.
//
// Verification is never switched off inside OpenSSL: the handshake always runs with the chain and
// host-name checks armed (SSL_set1_host before the handshake), and the X.509 result is kept with
// its reason string. `insecure` only decides whether a failed verification stops the session, so
// a report can still say *why* a certificate is bad after --insecure let the session go on.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

typedef struct ssl_st SSL;

namespace asio::ssl {
class context;
}

namespace smtpdoctor {

struct TlsClientOptions {
  std::string ca_file;    // empty: the system store (SSL_CTX_set_default_verify_paths)
  bool insecure = false;  // continue when verification fails (the result is still recorded)
};

// What the handshake and the peer certificate told us; the tls probe reports from this.
struct TlsInfo {
  std::string protocol;     // "TLSv1.3"
  std::string cipher;       // "TLS_AES_256_GCM_SHA384"
  std::string sni;          // the server name we sent, empty when none (IP literal)
  std::string verify_host;  // the name or address the certificate was checked against
  bool has_certificate = false;
  std::string subject_cn;
  std::vector<std::string> sans;  // "DNS:mail.example.org", "IP:192.0.2.1"
  std::string issuer;             // one line, RFC 2253
  std::string not_before;         // ISO 8601 UTC, "2026-01-01T00:00:00Z"
  std::string not_after;
  std::optional<long> days_to_expiry;   // negative when expired
  bool verified = false;                // chain and host name both good
  long verify_result = 0;               // X509_V_OK or X509_V_ERR_*
  std::string verify_reason;            // X509_verify_cert_error_string(verify_result)
  bool hostname_match = false;          // the certificate names verify_host (checked on its own)
  bool insecure = false;                // --insecure was in force
  std::size_t plaintext_discarded = 0;  // STARTTLS: bytes the server sent before the handshake
};

// A client context: TLS 1.2+, default or given CA store, verification armed (see above).
// Fails with ErrorKind::usage when the CA file cannot be loaded.
Result<std::shared_ptr<asio::ssl::context>> make_client_tls_context(
    const TlsClientOptions& options);

// True when `host` is an IPv4 or IPv6 literal (no SNI for those, RFC 6066 §3).
bool is_ip_literal(const std::string& host);

// Before the handshake: SNI (unless empty or an IP literal) and the host-name check
// (SSL_set1_host, or the IP check for literals).
void prepare_client_ssl(SSL* ssl, const std::string& sni, const std::string& verify_host);

// After the handshake: protocol, cipher, certificate details and the verification outcome.
TlsInfo tls_info_from(SSL* ssl, const std::string& sni, const std::string& verify_host,
                      bool insecure);

}  // namespace smtpdoctor
