// The DANE test certificates of tests/data/dane (see its README) and the association data the
// openssl CLI computed for them, for the matching and the dane probe's unit tests.
#pragma once

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include "core/dns/dns_records.hpp"
#include "core/net/tls_client.hpp"

namespace smtpdoctor {

inline const std::string kDir = std::string(SMTPDOCTOR_SOURCE_DIR) + "/tests/data/dane/";

inline DerCertificate der_from_pem(const std::string& name) {
  std::ifstream in(kDir + name + ".pem");
  std::stringstream text;
  text << in.rdbuf();
  std::string pem = text.str();
  BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  REQUIRE(cert != nullptr);
  int length = i2d_X509(cert, nullptr);
  DerCertificate der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  i2d_X509(cert, &out);
  X509_free(cert);
  return der;
}

// (certificate, selector, matching type) -> data, as the openssl CLI computed it.
inline std::map<std::tuple<std::string, int, int>, std::string> expected() {
  std::map<std::tuple<std::string, int, int>, std::string> table;
  std::ifstream in(kDir + "expected-associations.txt");
  std::string cert, data;
  int selector = 0, matching = 0;
  while (in >> cert >> selector >> matching >> data) table[{cert, selector, matching}] = data;
  REQUIRE(table.size() == 15);
  return table;
}

inline TlsaRecord tlsa(int usage, int selector, int matching, std::string data) {
  return {std::uint8_t(usage), std::uint8_t(selector), std::uint8_t(matching), std::move(data)};
}

}  // namespace smtpdoctor
