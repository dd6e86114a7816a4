// The report for monitoring engines (Nagios, Icinga, Zabbix, Sensu): one status line plus
// performance data, following the Nagios plugin guidelines:
//
//   SMTP CRITICAL - tcp mail.example.test:25: timed out; 12 ok, 1 failed | time=10.012s;;;0 ...
//
// Its exit code has Nagios semantics (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), which differ
// from the CLI's own (report_exit_code), so it is a separate function.
#pragma once

#include <string>
#include <string_view>

#include "core/report/report.hpp"

namespace smtpdoctor {

enum NagiosState : int {
  kNagiosOk = 0,
  kNagiosWarning = 1,
  kNagiosCritical = 2,
  kNagiosUnknown = 3,
};

// OK / WARNING / CRITICAL from the verdict; with options.strict a warning is CRITICAL; a run
// that could not run, was interrupted or checked nothing is UNKNOWN.
int nagios_exit_code(const Report& report);

// "OK", "WARNING", "CRITICAL", "UNKNOWN".
std::string_view nagios_state_name(int state);

// One line, newline-terminated: "SMTP <STATE> - <text> | <perfdata>".
std::string render_nagios(const Report& report);

}  // namespace smtpdoctor
