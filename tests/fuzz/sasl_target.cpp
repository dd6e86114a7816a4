// SASL as the server decodes it (RFC 4954): every AUTH response line is base64, then PLAIN's
// "authzid NUL user NUL password", LOGIN's bare user name and password, or CRAM-MD5's
// "user digest" (split at the last space, as Session::cmd_auth does inside its coroutine).
#include "core/smtp/sasl.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

void plain(std::string_view decoded) {
  auto credentials = parse_sasl_plain(decoded);
  if (!credentials) return;
  SMTPDOCTOR_FUZZ_CHECK(!credentials->user.empty() && !credentials->password.empty());
  SMTPDOCTOR_FUZZ_CHECK(sasl_plain_message(credentials->user, credentials->password,
                                           credentials->authzid) == decoded);
}

void cram_md5(std::string_view decoded) {
  auto last_space = decoded.rfind(' ');
  std::string_view user =
      last_space == std::string_view::npos ? decoded : decoded.substr(0, last_space);
  std::string expected = cram_md5_response(user, "password", "<1.2@fuzz.example>");
  if (expected.empty()) return;  // no MD5 here (FIPS)
  SMTPDOCTOR_FUZZ_CHECK(expected.size() == user.size() + 1 + 32);
  SMTPDOCTOR_FUZZ_CHECK(expected.starts_with(user));
  secret_equals(decoded, expected);
}

}  // namespace

void sasl(std::string_view input) {
  // The client's side: what we encode decodes back.
  std::string encoded = base64_encode(input);
  SMTPDOCTOR_FUZZ_CHECK(encoded.size() == (input.size() + 2) / 3 * 4);
  SMTPDOCTOR_FUZZ_CHECK(base64_decode(encoded) == std::string(input));

  // The server's side: the input is one response line.
  plain(input);
  cram_md5(input);
  auto decoded = base64_decode(input);
  if (!decoded) return;
  SMTPDOCTOR_FUZZ_CHECK(decoded->size() <= input.size() / 4 * 3);
  // Canonical base64 decodes to what encodes back to it; a lenient decoder may accept
  // non-zero padding bits, but never a different length.
  SMTPDOCTOR_FUZZ_CHECK(base64_encode(*decoded).size() == input.size());
  SMTPDOCTOR_FUZZ_CHECK(base64_decode(base64_encode(*decoded)) == *decoded);
  plain(*decoded);
  cram_md5(*decoded);
  SMTPDOCTOR_FUZZ_CHECK(secret_equals(*decoded, *decoded));
}

}  // namespace smtpdoctor::fuzz
