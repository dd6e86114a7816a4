// The client side of TLS: the SSL context we connect with, and what we learned from the handshake.
//
// Verification is never switched off inside OpenSSL: the handshake always runs with the chain and
// host-name checks armed (SSL_set1_host before the handshake), and the X.509 result is kept with
// its reason string. `insecure` only decides whether a failed verification stops the session, so
// a report can still say *why* a certificate is bad after --insecure let the session go on.
//
// OpenSSL stops a verification at its first error, and it checks the name before the dates: an
// expired certificate for another name would only ever say "hostname mismatch". So the chain
// check runs to its end and every error is kept, the name mismatch last, because an expired,
// not-yet-valid or untrusted certificate is the more fundamental problem.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "core/base/error.hpp"

typedef struct ssl_st SSL;

namespace asio::ssl {
class context;
}

namespace smtpdoctor {

struct TlsClientOptions {
  std::string ca_file;    // empty: the system store (SSL_CTX_set_default_verify_paths)
  bool insecure = false;  // continue when verification fails (the result is still recorded)
  // Accept TLS 1.0 and 1.1 too (security level 0): to learn which old version a server speaks
  // after a handshake failed on it (tls_version_refused), and under --insecure, whose report
  // then says the session was not verified (protocol_too_old).
  bool legacy_versions = false;
};

// One certificate as the server sent it, DER-encoded (what TLSA records are matched against).
using DerCertificate = std::vector<unsigned char>;

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
  std::string key_type;                 // the server key's algorithm: "RSA", "EC", "ED25519"
  int key_bits = 0;                     // its size in bits
  int chain_sent = 0;                   // certificates the server sent, its own included
  bool not_yet_valid = false;           // the server's certificate starts in the future
  bool verified = false;                // chain, host name and protocol version all good
  bool protocol_too_old = false;        // TLS 1.1 or older (only ever under --insecure)
  long verify_result = 0;               // X509_V_OK or the first of verify_errors
  std::vector<long> verify_errors;      // every X509_V_ERR_* found, a name mismatch last
  std::string verify_reason;            // X509_verify_cert_error_string(verify_result)
  bool hostname_match = false;          // the certificate names verify_host (checked on its own)
  bool insecure = false;                // --insecure was in force
  std::size_t plaintext_discarded = 0;  // STARTTLS: bytes the server sent before the handshake
  // The certificates of chain_sent, the server's own first, in the order sent (DER): what the
  // dane step matches TLSA records against.
  std::vector<DerCertificate> peer_chain;
};

// A client context: TLS 1.2+ (see legacy_versions), default or given CA store, verification armed
// (see above). Fails with ErrorKind::usage when the CA file cannot be loaded. Made once per
// options and process, then shared: called early (SmtpClient does while it connects), the first
// handshake does not wait for it.
Result<std::shared_ptr<asio::ssl::context>> make_client_tls_context(
    const TlsClientOptions& options);

// True when `host` is an IPv4 or IPv6 literal (no SNI for those, RFC 6066 §3).
bool is_ip_literal(const std::string& host);

// The name the server's certificate must carry: `verify_host` when given, else the SNI name when
// one was asked for (--tls-sni: the server is known by that name, whatever address we dialled),
// else the host we connected to.
std::string certificate_name(const std::string& host, const std::string& sni,
                             const std::string& verify_host);

// Before the handshake: SNI (unless empty or an IP literal), the host-name check (SSL_set1_host,
// or the IP check for literals), and the verify callback that keeps every error for
// tls_info_from.
void prepare_client_ssl(SSL* ssl, const std::string& sni, const std::string& verify_host);

// After the handshake: protocol, cipher, certificate details and the verification outcome.
TlsInfo tls_info_from(SSL* ssl, const std::string& sni, const std::string& verify_host,
                      bool insecure);

// Why the session was not verified, in plain words, every reason, the most fundamental first:
// "the certificate expired on 2026-01-01T00:00:00Z; also, the certificate is issued for
// localhost, not mx.example.test". Empty when it was verified.
std::string verification_problem(const TlsInfo& info);

// True when a failed handshake's `ec` says the server speaks only TLS versions older than the
// oldest this client accepts (TLS 1.2).
bool tls_version_refused(const std::error_code& ec);

// Why a handshake failed, from its `ec`, in words: "the server offers no TLS version this client
// accepts (TLS 1.2 or later)", or OpenSSL's reason.
std::string handshake_failure_reason(const std::error_code& ec);

// A server that speaks only `protocol` (an old one, "TLSv1"), in words with the fix: "the server
// offers only TLS 1.0, which current clients refuse; enable TLS 1.2 or 1.3 on the server".
std::string old_protocol_reason(const std::string& protocol);

// OpenSSL's protocol name in words: "TLSv1" -> "TLS 1.0", "TLSv1.3" -> "TLS 1.3".
std::string protocol_words(const std::string& protocol);

}  // namespace smtpdoctor
