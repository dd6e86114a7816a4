// DANE matching (core/net/dane_match.hpp) against certificates whose association data the openssl
// CLI computed (tests/data/dane/README.md): which records a server's chain satisfies, and which a
// sender ignores.
#include "core/net/dane_match.hpp"

#include <doctest/doctest.h>

#include <string>

#include "tests/unit/dane_certificates.hpp"

namespace smtpdoctor {

TEST_CASE("the association data of a certificate is what the openssl CLI computes") {
  auto table = expected();
  for (const char* name : {"leaf", "ca", "other"}) {
    DerCertificate der = der_from_pem(name);
    for (auto [selector, matching] : {std::pair{0, 1}, {1, 1}, {1, 2}, {0, 2}, {1, 0}}) {
      CAPTURE(name);
      CAPTURE(selector);
      CAPTURE(matching);
      CHECK(tlsa_association(der, std::uint8_t(selector), std::uint8_t(matching)) ==
            table[{name, selector, matching}]);
    }
  }
  CHECK_FALSE(tlsa_association(der_from_pem("leaf"), 2, 1));
  CHECK_FALSE(tlsa_association(der_from_pem("leaf"), 1, 3));
  CHECK_FALSE(tlsa_association(DerCertificate{0x30, 0x00}, 1, 1));  // not a certificate
}

TEST_CASE("a DANE-EE record matches the server's own certificate or key, in every form") {
  auto table = expected();
  std::vector<DerCertificate> chain{der_from_pem("leaf"), der_from_pem("ca")};
  for (auto [selector, matching] : {std::pair{0, 1}, {1, 1}, {1, 2}, {0, 2}, {1, 0}}) {
    std::vector<TlsaRecord> records{
        tlsa(3, selector, matching, table[{"leaf", selector, matching}])};
    DaneMatch match = match_tlsa(records, chain);
    REQUIRE(match.first_match() != nullptr);
    CHECK(match.first_match()->matched_depth == 0);
  }
  // 3 0 0: the whole certificate.
  std::string full = *tlsa_association(chain[0], 0, 0);
  std::vector<TlsaRecord> exact{tlsa(3, 0, 0, full)};
  CHECK(match_tlsa(exact, chain).first_match() != nullptr);
}

TEST_CASE("a DANE-EE record for the CA or another key does not match the server") {
  auto table = expected();
  std::vector<DerCertificate> chain{der_from_pem("leaf"), der_from_pem("ca")};
  std::vector<TlsaRecord> records{tlsa(3, 1, 1, table[{"ca", 1, 1}]),
                                  tlsa(3, 1, 1, table[{"other", 1, 1}])};
  DaneMatch match = match_tlsa(records, chain);
  CHECK(match.any_usable());
  CHECK(match.first_match() == nullptr);
}

TEST_CASE("a DANE-TA record matches the CA the server sends, never the server's own") {
  auto table = expected();
  std::vector<DerCertificate> chain{der_from_pem("leaf"), der_from_pem("ca")};
  std::vector<TlsaRecord> ta{tlsa(2, 0, 1, table[{"ca", 0, 1}])};
  DaneMatch match = match_tlsa(ta, chain);
  REQUIRE(match.first_match() != nullptr);
  CHECK(match.first_match()->matched_depth == 1);
  // A server that does not send its CA leaves nothing for a DANE-TA record to match.
  std::vector<DerCertificate> leaf_only{chain[0]};
  CHECK(match_tlsa(ta, leaf_only).first_match() == nullptr);
  std::vector<TlsaRecord> ta_for_leaf{tlsa(2, 1, 1, table[{"leaf", 1, 1}])};
  CHECK(match_tlsa(ta_for_leaf, chain).first_match() == nullptr);
}

TEST_CASE("PKIX usages and malformed records are unusable for SMTP, with the reason") {
  auto table = expected();
  std::vector<DerCertificate> chain{der_from_pem("leaf"), der_from_pem("ca")};
  std::string key = table[{"leaf", 1, 1}];
  std::vector<TlsaRecord> records{
      tlsa(1, 1, 1, key),                  // PKIX-EE: ignored for SMTP even though it would match
      tlsa(0, 0, 1, table[{"ca", 0, 1}]),  // PKIX-TA
      tlsa(3, 2, 1, key),                  // no selector 2
      tlsa(3, 1, 5, key),                  // no matching type 5
      tlsa(3, 1, 1, key.substr(0, 40)),    // a SHA-256 digest of 20 octets
      tlsa(3, 1, 2, key),                  // a SHA-512 record carrying 32 octets
  };
  DaneMatch match = match_tlsa(records, chain);
  CHECK_FALSE(match.any_usable());
  CHECK(match.first_match() == nullptr);
  CHECK(match.checks[0].unusable_reason.find("PKIX-EE") != std::string::npos);
  CHECK(match.checks[0].unusable_reason.find("RFC 7672 §3.1.3") != std::string::npos);
  CHECK(match.checks[1].unusable_reason.find("PKIX-TA") != std::string::npos);
  CHECK(match.checks[2].unusable_reason.find("selector 2") != std::string::npos);
  CHECK(match.checks[3].unusable_reason.find("matching type 5") != std::string::npos);
  CHECK(match.checks[4].unusable_reason.find("this one is 20") != std::string::npos);
  CHECK(match.checks[5].unusable_reason.find("SHA-512") != std::string::npos);
}

TEST_CASE("one usable matching record among stale and unusable ones is enough") {
  auto table = expected();
  std::vector<DerCertificate> chain{der_from_pem("leaf")};
  std::vector<TlsaRecord> records{tlsa(1, 1, 1, table[{"leaf", 1, 1}]),
                                  tlsa(3, 1, 1, table[{"other", 1, 1}]),
                                  tlsa(3, 1, 2, table[{"leaf", 1, 2}])};
  DaneMatch match = match_tlsa(records, chain);
  REQUIRE(match.first_match() != nullptr);
  CHECK(match.first_match() == &match.checks[2]);
  CHECK_FALSE(match.checks[1].matched);
}

TEST_CASE("an empty chain matches nothing") {
  auto table = expected();
  std::vector<TlsaRecord> records{tlsa(3, 1, 1, table[{"leaf", 1, 1}])};
  DaneMatch match = match_tlsa(records, {});
  CHECK(match.any_usable());
  CHECK(match.first_match() == nullptr);
}

TEST_CASE("records read as in a zone file") {
  CHECK(tlsa_text(tlsa(3, 1, 1, "00112233445566778899")) == "3 1 1 0011223344556677...");
  CHECK(tlsa_text(tlsa(3, 1, 1, "00112233445566778899"), true) == "3 1 1 00112233445566778899");
  CHECK(tlsa_usage_name(3) == "DANE-EE");
  CHECK(tlsa_usage_name(2) == "DANE-TA");
  CHECK(tlsa_usage_name(9) == "usage 9");
}

}  // namespace smtpdoctor
