#include "core/report/render_batch.hpp"

#include <cstdio>

#include "core/report/render_nagios.hpp"
#include "core/report/terminal.hpp"

namespace smtpdoctor {
namespace {

// The diagnosis the target's line leads with: the first failed probe's, else the first warned
// probe's, else the report's own.
const Diagnosis* root_diagnosis(const Report& report) {
  for (ProbeStatus status : {ProbeStatus::fail, ProbeStatus::warn})
    for (const auto& probe : report.probes)
      if (probe.status == status && !probe.diagnoses.empty()) return &probe.diagnoses.front();
  if (!report.diagnoses.empty()) return &report.diagnoses.front();
  return nullptr;
}

const ProbeResult* first_problem(const Report& report) {
  for (ProbeStatus status : {ProbeStatus::fail, ProbeStatus::warn})
    for (const auto& probe : report.probes)
      if (probe.status == status) return &probe;
  return nullptr;
}

int nagios_rank(int state) {
  switch (state) {
    case kNagiosOk:
      return 0;
    case kNagiosWarning:
      return 1;
    case kNagiosUnknown:
      return 2;
    default:
      return 3;
  }
}

std::string perf_target(const std::string& target) {
  std::string out;
  for (char c : target)
    if (c != '\'' && c != '=' && c != '|' && c != ' ') out += c;
  return "'" + out + "_time'";
}

}  // namespace

std::string render_batch_line(const Report& report) {
  Verdict verdict = compute_verdict(report);
  std::string glyph = verdict == Verdict::ok ? "✓" : verdict == Verdict::warn ? "!" : "✗";
  std::string words = verdict == Verdict::ok     ? "ok"
                      : verdict == Verdict::warn ? "warning"
                      : verdict == Verdict::fail ? "failed"
                                                 : "could not run";
  std::string line = glyph + " " + printable_line(report.target) + "  " + words;
  if (report.run_error) {
    line += "  " + printable_line(*report.run_error);
  } else if (const Diagnosis* d = root_diagnosis(report)) {
    line += "  " + std::string(category_name(d->category)) + ": " + printable_line(d->cause);
  } else if (const ProbeResult* p = first_problem(report)) {
    line += "  " + std::string(probe_name(p->id)) + ": " + printable_line(p->summary);
  }
  return line + "\n";
}

void count_verdict(BatchCounts& counts, const Report& report) {
  switch (compute_verdict(report)) {
    case Verdict::ok:
      ++counts.ok;
      break;
    case Verdict::warn:
      ++counts.warn;
      break;
    case Verdict::fail:
      ++counts.fail;
      break;
    case Verdict::error:
      ++counts.error;
      break;
  }
}

std::string render_batch_summary(const BatchCounts& counts) {
  int total = counts.ok + counts.warn + counts.fail + counts.error;
  std::string out = std::to_string(total) + (total == 1 ? " target: " : " targets: ") +
                    std::to_string(counts.ok) + " ok, " + std::to_string(counts.warn) +
                    " warning, " + std::to_string(counts.fail) + " failed";
  if (counts.error) out += ", " + std::to_string(counts.error) + " could not run";
  return out + "\n";
}

int worst_exit_code(int a, int b) {
  auto rank = [](int code) { return code == 130 ? 3 : code == 3 ? 2 : code == 1 ? 1 : 0; };
  return rank(a) >= rank(b) ? a : b;
}

int nagios_batch_exit_code(const std::vector<const Report*>& reports) {
  int worst = kNagiosOk;
  for (const Report* r : reports) {
    int state = nagios_exit_code(*r);
    if (nagios_rank(state) > nagios_rank(worst)) worst = state;
  }
  if (reports.empty()) worst = kNagiosUnknown;
  return worst;
}

std::string render_nagios_batch(const std::vector<const Report*>& reports) {
  int counts[4] = {0, 0, 0, 0};
  std::vector<std::string> named[4];
  for (const Report* r : reports) {
    int state = nagios_exit_code(*r);
    ++counts[state];
    named[state].push_back(r->target);
  }
  int worst = nagios_batch_exit_code(reports);
  std::string text = "SMTP " + std::string(nagios_state_name(worst)) + " - " +
                     std::to_string(counts[kNagiosCritical]) + " critical, " +
                     std::to_string(counts[kNagiosWarning]) + " warning, " +
                     std::to_string(counts[kNagiosUnknown]) + " unknown, " +
                     std::to_string(counts[kNagiosOk]) + " ok of " +
                     std::to_string(reports.size()) + " targets";
  for (int state : {kNagiosCritical, kNagiosUnknown, kNagiosWarning}) {
    if (named[state].empty()) continue;
    text += "; " + std::string(nagios_state_name(state)) + ":";
    for (std::size_t i = 0; i < named[state].size() && i < 5; ++i) text += " " + named[state][i];
    if (named[state].size() > 5)
      text += " and " + std::to_string(named[state].size() - 5) + " more";
  }
  std::string line;
  for (char c : printable_line(text)) line += c == '|' ? '/' : c;
  line += " |";
  for (const Report* r : reports) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3fs", double(r->duration.count()) / 1000);
    line += " " + perf_target(r->target) + "=" + seconds + ";;;0";
  }
  return line + "\n";
}

}  // namespace smtpdoctor
