#include "probes/check_output.hpp"

#include <unistd.h>

#include <iostream>

#include "core/base/exit_code.hpp"
#include "core/report/progress.hpp"
#include "core/report/render_batch.hpp"
#include "core/report/render_human.hpp"
#include "core/report/render_json.hpp"
#include "core/report/render_nagios.hpp"
#include "core/report/render_openmetrics.hpp"
#include "core/report/terminal.hpp"
#include "probes/check_batch.hpp"
#include "probes/check_pipeline.hpp"

namespace smtpdoctor {

int print_report(const Report& report, const OutputOptions& output) {
  HumanOptions human;
  human.colour = should_colour(STDOUT_FILENO);
  human.verbose = output.verbose;
  human.width = terminal_width(STDOUT_FILENO);
  RenderedReport rendered = render_report(report, output.format, human);
  std::cout << rendered.text << std::flush;
  return rendered.exit_code;
}

int run_batch_and_print(const std::vector<CheckOptions>& targets, std::size_t concurrency,
                        const OutputOptions& output) {
  std::vector<Report> kept;  // nagios and openmetrics speak for the whole batch at the end
  BatchCounts counts;
  std::vector<GlanceRow> glance;
  int exit_code = kExitOk;
  bool interrupted = run_batch(targets, concurrency, [&](std::size_t index, Report report) {
    exit_code = worst_exit_code(exit_code, report_exit_code(report));
    switch (output.format) {
      case OutputFormat::json:
        std::cout << report_json(report).dump(-1, ' ', false,
                                              nlohmann::json::error_handler_t::replace)
                  << "\n"
                  << std::flush;
        break;
      case OutputFormat::human:
        count_verdict(counts, report);
        for (auto& row : glance_rows(report, index)) glance.push_back(std::move(row));
        std::cout << render_batch_line(report) << std::flush;
        break;
      default:
        kept.push_back(std::move(report));
    }
  });
  std::vector<const Report*> all;
  for (const auto& report : kept) all.push_back(&report);
  switch (output.format) {
    case OutputFormat::human:
      std::cout << render_batch_summary(counts)
                << render_batch_glance(std::move(glance), terminal_width(STDOUT_FILENO),
                                       terminal_height(STDOUT_FILENO))
                << std::flush;
      break;
    case OutputFormat::nagios:
      std::cout << render_nagios_batch(all) << std::flush;
      return nagios_batch_exit_code(all);
    case OutputFormat::openmetrics:
      std::cout << render_openmetrics(all) << std::flush;
      break;
    case OutputFormat::json:
      break;
  }
  return interrupted ? kExitInterrupted : exit_code;
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
