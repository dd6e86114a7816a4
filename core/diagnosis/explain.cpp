// Finding replies in pasted text is heuristic by nature; the heuristics here are chosen so that
// the common shapes work without configuration:
//   Postfix   "... said: 550-5.1.1 The email account ... 550 5.1.1 ... (in reply to RCPT TO
//   command)" Exim      "SMTP error from remote mail server after RCPT TO:<x>:\n    550-5.1.1 ..."
//   nodemailer "Error: Invalid login: 535-5.7.8 Username and Password not accepted."
//   smtplib   "SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted.')"
//   Exchange  "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; ...'"
//   OS/TLS    "Error: connect ECONNREFUSED 127.0.0.1:587", "wrong version number"
// A reply code is only taken where it stands as a token (not inside an IP address, a port, a
// path:line or a longer number), so log noise does not turn into findings.
#include "core/diagnosis/explain.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/base/ascii.hpp"
#include "core/diagnosis/bounce.hpp"
#include "core/diagnosis/knowledge_base.hpp"

namespace smtpdoctor {
namespace {

constexpr std::size_t kMaxLineForMatching = 8192;

// Characters that may stand right before a reply code: "said: 550", "(535,", "[530 ", "smtp;550",
// "code=550", "-> 550", "\"552\"".
bool code_may_follow(char c) {
  return c == ' ' || c == '\t' || c == '(' || c == '[' || c == '"' || c == '\'' || c == ';' ||
         c == '=' || c == '<' || c == '>' || c == '{' || c == '`';
}
// ... and right after it: "550 ", "550-", "535,", "421:", "552\"", end of text.
bool code_may_precede(char c) {
  return c == ' ' || c == '\t' || c == '-' || c == ',' || c == ':' || c == ')' || c == '"' ||
         c == '\'' || c == ';' || c == ']' || c == '\r' || c == '\n' || c == '`';
}

// A 4xx/5xx reply code standing as a token at `i`, or 0.
int code_at(std::string_view s, std::size_t i) {
  if (i + 3 > s.size()) return 0;
  char a = s[i], b = s[i + 1], c = s[i + 2];
  if ((a != '4' && a != '5') || b < '0' || b > '5' || !ascii::is_digit(c)) return 0;
  if (i > 0 && !code_may_follow(s[i - 1])) return 0;
  if (i + 3 < s.size() && !code_may_precede(s[i + 3])) return 0;
  // "line 455, in send" in a Python traceback is a line number, not a reply.
  if (i >= 5 && s.substr(i - 5, 5) == "line ") return 0;
  return (a - '0') * 100 + (b - '0') * 10 + (c - '0');
}

std::pair<int, std::size_t> first_code(std::string_view s) {
  for (std::size_t i = 0; i + 3 <= s.size(); ++i)
    if (int code = code_at(s, i)) return {code, i};
  return {0, std::string_view::npos};
}

// An enhanced status code standing as a token at `i` ("5.7.1", "4.2.0"): class 2/4/5, subject
// 0-7 (the registry's range; this keeps version numbers like 3.1.8 out), detail 0-999.
std::optional<EnhancedCode> enhanced_at(std::string_view s, std::size_t i, std::size_t* end) {
  if (i + 5 > s.size()) return std::nullopt;
  if (s[i] != '2' && s[i] != '4' && s[i] != '5') return std::nullopt;
  if (i > 0 && (ascii::is_alnum(s[i - 1]) || s[i - 1] == '.')) return std::nullopt;
  if (s[i + 1] != '.') return std::nullopt;
  std::size_t p = i + 2;
  auto number = [&](int& out) {
    std::size_t start = p;
    out = 0;
    while (p < s.size() && ascii::is_digit(s[p]) && p - start < 3) out = out * 10 + (s[p++] - '0');
    return p > start && !(p < s.size() && ascii::is_digit(s[p]));
  };
  EnhancedCode code;
  code.klass = s[i] - '0';
  if (!number(code.subject) || code.subject > 7) return std::nullopt;
  if (p >= s.size() || s[p] != '.') return std::nullopt;
  ++p;
  if (!number(code.detail)) return std::nullopt;
  if (p < s.size()) {
    char t = s[p];
    bool ok = t == ' ' || t == '\t' || t == ',' || t == ';' || t == ')' || t == '\'' || t == '"' ||
              t == ']' || t == '<' || t == '>' || t == '\r' || t == '\n';
    if (!ok) return std::nullopt;
  }
  if (end) *end = p;
  return code;
}

std::optional<EnhancedCode> first_enhanced(std::string_view s, std::size_t from, std::size_t* end) {
  for (std::size_t i = from; i + 5 <= s.size(); ++i)
    if (auto code = enhanced_at(s, i, end)) return code;
  return std::nullopt;
}

bool starts_with_enhanced(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  std::size_t end = 0;
  auto code = enhanced_at(line, 0, &end);
  return code && code->klass >= 4 && end < line.size() && line[end] == ' ';
}

// An enhanced code marked as one: "(#5.1.1)" (qmail, Exim's bounces), "dsn=4.4.1" (Postfix
// logs) or "status=4.4.1" (key=value logs). A DSN's "Status:" field is not one: it summarises the
// Diagnostic-Code next to it, which is the finding.
bool has_marked_enhanced(std::string_view text) {
  for (std::string_view mark :
       {std::string_view{"#"}, std::string_view{"dsn="}, std::string_view{"status="}}) {
    for (std::size_t at = text.find(mark); at != std::string_view::npos;
         at = text.find(mark, at + 1)) {
      std::size_t end = 0;
      if (enhanced_at(text, at + mark.size(), &end)) return true;
    }
  }
  return false;
}

// Some line of `text` begins with an enhanced code, or one is marked as such (not just a version
// number somewhere).
bool has_enhanced_lead(std::string_view text) {
  if (has_marked_enhanced(text)) return true;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    if (starts_with_enhanced(text.substr(0, nl))) return true;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return false;
}

// smtplib and JSON show multi-line replies with literal "\n"; make them real line breaks.
std::string decode_escaped_newlines(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\' && i + 1 < in.size() && (in[i + 1] == 'n' || in[i + 1] == 'r')) {
      if (in[i + 1] == 'n') out += '\n';
      ++i;
    } else {
      out += in[i];
    }
  }
  return out;
}

