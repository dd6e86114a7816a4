// What a --proxy answers (core/net/proxy_protocol.hpp): the first byte picks the parser (SOCKS5
// method choice, RFC 1929 login status, SOCKS5 CONNECT reply, SOCKS4 reply, HTTP CONNECT head),
// the rest is the proxy's bytes. Also the URL parser and the request builders on the rest taken
// as text, as a user could type it.
#include <string>

#include "core/net/proxy_protocol.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

// The reader's contract: need_more asks for more than it has; complete never needs more than it
// has, and every shorter prefix is need_more (or invalid) — so reading exactly `needed` octets
// at a time never reads past the reply into the tunnel.
template <typename Parse>
void exact_reads(std::string_view bytes, Parse parse) {
  auto whole = parse(bytes);
  if (whole.state == ParseState::need_more) SMTPDOCTOR_FUZZ_CHECK(whole.needed > bytes.size());
  if (whole.state == ParseState::invalid) SMTPDOCTOR_FUZZ_CHECK(!whole.error.empty());
  if (whole.state != ParseState::complete) return;
  SMTPDOCTOR_FUZZ_CHECK(whole.needed <= bytes.size());
  auto exact = parse(bytes.substr(0, whole.needed));
  SMTPDOCTOR_FUZZ_CHECK(exact.state == ParseState::complete && exact.needed == whole.needed);
  // Reading the way proxy_handshake does: from nothing, `needed` octets at a time.
  std::size_t have = 0;
  for (int steps = 0; steps < 20000; ++steps) {
    auto step = parse(bytes.substr(0, have));
    if (step.state == ParseState::complete) {
      SMTPDOCTOR_FUZZ_CHECK(step.needed == whole.needed);
      return;
    }
    SMTPDOCTOR_FUZZ_CHECK(step.state == ParseState::need_more);
    SMTPDOCTOR_FUZZ_CHECK(step.needed > have && step.needed <= whole.needed);
    have = step.needed;
  }
  SMTPDOCTOR_FUZZ_CHECK(false);
}

void http_head(std::string_view bytes) {
  exact_reads(bytes, parse_http_connect_reply);
  auto parsed = parse_http_connect_reply(bytes);
  if (parsed.state == ParseState::need_more)
    SMTPDOCTOR_FUZZ_CHECK(bytes.size() < kMaxHttpConnectReply);
  if (parsed.state != ParseState::complete) return;
  SMTPDOCTOR_FUZZ_CHECK(parsed.needed <= kMaxHttpConnectReply);
  SMTPDOCTOR_FUZZ_CHECK(parsed.value.status >= 100 && parsed.value.status <= 999);
  SMTPDOCTOR_FUZZ_CHECK(parsed.value.reason.size() <= 200);
  for (char c : parsed.value.reason)
    SMTPDOCTOR_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
  const std::string words = http_connect_status_words(parsed.value.status, parsed.value.reason);
  SMTPDOCTOR_FUZZ_CHECK(words.find('\n') == std::string::npos);
}

void url_and_requests(std::string_view text) {
  auto config = parse_proxy_url(text);
  if (config) {
    SMTPDOCTOR_FUZZ_CHECK(config->port != 0 && !config->host.empty());
    SMTPDOCTOR_FUZZ_CHECK(config->user.find(':') == std::string::npos);
    SMTPDOCTOR_FUZZ_CHECK(config->password.empty());
    auto again = parse_proxy_url(config->display());
    SMTPDOCTOR_FUZZ_CHECK(again && again->kind == config->kind && again->host == config->host &&
                          again->port == config->port && again->user == config->user);
  }
  // A host name as the target: the HTTP request is exactly its lines, nothing smuggled in.
  auto http = http_connect_request(text, 25, "", "");
  if (http) {
    std::size_t lines = 0;
    for (std::size_t at = http->find("\r\n"); at != std::string::npos;
         at = http->find("\r\n", at + 2))
      ++lines;
    SMTPDOCTOR_FUZZ_CHECK(lines == 3);
    SMTPDOCTOR_FUZZ_CHECK(http->find('\n') == http->find("\r\n") + 1);
  }
  auto socks = socks5_connect_request(text, 587);
  if (socks) {
    // The shortest request names a one-letter host: VER CMD RSV ATYP LEN "N" PORT = 8 octets.
    SMTPDOCTOR_FUZZ_CHECK(socks->size() >= 8 && (*socks)[0] == 5 && (*socks)[1] == 1);
    const auto atyp = static_cast<unsigned char>((*socks)[3]);
    SMTPDOCTOR_FUZZ_CHECK(atyp == 1 || atyp == 3 || atyp == 4);
    if (atyp == 1) SMTPDOCTOR_FUZZ_CHECK(socks->size() == 4 + 4 + 2);
    if (atyp == 4) SMTPDOCTOR_FUZZ_CHECK(socks->size() == 4 + 16 + 2);
    if (atyp == 3) {
      const auto length = static_cast<unsigned char>((*socks)[4]);
      SMTPDOCTOR_FUZZ_CHECK(length > 0 && socks->size() == 7 + std::size_t{length});
    }
  }
  auto socks4 = socks4a_connect_request(text, 465, "user");
  if (socks4) SMTPDOCTOR_FUZZ_CHECK(socks4->back() == '\0' && (*socks4)[0] == 4);
}

}  // namespace

void proxy_reply(std::string_view input) {
  if (input.empty()) return;
  const std::string_view bytes = input.substr(1);
  switch (static_cast<unsigned char>(input[0]) % 6) {
    case 0:
      exact_reads(bytes, parse_socks5_method);
      break;
    case 1:
      exact_reads(bytes, parse_socks5_login_reply);
      break;
    case 2: {
      exact_reads(bytes, parse_socks5_reply);
      auto reply = parse_socks5_reply(bytes);
      if (reply.state == ParseState::complete) {
        SMTPDOCTOR_FUZZ_CHECK(!socks5_reply_words(reply.value.code).empty());
        SMTPDOCTOR_FUZZ_CHECK(reply.needed <= 4 + 1 + 255 + 2);
      }
      break;
    }
    case 3:
      exact_reads(bytes, parse_socks4_reply);
      break;
    case 4:
      http_head(bytes);
      break;
    default:
      url_and_requests(bytes);
      break;
  }
}

}  // namespace smtpdoctor::fuzz
