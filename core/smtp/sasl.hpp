// SASL for SMTP AUTH (RFC 4954): PLAIN, LOGIN, CRAM-MD5, XOAUTH2, and base64 via OpenSSL.
// Pure functions: the client session drives the exchange; the server verifies with them too.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace smtpdoctor {

std::string base64_encode(std::string_view bytes);
// Returns nullopt on malformed input (bad characters, bad padding). Whitespace is not allowed.
std::optional<std::string> base64_decode(std::string_view text);

// The PLAIN message: authzid NUL authcid NUL passwd (RFC 4616), not yet base64-encoded.
std::string sasl_plain_message(std::string_view user, std::string_view password,
                               std::string_view authzid = {});
struct PlainCredentials {
  std::string authzid, user, password;
};
std::optional<PlainCredentials> parse_sasl_plain(std::string_view decoded);

// CRAM-MD5 (RFC 2195): "user hex(hmac-md5(password, challenge))", not yet base64-encoded.
// Empty when the crypto library refuses MD5 (e.g. OpenSSL in FIPS mode).
std::string cram_md5_response(std::string_view user, std::string_view password,
                              std::string_view decoded_challenge);
// A fresh CRAM-MD5 challenge for the server, "<random.unixtime@hostname>" (RFC 2195 §2),
// not yet base64-encoded.
std::string cram_md5_challenge(std::string_view hostname);

// Compares secrets (passwords, CRAM-MD5 digests) in time independent of where they differ.
bool secret_equals(std::string_view a, std::string_view b);

// LOGIN (draft-murchison-sasl-login): the server's prompts, not yet base64-encoded
// ("VXNlcm5hbWU6" / "UGFzc3dvcmQ6" on the wire); the client answers each with base64 of the
// user name and then of the password.
inline constexpr std::string_view kLoginUserPrompt = "Username:";
inline constexpr std::string_view kLoginPasswordPrompt = "Password:";

// XOAUTH2 (Google/Microsoft): "user=U\x01auth=Bearer TOKEN\x01\x01", not yet base64-encoded.
std::string xoauth2_message(std::string_view user, std::string_view token);

// OAUTHBEARER (RFC 7628 §3.1): "n,a=USER,\x01host=HOST\x01port=PORT\x01auth=Bearer TOKEN\x01\x01",
// not yet base64-encoded. ',' and '=' in USER are escaped as "=2C" and "=3D" (RFC 5801 saslname).
std::string oauthbearer_message(std::string_view user, std::string_view host, unsigned port,
                                std::string_view token);
// The client's answer to the server's error challenge (RFC 7628 §3.2.3): a single ^A.
inline constexpr std::string_view kOauthbearerDummyResponse = "\x01";

// The JSON error a server sends in its 334 when it refuses a token (RFC 7628 §3.2.2; XOAUTH2
// sends the same shape): {"status":"401","schemes":"bearer","scope":"..."}.
struct OauthError {
  std::string status, schemes, scope;
};
// Reads the three string members from the decoded challenge; nullopt when it is not a JSON
// object with a "status". Bounded: only flat string members are looked at, escapes kept simple.
std::optional<OauthError> parse_oauth_error(std::string_view decoded);
// The server's side: user and token from a decoded XOAUTH2 or OAUTHBEARER initial response;
// nullopt when malformed.
struct BearerCredentials {
  std::string user, token;
};
std::optional<BearerCredentials> parse_xoauth2(std::string_view decoded);
std::optional<BearerCredentials> parse_oauthbearer(std::string_view decoded);
// The JSON a server sends in its 334 for a refused token (RFC 7628 §3.2.2), not yet base64.
std::string oauth_error_json(std::string_view scope);

// "the token was refused: status 401, scope https://mail.google.com/ required".
std::string describe_oauth_error(const OauthError& error);

// XOAUTH2 and OAUTHBEARER take a bearer token, not a password (case-insensitive).
bool is_oauth_mechanism(std::string_view mechanism);

// Upper-cased canonical mechanism names the client implements (the values --auth takes; which
// one is chosen when none is named is best_auth_mechanism's, in core/smtp/smtp_client.hpp).
inline constexpr std::string_view kClientMechanisms[] = {"CRAM-MD5", "PLAIN", "LOGIN", "XOAUTH2",
                                                         "OAUTHBEARER"};

}  // namespace smtpdoctor
