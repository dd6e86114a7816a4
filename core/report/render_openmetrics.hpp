// Reports as Prometheus text exposition, for node_exporter's textfile collector (or any scraper
// of the OpenMetrics text format): one family per metric, every target's samples together,
// labelled by target, host, port and probe. `promtool check metrics` accepts it.
//
//   smtpdoctor_probe_status              0 ok, 1 warning, 2 failed, 3 skipped
//   smtpdoctor_probe_duration_seconds
//   smtpdoctor_tls_certificate_expiry_timestamp_seconds   the server certificate's notAfter
//   smtpdoctor_check_success             1 when no probe failed
#pragma once

#include <string>
#include <vector>

#include "core/report/report.hpp"

namespace smtpdoctor {

std::string render_openmetrics(const std::vector<const Report*>& reports);

}  // namespace smtpdoctor
