#include "core/net/proxy_protocol.hpp"

#include <arpa/inet.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "core/smtp/sasl.hpp"

namespace smtpdoctor {
namespace {

constexpr std::size_t kMaxReasonPhrase = 200;

Error usage(std::string message) {
  return make_error(ErrorKind::usage, Stage::connect, std::move(message));
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

void put_port(std::string& out, std::uint16_t port) {
  out.push_back(char(port >> 8));
  out.push_back(char(port & 0xFF));
}

std::uint16_t get_port(std::string_view two) {
  return std::uint16_t((std::uint8_t(two[0]) << 8) | std::uint8_t(two[1]));
}

std::optional<std::array<unsigned char, 4>> ipv4(std::string_view host) {
  std::array<unsigned char, 4> out{};
  std::string text(host);
  if (inet_pton(AF_INET, text.c_str(), out.data()) != 1) return std::nullopt;
  return out;
}

std::optional<std::array<unsigned char, 16>> ipv6(std::string_view host) {
  std::array<unsigned char, 16> out{};
  std::string text(host);
  if (inet_pton(AF_INET6, text.c_str(), out.data()) != 1) return std::nullopt;
  return out;
}

template <typename T>
ProxyParse<T> need(std::size_t bytes) {
  ProxyParse<T> out;
  out.state = ParseState::need_more;
  out.needed = bytes;
  return out;
}

template <typename T>
ProxyParse<T> invalid(std::string why) {
  ProxyParse<T> out;
  out.state = ParseState::invalid;
  out.error = std::move(why);
  return out;
}

template <typename T>
ProxyParse<T> complete(T value, std::size_t length) {
  ProxyParse<T> out;
  out.state = ParseState::complete;
  out.needed = length;
  out.value = std::move(value);
  return out;
}

std::string hex_octet(std::uint8_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[value >> 4] + kDigits[value & 0xF];
}

}  // namespace

std::string_view proxy_scheme(ProxyKind kind) {
  switch (kind) {
    case ProxyKind::socks5:
      return "socks5";
    case ProxyKind::socks5h:
      return "socks5h";
    case ProxyKind::socks4a:
      return "socks4a";
    case ProxyKind::http:
      return "http";
  }
  return "socks5";
}

std::string ProxyConfig::display() const {
  std::string out = std::string(proxy_scheme(kind)) + "://";
  if (!user.empty()) out += user + "@";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return out + ":" + std::to_string(port);
}

std::string_view proxy_failure_kind_name(ProxyFailureKind kind) {
  switch (kind) {
    case ProxyFailureKind::unreachable:
      return "unreachable";
    case ProxyFailureKind::auth_required:
      return "auth_required";
    case ProxyFailureKind::auth_failed:
      return "auth_failed";
    case ProxyFailureKind::target_failed:
      return "target_failed";
    case ProxyFailureKind::protocol:
      return "protocol";
  }
  return "protocol";
}

Result<ProxyConfig> parse_proxy_url(std::string_view url) {
  ProxyConfig config;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return usage("'" + std::string(url) +
                 "' is not a proxy URL: expected socks5://, socks5h://, socks4a:// or http:// "
                 "followed by [USER@]HOST:PORT");
  std::string scheme(url.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (scheme == "socks5") {
    config.kind = ProxyKind::socks5;
  } else if (scheme == "socks5h") {
    config.kind = ProxyKind::socks5h;
  } else if (scheme == "socks4a") {
    config.kind = ProxyKind::socks4a;
  } else if (scheme == "http") {
    config.kind = ProxyKind::http;
  } else {
    return usage("unsupported proxy scheme '" + scheme +
                 "' (socks5, socks5h, socks4a or http; https:// proxies are not supported)");
  }
  std::string_view rest = url.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos || rest.find('?') != std::string_view::npos)
    return usage("a proxy URL has no path: " + std::string(proxy_scheme(config.kind)) +
                 "://[USER@]HOST:PORT");
  if (has_control(rest)) return usage("no line breaks allowed in the proxy URL");
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (userinfo.find(':') != std::string_view::npos)
      return usage(
          "the proxy URL holds a password, and the command line is visible to every user of this "
          "machine: write USER@HOST:PORT and give the password with --proxy-password-env VAR");
    if (userinfo.empty()) return usage("empty user name before '@' in the proxy URL");
    config.user = std::string(userinfo);
  }
  std::string_view host;
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return usage("unclosed '[' in the proxy URL");
    host = rest.substr(1, close - 1);
    if (!ipv6(host)) return usage("'" + std::string(host) + "' is not an IPv6 address");
    if (close + 1 >= rest.size() || rest[close + 1] != ':')
      return usage("the proxy URL needs a port: [" + std::string(host) + "]:PORT");
    port_text = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos)
      return usage("the proxy URL needs a port: " + std::string(proxy_scheme(config.kind)) + "://" +
                   std::string(rest) + ":PORT");
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return usage("write an IPv6 proxy address in brackets: [" + std::string(host) + "]:PORT");
  }
  if (host.empty()) return usage("the proxy URL names no host");
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return usage("'" + std::string(port_text) + "' is not a port number (1-65535)");
  config.host = std::string(host);
  config.port = std::uint16_t(port);
  return config;
}

