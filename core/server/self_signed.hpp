// A throw-away TLS identity for the loopback test server: an EC P-256 key and a self-signed
// X.509 certificate made in memory at start, so `smtpdoctor serve` offers STARTTLS with no files
// to manage. The certificate names localhost, 127.0.0.1 and ::1 (subjectAltName) and is valid
// from one hour ago (clock skew) for 30 days.
#pragma once

#include <string>

#include "core/base/error.hpp"

namespace smtpdoctor {

struct PemIdentity {
  std::string certificate_pem;
  std::string private_key_pem;  // unencrypted PKCS#8
};

Result<PemIdentity> make_self_signed_identity(const std::string& common_name = "localhost");

}  // namespace smtpdoctor
