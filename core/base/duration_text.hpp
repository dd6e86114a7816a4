// A deadline in words for error messages and the transcript. Two spellings exist because the
// golden transcripts fix them: the SMTP client writes "30 s" / "300 ms", the POP3/IMAP client and
// the reachability check write "2.0 s".
#pragma once

#include <chrono>
#include <string>

namespace smtpdoctor {

// "30 s" for whole seconds, else "300 ms".
inline std::string human_duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// "2.0 s", one decimal, truncated.
inline std::string seconds_text(std::chrono::milliseconds d) {
  std::string s = std::to_string(d.count() / 1000.0);
  return s.substr(0, s.find('.') + 2) + " s";
}

}  // namespace smtpdoctor
