// Many targets at once: `check --targets FILE`. The targets file holds one target per line as
// on the command line, optionally followed by the ports to check there ("mx.example.org 25 587");
// '#' starts a comment, blank lines are ignored. Every target runs check_target() on the same
// loop, with the same stop switch and resolver, at most `concurrency` at a time; each report is
// handed over as soon as its target finishes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/report/report.hpp"
#include "probes/check_options.hpp"

namespace smtpdoctor {

inline constexpr std::size_t kDefaultConcurrency = 64;

struct TargetLine {
  std::size_t line = 0;  // 1-based, for messages
  std::string target;
  std::vector<PortSpec> ports;  // PORT or PORT/ROLE; empty: the target's own port, else the
                                // command line's
};

struct TargetsFile {
  std::vector<TargetLine> targets;
  std::vector<std::string> errors;  // "line 3: 'x y': ..." for each line that is not a target
};

// Pure.
TargetsFile parse_targets_file(std::string_view text);

// `base` with the target of `line`; nullopt (and *why) when the target does not parse.
std::optional<CheckOptions> options_for_target(const CheckOptions& base, const TargetLine& line,
                                               std::string* why);

// Runs every target; `on_report` is called on the loop's thread as each finishes (in finishing
// order), with the target's index in `targets`. When the run stops early (--deadline, Ctrl-C),
// every target that never started is still reported, as could-not-run with the reason, so a
// monitoring engine sees each target it asked about. Returns true when the run was interrupted
// (SIGINT/SIGTERM).
using BatchReportHandler = std::function<void(std::size_t index, Report report)>;
bool run_batch(const std::vector<CheckOptions>& targets, std::size_t concurrency,
               const BatchReportHandler& on_report);

}  // namespace smtpdoctor
