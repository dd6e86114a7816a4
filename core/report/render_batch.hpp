// Many targets at once (`check --targets`): what a person or a monitoring engine sees for the
// batch. Human: one line per target as it finishes — target, verdict, the root diagnosis — and a
// summary at the end. Nagios: one line for the whole batch, the worst state first, with counts
// and per-target performance data.
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

// The worst of the targets' exit codes: 130 interrupted, 3 could not run, 1 failed, 0.
int worst_exit_code(int a, int b);

// "SMTP CRITICAL - 1 critical, 0 warning, 2 ok of 3 targets; critical: a, b | a_time=1.2s;;;0 ..."
std::string render_nagios_batch(const std::vector<const Report*>& reports);
// The worst Nagios state of the targets: CRITICAL over UNKNOWN over WARNING over OK.
int nagios_batch_exit_code(const std::vector<const Report*>& reports);

}  // namespace smtpdoctor
