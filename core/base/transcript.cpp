#include "core/base/transcript.hpp"

#include "core/base/utf8.hpp"

namespace smtpdoctor {
namespace {

void add(std::vector<TranscriptEntry>& entries, Direction direction, Stage stage, bool in_tls,
         std::string_view text) {
  entries.push_back(
      {std::chrono::system_clock::now(), direction, in_tls, stage, std::string(text)});
}

}  // namespace

void Transcript::sent(Stage stage, bool in_tls, std::string_view line) {
  add(entries_, Direction::sent, stage, in_tls, line);
}
void Transcript::received(Stage stage, bool in_tls, std::string_view line) {
  add(entries_, Direction::received, stage, in_tls, line);
}
void Transcript::error(Stage stage, std::string_view message) {
  add(entries_, Direction::error, stage, false, message);
}
void Transcript::info(Stage stage, std::string_view message) {
  add(entries_, Direction::info, stage, false, message);
}

std::string_view transcript_glyph(const TranscriptEntry& entry) {
  switch (entry.direction) {
    case Direction::sent:
      return entry.in_tls ? " ~>" : " ->";
    case Direction::received:
      return entry.in_tls ? "<~ " : "<- ";
    case Direction::error:
      return "***";
    case Direction::info:
      return "===";
  }
  return "   ";
}

std::string Transcript::render() const {
  std::string out;
  for (const auto& e : entries_) {
    out += transcript_glyph(e);
    out += ' ';
    append_terminal_safe(out, e.text);
    out += '\n';
  }
  return out;
}

}  // namespace smtpdoctor
