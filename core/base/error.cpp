#include "core/base/error.hpp"

namespace smtpdoctor {

Error make_error(ErrorKind kind, Stage stage, std::string message, std::error_code code) {
  Error e;
  e.kind = kind;
  e.stage = stage;
  e.message = std::move(message);
  e.code = code;
  return e;
}

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::network:
      return "network";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::protocol:
      return "protocol";
    case ErrorKind::tls:
      return "tls";
    case ErrorKind::rejected:
      return "rejected";
    case ErrorKind::unsupported:
      return "unsupported";
    case ErrorKind::usage:
      return "usage";
    case ErrorKind::cancelled:
      return "cancelled";
    case ErrorKind::resolve:
      return "resolve";
  }
  return "unknown";
}

}  // namespace smtpdoctor
