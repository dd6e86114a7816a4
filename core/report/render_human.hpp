// The report for people (DESIGN §4): one line per probe and target with ✓ ! ✗ –, its timing and
// a one-line summary; under a failing or warning probe, each diagnosis's cause and fix in plain
// words; a port × probe matrix when several ports were checked; then one result line.
// With verbose, every detail and the swaks-style transcript follow.
//
// Pure: the caller decides colour (should_colour in core/report/terminal.hpp) and width.
#pragma once

#include <cstddef>
#include <string>

#include "core/report/report.hpp"
#include "core/report/terminal.hpp"

namespace smtpdoctor {

struct HumanOptions {
  bool colour = false;
  bool verbose = false;    // -v: all details and the transcripts
  std::size_t width = 80;  // causes and fixes wrap at this column
};

std::string render_human(const Report& report, const HumanOptions& options = {});

// One diagnosis as the report prints it under a probe, "why CAUSE (category)" and "fix FIX" lines
// after `indent`, wrapped at options.width: `send` explains a refusal the way `check` does.
std::string render_diagnosis(const Diagnosis& diagnosis, const HumanOptions& options,
                             const std::string& indent = "  ");

}  // namespace smtpdoctor