// ---- SOCKS5 ---------------------------------------------------------------------------------

std::string socks5_greeting(bool with_login) {
  std::string out{char(5)};
  if (with_login) {
    out += char(2);
    out += char(kSocks5NoAuth);
    out += char(kSocks5UserPassword);
  } else {
    out += char(1);
    out += char(kSocks5NoAuth);
  }
  return out;
}

ProxyParse<std::uint8_t> parse_socks5_method(std::string_view bytes) {
  if (bytes.size() < 2) return need<std::uint8_t>(2);
  if (bytes[0] != 5)
    return invalid<std::uint8_t>("not a SOCKS5 proxy: it answered version " +
                                 hex_octet(std::uint8_t(bytes[0])) + " to the greeting");
  return complete(std::uint8_t(bytes[1]), 2);
}

Result<std::string> socks5_login(std::string_view user, std::string_view password) {
  if (user.empty() || user.size() > 255 || password.size() > 255)
    return usage("a SOCKS5 user name and password are 1 to 255 octets each (RFC 1929)");
  std::string out{char(1)};
  out += char(user.size());
  out += user;
  out += char(password.size());
  out += password;
  return out;
}

ProxyParse<bool> parse_socks5_login_reply(std::string_view bytes) {
  if (bytes.size() < 2) return need<bool>(2);
  // RFC 1929 says version 1; some proxies echo 5. Either way the status decides.
  if (bytes[0] != 1 && bytes[0] != 5)
    return invalid<bool>("the proxy answered the login with version " +
                         hex_octet(std::uint8_t(bytes[0])));
  return complete(bytes[1] == 0, 2);
}

Result<std::string> socks5_connect_request(std::string_view host, std::uint16_t port) {
  std::string out{char(5), char(1), char(0)};
  if (auto v4 = ipv4(host)) {
    out += char(1);
    out.append(reinterpret_cast<const char*>(v4->data()), v4->size());
  } else if (auto v6 = ipv6(host)) {
    out += char(4);
    out.append(reinterpret_cast<const char*>(v6->data()), v6->size());
  } else {
    if (host.empty() || host.size() > 255 || has_control(host))
      return usage("a SOCKS5 host name is 1 to 255 octets without line breaks");
    out += char(3);
    out += char(host.size());
    out += host;
  }
  put_port(out, port);
  return out;
}

ProxyParse<Socks5Reply> parse_socks5_reply(std::string_view bytes) {
  if (bytes.size() < 4) return need<Socks5Reply>(4);
  if (bytes[0] != 5)
    return invalid<Socks5Reply>("not a SOCKS5 reply: version " + hex_octet(std::uint8_t(bytes[0])));
  Socks5Reply reply;
  reply.code = std::uint8_t(bytes[1]);
  std::size_t address_length = 0;
  std::size_t offset = 4;
  switch (std::uint8_t(bytes[3])) {
    case 1:
      address_length = 4;
      break;
    case 4:
      address_length = 16;
      break;
    case 3:
      if (bytes.size() < 5) return need<Socks5Reply>(5);
      address_length = std::uint8_t(bytes[4]);
      offset = 5;
      break;
    default:
      // A failure reply may come with a zeroed ATYP from sloppy proxies: the code is what
      // matters then, and the reply is taken as it is.
      if (reply.code != 0) return complete(reply, 4);
      return invalid<Socks5Reply>("SOCKS5 reply with unknown address type " +
                                  hex_octet(std::uint8_t(bytes[3])));
  }
  const std::size_t total = offset + address_length + 2;
  if (bytes.size() < total) return need<Socks5Reply>(total);
  std::string_view address = bytes.substr(offset, address_length);
  char text[64] = {};
  if (bytes[3] == 1)
    inet_ntop(AF_INET, address.data(), text, sizeof text);
  else if (bytes[3] == 4)
    inet_ntop(AF_INET6, address.data(), text, sizeof text);
  reply.bound_address = bytes[3] == 3 ? std::string(address) : std::string(text);
  reply.bound_port = get_port(bytes.substr(offset + address_length, 2));
  return complete(reply, total);
}

