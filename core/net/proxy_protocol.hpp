// The proxy handshakes as pure functions: what `--proxy URL` names, the bytes we send to a SOCKS5
// (RFC 1928, login RFC 1929), SOCKS4a or HTTP CONNECT (RFC 9110 §9.3.6) proxy, and the parsers
// of what it answers. No I/O here: core/net/proxy_handshake.cpp runs them on the socket under the
// connect deadline, and tests/fuzz feeds the parsers hostile bytes.
//
// Every parser takes the bytes read so far and says whether it needs more (and how many, so the
// reader never reads past the proxy's reply into the tunnelled server's first bytes), has a
// complete reply, or the bytes are not that reply at all. Replies are bounded: SOCKS replies by
// their format (at most 262 octets), an HTTP CONNECT response by kMaxHttpConnectReply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.hpp"
#include "core/net/tcp_outcome.hpp"

namespace smtpdoctor {

// socks5: we resolve the target name and hand the proxy an address; socks5h, socks4a and http:
// the proxy resolves the name (so a name only the proxy's network knows works).
enum class ProxyKind { socks5, socks5h, socks4a, http };

std::string_view proxy_scheme(ProxyKind kind);  // "socks5", "socks5h", "socks4a", "http"

struct ProxyConfig {
  ProxyKind kind = ProxyKind::socks5;
  std::string host;  // name or IP literal (IPv6 without brackets)
  std::uint16_t port = 1080;
  std::string user;      // SOCKS5 login / SOCKS4a user id / HTTP Basic user; empty: none
  std::string password;  // from --proxy-password-env only; never shown
  bool resolves_remotely() const { return kind != ProxyKind::socks5; }
  // "socks5://alice@127.0.0.1:1080": for reports and messages; never holds the password.
  std::string display() const;
};

// Parses --proxy: SCHEME://[USER@]HOST:PORT with an optional trailing "/". The port is required
// (there is no default worth guessing). A password in the URL is refused: the command line is
// visible to every user of the machine (ps, /proc), so it comes from --proxy-password-env.
Result<ProxyConfig> parse_proxy_url(std::string_view url);

// How a proxied connect failed, typed: the report keeps the proxy's failures apart from the
// target's own (a refused port seen through a proxy is what the proxy saw, from its network).
enum class ProxyFailureKind {
  unreachable,    // no TCP connection to the proxy itself
  auth_required,  // the proxy wants a login and none was given
  auth_failed,    // the proxy refused the login given
  target_failed,  // the proxy is fine but could not reach the target (SOCKS reply / HTTP status)
  protocol,       // the proxy's answer is not the protocol named (wrong scheme, garbage)
};

std::string_view proxy_failure_kind_name(ProxyFailureKind kind);  // "unreachable", ...

struct ProxyFailure {
  ProxyFailureKind kind = ProxyFailureKind::protocol;
  std::string proxy;        // ProxyConfig::display()
  std::string reason;       // plain words: "SOCKS5 reply 5: the target refused the connection"
  std::optional<int> code;  // the SOCKS reply code or the HTTP status, when the proxy sent one
  // target_failed: how the target's connect ended as far as the proxy tells (refused, timed out,
  // unreachable, failed); the port-25 verdict reads it as seen from the proxy's network.
  TcpOutcome target_outcome = TcpOutcome::failed;
};

// ---- parsing results ------------------------------------------------------------------------

enum class ParseState { need_more, complete, invalid };

template <typename T>
struct ProxyParse {
  ParseState state = ParseState::need_more;
  std::size_t needed = 0;  // need_more: the total length the reply has at least
  T value{};
  std::string error;  // invalid: why, in plain words
};

// ---- SOCKS5 (RFC 1928) and its login (RFC 1929) ---------------------------------------------

inline constexpr std::uint8_t kSocks5NoAuth = 0x00;
inline constexpr std::uint8_t kSocks5UserPassword = 0x02;
inline constexpr std::uint8_t kSocks5NoAcceptable = 0xFF;

// Version 5 and the methods we offer: no authentication, and username/password when we have a
// user name.
std::string socks5_greeting(bool with_login);
// The method the proxy chose (2 octets: version, method).
ProxyParse<std::uint8_t> parse_socks5_method(std::string_view bytes);
// RFC 1929 sub-negotiation: version 1, user, password (each 1..255 octets). Error: too long.
Result<std::string> socks5_login(std::string_view user, std::string_view password);
// Its answer: true when status 0 (success).
ProxyParse<bool> parse_socks5_login_reply(std::string_view bytes);
// CONNECT to host:port: an IPv4/IPv6 literal goes as an address, anything else as a domain
// name (at most 255 octets) for the proxy to resolve. Error: the name is too long or empty.
Result<std::string> socks5_connect_request(std::string_view host, std::uint16_t port);

struct Socks5Reply {
  std::uint8_t code = 0;  // REP: 0 succeeded
  std::string bound_address;
  std::uint16_t bound_port = 0;
};
// Version 5, REP, RSV, ATYP, BND.ADDR, BND.PORT; needed grows once ATYP (and a name's length)
// is known.
ProxyParse<Socks5Reply> parse_socks5_reply(std::string_view bytes);
// REP in plain words ("the target refused the connection"); unknown codes say so.
std::string socks5_reply_words(std::uint8_t code);
// How a refused CONNECT reads as the target's TCP outcome: 5 refused, 3/4 unreachable,
// 6 timed out, the rest failed.
TcpOutcome socks5_reply_outcome(std::uint8_t code);

// ---- SOCKS4a ---------------------------------------------------------------------------------

// CONNECT (VN 4, CD 1): an IPv4 literal as itself, a name as 0.0.0.1 with the name after the
// user id (the 4a extension). Error: an IPv6 literal (SOCKS4 has no IPv6), a NUL in a value.
Result<std::string> socks4a_connect_request(std::string_view host, std::uint16_t port,
                                            std::string_view user_id);
// The 8-octet reply; value = CD (90 granted, 91..93 refused).
ProxyParse<std::uint8_t> parse_socks4_reply(std::string_view bytes);
std::string socks4_reply_words(std::uint8_t code);

// ---- HTTP CONNECT ----------------------------------------------------------------------------

inline constexpr std::size_t kMaxHttpConnectReply = 16 * 1024;

// "CONNECT host:port HTTP/1.1", Host, and Proxy-Authorization: Basic when a user is given.
// An IPv6 literal goes in brackets. Error: CR, LF or NUL in a value.
Result<std::string> http_connect_request(std::string_view host, std::uint16_t port,
                                         std::string_view user, std::string_view password);

struct HttpConnectReply {
  int status = 0;
  std::string reason;               // the reason phrase, printable, bounded
  bool proxy_authenticate = false;  // a Proxy-Authenticate header came with it
};
// The status line and headers up to the empty line (CRLF or bare LF), at most
// kMaxHttpConnectReply octets; needed is one more octet while the head is not complete.
ProxyParse<HttpConnectReply> parse_http_connect_reply(std::string_view bytes);
// The status in plain words for a refused CONNECT ("403 Forbidden: the proxy does not allow
// this host or port").
std::string http_connect_status_words(int status, std::string_view reason);
// Whether a refused CONNECT's status asks for a proxy login: 407, and 401, which tinyproxy sends.
bool http_status_wants_login(int status);
// A refused CONNECT's status read as the target's TCP outcome: 504 timed out, the rest failed
// (500/502/503 are what tinyproxy and Squid send for "could not connect").
TcpOutcome http_status_outcome(int status);

}  // namespace smtpdoctor
