#include "core/net/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <asio/ip/address.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/error.hpp>
#include <ctime>
#include <map>
#include <mutex>
#include <utility>

namespace smtpdoctor {
namespace {

// What the chain check found, kept on the SSL (ex_data) by the verify callback that
// prepare_client_ssl installs, freed with the SSL.
struct HandshakeRecord {
  std::vector<long> verify_errors;  // in the order OpenSSL found them, each once
};

void free_record(void*, void* record, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<HandshakeRecord*>(record);
}

int record_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_record);
  return index;
}

HandshakeRecord* record_of(const SSL* ssl) {
  return static_cast<HandshakeRecord*>(SSL_get_ex_data(ssl, record_index()));
}

// Keeps every verification error and lets the chain check go on to the end (the connection is
// SSL_VERIFY_NONE anyway: the session decides afterwards).
int record_verify_error(int ok, X509_STORE_CTX* store) {
  if (ok) return 1;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (HandshakeRecord* record = ssl ? record_of(ssl) : nullptr) {
    long error = X509_STORE_CTX_get_error(store);
    auto& errors = record->verify_errors;
    if (std::find(errors.begin(), errors.end(), error) == errors.end()) errors.push_back(error);
  }
  return 1;
}

std::string openssl_error_string() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

std::string name_line(X509_NAME* name) {
  if (!name) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

std::string common_name(X509_NAME* name) {
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::string iso_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> subject_alt_names(X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      const ASN1_STRING* s = gn->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                         static_cast<std::size_t>(ASN1_STRING_length(s))));
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = gn->d.iPAddress;
      const unsigned char* p = ASN1_STRING_get0_data(s);
      asio::error_code ec;
      if (ASN1_STRING_length(s) == 4) {
        asio::ip::address_v4::bytes_type b;
        std::copy(p, p + 4, b.begin());
        out.push_back("IP:" + asio::ip::address_v4(b).to_string());
      } else if (ASN1_STRING_length(s) == 16) {
        asio::ip::address_v6::bytes_type b;
        std::copy(p, p + 16, b.begin());
        out.push_back("IP:" + asio::ip::address_v6(b).to_string());
      }
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

// "2026-01-01T00:00:00Z" -> "2026-01-01 00:00:00 UTC", as the report header writes times.
std::string readable_time(const std::string& iso) {
  std::string out = iso;
  if (out.size() == 20 && out[10] == 'T' && out.back() == 'Z') {
    out[10] = ' ';
    out.replace(19, 1, " UTC");
  }
  return out;
}

// Keys below what OpenSSL's default security level (2, 112-bit security) accepts: the size
// current clients refuse, whatever level this client's own context runs at.
bool key_too_small(int type, int bits) {
  if (type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS || type == EVP_PKEY_DSA) return bits < 2048;
  if (type == EVP_PKEY_EC) return bits < 224;
  return false;
}

std::string key_type_name(int type) {
  switch (type) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return "RSA";
    case EVP_PKEY_DSA:
      return "DSA";
    case EVP_PKEY_EC:
      return "EC";
    case EVP_PKEY_ED25519:
      return "ED25519";
    case EVP_PKEY_ED448:
      return "ED448";
  }
  return "unknown";
}

bool is_old_protocol(const std::string& protocol) {
  return protocol == "SSLv3" || protocol == "TLSv1" || protocol == "TLSv1.1";
}

bool is_name_mismatch(long error) {
  return error == X509_V_ERR_HOSTNAME_MISMATCH || error == X509_V_ERR_IP_ADDRESS_MISMATCH ||
         error == X509_V_ERR_EMAIL_MISMATCH;
}

}  // namespace

