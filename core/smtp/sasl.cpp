// SASL payloads for SMTP AUTH. Base64 and HMAC-MD5 come from OpenSSL's libcrypto; everything else
// is string assembly. EVP_DecodeBlock is lenient (it skips surrounding whitespace and reports
// padding as decoded zero bytes), so base64_decode checks the alphabet and padding itself and
// then trims the padding bytes from the result.
#include "core/smtp/sasl.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "core/base/ascii.hpp"

namespace smtpdoctor {

namespace {

bool is_base64_char(char c) {
  return ascii::is_alnum(c) || c == '+' || c == '/';
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  if (bytes.empty()) return {};
  // EVP_EncodeBlock writes 4 chars per 3 bytes plus a NUL and never inserts line breaks.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.empty()) return std::string{};
  if (text.size() % 4 != 0) return std::nullopt;
  // '=' may only appear as one or two final characters; anywhere else fails the alphabet check.
  std::size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  if (!std::all_of(text.begin(), text.end() - static_cast<std::ptrdiff_t>(padding), is_base64_char))
    return std::nullopt;
  // EVP_DecodeBlock takes an int length; a SASL payload is never near that, refuse rather than
  // wrap.
  if (text.size() > 64 * 1024 * 1024) return std::nullopt;

  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return std::nullopt;
  out.resize(out.size() - padding);
  return out;
}

std::string sasl_plain_message(std::string_view user, std::string_view password,
                               std::string_view authzid) {
  std::string out;
  out.reserve(authzid.size() + user.size() + password.size() + 2);
  out.append(authzid);
  out += '\0';
  out.append(user);
  out += '\0';
  out.append(password);
  return out;
}

std::optional<PlainCredentials> parse_sasl_plain(std::string_view decoded) {
  // authzid NUL authcid NUL passwd; authcid and passwd are 1*SAFE, no NUL (RFC 4616 §2).
  std::size_t first = decoded.find('\0');
  if (first == std::string_view::npos) return std::nullopt;
  std::size_t second = decoded.find('\0', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (decoded.find('\0', second + 1) != std::string_view::npos) return std::nullopt;
  PlainCredentials creds{std::string(decoded.substr(0, first)),
                         std::string(decoded.substr(first + 1, second - first - 1)),
                         std::string(decoded.substr(second + 1))};
  if (creds.user.empty() || creds.password.empty()) return std::nullopt;
  return creds;
}

std::string cram_md5_response(std::string_view user, std::string_view password,
                              std::string_view decoded_challenge) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // HMAC() (one-shot) is not deprecated in OpenSSL 3, unlike HMAC_CTX.
  // An empty view may hold a null pointer, which some OpenSSL versions refuse as a key.
  const char* key = password.empty() ? "" : password.data();
  const char* data = decoded_challenge.empty() ? "" : decoded_challenge.data();
  if (!HMAC(EVP_md5(), key, static_cast<int>(password.size()),
            reinterpret_cast<const unsigned char*>(data), decoded_challenge.size(), digest,
            &length))
    return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(user);
  out += ' ';
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string xoauth2_message(std::string_view user, std::string_view token) {
  std::string out = "user=";
  out.append(user);
  out +=
      "\x01"
      "auth=Bearer ";
  out.append(token);
  out += "\x01\x01";
  return out;
}

std::string oauthbearer_message(std::string_view user, std::string_view host, unsigned port,
                                std::string_view token) {
  std::string out = "n,a=";
  for (char c : user) {
    if (c == ',')
      out += "=2C";
    else if (c == '=')
      out += "=3D";
    else
      out += c;
  }
  out += ",\x01host=";
  out.append(host);
  // Split literals: "\x01auth" would read as the hex escape \x01a.
  out += "\x01port=" + std::to_string(port) +
         "\x01"
         "auth=Bearer ";
  out.append(token);
  out += "\x01\x01";
  return out;
}

bool is_oauth_mechanism(std::string_view mechanism) {
  const std::string mech = ascii::upper(mechanism);
  return mech == "XOAUTH2" || mech == "OAUTHBEARER";
}

namespace {

// Reads a JSON string starting at text[pos] == '"'; advances pos past it. Escapes other than
// \" and \\ (and \/) are kept as written: the members read here are short ASCII tokens and URLs.
std::optional<std::string> json_string(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || text[pos] != '"') return std::nullopt;
  std::string out;
  for (++pos; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '"') {
      ++pos;
      return out;
    }
    if (c == '\\' && pos + 1 < text.size()) {
      char next = text[++pos];
      if (next == '"' || next == '\\' || next == '/')
        out += next;
      else {
        out += '\\';
        out += next;
      }
      continue;
    }
    out += c;
  }
  return std::nullopt;
}

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void skip_space(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && is_json_space(text[pos])) ++pos;
}

}  // namespace

