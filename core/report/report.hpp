// The report of one `check` run: what every probe found, against which target, how long it took,
// and the verdict. Probes fill it; three renderers (render_human, render_json, render_nagios)
// print it; nothing else decides the exit code.
//
// The model is plain data. Each probe result carries a one-line `summary` for people and a
// `details` JSON object for machines; the human renderer also reads a few well-known detail keys
// (see ProbeResult::details) so probes need not format text twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/transcript.hpp"
#include "core/diagnosis/diagnosis.hpp"
#include "core/report/probe_id.hpp"

namespace smtpdoctor {

// Insertion-ordered, so the JSON report lists details in the order the probe wrote them.
using Details = nlohmann::ordered_json;

// The four outcomes of DESIGN §4, one glyph each.
enum class ProbeStatus {
  ok,    // ✓ works
  warn,  // ! works, but something deserves attention (certificate expires soon, no PTR ...)
  fail,  // ✗ broken: mail will not go through this way
  skip,  // – not run; skip_reason says why (a prerequisite failed, --skip, --offline ...)
};

std::string_view status_name(ProbeStatus status);   // "ok", "warn", "fail", "skip"
std::string_view status_glyph(ProbeStatus status);  // "✓", "!", "✗", "–"

// What a probe talked to. `port` 0 means the probe is not about one port (internet, dns).
struct ProbeTarget {
  std::string host;  // the name asked for ("mx.example.test") or an address literal
  std::uint16_t port = 0;
  std::string address;  // the address actually used, when it differs from host ("127.0.0.1")
};

// "mx.example.test:587", "[::1]:25", "example.test"; the address is not included.
std::string format_target(const ProbeTarget& target);

struct ProbeResult {
  ProbeId id = ProbeId::tcp;
  ProbeTarget target;
  ProbeStatus status = ProbeStatus::ok;
  std::chrono::milliseconds duration{0};
  std::string summary;      // one line for people: "connected in 4 ms", "TLSv1.3, valid 80 days"
  std::string skip_reason;  // status == skip: "tcp failed", "--offline", "no credentials given"
  // Structured findings for machines (always a JSON object). Keys the human report also shows:
  //   "capabilities": ["PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN", ...] — one line each,
  //                   with its meaning (core/smtp/capabilities.hpp capability_meaning)
  //   "notes":        ["AUTH is offered only after STARTTLS", ...] — one line each
  // Everything else appears in the human report only with -v, as "key: value" lines.
  Details details = Details::object();
  std::vector<Diagnosis> diagnoses;  // why it failed or warned, with the fix
  // Set when this probe failed, warned or was skipped only because an earlier probe failed (the
  // envelope refused after a wrong password, everything after a refused connection): its
  // diagnoses are not causes of their own and the report shows them under that probe's.
  std::optional<ProbeId> consequence_of;
};

// One SMTP conversation's transcript, for -v and the JSON "transcript" array.
struct ConversationTranscript {
  std::string target;  // format_target() of the conversation
  Transcript transcript;
};

// The options that change what a result means, echoed so a saved report explains itself.
struct ReportOptions {
  bool offline = false;   // nothing outside the named target was contacted
  bool insecure = false;  // TLS certificates were not verified (--insecure)
  bool strict = false;    // a warning counts as a failure for the exit code
  bool allow_plaintext_auth = false;
  bool relay_test = false;
  std::vector<std::uint16_t> ports;
  std::vector<std::string> port_roles;  // each port's role ("mx", "submission", "submissions")
  std::string helo;                     // the EHLO/HELO name used; empty when not applicable
};

// --submission: the outgoing-server settings a mail program should use, from what actually
// worked (the first server found whose connection, greeting and verified TLS held up, preferring
// one where the login was proven).
struct MailProgramSettings {
  bool found = false;  // false: nothing worked well enough to recommend; `note` says why
  std::string server;
  std::uint16_t port = 0;
  std::string security;   // "SSL/TLS" (TLS from the first byte) or "STARTTLS"
  std::string user_name;  // the name that logged in; empty when no login was tried
  bool login_tested = false;
  std::string found_by;  // "SRV record _submissions._tcp.example.org", "conventional name"
  std::string note;      // one line: what was not tested, or why nothing is recommended
};

enum class Verdict {
  ok,     // no probe failed or warned
  warn,   // at least one warning, no failure
  fail,   // at least one probe failed
  error,  // the check could not run (run_error), was interrupted, or no probe ran at all
};

std::string_view verdict_name(Verdict verdict);  // "ok", "warn", "fail", "error"

struct Report {
  std::string tool_version;
  std::string target;  // as the user gave it ("example.test", "alice@example.test")
  std::chrono::system_clock::time_point started_at;
  std::chrono::milliseconds duration{0};
  ReportOptions options;
  std::vector<ProbeResult> probes;
  std::vector<Diagnosis> diagnoses;  // findings that span probes (the port-25 verdict ...)
  std::vector<ConversationTranscript> transcripts;  // filled with -v or --json --transcript
  std::optional<MailProgramSettings> mail_program_settings;  // --submission only
  std::optional<std::string> run_error;                      // why the check could not run at all
  bool interrupted = false;                                  // SIGINT/SIGTERM cut the run short
};

// A report for `target` stamped with this tool's version and the current time.
Report make_report(std::string target);

struct StatusCounts {
  int ok = 0, warn = 0, fail = 0, skip = 0;
};
StatusCounts count_statuses(const Report& report);

Verdict compute_verdict(const Report& report);

// The process exit code of DESIGN §4: 0 no probe failed (warnings allowed unless
// options.strict), 1 a probe failed, 3 could not run, 130 interrupted.
int report_exit_code(const Report& report);

}  // namespace smtpdoctor
