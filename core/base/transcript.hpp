// The conversation as it happened: every line sent and received, timestamped, with direction and
// whether it was inside TLS. Secrets never enter it: the client redacts AUTH payloads before
// recording them. Rendered swaks-style (" ->", "<- ", "~>", "<~", "***").
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/stage.hpp"

namespace smtpdoctor {

enum class Direction { sent, received, error, info };

struct TranscriptEntry {
  std::chrono::system_clock::time_point at;
  Direction direction = Direction::info;
  bool in_tls = false;
  Stage stage = Stage::none;
  std::string text;  // one line, without CRLF; already redacted
};

class Transcript {
 public:
  void sent(Stage stage, bool in_tls, std::string_view line);
  void received(Stage stage, bool in_tls, std::string_view line);
  void error(Stage stage, std::string_view message);
  void info(Stage stage, std::string_view message);

  const std::vector<TranscriptEntry>& entries() const { return entries_; }
  // swaks-style text, one line per entry: " -> EHLO x", "<-  250 ok", "~> ...", "<~ ...",
  // "*** error".
  std::string render() const;

 private:
  std::vector<TranscriptEntry> entries_;
};

// The glyph for an entry (" ->", "<- ", "~>", "<~", "***", "===").
std::string_view transcript_glyph(const TranscriptEntry& entry);

}  // namespace smtpdoctor
