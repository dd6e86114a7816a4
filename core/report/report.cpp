#include "core/report/report.hpp"

#include <utility>

#include "core/base/exit_code.hpp"
#include "core/base/version.hpp"

namespace smtpdoctor {

std::string_view status_name(ProbeStatus status) {
  switch (status) {
    case ProbeStatus::ok:
      return "ok";
    case ProbeStatus::warn:
      return "warn";
    case ProbeStatus::fail:
      return "fail";
    case ProbeStatus::skip:
      return "skip";
  }
  return "skip";
}

std::string_view status_glyph(ProbeStatus status) {
  switch (status) {
    case ProbeStatus::ok:
      return "✓";
    case ProbeStatus::warn:
      return "!";
    case ProbeStatus::fail:
      return "✗";
    case ProbeStatus::skip:
      return "–";
  }
  return "–";
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::ok:
      return "ok";
    case Verdict::warn:
      return "warn";
    case Verdict::fail:
      return "fail";
    case Verdict::error:
      return "error";
  }
  return "error";
}

std::string format_target(const ProbeTarget& target) {
  // An IPv6 literal needs brackets before a port, or "::1:25" would be ambiguous.
  bool ipv6_literal = target.host.find(':') != std::string::npos;
  if (target.port == 0) return target.host;
  std::string host = ipv6_literal ? "[" + target.host + "]" : target.host;
  return host + ":" + std::to_string(target.port);
}

Report make_report(std::string target) {
  Report report;
  report.tool_version = std::string(kVersion);
  report.target = std::move(target);
  report.started_at = std::chrono::system_clock::now();
  return report;
}

StatusCounts count_statuses(const Report& report) {
  StatusCounts counts;
  for (const auto& probe : report.probes) {
    switch (probe.status) {
      case ProbeStatus::ok:
        ++counts.ok;
        break;
      case ProbeStatus::warn:
        ++counts.warn;
        break;
      case ProbeStatus::fail:
        ++counts.fail;
        break;
      case ProbeStatus::skip:
        ++counts.skip;
        break;
    }
  }
  return counts;
}

Verdict compute_verdict(const Report& report) {
  if (report.run_error || report.interrupted) return Verdict::error;
  StatusCounts counts = count_statuses(report);
  if (counts.fail > 0) return Verdict::fail;
  // Nothing checked is not "all is well": a monitor must not turn green on an empty run.
  if (counts.ok + counts.warn == 0) return Verdict::error;
  if (counts.warn > 0) return Verdict::warn;
  return Verdict::ok;
}

int report_exit_code(const Report& report) {
  if (report.interrupted) return kExitInterrupted;
  switch (compute_verdict(report)) {
    case Verdict::ok:
      return kExitOk;
    case Verdict::warn:
      return report.options.strict ? kExitFailed : kExitOk;
    case Verdict::fail:
      return kExitFailed;
    case Verdict::error:
      return kExitCannotRun;
  }
  return kExitCannotRun;
}

}  // namespace smtpdoctor