bool blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

Evidence evidence_for(std::string_view text) {
  Evidence ev;
  ev.text = std::string{text.substr(0, kMaxLineForMatching)};
  ev.reply = find_reply(ev.text);
  return ev;
}

// A rule recognised the words, not only codes: enough for a line without a reply code of its
// own to be a finding ("5.6.25" in "Running PHP 5.6.25" is a version, not a status).
bool is_real_diagnosis(const Diagnosis& d) {
  return d.rule != "unknown" && d.rule != "code-class" && d.basis != Basis::enhanced_code &&
         d.basis != Basis::reply_code;
}

// Does a knowledge-base rule recognise this line on its own?
bool recognised(std::string_view line) {
  if (line.size() < 6) return false;
  return is_real_diagnosis(diagnose(evidence_for(line)));
}

struct Pattern {
  std::string_view text;
  Stage stage;
};

// Tried in order on normalised text; explicit "in reply to X command" phrases first.
constexpr auto kStagePatterns = std::to_array<Pattern>({
    {"in reply to end of data", Stage::data},
    {"after end of data", Stage::data},
    {"after pipelined end of data", Stage::data},
    {"in reply to data command", Stage::data},
    {"in reply to rcpt to", Stage::rcpt},
    {"after rcpt to", Stage::rcpt},
    {"in reply to mail from", Stage::mail},
    {"after mail from", Stage::mail},
    {"in reply to helo", Stage::ehlo},
    {"in reply to ehlo", Stage::ehlo},
    {"in reply to starttls", Stage::starttls},
    {"in reply to auth", Stage::auth},
    {"while receiving the initial server greeting", Stage::banner},
    {"invalid greeting", Stage::banner},
    {"greeting never received", Stage::banner},
    {"refused to talk to me", Stage::banner},
    {"reject: connect from", Stage::banner},
    {"reject: helo from", Stage::ehlo},
    {"reject: mail from", Stage::mail},
    {"reject: rcpt from", Stage::rcpt},
    {"mail command failed", Stage::mail},
    {"rcpt command failed", Stage::rcpt},
    // Other MTAs' and clients' ways of naming the command a reply answered: Exim's "after ...",
    // Postfix's "while sending ...", the exception types of smtplib, JavaMail and .NET, and the
    // command nodemailer, PHPMailer and Evolution report.
    {"after initial connection", Stage::banner},
    {"after ehlo", Stage::ehlo},
    {"after helo", Stage::ehlo},
    {"after starttls", Stage::starttls},
    {"after auth", Stage::auth},
    {"after data", Stage::data},
    {"while sending mail from", Stage::mail},
    {"while sending rcpt to", Stage::rcpt},
    {"while sending end of data", Stage::data},
    {"while sending message body", Stage::data},
    {"smtprecipientsrefused", Stage::rcpt},
    {"smtprecipientrefused", Stage::rcpt},
    {"smtpsenderrefused", Stage::mail},
    {"smtpdataerror", Stage::data},
    {"smtpheloerror", Stage::ehlo},
    {"smtpaddressfailedexception", Stage::rcpt},
    {"smtpsenderfailedexception", Stage::mail},
    {"smtpfailedrecipientexception", Stage::rcpt},
    {"following recipients failed", Stage::rcpt},
    {"rcpt to command failed", Stage::rcpt},
    {"data not accepted", Stage::data},
    {"command: 'rcpt", Stage::rcpt},
    {"command: 'mail", Stage::mail},
    {"command: 'data", Stage::data},
    {"\"command\":\"rcpt", Stage::rcpt},
    {"\"command\": \"rcpt", Stage::rcpt},
    {"\"command\":\"mail", Stage::mail},
    {"\"command\": \"mail", Stage::mail},
    {"rcpt to <", Stage::rcpt},
    {"data command failed", Stage::data},
    {"auth command failed", Stage::auth},
    {"helo command failed", Stage::ehlo},
    {"smtpauthenticationerror", Stage::auth},
    {"invalid login", Stage::auth},
    {"authenticator failed", Stage::auth},
    {"command: 'auth", Stage::auth},
    {"\"command\": \"auth", Stage::auth},
    {"tlssocket", Stage::tls},
    {"ssl routines", Stage::tls},
    {"command: 'conn'", Stage::connect},
    {"syscall: 'connect'", Stage::connect},
    {"connect econnrefused", Stage::connect},
    {"connect etimedout", Stage::connect},
    {"connect to ", Stage::connect},
    {"getaddrinfo", Stage::resolve},
    {"name or service not known", Stage::resolve},
    {"name service error", Stage::resolve},
    {"enotfound", Stage::resolve},
});

