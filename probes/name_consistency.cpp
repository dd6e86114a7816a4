#include "probes/name_consistency.hpp"

#include <algorithm>

#include "core/base/ascii.hpp"
#include "core/dns/dns_name.hpp"

namespace smtpdoctor {
namespace {

// Host names compare without case and without the root dot.
std::string normal(std::string_view name) {
  return ascii::lower(without_trailing_dot(std::string(name)));
}

bool in(const std::vector<std::string>& names, const std::string& name) {
  auto n = normal(name);
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& other) { return normal(other) == n; });
}

bool covered_by_certificate(const std::vector<std::string>& cert_names, const std::string& host) {
  return std::any_of(cert_names.begin(), cert_names.end(), [&](const std::string& pattern) {
    return certificate_name_matches(pattern, host);
  });
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::string first_word(const std::string& line) {
  auto start = line.find_first_not_of(' ');
  if (start == std::string::npos) return {};
  auto end = line.find(' ', start);
  return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool certificate_name_matches(const std::string& pattern_in, const std::string& host_in) {
  std::string pattern = normal(pattern_in), host = normal(host_in);
  if (pattern.empty() || host.empty()) return false;
  if (pattern.rfind("*.", 0) != 0) return pattern == host;
  auto dot = host.find('.');
  if (dot == std::string::npos || dot == 0) return false;
  return host.substr(dot) == pattern.substr(1);
}

NameConsistency name_consistency(const NameEvidence& e) {
  NameConsistency out;
  const std::string banner = normal(e.banner_host), ehlo = normal(e.ehlo_host);
  const std::string asked = normal(e.asked_host);

  if (!banner.empty()) {
    if (banner == "localhost" || banner == "localhost.localdomain" ||
        banner.find('.') == std::string::npos) {
      out.status = ProbeStatus::warn;
      out.notes.push_back("the banner names \"" + e.banner_host +
                          "\", not a fully qualified host name: the server's myhostname is "
                          "unset or wrong");
    } else {
      bool by_ptr = in(e.ptr_names, banner);
      bool by_cert = covered_by_certificate(e.cert_names, banner);
      if (!e.ptr_names.empty() && !by_ptr)
        out.notes.push_back("the banner names " + e.banner_host + " but the address's PTR is " +
                            join(e.ptr_names));
      if (!e.cert_names.empty() && !by_cert)
        out.notes.push_back("the banner names " + e.banner_host + " but the certificate is for " +
                            join(e.cert_names));
      if (!e.ptr_names.empty() && !e.cert_names.empty() && !by_ptr && !by_cert && banner != asked) {
        out.status = ProbeStatus::warn;
        out.notes.push_back("neither the PTR nor the certificate vouches for the banner name " +
                            e.banner_host);
      }
    }
  }
  if (!banner.empty() && !ehlo.empty() && banner != ehlo)
    out.notes.push_back("the banner says " + e.banner_host + " but the EHLO reply says " +
                        e.ehlo_host + " (usual behind a load balancer)");
  if (!asked.empty() && !e.cert_names.empty() && !covered_by_certificate(e.cert_names, asked))
    out.notes.push_back("the certificate does not name " + e.asked_host +
                        ", the host asked for (it names " + join(e.cert_names) + ")");
  if (!asked.empty() && !e.ptr_names.empty() && !in(e.ptr_names, asked) &&
      (banner.empty() || banner != asked))
    out.notes.push_back("the PTR of the address (" + join(e.ptr_names) + ") is not " +
                        e.asked_host);
  return out;
}

}  // namespace smtpdoctor
