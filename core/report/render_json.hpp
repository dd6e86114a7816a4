// The report for machines (DESIGN §4): one JSON document, "schema": "smtpdoctor.report/1",
// documented field by field in man/smtpdoctor.1 and checked by
// man/smtpdoctor-report.schema.json. Fields are only ever added within /1; a change of meaning
// is a new schema version.
#pragma once

#include <string>
#include <string_view>

#include "core/report/report.hpp"

namespace smtpdoctor {

struct TlsInfo;

inline constexpr std::string_view kReportSchema = "smtpdoctor.report/1";
inline constexpr std::string_view kErrorSchema = "smtpdoctor.error/1";

// The whole report as a JSON value, and as the text printed on stdout (2-space indent,
// newline-terminated). Invalid UTF-8 from a server is replaced, never a throw.
Details report_json(const Report& report);
std::string render_json(const Report& report);

// One diagnosis: {category, permanent, stage, cause, fix, refs, rule, basis, code?,
// enhanced_code?}.
// Shared with `explain --json`.
Details diagnosis_json(const Diagnosis& diagnosis);

// The pieces every JSON output is made of, so `check`, `send` and `explain` spell them alike.
// A reply: {code, enhanced, text}.
Details reply_json(const Reply& reply);
// What a TLS handshake showed: {protocol, cipher, sni, subject_cn, sans, issuer, not_before,
// not_after, days_to_expiry, verified, verify_result, verify_reason, hostname_match, insecure,
// plaintext_discarded}.
Details tls_json(const TlsInfo& tls);
// A transcript entry: {at, direction, tls, stage, text}, and a whole transcript as an array.
Details transcript_entry_json(const TranscriptEntry& entry);
Details transcript_json(const Transcript& transcript);

// An error in --json mode (bad flags, could not start):
// {"schema": "smtpdoctor.error/1", "tool": ..., "version": ..., "error": kind, "message": ...,
//  "exit_code": n}. `kind` is a short word: "usage", "cannot_run", "interrupted".
std::string error_json(std::string_view kind, std::string_view message, int exit_code);
// The same document as a value, for writers of one JSON document per line (serve --json).
Details error_document(std::string_view kind, std::string_view message, int exit_code);

// "2026-11-22T21:46:20.123Z"
std::string iso8601_utc(std::chrono::system_clock::time_point at);

}  // namespace smtpdoctor