// When the text names no stage, some categories imply one.
Stage stage_of_category(Category c) {
  switch (c) {
    case Category::auth_failed:
    case Category::app_password_required:
    case Category::credentials_differ_from_pop:
      return Stage::auth;
    case Category::connection_refused:
    case Category::port_blocked:
    case Category::no_internet:
      return Stage::connect;
    case Category::dns_failure:
      return Stage::resolve;
    case Category::helo_rejected:
      return Stage::ehlo;
    case Category::cert_invalid:
    case Category::tls_failure:
      return Stage::tls;
    case Category::sender_rejected:
      return Stage::mail;
    case Category::recipient_unknown:
    case Category::relay_denied:
      return Stage::rcpt;
    default:
      return Stage::none;
  }
}

struct Builder {
  explicit Builder(const ExplainLimits& l) : limits(l) {}

  const ExplainLimits& limits;
  std::vector<ExplainFinding> findings;
  std::string text;
  int code = 0;
  std::optional<EnhancedCode> enhanced;
  std::size_t lines = 0;
  bool open = false;

  void start(std::string_view context, std::string_view line, int line_code) {
    close();
    open = true;
    code = line_code;
    lines = 0;
    text.clear();
    if (!context.empty()) add(context);
    add(line);
    auto reply = find_reply(line.substr(0, kMaxLineForMatching));
    enhanced = reply ? reply->enhanced : std::nullopt;
  }
  // "5.7.9 https://…" after "(534, b'5.7.9 …": the reply's next line without its code.
  bool continues_reply(std::string_view line) const {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    std::size_t end = 0;
    auto e = enhanced_at(line, 0, &end);
    return e && enhanced && *e == *enhanced;
  }
  // The last line of a reply stops mid-sentence: a log or client wrapped it, and the next line
  // without a code of its own is the rest of it.
  bool wrapped() const {
    if (!code || text.empty()) return false;
    char last = text.back();
    while (!text.empty() && (last == ' ' || last == '\t' || last == '\r')) return true;
    return last != '.' && last != ')' && last != ']' && last != '"' && last != '\'';
  }
  void add(std::string_view line) {
    if (lines >= limits.max_lines_per_finding || text.size() >= limits.max_finding_octets) return;
    if (!text.empty()) text += '\n';
    std::size_t room = limits.max_finding_octets - std::min(limits.max_finding_octets, text.size());
    text.append(line.substr(0, room));
    ++lines;
  }
  void close() {
    if (!open) return;
    open = false;
    Evidence ev = evidence_for(text);
    ev.stage = infer_stage(text);
    bool has_code = ev.reply && (ev.reply->code >= 400 || has_enhanced_lead(text));
    push(text, ev, !has_code);
  }
  // One finding for `ev`, unless it repeats one already found; `need_words`: only if a rule
  // recognised the words (the text carries no reply code).
  void push(const std::string& found_in, const Evidence& ev, bool need_words) {
    if (findings.size() >= limits.max_findings) return;
    Diagnosis d = diagnose(ev);
    if (need_words && !is_real_diagnosis(d)) return;
    if (d.stage == Stage::none) d.stage = stage_of_category(d.category);
    if (d.code && *d.code == 0) d.code.reset();
    for (const ExplainFinding& f : findings) {
      // The same reply quoted twice in one bounce (once perhaps without its code).
      bool same_code = f.diagnosis.code == d.code || !f.diagnosis.code || !d.code;
      if (f.diagnosis.rule == d.rule && same_code && f.diagnosis.enhanced == d.enhanced) return;
    }
    findings.push_back({found_in, std::move(d)});
  }
};

}  // namespace

