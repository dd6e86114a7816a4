#include "core/diagnosis/bounce.hpp"

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && ascii::iequals(s.substr(0, prefix.size()), prefix);
}

std::size_t find_nocase(std::string_view s, std::string_view needle, std::size_t from = 0) {
  for (std::size_t i = from; i + needle.size() <= s.size(); ++i)
    if (ascii::iequals(s.substr(i, needle.size()), needle)) return i;
  return std::string_view::npos;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// "smtp; 550 5.1.1 …" → "550 5.1.1 …": the diagnostic type (smtp, X-Postfix, X-Unix) is not
// part of the reason.
std::string_view without_type(std::string_view value) {
  std::size_t semi = value.find(';');
  if (semi == std::string_view::npos) return value;
  std::string_view type = trim(value.substr(0, semi));
  if (type.empty() || type.find(' ') != std::string_view::npos) return value;
  return trim(value.substr(semi + 1));
}

struct Recipient {
  std::string final_recipient;
  bool has_original = false;
  std::string action;
  std::string status;
  std::string diagnostic;
};

// RFC 3464 per-recipient fields, header lines unfolded.
std::vector<Recipient> delivery_status(const std::vector<std::string_view>& lines) {
  std::vector<Recipient> out;
  bool in_dsn = false;
  bool after_blank = true;      // a blank line separates one recipient's fields from the next
  std::string* last = nullptr;  // the field a folded line continues
  for (std::string_view line : lines) {
    if (trim(line).empty()) {
      after_blank = true;
      last = nullptr;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (last) {
        *last += ' ';
        *last += trim(line);
      }
      continue;
    }
    last = nullptr;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string value{trim(line.substr(colon + 1))};
    bool final_field = ascii::iequals(name, "Final-Recipient");
    bool original_field = ascii::iequals(name, "Original-Recipient");
    bool diagnostic_field = ascii::iequals(name, "Diagnostic-Code");
    if (final_field || original_field || diagnostic_field) in_dsn = true;
    if (!in_dsn) continue;
    bool repeated = !out.empty() && ((final_field && !out.back().final_recipient.empty()) ||
                                     (original_field && out.back().has_original));
    if (out.empty() || repeated || (after_blank && (final_field || original_field)))
      out.emplace_back();
    after_blank = false;
    Recipient& r = out.back();
    if (final_field) {
      r.final_recipient = std::string{without_type(value)};
      last = &r.final_recipient;
    } else if (original_field) {
      r.has_original = true;
    } else if (ascii::iequals(name, "Action")) {
      r.action = value;
    } else if (ascii::iequals(name, "Status")) {
      r.status = value;
    } else if (diagnostic_field) {
      r.diagnostic = value;
      last = &r.diagnostic;
    }
  }
  return out;
}

bool action_is(const Recipient& r, std::string_view action) {
  return starts_with_nocase(trim(r.action), action);
}

// Postfix's human-readable part: "<user@example.org>: host x said: 550 …" with indented
// continuation lines; the reason when the delivery-status part gives only a Status.
std::string human_reason(const std::vector<std::string_view>& lines, std::string_view recipient) {
  if (recipient.empty()) return {};
  std::string mark = "<" + std::string{recipient} + ">:";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!starts_with_nocase(lines[i], mark)) continue;
    std::string reason{trim(lines[i].substr(mark.size()))};
    for (std::size_t j = i + 1; j < lines.size(); ++j) {
      std::string_view next = lines[j];
      if (next.empty() || (next.front() != ' ' && next.front() != '\t')) break;
      reason += ' ';
      reason += trim(next);
    }
    return reason;
  }
  return {};
}

std::vector<BounceDiagnostic> from_delivery_status(const std::vector<std::string_view>& lines) {
  std::vector<Recipient> recipients = delivery_status(lines);
  bool any_failed = false;
  for (const Recipient& r : recipients) any_failed |= action_is(r, "failed");
  std::vector<BounceDiagnostic> out;
  for (const Recipient& r : recipients) {
    // A lone "Diagnostic-Code:" line pasted among log lines is not a bounce: the line scan
    // reads it with the rest.
    if (r.final_recipient.empty() && r.action.empty()) continue;
    if (r.diagnostic.empty() && r.status.empty()) continue;
    if (any_failed && !action_is(r, "failed")) continue;
    if (action_is(r, "delivered") || action_is(r, "relayed") || action_is(r, "expanded")) continue;
    std::string reason{without_type(r.diagnostic)};
    if (reason.empty()) reason = human_reason(lines, r.final_recipient);
    out.push_back({r.final_recipient, r.status, std::move(reason)});
  }
  return out;
}

// Exchange: "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; …'" (Exchange
// 2010-2016 and older Microsoft 365 NDRs), or the "Error Details" block of current Microsoft 365
// NDRs: "Reported error: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; …", one per recipient.
std::vector<BounceDiagnostic> from_exchange(const std::vector<std::string_view>& lines) {
  std::vector<BounceDiagnostic> out;
  constexpr std::string_view kMark = "remote server returned '";
  constexpr std::string_view kReported = "reported error:";
  for (std::string_view line : lines) {
    if (std::string_view head = trim(line); starts_with_nocase(head, kReported)) {
      std::string_view reported = trim(head.substr(kReported.size()));
      if (!reported.empty()) out.push_back({{}, {}, std::string{reported}});
      continue;
    }
    std::size_t at = find_nocase(line, kMark);
    if (at == std::string_view::npos) continue;
    std::string_view quoted = line.substr(at + kMark.size());
    std::size_t end = quoted.rfind('\'');
    if (end != std::string_view::npos) quoted = quoted.substr(0, end);
    quoted = trim(quoted);
    if (quoted.starts_with('<') && quoted.ends_with('>'))
      quoted = trim(quoted.substr(1, quoted.size() - 2));
    if (!quoted.empty()) out.push_back({{}, {}, std::string{quoted}});
  }
  return out;
}

// Gmail: "The response from the remote server was:" and the reply on the lines after it.
std::vector<BounceDiagnostic> from_gmail(const std::vector<std::string_view>& lines) {
  std::vector<BounceDiagnostic> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view head = trim(lines[i]);
    if (!ascii::iequals(head, "The response from the remote server was:") &&
        !ascii::iequals(head, "The response was:"))
      continue;
    std::string reply;
    std::size_t j = i + 1;
    while (j < lines.size() && trim(lines[j]).empty()) ++j;
    for (; j < lines.size() && !trim(lines[j]).empty(); ++j) {
      if (!reply.empty()) reply += '\n';
      reply += trim(lines[j]);
    }
    if (!reply.empty()) out.push_back({{}, {}, std::move(reply)});
    i = j;
  }
  return out;
}

}  // namespace

std::vector<BounceDiagnostic> bounce_diagnostics(std::string_view text) {
  std::vector<std::string_view> lines = lines_of(text);
  // The machine-readable part is the most precise; the human-readable shapes follow.
  for (auto shape : {from_delivery_status, from_exchange, from_gmail}) {
    std::vector<BounceDiagnostic> found = shape(lines);
    if (!found.empty()) return found;
  }
  return {};
}

}  // namespace smtpdoctor
