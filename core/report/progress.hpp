// The live progress line on stderr while probes run (DESIGN §4), terminal only:
//
//   checking… 3/8 probes done (tcp 587 ✓)
//
// redrawn in place with "\r" and cleared before the report is printed, so nothing of it is left
// in a terminal's scrollback or in a redirected file. The text is a pure function; the writer is
// a few lines around write(2).
#pragma once

#include <cstddef>
#include <string>

#include "core/report/report.hpp"

namespace smtpdoctor {

// "checking… 3/8 probes done (tcp 587 ✓)"; `last` (may be null) is the probe that just finished.
std::string format_progress(std::size_t done, std::size_t total, const ProbeResult* last);

class ProgressLine {
 public:
  // Enabled only when `fd` is a terminal; the line is cut to the terminal's width so it never
  // wraps (a wrapped line cannot be redrawn with "\r").
  explicit ProgressLine(int fd = 2);
  // For tests: explicit switch and width.
  ProgressLine(int fd, bool enabled, std::size_t width);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(std::size_t done, std::size_t total, const ProbeResult* last = nullptr);
  // Erases the line; call before printing the report. Safe to call twice.
  void clear();
  bool enabled() const { return enabled_; }

 private:
  void write_all(const std::string& text);

  int fd_;
  bool enabled_;
  std::size_t width_;
  bool drawn_ = false;
};

}  // namespace smtpdoctor
