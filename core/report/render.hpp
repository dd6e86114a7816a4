// One entry point for `check` and `selftest` to print a report in the format asked for, with the
// exit code that goes with that format: Nagios codes for --format nagios, DESIGN §4 codes
// otherwise. Keeping the pair together means no caller can print Nagios text and exit 1 for a
// warning.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/report/render_human.hpp"
#include "core/report/report.hpp"

namespace smtpdoctor {

enum class OutputFormat { human, json, nagios, openmetrics };

// "human", "json", "nagios", "openmetrics".
std::optional<OutputFormat> output_format_from_name(std::string_view name);

struct RenderedReport {
  std::string text;  // for stdout
  int exit_code = 0;
};

RenderedReport render_report(const Report& report, OutputFormat format,
                             const HumanOptions& human = {});

}  // namespace smtpdoctor
