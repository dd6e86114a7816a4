// Runs a check and prints its report the way the user asked (human, JSON or Nagios), with the
// live progress line on stderr while it runs (terminal only). Shared by `check` and `selftest`.
#pragma once

#include "core/report.hpp"
#include "probes/check_options.hpp"

namespace smtpdoctor {

enum class OutputFormat { human, json, nagios };

struct OutputOptions {
  OutputFormat format = OutputFormat::human;
  bool verbose = false;
};

// Prints `report` on stdout; returns the process exit code (Nagios codes for nagios).
int print_report(const Report& report, const OutputOptions& output);

// run_check + the progress line + print_report.
int run_and_print(const CheckOptions& options, const OutputOptions& output);

}  // namespace smtpdoctor
