#include "cli/proxy_option.hpp"

#include <cstdlib>

#include "cli/errors.hpp"
#include "cli/password.hpp"

namespace smtpdoctor::cli {

std::optional<ProxyConfig> proxy_from_flags(const ProxyFlags& flags) {
  if (flags.url.empty()) {
    if (!flags.password_env.empty()) usage_error("--proxy-password-env", "needs --proxy");
    return std::nullopt;
  }
  auto parsed = parse_proxy_url(flags.url);
  if (!parsed) usage_error("--proxy", parsed.error().message);
  ProxyConfig proxy = *parsed;
  if (flags.password_env.empty()) return proxy;
  if (proxy.user.empty())
    usage_error("--proxy-password-env", "a proxy password needs a user: write --proxy " +
                                            std::string(proxy_scheme(proxy.kind)) +
                                            "://USER@HOST:PORT");
  if (proxy.kind == ProxyKind::socks4a)
    usage_error("--proxy-password-env",
                "SOCKS4a carries a user id but no password: use socks5:// for a login");
  const char* value = std::getenv(flags.password_env.c_str());
  if (!value)
    usage_error("--proxy-password-env",
                "the environment variable " + flags.password_env + " is not set");
  std::string password = first_line(value);
  if (password.empty())
    usage_error("--proxy-password-env",
                "the environment variable " + flags.password_env + " is empty");
  if (password.size() > kMaxPasswordOctets)
    usage_error("--proxy-password-env", "the proxy password is longer than " +
                                            std::to_string(kMaxPasswordOctets) + " octets");
  proxy.password = std::move(password);
  return proxy;
}

}  // namespace smtpdoctor::cli
