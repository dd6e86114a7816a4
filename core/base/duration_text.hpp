// A duration in words, one spelling everywhere: the report's duration column, the summary line,
// deadlines in error messages and notes ("no answer within 30 s", "the greeting took 2.4 s").
#pragma once

#include <chrono>
#include <string>

namespace smtpdoctor {

// "4 ms", "2 s", "1.25 s", "12.5 s", "2 min 5 s": short, precise where it matters, and without
// trailing zeros (a configured "30s" deadline reads "30 s", not "30.0 s").
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace smtpdoctor
