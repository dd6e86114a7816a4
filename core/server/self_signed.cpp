// OpenSSL 3 only (EVP_EC_gen, no deprecated EC_KEY calls). Every OpenSSL object is owned by a
// unique_ptr so an early return on failure leaks nothing.
#include "core/server/self_signed.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace smtpdoctor {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

Error openssl_error(const char* what) {
  char buf[256] = "unknown OpenSSL error";
  if (unsigned long code = ERR_get_error()) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return Error{ErrorKind::tls, Stage::none, std::string{what} + ": " + buf, {}, {}, 0};
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, data + len);
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Extension ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)};
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

}  // namespace

Result<PemIdentity> make_self_signed_identity(const std::string& common_name) {
  PKey key{EVP_EC_gen("P-256")};
  if (!key) return openssl_error("generating the P-256 key");

  Cert cert{X509_new()};
  if (!cert) return openssl_error("allocating the certificate");
  X509_set_version(cert.get(), 2);  // v3, for subjectAltName
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return openssl_error("random serial");
  serial[0] &= 0x7f;  // a positive INTEGER
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());

  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("smtpdoctor test server"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);

  std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (common_name != "localhost") san = "DNS:" + common_name + "," + san;
  if (!add_extension(cert.get(), NID_subject_alt_name, san.c_str()) ||
      !add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth"))
    return openssl_error("adding certificate extensions");

  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return openssl_error("signing the certificate");

  Bio cert_bio{BIO_new(BIO_s_mem())};
  Bio key_bio{BIO_new(BIO_s_mem())};
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1)
    return openssl_error("encoding the certificate as PEM");
  return PemIdentity{bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

}  // namespace smtpdoctor
