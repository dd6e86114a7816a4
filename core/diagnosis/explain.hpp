// `explain`: find the SMTP replies and client errors in pasted text — a bounce message, a mail
// client's error dialog, a Postfix/Exim log line, a nodemailer/smtplib/PHPMailer error — and
// diagnose each with the knowledge base.
//
// The text is split into findings line by line: a line with a 4xx/5xx reply code, or one a
// knowledge-base rule recognises (ECONNREFUSED, "certificate verify failed", …), starts a
// finding; continuation lines of a multi-line reply ("550-5.7.26 …" then "550 5.7.26 …"),
// folded (indented) lines and unrecognised lines that follow join it; a blank line ends it. The
// stage is inferred from phrases like "(in reply to RCPT TO command)". Pure and bounded: input
// past Limits is cut, findings are capped, identical diagnoses are reported once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/reply.hpp"
#include "core/base/stage.hpp"
#include "core/diagnosis/diagnosis.hpp"

namespace smtpdoctor {

struct ExplainLimits {
  std::size_t max_input_octets = 1024 * 1024;  // the CLI refuses more; the engine cuts
  std::size_t max_findings = 100;
  std::size_t max_finding_octets = 4096;  // text kept per finding (for matching and display)
  std::size_t max_lines_per_finding = 40;
};

struct ExplainFinding {
  std::string text;  // the lines it was found in, joined with '\n' (raw, unsanitised)
  Diagnosis diagnosis;
};

std::vector<ExplainFinding> explain_text(std::string_view text, const ExplainLimits& limits = {});

// The first 4xx/5xx reply code in `text` and the enhanced status code after it (or, with no
// code, the first standalone enhanced code; then Reply::code is 0). The reply's single line is
// the rest of the text after the codes.
std::optional<Reply> find_reply(std::string_view text);

// The SMTP stage a message refers to ("in reply to RCPT TO command" → rcpt), or Stage::none.
Stage infer_stage(std::string_view text);

// `text` made safe for a terminal: valid UTF-8 kept, control characters and invalid bytes
// replaced, runs of whitespace collapsed, cut to max_octets with "…".
std::string printable_excerpt(std::string_view text, std::size_t max_octets);

}  // namespace smtpdoctor
