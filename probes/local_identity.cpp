#include "probes/local_identity.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <cstring>

namespace smtpdoctor {

std::string this_host_name(bool may_resolve) {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "localhost";
  std::string name(buffer);
  if (name.find('.') != std::string::npos || !may_resolve) return name;
  addrinfo hints{};
  hints.ai_flags = AI_CANONNAME;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* info = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &info) == 0 && info) {
    if (info->ai_canonname && std::strchr(info->ai_canonname, '.')) name = info->ai_canonname;
    freeaddrinfo(info);
  }
  return name;
}

}  // namespace smtpdoctor