bool is_ip_literal(const std::string& host) {
  asio::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

namespace {

Result<std::shared_ptr<asio::ssl::context>> new_client_tls_context(
    const TlsClientOptions& options) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  if (options.legacy_versions) {
    // Security level 0: OpenSSL 3 refuses TLS 1.0/1.1 handshakes (SHA-1 signatures) above it.
    SSL_CTX_set_min_proto_version(native, TLS1_VERSION);
    SSL_CTX_set_security_level(native, 0);
    SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0");
  } else {
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  }
  int loaded = options.ca_file.empty()
                   ? SSL_CTX_set_default_verify_paths(native)
                   : SSL_CTX_load_verify_locations(native, options.ca_file.c_str(), nullptr);
  if (loaded != 1) {
    Error e;
    e.kind = ErrorKind::usage;
    e.stage = Stage::tls;
    e.message = options.ca_file.empty()
                    ? "cannot load the system certificate store: " + openssl_error_string()
                    : "cannot load CA file '" + options.ca_file + "': " + openssl_error_string();
    return e;
  }
  // SSL_VERIFY_NONE keeps the handshake going whatever the chain looks like, but OpenSSL still
  // verifies and stores the outcome (SSL_get_verify_result); the session decides afterwards,
  // with the reason in hand, whether to stop.
  SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  return ctx;
}

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> make_client_tls_context(
    const TlsClientOptions& options) {
  // Loading OpenSSL's configuration and a CA store costs about 10 ms of CPU: paid once per run,
  // not once per connection (a many-targets run makes hundreds). The context is never changed
  // after it is made; what differs per connection (SNI, the name to verify) is set on each SSL.
  // Failures are not kept, so a CA file fixed meanwhile is read again.
  static std::mutex mutex;
  static std::map<std::pair<std::string, bool>, std::shared_ptr<asio::ssl::context>> made;
  const std::lock_guard lock(mutex);
  auto key = std::make_pair(options.ca_file, options.legacy_versions);
  if (auto found = made.find(key); found != made.end()) return found->second;
  auto ctx = new_client_tls_context(options);
  if (ctx) made.emplace(std::move(key), *ctx);
  return ctx;
}

std::string certificate_name(const std::string& host, const std::string& sni,
                             const std::string& verify_host) {
  if (!verify_host.empty()) return verify_host;
  if (!sni.empty()) return sni;
  return host;
}

void prepare_client_ssl(SSL* ssl, const std::string& sni, const std::string& verify_host) {
  SSL_set_ex_data(ssl, record_index(), new HandshakeRecord);
  SSL_set_verify(ssl, SSL_VERIFY_NONE, record_verify_error);
  if (!sni.empty() && !is_ip_literal(sni)) SSL_set_tlsext_host_name(ssl, sni.c_str());
  if (verify_host.empty()) return;
  if (is_ip_literal(verify_host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), verify_host.c_str());
  } else {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(ssl, verify_host.c_str());
  }
}

namespace {

DerCertificate der_of(X509* cert) {
  DerCertificate der;
  int length = i2d_X509(cert, nullptr);
  if (length <= 0) return der;
  der.resize(std::size_t(length));
  unsigned char* out = der.data();
  i2d_X509(cert, &out);
  return der;
}

}  // namespace

TlsInfo tls_info_from(SSL* ssl, const std::string& sni, const std::string& verify_host,
                      bool insecure) {
  TlsInfo info;
  info.protocol = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl))
    info.cipher = SSL_CIPHER_get_name(cipher);
  info.sni = (!sni.empty() && !is_ip_literal(sni)) ? sni : std::string{};
  info.verify_host = verify_host;
  info.insecure = insecure;

  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) {
    info.verify_result = X509_V_ERR_UNSPECIFIED;
    info.verify_reason = "the server sent no certificate";
    return info;
  }
  info.has_certificate = true;
  info.subject_cn = common_name(X509_get_subject_name(cert));
  info.issuer = name_line(X509_get_issuer_name(cert));
  info.sans = subject_alt_names(cert);
  info.not_before = iso_time(X509_get0_notBefore(cert));
  info.not_after = iso_time(X509_get0_notAfter(cert));
  int days = 0, seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)) == 1)
    info.days_to_expiry = days;
  info.not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(cert)) > 0;
  int key_type = NID_undef;
  if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
    key_type = EVP_PKEY_get_base_id(key);
    info.key_type = key_type_name(key_type);
    info.key_bits = EVP_PKEY_get_bits(key);
  }
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
    info.chain_sent = sk_X509_num(chain);
    for (int i = 0; i < info.chain_sent; ++i)
      info.peer_chain.push_back(der_of(sk_X509_value(chain, i)));
  }

  // Checked on its own so that a bad chain (which stops OpenSSL before its own name check) still
  // tells us whether the name would have matched.
  if (verify_host.empty()) {
    info.hostname_match = false;
  } else if (is_ip_literal(verify_host)) {
    info.hostname_match = X509_check_ip_asc(cert, verify_host.c_str(), 0) == 1;
  } else {
    info.hostname_match = X509_check_host(cert, verify_host.c_str(), verify_host.size(),
                                          X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
  }
  X509_free(cert);

  if (const HandshakeRecord* record = record_of(ssl)) info.verify_errors = record->verify_errors;
  if (info.verify_errors.empty() && SSL_get_verify_result(ssl) != X509_V_OK)
    info.verify_errors.push_back(SSL_get_verify_result(ssl));
  // At security level 0 (--insecure, the TLS-version side connection) OpenSSL no longer flags a
  // small key: the size current clients refuse is checked here, so the report says it anyway.
  if (key_too_small(key_type, info.key_bits) &&
      std::find(info.verify_errors.begin(), info.verify_errors.end(),
                X509_V_ERR_EE_KEY_TOO_SMALL) == info.verify_errors.end())
    info.verify_errors.push_back(X509_V_ERR_EE_KEY_TOO_SMALL);
  std::stable_partition(info.verify_errors.begin(), info.verify_errors.end(),
                        [](long error) { return !is_name_mismatch(error); });
  info.verify_result = info.verify_errors.empty() ? X509_V_OK : info.verify_errors.front();
  info.verify_reason = X509_verify_cert_error_string(info.verify_result);
  info.protocol_too_old = is_old_protocol(info.protocol);
  info.verified = info.verify_result == X509_V_OK && info.hostname_match && !info.protocol_too_old;
  return info;
}

