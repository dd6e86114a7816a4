#include "core/report/render_nagios.hpp"

#include <cctype>
#include <cstdio>
#include <map>
#include <set>

#include "core/report/terminal.hpp"

namespace smtpdoctor {
namespace {

// How many problems the status line names before "and N more": monitoring UIs show one line.
constexpr std::size_t kMaxNamedProblems = 3;

// The plugin output is one line, and '|' starts the performance data.
std::string plugin_text(std::string_view text) {
  std::string out = printable_line(text);
  for (char& c : out)
    if (c == '|') c = '/';
  return out;
}

std::string seconds(std::chrono::milliseconds duration) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3fs", double(duration.count()) / 1000);
  return buffer;
}

// Perfdata labels must be stable between runs for graphs: "<probe>_<port>" on one host,
// "<host>_<probe>_<port>" when several hosts (MX) were checked; quoted per the guidelines when
// they hold anything beyond [A-Za-z0-9_.-].
std::string perf_label(const ProbeResult& probe, bool several_hosts, bool with_address) {
  std::string label;
  if (several_hosts && !probe.target.host.empty()) label = probe.target.host + "_";
  label += probe_name(probe.id);
  if (probe.target.port != 0) label += "_" + std::to_string(probe.target.port);
  // The address only when one host:port was reached over several (IPv4 and IPv6).
  if (with_address && !probe.target.address.empty()) label += "_" + probe.target.address;
  bool plain = true;
  for (char c : label)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      plain = false;
  if (plain) return label;
  std::string quoted = "'";
  for (char c : label)
    if (c != '\'' && c != '=' && c != '|') quoted += c;
  return quoted + "'";
}

std::string perfdata(const Report& report) {
  std::set<std::string> hosts;
  for (const auto& probe : report.probes)
    if (!probe.target.host.empty()) hosts.insert(probe.target.host);
  bool several_hosts = hosts.size() > 1;

  std::string out = "time=" + seconds(report.duration) + ";;;0";
  std::map<std::string, std::set<std::string>> addresses;  // label without address -> addresses
  for (const auto& probe : report.probes)
    addresses[perf_label(probe, several_hosts, false)].insert(probe.target.address);

  std::set<std::string> used;
  for (const auto& probe : report.probes) {
    if (probe.status == ProbeStatus::skip) continue;
    bool with_address = addresses[perf_label(probe, several_hosts, false)].size() > 1;
    std::string label = perf_label(probe, several_hosts, with_address);
    if (!used.insert(label).second) continue;  // one value per label, or graphs jump
    out += " " + label + "=" + seconds(probe.duration) + ";;;0";
  }
  return out;
}

std::string problem_text(const Report& report, ProbeStatus wanted) {
  std::string out;
  std::size_t named = 0, more = 0;
  for (const auto& probe : report.probes) {
    if (probe.status != wanted) continue;
    if (named == kMaxNamedProblems) {
      ++more;
      continue;
    }
    if (named++) out += "; ";
    out += std::string(probe_name(probe.id));
    if (std::string target = format_target(probe.target); !target.empty()) out += " " + target;
    if (!probe.summary.empty()) out += ": " + probe.summary;
  }
  if (more) out += "; and " + std::to_string(more) + " more";
  return out;
}

}  // namespace

std::string_view nagios_state_name(int state) {
  switch (state) {
    case kNagiosOk:
      return "OK";
    case kNagiosWarning:
      return "WARNING";
    case kNagiosCritical:
      return "CRITICAL";
    default:
      return "UNKNOWN";
  }
}

int nagios_exit_code(const Report& report) {
  switch (compute_verdict(report)) {
    case Verdict::ok:
      return kNagiosOk;
    case Verdict::warn:
      return report.options.strict ? kNagiosCritical : kNagiosWarning;
    case Verdict::fail:
      return kNagiosCritical;
    case Verdict::error:
      return kNagiosUnknown;
  }
  return kNagiosUnknown;
}

std::string render_nagios(const Report& report) {
  int state = nagios_exit_code(report);
  StatusCounts counts = count_statuses(report);
  std::string tally = std::to_string(counts.ok) + " ok";
  if (counts.warn) tally += ", " + std::to_string(counts.warn) + " warning";
  if (counts.fail) tally += ", " + std::to_string(counts.fail) + " failed";
  if (counts.skip) tally += ", " + std::to_string(counts.skip) + " skipped";

  std::string text;
  if (report.interrupted) {
    text = "interrupted";
  } else if (report.run_error) {
    text = "could not run: " + *report.run_error;
  } else if (counts.fail > 0) {
    text = problem_text(report, ProbeStatus::fail) + "; " + tally;
  } else if (counts.warn > 0) {
    text = problem_text(report, ProbeStatus::warn) + "; " + tally;
  } else if (counts.ok == 0) {
    text = report.target + ": no probe ran; " + tally;
  } else {
    text = report.target + ": " + tally;
  }
  return "SMTP " + std::string(nagios_state_name(state)) + " - " + plugin_text(text) + " | " +
         perfdata(report) + "\n";
}

}  // namespace smtpdoctor
