#include "core/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <asio/ip/address.hpp>
#include <asio/ssl/context.hpp>
#include <ctime>

namespace smtpdoctor {
namespace {

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

}  // namespace

bool is_ip_literal(const std::string& host) {
  asio::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

Result<std::shared_ptr<asio::ssl::context>> make_client_tls_context(
    const TlsClientOptions& options) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
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

void prepare_client_ssl(SSL* ssl, const std::string& sni, const std::string& verify_host) {
  if (!sni.empty() && !is_ip_literal(sni)) SSL_set_tlsext_host_name(ssl, sni.c_str());
  if (verify_host.empty()) return;
  if (is_ip_literal(verify_host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), verify_host.c_str());
  } else {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(ssl, verify_host.c_str());
  }
}

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

  info.verify_result = SSL_get_verify_result(ssl);
  info.verify_reason = X509_verify_cert_error_string(info.verify_result);
  info.verified = info.verify_result == X509_V_OK && info.hostname_match;
  return info;
}

}  // namespace smtpdoctor
