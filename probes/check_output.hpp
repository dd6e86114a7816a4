// Runs a check and prints its report the way the user asked (human, JSON, Nagios, OpenMetrics),
// with the live progress line on stderr while it runs (terminal only). Shared by `check` and
// `selftest`.
#pragma once

#include "core/report/render.hpp"
#include "core/report/report.hpp"
#include "probes/check_options.hpp"

namespace smtpdoctor {

struct OutputOptions {
  OutputFormat format = OutputFormat::human;
  bool verbose = false;
};

// Prints `report` on stdout; returns the process exit code (Nagios codes for nagios).
int print_report(const Report& report, const OutputOptions& output);

// run_check + the progress line + print_report.
int run_and_print(const CheckOptions& options, const OutputOptions& output);

// Many targets (--targets): each report as its target finishes — a JSON Lines document or a
// human line — or, for nagios and openmetrics, the whole batch at the end. Returns the worst
// exit code of the targets (Nagios states for nagios).
int run_batch_and_print(const std::vector<CheckOptions>& targets, std::size_t concurrency,
                        const OutputOptions& output);

}  // namespace smtpdoctor
