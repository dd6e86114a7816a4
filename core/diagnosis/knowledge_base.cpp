// The matching engine over the rule table. Text patterns are plain case-insensitive substrings
// (with '*' gaps) rather than std::regex: the table stays readable as data, matching is linear,
// and hostile input cannot trigger regex backtracking.
#include "core/diagnosis/knowledge_base.hpp"

#include <array>

#include <vector>

#include "core/base/ascii.hpp"
#include "core/diagnosis/enhanced_codes.hpp"

namespace smtpdoctor {
namespace {

// Each '|' alternative; within one, '*'-separated parts must appear in order.
bool alternative_matches(std::string_view haystack, std::string_view alternative) {
  std::size_t from = 0;
  while (!alternative.empty()) {
    std::size_t star = alternative.find('*');
    std::string_view part = alternative.substr(0, star);
    // Trim the spaces around '*' so "helo * rejected" reads naturally.
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (!part.empty()) {
      std::size_t at = haystack.find(part, from);
      if (at == std::string_view::npos) return false;
      from = at + part.size();
    }
    if (star == std::string_view::npos) break;
    alternative.remove_prefix(star + 1);
  }
  return true;
}

bool text_matches(std::string_view haystack, std::string_view patterns) {
  while (!patterns.empty()) {
    std::size_t bar = patterns.find('|');
    std::string_view alternative = patterns.substr(0, bar);
    if (!alternative.empty() && alternative_matches(haystack, alternative)) return true;
    if (bar == std::string_view::npos) break;
    patterns.remove_prefix(bar + 1);
  }
  return false;
}

// "500-699" or "26": a detail number or an inclusive range (Microsoft numbers its NDR codes in
// families, 5.7.606-5.7.649 for banned sending IPs).
bool detail_matches(int detail, std::string_view spec) {
  auto number = [](std::string_view s) {
    int n = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    return s.empty() ? -1 : n;
  };
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return number(spec) == detail;
  int low = number(spec.substr(0, dash)), high = number(spec.substr(dash + 1));
  return low >= 0 && high >= 0 && detail >= low && detail <= high;
}

// "5.7.26" exact, "5.7.*" prefix, "*.7.26" any class, "*.7.606-649" a detail range.
bool enhanced_matches(const EnhancedCode& code, std::string_view pattern) {
  if (std::size_t dash = pattern.find('-'); dash != std::string_view::npos) {
    std::size_t last_dot = pattern.rfind('.', dash);
    std::string_view head = pattern.substr(0, last_dot + 1);  // "*.7." or "4.7."
    std::string prefix = (head.starts_with("*.") ? std::string{} : std::to_string(code.klass)) +
                         "." + std::to_string(code.subject) + ".";
    if (head.starts_with("*.")) head.remove_prefix(1);
    return head == prefix && detail_matches(code.detail, pattern.substr(last_dot + 1));
  }
  std::string have = code.str();
  if (pattern.starts_with("*.")) {
    std::size_t dot = have.find('.');
    return std::string_view{have}.substr(dot + 1) == pattern.substr(2);
  }
  if (pattern.ends_with(".*")) {
    pattern.remove_suffix(1);  // keep the dot: "5.7." must not match "5.71.0"
    return std::string_view{have}.starts_with(pattern);
  }
  return have == pattern;
}

// Alternatives separated by '|', as in text patterns.
bool any_enhanced_matches(const EnhancedCode& code, std::string_view patterns) {
  while (!patterns.empty()) {
    std::size_t bar = patterns.find('|');
    if (bar != 0 && enhanced_matches(code, patterns.substr(0, bar))) return true;
    if (bar == std::string_view::npos) break;
    patterns.remove_prefix(bar + 1);
  }
  return false;
}

bool signal_matches(const Rule& rule, const Evidence& ev) {
  switch (rule.signal) {
    case Signal::none:
      return true;
    case Signal::socket_errno:
      // Asio reports errno values in its own category object ("asio.system"), not
      // std::system_category(); all three carry plain errno numbers.
      return ev.socket_error && ev.socket_error->value() == rule.signal_value &&
             (ev.socket_error->category() == std::generic_category() ||
              ev.socket_error->category() == std::system_category() ||
              std::string_view(ev.socket_error->category().name()) == "asio.system");
    case Signal::x509:  // -1: any verification failure
      return ev.x509_verify_result && *ev.x509_verify_result != 0 &&
             (rule.signal_value == -1 || *ev.x509_verify_result == rule.signal_value);
    case Signal::dns:
      return ev.dns && static_cast<long>(*ev.dns) == rule.signal_value;
    case Signal::other_protocol_login_ok:
      return ev.other_protocol_login_ok;
    case Signal::no_smtp_reply:
      // An enhanced code alone ("dsn=4.4.1" in a Postfix log line) is a delivery status, not
      // a server's reply: the words around it are the client's own.
      return !ev.reply || ev.reply->code == 0;
    case Signal::outside_recipient_without_login:
      return ev.context.known && !ev.context.logged_in && ev.context.recipient_local == false;
    case Signal::token_login:
      return ev.context.known && ev.context.login_attempted && ev.context.token_login;
  }
  return false;
}

std::optional<EnhancedCode> evidence_enhanced(const Evidence& ev) {
  if (ev.reply && ev.reply->enhanced) return ev.reply->enhanced;
  return std::nullopt;
}

std::string haystack_of(const Evidence& ev) {
  std::string all;
  if (ev.reply) all += ev.reply->text();
  if (!ev.tls_error.empty()) {
    all += '\n';
    all += ev.tls_error;
  }
  if (!ev.text.empty()) {
    all += '\n';
    all += ev.text;
  }
  return normalize_for_match(all);
}

// Words are loose, codes and stages are the server's own statement. A rule that reads words (or
// guesses from a reply code and stage) must not contradict what the reply's codes and the stage
// say; when it would, it stands back and a less specific level decides. This is what keeps a
// word like "sender" or "spam" in a protocol error from naming a cause the reply does not give.
// The "named" rules: a 5xx that mentions the sender, the recipient's address or HELO, read by
// that one word.
bool is_guess(const Rule& rule) {
  return rule.id.ends_with("-named") || rule.id.starts_with("helo-named");
}

bool consistent_with_codes(const Rule& rule, const Evidence& ev) {
  Basis basis = basis_of(rule);
  if (basis == Basis::evidence || basis == Basis::provider_code) return true;
  Category c = rule.category;
  if (c == Category::other) return true;
  int code = ev.reply ? ev.reply->code : 0;
  // A positive or intermediate reply (2xx, 3xx) reports no failure at all.
  if (code >= 200 && code < 400) return false;
  auto enhanced = evidence_enhanced(ev);
  if (enhanced && enhanced->klass == 2) return false;
  bool about_one_recipient = c == Category::recipient_unknown || c == Category::mailbox_full;
  bool about_the_message = c == Category::message_too_large || c == Category::content_rejected;
  // The stage says what the reply answers: at MAIL FROM it is not about a recipient's mailbox;
  // before any envelope command it is about neither the sender, a recipient nor the message.
  switch (ev.stage) {
    case Stage::mail:
      if (about_one_recipient) return false;
      break;
    case Stage::banner:
    case Stage::ehlo:
    case Stage::helo:
    case Stage::starttls:
    case Stage::auth:
      if (about_one_recipient || about_the_message || c == Category::sender_rejected) return false;
      if ((ev.stage == Stage::auth || ev.stage == Stage::starttls) && c == Category::helo_rejected)
        return false;
      break;
    default:
      break;
  }
  // A guess from one word (the "named" rules) cannot tell a permanent verdict on a recipient
  // from a 4xx deferral that mentions one ("451 4.3.0 <x>: Recipient address rejected: Temporary
  // lookup failure").
  // An addressing status (X.1.x) keeps it about the address.
  if (is_guess(rule) && code >= 400 && code < 500 && about_one_recipient &&
      !(enhanced && enhanced->subject == 1))
    return false;
  // 421 closes the whole session (RFC 5321 §3.8): it is no verdict on one mailbox.
  if (code == 421 && about_one_recipient) return false;
  // 500, 502, 503, 504: the command itself was not understood, not implemented or out of order
  // (RFC 5321 §4.2.2). A guess from the stage alone cannot name a cause behind that.
  if (basis == Basis::reply_code && (code == 500 || code == 502 || code == 503 || code == 504))
    return false;
  // Nor is such a reply about a recipient's mailbox or the message, whatever its words.
  if ((code == 500 || code == 502 || code == 504) && (about_one_recipient || about_the_message))
    return false;
  if (enhanced) {
    int subject = enhanced->subject, detail = enhanced->detail;
    // A guess from the reply code and stage alone stands back when the enhanced code, which is
    // more precise (RFC 3463 §1), puts the cause outside addresses and mailboxes: "550 5.7.1"
    // to RCPT TO is a policy refusal, not a missing mailbox.
    if (basis == Basis::reply_code &&
        (c == Category::recipient_unknown || c == Category::sender_rejected ||
         c == Category::mailbox_full) &&
        subject != 0 && subject != 1 && subject != 2 &&
        !(subject == 3 && c == Category::mailbox_full))
      return false;
    // The "named" guesses (a 5xx that mentions the sender, the recipient's address, HELO) read
    // one word; a mailbox, system, network or media status code says the cause lies elsewhere.
    bool guess = is_guess(rule);
    if (guess && (subject == 2 || subject == 3 || subject == 4 || subject == 6)) return false;
    // A registry detail that names one condition precisely (RFC 3463): a message over a size
    // limit. Words for another cause do not override it.
    if (((subject == 2 && detail == 3) || (subject == 3 && detail == 4)) &&
        c != Category::message_too_large && c != Category::content_rejected)
      return false;
    // A mailbox's state is not a network, content or policy-authentication status.
    if (about_one_recipient && (subject == 4 || subject == 6) && detail != 1) return false;
    if (c == Category::message_too_large && subject == 1) return false;
    // X.1.1, a bad destination mailbox, is about the address: not a block of the sender, the
    // content, or the mailbox's storage.
    if (subject == 1 && detail == 1 &&
        (c == Category::blocklisted || c == Category::content_rejected ||
         c == Category::mailbox_full))
      return false;
  }
  return true;
}

bool matches(const Rule& rule, const Evidence& ev, std::string_view haystack) {
  if (rule.stage != Stage::none && ev.stage != rule.stage) return false;
  if (rule.code != 0) {
    if (!ev.reply) return false;
    int code = ev.reply->code;
    if (rule.code < 10 ? code / 100 != rule.code : code != rule.code) return false;
  }
  if (!rule.enhanced.empty()) {
    auto enhanced = evidence_enhanced(ev);
    if (!enhanced || !any_enhanced_matches(*enhanced, rule.enhanced)) return false;
  }
  if (!signal_matches(rule, ev)) return false;
  if (rule.finding != ev.finding) return false;
  if (!rule.text.empty() && !text_matches(haystack, rule.text)) return false;
  if (!rule.unless_text.empty() && text_matches(haystack, rule.unless_text)) return false;
  return consistent_with_codes(rule, ev);
}

std::vector<std::string> split_refs(std::string_view refs) {
  std::vector<std::string> out;
  while (!refs.empty()) {
    std::size_t bar = refs.find('|');
    if (bar != 0) out.emplace_back(refs.substr(0, bar));
    if (bar == std::string_view::npos) break;
    refs.remove_prefix(bar + 1);
  }
  return out;
}

bool permanent_for(Permanence p, const Evidence& ev) {
  if (ev.reply && (ev.reply->code >= 400 && ev.reply->code < 600)) return ev.reply->code >= 500;
  // Pasted text may carry only an enhanced code ("4.2.0 <x>: Recipient address rejected").
  if (ev.reply && ev.reply->code == 0 && ev.reply->enhanced && ev.reply->enhanced->klass >= 4)
    return ev.reply->enhanced->klass == 5;
  return p == Permanence::permanent;
}

// No rule matched: say what the code classes say.
Diagnosis fallback(const Evidence& ev) {
  Diagnosis d;
  d.stage = ev.stage;
  d.rule = "code-class";
  if (ev.reply) {
    if (ev.reply->code) d.code = ev.reply->code;
    d.enhanced = ev.reply->enhanced;
  }
  d.basis = d.enhanced ? Basis::enhanced_code : d.code ? Basis::reply_code : Basis::none;
  int klass = ev.reply ? ev.reply->code / 100 : 0;
  if (klass == 0 && d.enhanced) klass = d.enhanced->klass;
  if (klass == 4) {
    d.category = Category::temporary_failure;
    d.permanent = false;
    d.cause = "The server refused for now (a 4xx reply) without a reason this tool recognises.";
    d.fix = "Retry later; if it persists, read the server's text and ask its postmaster.";
  } else if (klass == 5) {
    d.category = Category::other;
    d.permanent = true;
    d.cause =
        "The server refused permanently (a 5xx reply) for a reason this tool does not "
        "recognise.";
    d.fix =
        "Read the server's text (and the enhanced status code's meaning); retrying the same "
        "thing will fail the same way.";
  } else {
    d.category = Category::other;
    d.permanent = false;
    d.cause = "This tool does not recognise this failure.";
    d.fix = "Run with -v to see the full transcript, and check the message text.";
    d.rule = "unknown";
  }
  if (d.enhanced) {
    d.cause += " Its enhanced status code means: " + enhanced_code_meaning(*d.enhanced) + ".";
  }
  d.refs = {"RFC 5321 §4.2.1", "RFC 3463"};
  return d;
}

}  // namespace

namespace {

// Lower-cases the two-byte UTF-8 capitals of Latin-1 (À-Þ) and Cyrillic (Ѐ-Я), so that patterns
// in French, German, Spanish, Portuguese or Russian match whatever the case of the first letter
// ("Требуется аутентификация", "Échec"). Writes the pair into `out`.
void append_lower_utf8_pair(std::string& out, unsigned char lead, unsigned char cont) {
  unsigned cp = ((lead & 0x1Fu) << 6) | (cont & 0x3Fu);
  if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x410 && cp <= 0x42F))
    cp += 0x20;
  else if (cp >= 0x400 && cp <= 0x40F)
    cp += 0x50;
  out += static_cast<char>(0xC0 | (cp >> 6));
  out += static_cast<char>(0x80 | (cp & 0x3F));
}

}  // namespace

