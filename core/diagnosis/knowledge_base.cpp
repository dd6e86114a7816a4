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

// "5.7.26" exact, "5.7.*" prefix, "*.7.26" any class.
bool enhanced_matches(const EnhancedCode& code, std::string_view pattern) {
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

bool matches(const Rule& rule, const Evidence& ev, std::string_view haystack) {
  if (rule.stage != Stage::none && ev.stage != rule.stage) return false;
  if (rule.code != 0) {
    if (!ev.reply) return false;
    int code = ev.reply->code;
    if (rule.code < 10 ? code / 100 != rule.code : code != rule.code) return false;
  }
  if (!rule.enhanced.empty()) {
    auto enhanced = evidence_enhanced(ev);
    if (!enhanced || !enhanced_matches(*enhanced, rule.enhanced)) return false;
  }
  if (!signal_matches(rule, ev)) return false;
  if (rule.finding != ev.finding) return false;
  if (!rule.text.empty() && !text_matches(haystack, rule.text)) return false;
  if (!rule.unless_text.empty() && text_matches(haystack, rule.unless_text)) return false;
  return true;
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

std::string normalize_for_match(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
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
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kPlaceholders{{
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