std::string socks5_reply_words(std::uint8_t code) {
  switch (code) {
    case 0:
      return "succeeded";
    case 1:
      return "general SOCKS server failure (the proxy could not connect to the target)";
    case 2:
      return "connection not allowed by the proxy's rules";
    case 3:
      return "network unreachable from the proxy";
    case 4:
      return "host unreachable from the proxy";
    case 5:
      return "the target refused the connection (nothing listens on that port)";
    case 6:
      return "TTL expired: the target did not answer the proxy in time";
    case 7:
      return "the proxy does not support CONNECT";
    case 8:
      return "the proxy does not support this address type";
    default:
      return "unknown SOCKS5 reply code";
  }
}

TcpOutcome socks5_reply_outcome(std::uint8_t code) {
  switch (code) {
    case 0:
      return TcpOutcome::connected;
    case 5:
      return TcpOutcome::refused;
    case 3:
    case 4:
      return TcpOutcome::unreachable;
    case 6:
      return TcpOutcome::timed_out;
    default:
      return TcpOutcome::failed;
  }
}

// ---- SOCKS4a --------------------------------------------------------------------------------

Result<std::string> socks4a_connect_request(std::string_view host, std::uint16_t port,
                                            std::string_view user_id) {
  if (ipv6(host)) return usage("SOCKS4a cannot carry an IPv6 address: use socks5://");
  if (has_control(user_id) || has_control(host) || host.empty() || host.size() > 255)
    return usage("a SOCKS4a host name is 1 to 255 octets, without line breaks or NUL");
  std::string out{char(4), char(1)};
  put_port(out, port);
  auto v4 = ipv4(host);
  if (v4) {
    out.append(reinterpret_cast<const char*>(v4->data()), v4->size());
  } else {
    out.append({char(0), char(0), char(0), char(1)});  // 0.0.0.x: the name follows
  }
  out += user_id;
  out += char(0);
  if (!v4) {
    out += host;
    out += char(0);
  }
  return out;
}

ProxyParse<std::uint8_t> parse_socks4_reply(std::string_view bytes) {
  if (bytes.size() < 8) return need<std::uint8_t>(8);
  // VN is 0 in the protocol; some servers answer 4.
  if (bytes[0] != 0 && bytes[0] != 4)
    return invalid<std::uint8_t>("not a SOCKS4 reply: version " +
                                 hex_octet(std::uint8_t(bytes[0])));
  return complete(std::uint8_t(bytes[1]), 8);
}

std::string socks4_reply_words(std::uint8_t code) {
  switch (code) {
    case 90:
      return "granted";
    case 91:
      return "rejected or failed (the proxy could not or would not connect to the target)";
    case 92:
      return "rejected: the proxy cannot reach our identd";
    case 93:
      return "rejected: identd reports another user id";
    default:
      return "unknown SOCKS4 reply code";
  }
}

// ---- HTTP CONNECT ---------------------------------------------------------------------------

Result<std::string> http_connect_request(std::string_view host, std::uint16_t port,
                                         std::string_view user, std::string_view password) {
  if (has_control(host) || has_control(user) || has_control(password) || host.empty())
    return usage("no line breaks allowed in the proxy's host, user or password");
  std::string authority = ipv6(host) ? "[" + std::string(host) + "]" : std::string(host);
  authority += ":" + std::to_string(port);
  std::string out = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  if (!user.empty())
    out += "Proxy-Authorization: Basic " +
           base64_encode(std::string(user) + ":" + std::string(password)) + "\r\n";
  out += "\r\n";
  return out;
}

