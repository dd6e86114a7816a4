// The pure parts of the TLS client (core/net/tls_client.hpp): which name a certificate is checked
// against, and how a failed verification or handshake is put into words.
#include "core/net/tls_client.hpp"

#include <doctest/doctest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <asio/ssl/error.hpp>

using namespace smtpdoctor;

namespace {

// The server's certificate for localhost and 127.0.0.1, checked against `name`.
TlsInfo certificate_checked_against(std::string name, std::vector<long> errors) {
  TlsInfo info;
  info.has_certificate = true;
  info.subject_cn = "localhost";
  info.sans = {"DNS:localhost", "IP:127.0.0.1"};
  info.issuer = "CN=test CA";
  info.not_before = "2026-01-01T00:00:00Z";
  info.not_after = "2026-03-01T00:00:00Z";
  info.verify_host = std::move(name);
  info.verify_errors = std::move(errors);
  info.verify_result = info.verify_errors.empty() ? X509_V_OK : info.verify_errors.front();
  info.verify_reason = X509_verify_cert_error_string(info.verify_result);
  info.hostname_match = info.verify_host == "localhost" || info.verify_host == "127.0.0.1";
  info.verified = info.verify_errors.empty() && info.hostname_match;
  return info;
}

std::error_code ssl_error(int reason) {
  return {static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, reason)), asio::error::get_ssl_category()};
}

}  // namespace

TEST_CASE("the certificate must name --tls-sni when given, else the host; verify_host wins") {
  CHECK(certificate_name("127.0.0.1", "", "") == "127.0.0.1");
  CHECK(certificate_name("127.0.0.1", "mx.example.test", "") == "mx.example.test");
  CHECK(certificate_name("192.0.2.7", "", "mx.example.test") == "mx.example.test");
  CHECK(certificate_name("192.0.2.7", "sni.example.test", "mx.example.test") == "mx.example.test");
}

TEST_CASE("a verified certificate has no problem to tell") {
  CHECK(verification_problem(certificate_checked_against("localhost", {})).empty());
}

TEST_CASE("an expired certificate for another name says it expired first, then the name") {
  auto info = certificate_checked_against(
      "mx.example.test", {X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_HOSTNAME_MISMATCH});
  info.days_to_expiry = -3;
  CHECK(verification_problem(info) ==
        "the certificate expired on 2026-03-01 00:00:00 UTC; also, the certificate is issued "
        "for localhost, 127.0.0.1, not mx.example.test");
}

TEST_CASE("each certificate problem in words") {
  auto not_yet = certificate_checked_against("localhost", {X509_V_ERR_CERT_NOT_YET_VALID});
  not_yet.not_yet_valid = true;
  CHECK(verification_problem(not_yet) ==
        "the certificate is not valid before 2026-01-01 00:00:00 UTC");
  CHECK(verification_problem(
            certificate_checked_against("localhost", {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT})) ==
        "the certificate is self-signed: no CA issued it, so nothing vouches for it");
  CHECK(verification_problem(
            certificate_checked_against("192.0.2.7", {X509_V_ERR_IP_ADDRESS_MISMATCH})) ==
        "the certificate is issued for localhost, 127.0.0.1, not 192.0.2.7");
  auto small = certificate_checked_against("localhost", {X509_V_ERR_EE_KEY_TOO_SMALL});
  small.key_type = "RSA";
  small.key_bits = 1024;
  CHECK(verification_problem(small) ==
        "the server's certificate has a 1024-bit RSA key, too small: current clients refuse RSA "
        "keys under 2048 bits; issue a new certificate with a 2048-bit RSA or an EC key");
}

TEST_CASE(
    "an unknown issuer with only the server's own certificate may be a missing intermediate") {
  auto alone = certificate_checked_against(
      "localhost",
      {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE});
  alone.chain_sent = 1;
  CHECK(verification_problem(alone) ==
        "the issuer is not trusted or the chain is incomplete: CN=test CA is not a CA this "
        "client trusts, and the server does not send the intermediate certificate that would "
        "link it to one");
  auto with_chain = alone;
  with_chain.chain_sent = 2;
  CHECK(verification_problem(with_chain) ==
        "the issuer is not trusted: the chain the server sends leads to no CA this client "
        "trusts (the certificate's issuer: CN=test CA)");
}

TEST_CASE("a TLS 1.0 session (under --insecure) says so first, then the certificate's problems") {
  auto info = certificate_checked_against("localhost", {X509_V_ERR_CERT_HAS_EXPIRED});
  info.protocol = "TLSv1";
  info.protocol_too_old = true;
  CHECK(verification_problem(info) ==
        "the server offers only TLS 1.0, which current clients refuse; enable TLS 1.2 or 1.3 on "
        "the server; also, the certificate expired on 2026-03-01 00:00:00 UTC");
  CHECK(old_protocol_reason("TLSv1.1") ==
        "the server offers only TLS 1.1, which current clients refuse; enable TLS 1.2 or 1.3 on "
        "the server");
}

TEST_CASE("a server whose TLS is older than 1.2 is told apart from other handshake failures") {
  CHECK(tls_version_refused(ssl_error(SSL_R_UNSUPPORTED_PROTOCOL)));
  CHECK(tls_version_refused(ssl_error(SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)));
  CHECK_FALSE(tls_version_refused(ssl_error(SSL_R_WRONG_VERSION_NUMBER)));
  CHECK_FALSE(tls_version_refused(std::make_error_code(std::errc::connection_reset)));
  CHECK(handshake_failure_reason(ssl_error(SSL_R_UNSUPPORTED_PROTOCOL)) ==
        "the server offers no TLS version current clients accept (TLS 1.2 or later)");
  CHECK(handshake_failure_reason(ssl_error(SSL_R_WRONG_VERSION_NUMBER)).find("wrong version") !=
        std::string::npos);
}

TEST_CASE("OpenSSL's protocol names in words") {
  CHECK(protocol_words("TLSv1") == "TLS 1.0");
  CHECK(protocol_words("TLSv1.1") == "TLS 1.1");
  CHECK(protocol_words("TLSv1.3") == "TLS 1.3");
  CHECK(protocol_words("SSLv3") == "SSL 3.0");
}