std::optional<OauthError> parse_oauth_error(std::string_view decoded) {
  if (decoded.size() > 16 * 1024) return std::nullopt;
  std::size_t pos = 0;
  skip_space(decoded, pos);
  if (pos >= decoded.size() || decoded[pos] != '{') return std::nullopt;
  ++pos;
  OauthError error;
  bool has_status = false;
  for (;;) {
    skip_space(decoded, pos);
    if (pos < decoded.size() && decoded[pos] == '}') break;
    auto key = json_string(decoded, pos);
    if (!key) return std::nullopt;
    skip_space(decoded, pos);
    if (pos >= decoded.size() || decoded[pos] != ':') return std::nullopt;
    ++pos;
    skip_space(decoded, pos);
    std::string value;
    if (pos < decoded.size() && decoded[pos] == '"') {
      auto text = json_string(decoded, pos);
      if (!text) return std::nullopt;
      value = std::move(*text);
    } else {
      // A number or literal (some servers send "status":401): read up to the next ',' or '}'.
      std::size_t end = decoded.find_first_of(",}", pos);
      if (end == std::string_view::npos) return std::nullopt;
      value = std::string(decoded.substr(pos, end - pos));
      while (!value.empty() && is_json_space(value.back())) value.pop_back();
      pos = end;
    }
    if (*key == "status") {
      error.status = value;
      has_status = true;
    } else if (*key == "schemes") {
      error.schemes = value;
    } else if (*key == "scope") {
      error.scope = value;
    }
    skip_space(decoded, pos);
    if (pos < decoded.size() && decoded[pos] == ',') {
      ++pos;
      continue;
    }
    if (pos < decoded.size() && decoded[pos] == '}') break;
    return std::nullopt;
  }
  if (!has_status) return std::nullopt;
  return error;
}

namespace {

// The "auth=Bearer TOKEN" value among ^A-separated key=value pairs ending in ^A^A.
std::optional<std::string> bearer_of(std::string_view kvpairs, std::string* user_key) {
  if (kvpairs.size() < 2 || kvpairs.substr(kvpairs.size() - 2) != "\x01\x01") return std::nullopt;
  kvpairs.remove_suffix(2);
  std::optional<std::string> token;
  while (!kvpairs.empty()) {
    std::size_t end = kvpairs.find('\x01');
    std::string_view pair = kvpairs.substr(0, end);
    kvpairs = end == std::string_view::npos ? std::string_view{} : kvpairs.substr(end + 1);
    if (pair.substr(0, 12) == "auth=Bearer ")
      token = std::string(pair.substr(12));
    else if (user_key && pair.substr(0, 5) == "user=")
      *user_key = std::string(pair.substr(5));
  }
  if (!token || token->empty()) return std::nullopt;
  return token;
}

}  // namespace

std::optional<BearerCredentials> parse_xoauth2(std::string_view decoded) {
  BearerCredentials creds;
  auto token = bearer_of(decoded, &creds.user);
  if (!token || creds.user.empty()) return std::nullopt;
  creds.token = std::move(*token);
  return creds;
}

std::optional<BearerCredentials> parse_oauthbearer(std::string_view decoded) {
  // gs2-header: "n," or "y," then "a=saslname," (RFC 7628 §3.1; channel binding is not used).
  if (decoded.size() < 2 || (decoded[0] != 'n' && decoded[0] != 'y') || decoded[1] != ',')
    return std::nullopt;
  decoded.remove_prefix(2);
  std::size_t comma = decoded.find(',');
  if (comma == std::string_view::npos || decoded.substr(0, 2) != "a=") return std::nullopt;
  BearerCredentials creds;
  for (std::size_t i = 2; i < comma; ++i) {
    if (decoded.substr(i, 3) == "=2C") {
      creds.user += ',';
      i += 2;
    } else if (decoded.substr(i, 3) == "=3D") {
      creds.user += '=';
      i += 2;
    } else {
      creds.user += decoded[i];
    }
  }
  decoded.remove_prefix(comma + 1);
  if (decoded.empty() || decoded[0] != '\x01') return std::nullopt;
  decoded.remove_prefix(1);
  auto token = bearer_of(decoded, nullptr);
  if (!token || creds.user.empty()) return std::nullopt;
  creds.token = std::move(*token);
  return creds;
}

std::string oauth_error_json(std::string_view scope) {
  return R"({"status":"401","schemes":"bearer","scope":")" + std::string(scope) + "\"}";
}

std::string describe_oauth_error(const OauthError& error) {
  std::string out = "the token was refused: status " + error.status;
  if (!error.scope.empty()) out += ", scope " + error.scope + " required";
  return out;
}

std::string cram_md5_challenge(std::string_view hostname) {
  unsigned char random[8];
  std::uint64_t nonce = 0;
  if (RAND_bytes(random, sizeof random) == 1) {
    for (unsigned char b : random) nonce = (nonce << 8) | b;
  } else {
    // Only a test server uses this; a time-based nonce still differs per session.
    nonce = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  return "<" + std::to_string(nonce) + "." + std::to_string(seconds) + "@" + std::string(hostname) +
         ">";
}

bool secret_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace smtpdoctor