std::string verification_problem(const TlsInfo& info) {
  if (info.verified) return "";
  auto found = [&](long error) {
    return std::find(info.verify_errors.begin(), info.verify_errors.end(), error) !=
           info.verify_errors.end();
  };
  // Without its issuer, the leaf's signature cannot be checked either: that says nothing more.
  const bool issuer_unknown = found(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY) ||
                              found(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT);
  const std::string issuer = info.issuer.empty() ? "its issuer" : info.issuer;
  std::vector<std::string> reasons;
  if (info.protocol_too_old) reasons.push_back(old_protocol_reason(info.protocol));
  for (long error : info.verify_errors) {
    if (is_name_mismatch(error)) continue;
    if (error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE && issuer_unknown) continue;
    if (error == X509_V_ERR_CERT_HAS_EXPIRED && !info.not_after.empty()) {
      reasons.push_back("the certificate expired on " + readable_time(info.not_after));
    } else if (error == X509_V_ERR_CERT_NOT_YET_VALID && !info.not_before.empty()) {
      reasons.push_back("the certificate is not valid before " + readable_time(info.not_before));
    } else if (issuer_unknown && (error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                                  error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)) {
      // A server that sends only its own certificate leaves two causes that look the same from
      // here: an issuer nobody trusts, or an intermediate CA it should have sent (the commoner).
      reasons.push_back(
          info.chain_sent <= 1
              ? "the issuer is not trusted or the chain is incomplete: " + issuer +
                    " is not a CA this client trusts, and the server does not send the "
                    "intermediate certificate that would link it to one"
              : "the issuer is not trusted: the chain the server sends leads to no CA this "
                "client trusts (the certificate's issuer: " +
                    issuer + ")");
    } else if (error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
      reasons.push_back(
          "the certificate is self-signed: no CA issued it, so nothing vouches "
          "for it");
    } else if (error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
      reasons.push_back("the chain ends in a self-signed root this client does not trust");
    } else if (error == X509_V_ERR_EE_KEY_TOO_SMALL && info.key_bits > 0) {
      reasons.push_back("the server's certificate has a " + std::to_string(info.key_bits) +
                        "-bit " + info.key_type +
                        " key, too small: current clients refuse RSA keys under 2048 bits; "
                        "issue a new certificate with a 2048-bit RSA or an EC key");
    } else {
      reasons.push_back(X509_verify_cert_error_string(error));
    }
  }
  if (info.has_certificate && !info.hostname_match && !info.verify_host.empty()) {
    std::string names;
    for (const auto& san : info.sans)
      names += (names.empty() ? "" : ", ") + san.substr(san.find(':') + 1);
    if (names.empty()) names = info.subject_cn;
    reasons.push_back(names.empty()
                          ? "the certificate names no host, not " + info.verify_host
                          : "the certificate is issued for " + names + ", not " + info.verify_host);
  }
  if (reasons.empty()) reasons.push_back(info.verify_reason);
  std::string text = reasons.front();
  for (std::size_t i = 1; i < reasons.size(); ++i) text += "; also, " + reasons[i];
  return text;
}

bool tls_version_refused(const std::error_code& ec) {
  if (!ec || ec.category() != asio::error::get_ssl_category()) return false;
  auto code = static_cast<unsigned long>(static_cast<unsigned int>(ec.value()));
  if (ERR_GET_LIB(code) != ERR_LIB_SSL) return false;
  // Our own refusal of the version in the ServerHello, or the server's protocol_version alert
  // when none of the versions we offer is one it speaks.
  return ERR_GET_REASON(code) == SSL_R_UNSUPPORTED_PROTOCOL ||
         ERR_GET_REASON(code) == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION;
}

std::string handshake_failure_reason(const std::error_code& ec) {
  if (tls_version_refused(ec))
    return "the server offers no TLS version current clients accept (TLS 1.2 or later)";
  return ec.message();
}

std::string old_protocol_reason(const std::string& protocol) {
  return "the server offers only " + protocol_words(protocol) +
         ", which current clients refuse; enable TLS 1.2 or 1.3 on the server";
}

std::string protocol_words(const std::string& protocol) {
  if (protocol == "SSLv3") return "SSL 3.0";
  if (protocol == "TLSv1") return "TLS 1.0";
  if (protocol.rfind("TLSv1.", 0) == 0) return "TLS " + protocol.substr(4);
  return protocol;
}

}  // namespace smtpdoctor
