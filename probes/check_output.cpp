#include "probes/check_output.hpp"

#include <unistd.h>

#include <iostream>

#include "core/progress.hpp"
#include "core/render_human.hpp"
#include "core/render_json.hpp"
#include "core/render_nagios.hpp"
#include "core/terminal.hpp"
#include "probes/check_pipeline.hpp"

namespace smtpdoctor {

int print_report(const Report& report, const OutputOptions& output) {
  switch (output.format) {
    case OutputFormat::json:
      std::cout << render_json(report) << std::flush;
      return report_exit_code(report);
    case OutputFormat::nagios:
      std::cout << render_nagios(report) << std::flush;
      return nagios_exit_code(report);
    case OutputFormat::human:
      break;
  }
  HumanOptions human;
  human.colour = should_colour(STDOUT_FILENO);
  human.verbose = output.verbose;
  human.width = terminal_width(STDOUT_FILENO);
  std::cout << render_human(report, human) << std::flush;
  return report_exit_code(report);
}

int run_and_print(const CheckOptions& options, const OutputOptions& output) {
  // The progress line is for a person watching a terminal; machines get the report only.
  ProgressLine progress(STDERR_FILENO);
  ProbeProgress on_probe;
  if (output.format == OutputFormat::human)
    on_probe = [&progress](const ProbeResult& result, std::size_t done, std::size_t total) {
      progress.update(done, total, &result);
    };
  Report report = run_check(options, on_probe);
  progress.clear();
  return print_report(report, output);
}

}  // namespace smtpdoctor