std::optional<Reply> find_reply(std::string_view text) {
  auto [code, at] = first_code(text);
  Reply reply;
  std::size_t rest = 0;
  if (code) {
    reply.code = code;
    std::size_t p = at + 3;
    // Separators seen between code and enhanced code: "550-5.7.1", "(534, b'5.7.9",
    // "421: 4.3.2", "550 - b'5.7.1".
    std::size_t limit = std::min(text.size(), p + 6);
    while (p < limit && (text[p] == ' ' || text[p] == '-' || text[p] == ',' || text[p] == ':' ||
                         text[p] == 'b' || text[p] == '\'' || text[p] == '"'))
      ++p;
    std::size_t end = p;
    if (auto enhanced = enhanced_at(text, p, &end)) reply.enhanced = enhanced;
    rest = reply.enhanced ? end : at + 3;
  } else {
    std::size_t end = 0;
    auto enhanced = first_enhanced(text, 0, &end);
    if (!enhanced) return std::nullopt;
    reply.enhanced = enhanced;
    rest = end;
  }
  std::string_view tail = text.substr(std::min(rest, text.size()));
  std::size_t nl = tail.find('\n');
  std::string_view first_line = tail.substr(0, nl);
  while (!first_line.empty() && (first_line.front() == ' ' || first_line.front() == '-'))
    first_line.remove_prefix(1);
  reply.lines.emplace_back(first_line.substr(0, 1000));
  return reply;
}

Stage infer_stage(std::string_view text) {
  std::string norm = normalize_for_match(text.substr(0, 64 * 1024));
  for (const auto& p : kStagePatterns)
    if (norm.find(p.text) != std::string::npos) return p.stage;
  return Stage::none;
}

