// --proxy URL and --proxy-password-env VAR, shared by `check` and `send`: the URL parsed
// (core/net/proxy_protocol.hpp; a password inside it is refused, argv being visible to every
// user), the password taken from the variable only.
#pragma once

#include <optional>
#include <string>

#include "core/net/proxy_protocol.hpp"

namespace smtpdoctor::cli {

struct ProxyFlags {
  std::string url;           // --proxy
  std::string password_env;  // --proxy-password-env
};

// nullopt when --proxy was not given; a usage error (exit 2, naming the option) when the URL is
// bad, the variable is unset or empty, a password is given without a user, or SOCKS4a is asked
// for a password it cannot carry.
std::optional<ProxyConfig> proxy_from_flags(const ProxyFlags& flags);

}  // namespace smtpdoctor::cli
