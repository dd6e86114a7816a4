// The stages of an SMTP conversation. One name table serves the transcript, the JSON report,
// `--quit-after` and the diagnoses, so a stage is spelled the same everywhere.
#pragma once

#include <optional>
#include <string_view>

namespace smtpdoctor {

enum class Stage {
  none,
  resolve,
  connect,
  banner,
  ehlo,  // first EHLO/HELO
  starttls,
  tls,   // TLS handshake (STARTTLS or implicit)
  helo,  // EHLO again after TLS
  auth,
  mail,
  rcpt,
  data,
  rset,
  quit,
};

std::string_view stage_name(Stage stage);
// Accepts the canonical names plus swaks' aliases (first-helo, first-ehlo, ehlo, helo).
std::optional<Stage> stage_from_name(std::string_view name);

}  // namespace smtpdoctor
