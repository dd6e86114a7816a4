// The knowledge base: one table of rules (core/diagnosis/kb_rules.cpp) that turns evidence — a
// server's reply, a socket error, a TLS/X.509 failure, a DNS outcome, or a pasted client error line
// — into a Diagnosis (DESIGN §3). Probes, `check`'s report and `explain` all ask this one place, so
// the same reply always gets the same cause and fix.
//
// Usage from a probe:
//   Evidence ev;
//   ev.stage = Stage::rcpt;
//   ev.reply = reply;               // the 4xx/5xx the server sent
//   Diagnosis d = diagnose(ev);     // d.category, d.permanent, d.cause, d.fix, d.refs, d.rule
// or, with an Error from core/base/error.hpp:
//   Diagnosis d = diagnose(result.error());
//
// Rules are tried in table order, most specific first; the first whose every given criterion
// matches wins. The order is a graded fallback — probe evidence, providers' documented codes,
// servers' wording, client errors, enhanced status codes by class, reply codes and stages — and
// each diagnosis says which it rests on (Diagnosis::basis). When no rule matches, the reply code
// and enhanced status code classes still say something (category temporary_failure for 4xx,
// other for 5xx and anything else), so a diagnosis is always produced.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/reply.hpp"
#include "core/base/stage.hpp"
#include "core/diagnosis/diagnosis.hpp"
#include "core/diagnosis/finding.hpp"

namespace smtpdoctor {

// What a DNS lookup for the mail path came back with.
enum class DnsOutcome { nxdomain, servfail, timeout, nodata, null_mx, refused };

// What the conversation knew when a reply came, so a rule can read the reply in its context:
// "550 Invalid recipient" for an outside domain from a client that has not logged in is a relay
// refusal whatever the words. Filled by `check` and `send`; `explain` sees a reply alone.
struct SessionContext {
  bool known = false;            // false: nothing is known of the conversation (explain)
  bool logged_in = false;        // SMTP AUTH succeeded in this session
  bool login_attempted = false;  // an AUTH was tried (and failed, when !logged_in)
  bool token_login = false;      // that AUTH offered an OAuth2 bearer token, not a password
  // The recipient's domain is one this server receives mail for, as far as the check can tell
  // (the target's domain, the names in its greeting and EHLO); nullopt when it cannot tell.
  std::optional<bool> recipient_local;
};

// Everything a probe (or `explain`) knows about one failure. Fill in what you have.
struct Evidence {
  Stage stage = Stage::none;
  std::optional<Reply> reply;                   // the server's 4xx/5xx reply
  std::optional<std::error_code> socket_error;  // connect/read/write error (generic/system)
  std::optional<long> x509_verify_result;       // X509_V_ERR_* when chain verification failed
  std::string tls_error;                        // OpenSSL reason, e.g. "wrong version number"
  std::optional<DnsOutcome> dns;
  // The auth probe logged in to POP3/IMAP with the same credentials that SMTP AUTH refused.
  bool other_protocol_login_ok = false;
  // Free text matched against the rules' text patterns: a pasted error line for `explain`, or the
  // message of an Error. The reply's own text is always matched too.
  std::string text;
  // A probe's own conclusion that no reply carries (STARTTLS not offered, open relay): matched
  // exactly by rules with the same `finding`.
  Finding finding = Finding::none;
  SessionContext context;
  // What the probe knows that the diagnosis should name (our address, the zones that list it):
  // each fills the `{name}` placeholder in the winning rule's cause and fix. Names are from
  // placeholder_names().
  std::vector<std::pair<std::string, std::string>> facts;

  void add_fact(std::string name, std::string value) {
    facts.emplace_back(std::move(name), std::move(value));
  }
};

// The placeholders rules may use in cause and fix. One a rule uses that the evidence does not
// fill reads as a neutral phrase ("your address") so the sentence still stands.
std::span<const std::string_view> placeholder_names();

// `text` with each `{name}` replaced by the evidence's fact of that name, or its neutral phrase.
std::string fill_placeholders(std::string_view text, const Evidence& evidence);

// Whether a rule's diagnosis is permanent: taken from the reply code when there is one (5xx
// permanent, 4xx not), otherwise from the rule.
enum class Permanence { from_code, permanent, temporary };

// Which evidence a rule reads besides text/code/enhanced code.
// no_smtp_reply: the evidence holds no SMTP reply (at most an enhanced code, as in a log line's
// "dsn=4.4.1"). Client-side socket errors ("connection timed out") are also words servers use
// inside replies about *their* upstream ("451 4.4.1 Connection timed out"); those must be read
// by the reply's code, not as our own network failing.
// outside_recipient_without_login: the session context says no login succeeded and the
// recipient's domain is not the server's.
// token_login: the refused login offered an OAuth2 bearer token (XOAUTH2, OAUTHBEARER), so
// "wrong password" is the wrong cause.
enum class Signal {
  none,
  socket_errno,
  x509,
  dns,
  other_protocol_login_ok,
  no_smtp_reply,
  outside_recipient_without_login,
  token_login,
};

// One rule. Empty/zero fields are wildcards; a rule needs at least one non-wildcard criterion.
struct Rule {
  std::string_view id{};  // stable, shown as "rule" in JSON
  Category category = Category::other;
  Permanence permanence = Permanence::from_code;
  // What the rule rests on, shown as "basis". Unset: derived from its criteria (a finding or
  // probe signal: evidence; else text; else enhanced code; else reply code and stage). Set it
  // where the criteria alone would mislead: a provider's code matched as text is provider_code,
  // a client library's wording is client_error.
  std::optional<Basis> basis{};
  // Case-insensitive substrings, alternatives separated by '|'. Inside one alternative, '*'
  // means "anything in between" ("helo * rejected"). Matched against the reply text and
  // Evidence::text with runs of whitespace collapsed to one space.
  std::string_view text{};
  // The same form: the rule does not match when any of these is in the text (a context rule
  // stands back when the server's words are unambiguous).
  std::string_view unless_text{};
  std::string_view enhanced{};  // "5.7.26" exact, "5.7.*" prefix, "*.7.26" any class
  int code = 0;                 // 100..599 exact; 4 or 5 = class; 0 = any
  Stage stage = Stage::none;    // none = any stage
  Signal signal = Signal::none;
  long signal_value = 0;
  Finding finding = Finding::none;  // exact match with Evidence::finding
  // signal_value: errno (std::errc value), X509_V_ERR_* (-1: any) or DnsOutcome
  std::string_view cause{};
  std::string_view fix{};
  std::string_view refs{};  // '|' separated: "RFC 5321 §4.2.2|https://…"
};

// The rule table, in match order (core/diagnosis/kb_rules.cpp).
std::span<const Rule> rules();

// The rule's basis: its own, or the one its criteria imply.
Basis basis_of(const Rule& rule);

// The diagnosis for this evidence. Never fails.
Diagnosis diagnose(const Evidence& evidence);

// Convenience for probes: builds Evidence from an Error (kind, stage, code, reply, TLS result,
// message) and diagnoses it.
Diagnosis diagnose(const Error& error);

// True if `rule` matches `evidence` (exposed for tests and docs).
bool rule_matches(const Rule& rule, const Evidence& evidence);

// Lower-cases ASCII and collapses whitespace runs to one space: the form text patterns see.
std::string normalize_for_match(std::string_view text);

}  // namespace smtpdoctor