std::string normalize_for_match(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    auto lead = static_cast<unsigned char>(c);
    if (lead >= 0xC2 && lead <= 0xD3 && i + 1 < text.size() &&
        (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      if (space && !out.empty()) out += ' ';
      space = false;
      append_lower_utf8_pair(out, lead, static_cast<unsigned char>(text[++i]));
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += ascii::to_lower(c);
  }
  return out;
}

Basis basis_of(const Rule& rule) {
  if (rule.basis) return *rule.basis;
  if (rule.finding != Finding::none ||
      (rule.signal != Signal::none && rule.signal != Signal::no_smtp_reply))
    return Basis::evidence;
  if (!rule.text.empty()) return Basis::text;
  if (!rule.enhanced.empty()) return Basis::enhanced_code;
  return Basis::reply_code;
}

bool rule_matches(const Rule& rule, const Evidence& evidence) {
  return matches(rule, evidence, haystack_of(evidence));
}

namespace {

// Each placeholder with the phrase that stands in when the evidence lacks the fact.
constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kPlaceholders{{
    {"address", "(not known)"},
    {"ptr", "its PTR name"},
    {"zones", "a blocklist"},
    {"protocols", "POP3/IMAP"},
    {"host", "The server"},
    {"domain", "the domain"},
    {"problem", "see the details"},
    {"url", "https://mta-sts.DOMAIN/.well-known/mta-sts.txt"},
    {"patterns", "the policy's patterns"},
    {"consequence", "senders that enforce the policy refuse to deliver to it"},
    {"names", "smtp.DOMAIN, mail.DOMAIN"},
    {"tlsa_name", "the MX host's TLSA name (_25._tcp.HOST)"},
    {"tlsa", "a TLSA record for the certificate's current key (3 1 1 and its SHA-256)"},
    {"proxy", "the proxy"},
    {"proxy_reason", "it gave no reason"},
}};

constexpr auto kPlaceholderNames = [] {
  std::array<std::string_view, kPlaceholders.size()> names{};
  for (std::size_t i = 0; i < kPlaceholders.size(); ++i) names[i] = kPlaceholders[i].first;
  return names;
}();

std::string fact_or_neutral(std::string_view name, const Evidence& ev) {
  for (const auto& [n, value] : ev.facts)
    if (n == name) return value;
  for (const auto& [n, neutral] : kPlaceholders)
    if (n == name) return std::string{neutral};
  return "this";
}

}  // namespace

std::span<const std::string_view> placeholder_names() {
  return kPlaceholderNames;
}

std::string fill_placeholders(std::string_view text, const Evidence& ev) {
  std::string out;
  while (!text.empty()) {
    auto open = text.find('{');
    auto close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out += text.substr(0, open);
    out += fact_or_neutral(text.substr(open + 1, close - open - 1), ev);
    text.remove_prefix(close + 1);
  }
  out += text;
  return out;
}

Diagnosis diagnose(const Evidence& ev) {
  std::string haystack = haystack_of(ev);
  for (const Rule& rule : rules()) {
    if (!matches(rule, ev, haystack)) continue;
    Diagnosis d;
    d.category = rule.category;
    d.permanent = permanent_for(rule.permanence, ev);
    d.stage = ev.stage;
    d.cause = fill_placeholders(rule.cause, ev);
    d.fix = fill_placeholders(rule.fix, ev);
    d.refs = split_refs(rule.refs);
    d.rule = std::string{rule.id};
    d.basis = basis_of(rule);
    if (ev.reply) {
      if (ev.reply->code) d.code = ev.reply->code;
      d.enhanced = ev.reply->enhanced;
    }
    return d;
  }
  return fallback(ev);
}

namespace {

// DNS lookups (core/dns/dns_records.hpp) carry their DnsStatus in an error_code of category "dns".
// It is read by the RCODE tag in its message so that this library need not link the resolver.
std::optional<DnsOutcome> dns_outcome_of(const std::error_code& code) {
  if (!code || std::string_view{code.category().name()} != "dns") return std::nullopt;
  std::string message = code.message();
  auto has = [&](std::string_view tag) { return message.find(tag) != std::string::npos; };
  if (has("NXDOMAIN")) return DnsOutcome::nxdomain;
  if (has("NODATA")) return DnsOutcome::nodata;
  if (has("SERVFAIL")) return DnsOutcome::servfail;
  if (has("REFUSED")) return DnsOutcome::refused;
  if (has("timed out") || has("timeout")) return DnsOutcome::timeout;
  return std::nullopt;
}

}  // namespace

Diagnosis diagnose(const Error& error) {
  Evidence ev;
  ev.stage = error.stage;
  ev.reply = error.reply;
  ev.dns = dns_outcome_of(error.code);
  if (error.code && !ev.dns) ev.socket_error = error.code;
  if (error.kind == ErrorKind::tls) {
    if (error.tls_verify_result != 0) ev.x509_verify_result = error.tls_verify_result;
    ev.tls_error = error.message;
  }
  // A deadline that passed while connecting is what a filtered port looks like.
  if (error.kind == ErrorKind::timeout && error.stage == Stage::connect && !error.code)
    ev.socket_error = std::make_error_code(std::errc::timed_out);
  ev.text = error.message;
  return diagnose(ev);
}

}  // namespace smtpdoctor