// A failing recipient of a bounce: its diagnostic, with the DSN Status as the enhanced code when
// the diagnostic has none ("Diagnostic-Code: X-Postfix; mailbox is full" with "Status: 5.2.2").
void add_bounce_finding(Builder& b, const BounceDiagnostic& bounce) {
  Evidence ev = evidence_for(bounce.text);
  ev.stage = infer_stage(bounce.text);
  std::size_t end = 0;
  auto status = enhanced_at(bounce.status, 0, &end);
  if (status && !ev.reply) {
    Reply reply;
    reply.enhanced = status;
    reply.lines.emplace_back(bounce.text.substr(0, 1000));
    ev.reply = std::move(reply);
  } else if (status && !ev.reply->enhanced) {
    ev.reply->enhanced = status;
  }
  std::string found_in =
      bounce.recipient.empty() ? bounce.text : bounce.recipient + ": " + bounce.text;
  if (!bounce.status.empty()) found_in += " (Status: " + bounce.status + ")";
  b.push(found_in.substr(0, b.limits.max_finding_octets), ev, false);
}

std::vector<ExplainFinding> explain_text(std::string_view input, const ExplainLimits& limits) {
  std::string text = decode_escaped_newlines(input.substr(0, limits.max_input_octets));
  Builder b(limits);
  // A whole bounce: what failed is in its delivery-status part (or the NDR's quoted reply),
  // not in the first code-looking line of its headers or of the returned message.
  if (auto bounce = bounce_diagnostics(text); !bounce.empty()) {
    for (const BounceDiagnostic& recipient : bounce) add_bounce_finding(b, recipient);
    return std::move(b.findings);
  }
  std::string context;  // the last unrecognised line of the paragraph ("host x said:")
  std::string_view rest = text;
  while (!rest.empty() && b.findings.size() < limits.max_findings) {
    std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (blank(line)) {
      b.close();
      context.clear();
      continue;
    }
    std::string_view probe = line.substr(0, kMaxLineForMatching);
    int code = first_code(probe).first;
    // A line that begins with an enhanced status code ("4.3.5 <x>: Recipient address rejected")
    // is a reply quoted without its basic code.
    bool enhanced_lead = !code && (starts_with_enhanced(probe) || has_marked_enhanced(probe));
    bool indented = line.front() == ' ' || line.front() == '\t';
    if (b.open) {
      if (code && code != b.code) {
        b.start({}, line, code);
      } else if (code || indented || b.continues_reply(probe) || !recognised(probe)) {
        b.add(line);
      } else if (!recognised(b.text) || b.wrapped()) {
        // A reply whose reason is on its next, unindented line ("550 SC-001 … weren't sent.\n
        // … on our block list", "554 Service unavailable; Client host\n[…] blocked using …"):
        // still one reply.
        b.add(line);
      } else {
        b.start({}, line, code);
      }
    } else if (code || enhanced_lead || recognised(probe)) {
      b.start(context, line, code);
      context.clear();
    } else {
      context = std::string{line.substr(0, 512)};
    }
  }
  b.close();
  return std::move(b.findings);
}

std::string printable_excerpt(std::string_view text, std::size_t max_octets) {
  std::string out;
  bool space = false;
  std::size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 0;
    bool valid = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; valid && k < len; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    // C1 controls (U+0080..U+009F) are valid UTF-8 but terminals may act on them.
    if (valid && len == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0)
      valid = false;
    // A replacement '?' and a collapsed space count against max_octets like any other octet.
    if (!valid) {
      if (out.size() + 1 > max_octets) {
        out += "…";
        return out;
      }
      out += '?';
      space = false;
      ++i;
    } else if (len == 1 && (c < 0x20 || c == 0x7f || c == ' ')) {
      if (!space && !out.empty() && out.size() < max_octets) out += ' ';
      space = true;
      ++i;
    } else {
      if (out.size() + len > max_octets) {
        out += "…";
        return out;
      }
      out.append(text.substr(i, len));
      space = false;
      i += len;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace smtpdoctor
