#include "core/report/render_openmetrics.hpp"

#include <cstdio>
#include <ctime>
#include <functional>
#include <optional>
#include <set>

namespace smtpdoctor {
namespace {

// Label values escape backslash, double quote and line feed (the exposition format's rule).
std::string label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string labels(const Report& report, const ProbeResult* probe) {
  std::string out = "target=\"" + label_value(report.target) + "\"";
  if (probe) {
    out += ",host=\"" + label_value(probe->target.host) + "\"";
    out += ",port=\"" + std::to_string(probe->target.port) + "\"";
    if (!probe->target.address.empty())
      out += ",address=\"" + label_value(probe->target.address) + "\"";
    out += ",probe=\"" + std::string(probe_name(probe->id)) + "\"";
  }
  return "{" + out + "}";
}

int status_value(ProbeStatus status) {
  switch (status) {
    case ProbeStatus::ok:
      return 0;
    case ProbeStatus::warn:
      return 1;
    case ProbeStatus::fail:
      return 2;
    case ProbeStatus::skip:
      return 3;
  }
  return 3;
}

// "2027-01-01T00:00:00Z" -> seconds since the epoch.
std::optional<long long> epoch_seconds(const std::string& iso) {
  std::tm tm{};
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(timegm(&tm));
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

// One family: its HELP and TYPE, then its samples. A series that would repeat (the credential
// comparison is a second auth result on the same port) keeps its first value: a scrape must not
// hold one series twice.
void family(std::string& out, std::string_view name, std::string_view help,
            const std::function<void(std::string& out)>& samples) {
  out += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
  out += "# TYPE " + std::string(name) + " gauge\n";
  std::string lines;
  samples(lines);
  std::set<std::string> seen;
  std::size_t start = 0;
  while (start < lines.size()) {
    std::size_t end = lines.find('\n', start);
    std::string line = lines.substr(start, end - start + 1);
    if (seen.insert(line.substr(0, line.rfind(' '))).second) out += line;
    start = end + 1;
  }
}

}  // namespace

std::string render_openmetrics(const std::vector<const Report*>& reports) {
  std::string out;
  family(out, "smtpdoctor_probe_status", "Probe outcome: 0 ok, 1 warning, 2 failed, 3 skipped.",
         [&](std::string& o) {
           for (const Report* r : reports)
             for (const auto& p : r->probes)
               o += "smtpdoctor_probe_status" + labels(*r, &p) + " " +
                    std::to_string(status_value(p.status)) + "\n";
         });
  family(out, "smtpdoctor_probe_duration_seconds", "How long the probe took.", [&](std::string& o) {
    for (const Report* r : reports)
      for (const auto& p : r->probes)
        o += "smtpdoctor_probe_duration_seconds" + labels(*r, &p) + " " +
             number(double(p.duration.count()) / 1000) + "\n";
  });
  family(out, "smtpdoctor_tls_certificate_expiry_timestamp_seconds",
         "When the server certificate expires (notAfter), seconds since the epoch.",
         [&](std::string& o) {
           for (const Report* r : reports)
             for (const auto& p : r->probes) {
               if (p.id != ProbeId::tls || !p.details.contains("not_after")) continue;
               const auto& not_after = p.details["not_after"];
               if (!not_after.is_string()) continue;
               if (auto at = epoch_seconds(not_after.get<std::string>()))
                 o += "smtpdoctor_tls_certificate_expiry_timestamp_seconds" + labels(*r, &p) + " " +
                      std::to_string(*at) + "\n";
             }
         });
  // 0 with the reason as a label, so an alert on an --insecure run can say what was wrong.
  family(out, "smtpdoctor_tls_verified",
         "1 when the TLS session was verified (certificate chain, name, version); 0 with the "
         "reason in the problem label.",
         [&](std::string& o) {
           for (const Report* r : reports)
             for (const auto& p : r->probes) {
               if (p.id != ProbeId::tls || !p.details.contains("verified")) continue;
               const bool verified = p.details["verified"] == true;
               std::string sample = labels(*r, &p);
               if (!verified && p.details.contains("verify_problem") &&
                   p.details["verify_problem"].is_string()) {
                 sample.pop_back();
                 sample += ",problem=\"not verified: " +
                           label_value(p.details["verify_problem"].get<std::string>()) + "\"}";
               }
               o += "smtpdoctor_tls_verified" + sample + (verified ? " 1\n" : " 0\n");
             }
         });
  family(out, "smtpdoctor_check_success", "1 when no probe of the target failed.",
         [&](std::string& o) {
           for (const Report* r : reports)
             o += "smtpdoctor_check_success" + labels(*r, nullptr) + " " +
                  (compute_verdict(*r) == Verdict::ok || compute_verdict(*r) == Verdict::warn
                       ? "1"
                       : "0") +
                  "\n";
         });
  out += "# EOF\n";
  return out;
}

}  // namespace smtpdoctor
