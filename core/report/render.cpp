#include "core/report/render.hpp"

#include "core/report/render_json.hpp"
#include "core/report/render_nagios.hpp"
#include "core/report/render_openmetrics.hpp"

namespace smtpdoctor {

std::optional<OutputFormat> output_format_from_name(std::string_view name) {
  if (name == "human") return OutputFormat::human;
  if (name == "json") return OutputFormat::json;
  if (name == "nagios") return OutputFormat::nagios;
  if (name == "openmetrics") return OutputFormat::openmetrics;
  return std::nullopt;
}

RenderedReport render_report(const Report& report, OutputFormat format, const HumanOptions& human) {
  switch (format) {
    case OutputFormat::json:
      return {render_json(report), report_exit_code(report)};
    case OutputFormat::nagios:
      return {render_nagios(report), nagios_exit_code(report)};
    case OutputFormat::openmetrics:
      return {render_openmetrics({&report}), report_exit_code(report)};
    case OutputFormat::human:
      break;
  }
  return {render_human(report, human), report_exit_code(report)};
}

}  // namespace smtpdoctor
