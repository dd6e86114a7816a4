// EHLO capabilities (RFC 5321 §4.1.1.1 and the extensions that matter for diagnosis).
// Keywords are matched as whole tokens, case-insensitively; unknown ones are kept verbatim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/reply.hpp"

namespace smtpdoctor {

struct Capabilities {
  std::string greeting_domain;        // first word of the EHLO reply's first line
  std::string greeting_text;          // rest of the first line
  std::optional<std::uint64_t> size;  // SIZE n; present with 0 means "no fixed limit"
  bool size_advertised = false;
  std::vector<std::string> auth;  // mechanisms, upper-cased, from AUTH and the old AUTH= form
  bool pipelining = false;
  bool eightbitmime = false;
  bool smtputf8 = false;
  bool dsn = false;
  bool chunking = false;
  bool binarymime = false;
  bool enhancedstatuscodes = false;
  bool starttls = false;
  bool requiretls = false;
  std::vector<std::string> unknown;   // other lines, verbatim
  std::vector<std::string> keywords;  // every keyword seen, upper-cased, in order

  bool has_auth(std::string_view mechanism) const;  // case-insensitive
  // The server's message size limit: SIZE n with n > 0; nullopt when SIZE is absent, has no
  // number, or is 0 (RFC 1870: no fixed maximum).
  std::optional<std::uint64_t> size_limit() const;
};

// Parses the reply to EHLO (a 250 reply). Lines after the first are "KEYWORD [params]".
Capabilities parse_capabilities(const Reply& ehlo_reply);

// A one-line meaning of a capability keyword for the human report ("PIPELINING" -> "the client
// may send several commands without waiting for each reply (RFC 2920)"). Empty when unknown.
std::string_view capability_meaning(std::string_view keyword);

}  // namespace smtpdoctor
