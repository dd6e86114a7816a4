// Many targets at once (`check --targets`): what a person or a monitoring engine sees for the
// batch. Human: one line per target as it finishes — target, verdict, the root diagnosis — and a
// summary at the end, then the at-a-glance table (host:port × probe) when it fits the terminal.
// Nagios: one line for the whole batch, the worst state first, with counts and per-target
// performance data.
#pragma once

#include <string>
#include <vector>

#include "core/report/report.hpp"

namespace smtpdoctor {

// "✗ mx.example.test  failed  port_blocked: Outbound port 25 is blocked ...", newline-terminated.
std::string render_batch_line(const Report& report);

struct BatchCounts {
  int ok = 0, warn = 0, fail = 0, error = 0;
};
void count_verdict(BatchCounts& counts, const Report& report);
// "3 targets: 1 ok, 1 warning, 1 failed", newline-terminated.
std::string render_batch_summary(const BatchCounts& counts);

// One row of the batch's at-a-glance table: one port of one host, and the status of each probe
// there. Small, so a thousand targets' rows cost little to keep until the end.
struct GlanceRow {
  std::size_t order = 0;  // the target's line in the targets file: rows are shown in that order
  std::string label;      // "mx.example.test:25"
  std::vector<std::pair<ProbeId, ProbeStatus>> cells;
};
// The rows a finished target adds: one per host and port checked (none for a target that could
// not run).
std::vector<GlanceRow> glance_rows(const Report& report, std::size_t order);
// "At a glance": rows in targets-file order, a column per probe seen. Empty when there are fewer
// than two rows, or when the table would not fit in `width` columns and `height` lines.
std::string render_batch_glance(std::vector<GlanceRow> rows, std::size_t width, std::size_t height);

// The worst of the targets' exit codes: 130 interrupted, 3 could not run, 1 failed, 0.
int worst_exit_code(int a, int b);

// "SMTP CRITICAL - 1 critical, 0 warning, 2 ok of 3 targets; critical: a, b | a_time=1.2s;;;0 ..."
std::string render_nagios_batch(const std::vector<const Report*>& reports);
// The worst Nagios state of the targets: CRITICAL over UNKNOWN over WARNING over OK.
int nagios_batch_exit_code(const std::vector<const Report*>& reports);

}  // namespace smtpdoctor