ProxyParse<HttpConnectReply> parse_http_connect_reply(std::string_view bytes) {
  // The head ends at an empty line; a proxy that ends lines with a bare LF is taken too.
  std::size_t end = std::string_view::npos;
  std::size_t head = 0;
  if (auto crlf = bytes.find("\r\n\r\n"); crlf != std::string_view::npos) {
    end = crlf + 4;
    head = crlf;
  }
  if (auto lf = bytes.find("\n\n"); lf != std::string_view::npos && lf + 2 < end) {
    end = lf + 2;
    head = lf;
  }
  if (end == std::string_view::npos) {
    if (bytes.size() >= kMaxHttpConnectReply)
      return invalid<HttpConnectReply>("the proxy's HTTP response head is longer than " +
                                       std::to_string(kMaxHttpConnectReply) + " octets");
    // Not even the status line's start: no HTTP proxy answers like that.
    const std::string_view prefix = "HTTP/";
    const std::size_t n = std::min(bytes.size(), prefix.size());
    if (bytes.substr(0, n) != prefix.substr(0, n))
      return invalid<HttpConnectReply>("not an HTTP proxy: its answer does not start with HTTP/");
    return need<HttpConnectReply>(bytes.size() + 1);
  }
  if (end > kMaxHttpConnectReply)
    return invalid<HttpConnectReply>("the proxy's HTTP response head is longer than " +
                                     std::to_string(kMaxHttpConnectReply) + " octets");
  std::string_view text = bytes.substr(0, head);
  auto line_end = text.find('\n');
  std::string_view status_line = text.substr(0, line_end);
  if (!status_line.empty() && status_line.back() == '\r') status_line.remove_suffix(1);
  // HTTP/1.x SP 3DIGIT [SP reason]
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      !std::isdigit(static_cast<unsigned char>(status_line[9])) ||
      !std::isdigit(static_cast<unsigned char>(status_line[10])) ||
      !std::isdigit(static_cast<unsigned char>(status_line[11])) ||
      (status_line.size() > 12 && status_line[12] != ' '))
    return invalid<HttpConnectReply>("not an HTTP status line");
  HttpConnectReply reply;
  reply.status =
      (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
  if (reply.status < 100)
    return invalid<HttpConnectReply>("HTTP status " + std::to_string(reply.status));
  std::string_view reason = status_line.size() > 13 ? status_line.substr(13) : "";
  for (char c : reason.substr(0, kMaxReasonPhrase))
    reply.reason += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
  std::string_view headers = line_end == std::string_view::npos ? "" : text.substr(line_end + 1);
  while (!headers.empty()) {
    auto next = headers.find('\n');
    std::string_view line = headers.substr(0, next);
    headers = next == std::string_view::npos ? "" : headers.substr(next + 1);
    constexpr std::string_view kAuth = "proxy-authenticate:";
    if (line.size() >= kAuth.size()) {
      bool match = true;
      for (std::size_t i = 0; i < kAuth.size() && match; ++i)
        match = std::tolower(static_cast<unsigned char>(line[i])) == kAuth[i];
      if (match) reply.proxy_authenticate = true;
    }
  }
  return complete(reply, end);
}

std::string http_connect_status_words(int status, std::string_view reason) {
  std::string out = "HTTP " + std::to_string(status);
  if (!reason.empty()) out += " " + std::string(reason);
  switch (status) {
    case 403:
      return out + ": the proxy does not allow this host or port";
    case 401:  // tinyproxy answers a CONNECT without its BasicAuth login so
    case 407:
      return out + ": the proxy requires a login";
    case 400:
    case 405:
      return out + ": the proxy does not take CONNECT requests";
    case 500:  // tinyproxy: "Unable to connect"
    case 502:
    case 503:
      return out + ": the proxy could not connect to the target";
    case 504:
      return out + ": the target did not answer the proxy in time";
    default:
      return out + ": the proxy refused the tunnel";
  }
}

bool http_status_wants_login(int status) {
  return status == 407 || status == 401;
}

TcpOutcome http_status_outcome(int status) {
  if (status >= 200 && status < 300) return TcpOutcome::connected;
  if (status == 504) return TcpOutcome::timed_out;
  return TcpOutcome::failed;
}

}  // namespace smtpdoctor
