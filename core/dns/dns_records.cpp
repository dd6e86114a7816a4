#include "core/dns/dns_records.hpp"

#include <string>

namespace smtpdoctor {

std::string_view dns_status_name(DnsStatus status) {
  switch (status) {
    case DnsStatus::ok:
      return "ok";
    case DnsStatus::nxdomain:
      return "nxdomain";
    case DnsStatus::nodata:
      return "nodata";
    case DnsStatus::servfail:
      return "servfail";
    case DnsStatus::refused:
      return "refused";
    case DnsStatus::timeout:
      return "timeout";
    case DnsStatus::unreachable:
      return "unreachable";
    case DnsStatus::error:
      return "error";
  }
  return "error";
}

std::string_view dnssec_state_name(DnssecState state) {
  switch (state) {
    case DnssecState::secure:
      return "secure";
    case DnssecState::insecure:
      return "insecure";
    case DnssecState::bogus:
      return "bogus";
    case DnssecState::unknown:
      break;
  }
  return "unknown";
}

namespace {

class DnsCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "dns"; }
  std::string message(int value) const override {
    switch (DnsStatus(value)) {
      case DnsStatus::ok:
        return "success";
      case DnsStatus::nxdomain:
        return "the domain does not exist (NXDOMAIN)";
      case DnsStatus::nodata:
        return "the name has no records of this type (NODATA)";
      case DnsStatus::servfail:
        return "the DNS server failed to answer (SERVFAIL)";
      case DnsStatus::refused:
        return "the DNS server refused the query (REFUSED)";
      case DnsStatus::timeout:
        return "the DNS server did not answer in time";
      case DnsStatus::unreachable:
        return "the DNS server could not be reached";
      case DnsStatus::error:
        return "DNS lookup failed";
    }
    return "DNS lookup failed";
  }
};

}  // namespace

std::error_code make_error_code(DnsStatus status) {
  static const DnsCategory category;
  return {int(status), category};
}

Error dns_error(DnsStatus status, std::string detail) {
  Error error;
  error.kind = status == DnsStatus::timeout ? ErrorKind::timeout : ErrorKind::resolve;
  error.stage = Stage::resolve;
  error.message = detail.empty() ? make_error_code(status).message() : std::move(detail);
  error.code = make_error_code(status);
  return error;
}

}  // namespace smtpdoctor
