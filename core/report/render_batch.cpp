#include "core/report/render_batch.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/report/render_nagios.hpp"
#include "core/report/root_cause.hpp"
#include "core/report/terminal.hpp"

namespace smtpdoctor {
namespace {

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
  } else if (auto root = find_root_cause(report); root && root->diagnosis) {
    // The report's one root cause, the same as its JSON root_cause and human "Root cause".
    line += "  " + std::string(category_name(root->diagnosis->category)) + ": " +
            printable_line(root->diagnosis->cause);
  } else if (root && root->probe) {
    line += "  " + std::string(probe_name(root->probe->id)) + ": " +
            printable_line(root->probe->summary);
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

std::vector<GlanceRow> glance_rows(const Report& report, std::size_t order) {
  std::vector<GlanceRow> rows;
  for (const auto& probe : report.probes) {
    if (probe.target.port == 0) continue;  // internet, dns: not about a port
    std::string label = printable_line(format_target(probe.target));
    auto row = std::find_if(rows.begin(), rows.end(),
                            [&](const GlanceRow& r) { return r.label == label; });
    if (row == rows.end()) row = rows.insert(rows.end(), GlanceRow{order, label, {}});
    // Two results for one cell (one port reached at two addresses) show the one that matters
    // most: a failure over a warning over ok, anything over skipped.
    auto cell = std::find_if(row->cells.begin(), row->cells.end(),
                             [&](const auto& c) { return c.first == probe.id; });
    if (cell == row->cells.end())
      row->cells.emplace_back(probe.id, probe.status);
    else if (cell->second == ProbeStatus::skip ||
             (probe.status != ProbeStatus::skip && probe.status > cell->second))
      cell->second = probe.status;
  }
  return rows;
}

std::string render_batch_glance(std::vector<GlanceRow> rows, std::size_t width,
                                std::size_t height) {
  // The title, the column names and a blank line before it take three lines.
  if (rows.size() < 2 || rows.size() + 3 > height) return {};
  std::stable_sort(rows.begin(), rows.end(),
                   [](const GlanceRow& a, const GlanceRow& b) { return a.order < b.order; });
  std::set<ProbeId> columns;
  std::size_t label_width = 0;
  for (const auto& row : rows) {
    label_width = std::max(label_width, display_width(row.label));
    for (const auto& [id, status] : row.cells) columns.insert(id);
  }
  std::string head = "  " + std::string(label_width + 2, ' ');
  for (ProbeId id : columns) head += std::string(probe_name(id)) + "  ";
  while (head.back() == ' ') head.pop_back();
  if (display_width(head) > width) return {};

  std::string out = "\nAt a glance\n" + head + "\n";
  for (const auto& row : rows) {
    std::string line =
        "  " + row.label + std::string(label_width + 2 - display_width(row.label), ' ');
    for (ProbeId id : columns) {
      auto cell = std::find_if(row.cells.begin(), row.cells.end(),
                               [&](const auto& c) { return c.first == id; });
      line += cell == row.cells.end() ? " " : std::string(status_glyph(cell->second));
      line += std::string(probe_name(id).size() + 1, ' ');
    }
    while (line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
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
