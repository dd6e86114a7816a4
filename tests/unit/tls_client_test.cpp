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
        "certificate has expired (on 2026-03-01T00:00:00Z); also, the certificate does not "
        "match the name mx.example.test (it names localhost, 127.0.0.1)");
}

TEST_CASE("each certificate problem in words") {
  auto not_yet = certificate_checked_against("localhost", {X509_V_ERR_CERT_NOT_YET_VALID});
  not_yet.not_yet_valid = true;
  CHECK(verification_problem(not_yet) ==
        "certificate is not yet valid (valid from 2026-01-01T00:00:00Z)");
  CHECK(verification_problem(certificate_checked_against(
            "localhost", {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                          X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE})) ==
        "unknown issuer: CN=test CA is not a CA this client trusts (unable to get local issuer "
        "certificate)");
  CHECK(verification_problem(
            certificate_checked_against("localhost", {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT})) ==
        "self-signed certificate (not issued by a CA this client trusts)");
  CHECK(verification_problem(
            certificate_checked_against("192.0.2.7", {X509_V_ERR_IP_ADDRESS_MISMATCH})) ==
        "the certificate does not match the name 192.0.2.7 (it names localhost, 127.0.0.1)");
}

TEST_CASE("a server whose TLS is older than 1.2 is told apart from other handshake failures") {
  CHECK(tls_version_refused(ssl_error(SSL_R_UNSUPPORTED_PROTOCOL)));
  CHECK(tls_version_refused(ssl_error(SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)));
  CHECK_FALSE(tls_version_refused(ssl_error(SSL_R_WRONG_VERSION_NUMBER)));
  CHECK_FALSE(tls_version_refused(std::make_error_code(std::errc::connection_reset)));
  CHECK(handshake_failure_reason(ssl_error(SSL_R_UNSUPPORTED_PROTOCOL)) ==
        "the server offers no TLS version this client accepts (TLS 1.2 or later)");
  CHECK(handshake_failure_reason(ssl_error(SSL_R_WRONG_VERSION_NUMBER)).find("wrong version") !=
        std::string::npos);
}

TEST_CASE("OpenSSL's protocol names in words") {
  CHECK(protocol_words("TLSv1") == "TLS 1.0");
  CHECK(protocol_words("TLSv1.1") == "TLS 1.1");
  CHECK(protocol_words("TLSv1.3") == "TLS 1.3");
  CHECK(protocol_words("SSLv3") == "SSL 3.0");
}
