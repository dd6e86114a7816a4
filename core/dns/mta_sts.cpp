#include "core/dns/mta_sts.hpp"

#include "core/base/utf8.hpp"

#include <algorithm>

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

// What a problem quotes of the input: short, and escaped so a hostile record cannot draw on the
// terminal.
std::string quoted(std::string_view text) {
  return quoted_excerpt(text, 64);
}

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

// "v=STSv1; id=1; " -> {"v=STSv1", "id=1"}: fields between ';' with the WSP around them trimmed.
// One trailing ';' is allowed (the ABNF's optional final delimiter); an empty field elsewhere is
// reported by the caller.
std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  while (true) {
    auto semi = text.find(';');
    fields.push_back(trim_wsp(text.substr(0, semi)));
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  if (fields.size() > 1 && fields.back().empty()) fields.pop_back();
  return fields;
}

// ALPHA / DIGIT first, then up to 31 of ALPHA / DIGIT / "_" / "-" / "." (both RFCs' ext-name).
bool is_extension_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || !ascii::is_alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return ascii::is_alnum(c) || c == '_' || c == '-' || c == '.'; });
}

// A DNS host name as the policy's mx and the records name them: LDH labels of 1-63 octets, at
// least two labels, at most 253 octets.
std::optional<std::string> host_name_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > 253) return "is longer than 253 characters";
  std::size_t labels = 0;
  std::size_t start = 0;
  while (true) {
    auto dot = name.find('.', start);
    auto label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return "has an empty label";
    if (label.size() > 63) return "has a label longer than 63 characters";
    if (label.find('*') != std::string_view::npos)
      return "has a '*' that is not the whole leftmost label (only \"*.\" at the start is allowed)";
    if (!ascii::is_ldh(label)) return "has a character other than letters, digits, '-' and '.'";
    if (label.front() == '-' || label.back() == '-')
      return "has a label that starts or ends with '-'";
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return "is not a fully qualified host name";
  return std::nullopt;
}

std::string_view without_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

template <typename Selection, typename Parse>
Selection select_record(const std::vector<TxtRecord>& txt_records,
                        bool (*is_record)(std::string_view), Parse parse, std::string_view what) {
  Selection selection;
  for (const auto& txt : txt_records) {
    if (!is_record(txt.text)) continue;
    if (++selection.count == 1) selection.record = parse(txt.text);
  }
  if (selection.count > 1)
    selection.record->errors.push_back(std::to_string(selection.count) + " " + std::string(what) +
                                       " records are published; senders use none of them unless "
                                       "there is exactly one");
  return selection;
}

}  // namespace

// ---- _mta-sts ---------------------------------------------------------------------------------

bool is_sts_record(std::string_view text) {
  return text.substr(0, 7) == "v=STSv1";
}

StsRecord parse_sts_record(std::string_view text) {
  StsRecord record;
  auto fields = split_fields(text);
  // The version starts the record itself: white space before it is not allowed (§3.1).
  if (!is_sts_record(text) || fields.front() != "v=STSv1") {
    record.errors.push_back("the record must start with \"v=STSv1;\", not " +
                            quoted(fields.front()));
    return record;
  }
  bool seen_id = false;
  for (std::size_t i = 1; i < fields.size(); ++i) {
    std::string_view field = fields[i];
    if (field.empty()) {
      record.errors.push_back("an empty field (two ';' in a row)");
      continue;
    }
    auto eq = field.find('=');
    if (eq == std::string_view::npos) {
      record.errors.push_back("the field " + quoted(field) + " has no '='");
      continue;
    }
    std::string_view name = field.substr(0, eq);
    std::string_view value = field.substr(eq + 1);
    if (name == "id") {
      if (seen_id) {
        record.errors.push_back("more than one id");
        continue;
      }
      seen_id = true;
      if (value.empty() || value.size() > 32 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return ascii::is_alnum(c); })) {
        record.errors.push_back("id must be 1 to 32 letters and digits, not " + quoted(value));
        continue;
      }
      record.id = std::string(value);
    } else if (!is_extension_name(name)) {
      record.errors.push_back("the field name " + quoted(name) + " is not valid");
    } else if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) {
                 return c >= 0x21 && c <= 0x7e && c != ';' && c != '=';
               })) {
      record.errors.push_back("the value of " + quoted(name) + " is not valid");
    }
  }
  if (!seen_id) record.errors.push_back("the record has no id (\"v=STSv1; id=20260101T000000;\")");
  return record;
}

StsSelection select_sts(const std::vector<TxtRecord>& txt_records) {
  return select_record<StsSelection>(txt_records, is_sts_record, parse_sts_record, "v=STSv1");
}

// ---- the policy file --------------------------------------------------------------------------

std::string_view sts_mode_name(StsMode mode) {
  switch (mode) {
    case StsMode::enforce:
      return "enforce";
    case StsMode::testing:
      return "testing";
    case StsMode::none:
      return "none";
  }
  return "none";
}

std::string format_problem(const StsPolicyProblem& problem) {
  if (problem.line == 0) return problem.message;
  return "line " + std::to_string(problem.line) + ": " + problem.message;
}

StsPolicy parse_sts_policy(std::string_view body) {
  StsPolicy policy;
  auto error = [&](std::size_t line, std::string message) {
    policy.errors.push_back({line, std::move(message)});
  };
  auto warning = [&](std::size_t line, std::string message) {
    policy.warnings.push_back({line, std::move(message)});
  };
  // A policy is a handful of lines; a body of thousands is not one, and each would add a problem.
  constexpr std::size_t kMaxProblems = 32;
  constexpr std::size_t kMaxMx = 256;
  bool seen_version = false, seen_mode = false, seen_max_age = false;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < body.size() && policy.errors.size() < kMaxProblems) {
    auto lf = body.find('\n', start);
    std::string_view line = body.substr(start, lf == std::string_view::npos ? lf : lf - start);
    start = lf == std::string_view::npos ? body.size() : lf + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) {
      error(line_number, "a carriage return inside the line (lines end with CRLF or LF)");
      continue;
    }
    if (trim_wsp(line).empty()) continue;  // blank lines: senders' parsers skip them
    if (is_wsp(line.front())) {
      error(line_number, "the line starts with white space");
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      error(line_number, "not a \"key: value\" line (no ':') " + quoted(line));
      continue;
    }
    std::string_view key = line.substr(0, colon);
    std::string_view value = trim_wsp(line.substr(colon + 1));
    if (!key.empty() && is_wsp(key.back())) {
      error(line_number, "white space before ':' after " + quoted(trim_wsp(key)));
      continue;
    }
    if (!std::all_of(value.begin(), value.end(),
                     [](char c) { return (c >= 0x21 && c <= 0x7e) || is_wsp(c); })) {
      error(line_number, "the value has a control character or a non-ASCII byte");
      continue;
    }
    if (key == "version") {
      if (seen_version) {
        warning(line_number, "a second version field: senders use only the first");
        continue;
      }
      seen_version = true;
      if (line_number != 1 || policy.mode || policy.max_age || !policy.mx.empty())
        warning(line_number, "version should be the first field");
      if (value != "STSv1") {
        error(line_number, "version must be STSv1, not " + quoted(value));
        continue;
      }
      policy.version = std::string(value);
    } else if (key == "mode") {
      if (seen_mode) {
        warning(line_number, "a second mode field: senders use only the first");
        continue;
      }
      seen_mode = true;
      if (value == "enforce")
        policy.mode = StsMode::enforce;
      else if (value == "testing")
        policy.mode = StsMode::testing;
      else if (value == "none")
        policy.mode = StsMode::none;
      else
        error(line_number, "mode must be enforce, testing or none, not " + quoted(value));
    } else if (key == "max_age") {
      if (seen_max_age) {
        warning(line_number, "a second max_age field: senders use only the first");
        continue;
      }
      seen_max_age = true;
      if (value.empty() || value.size() > 10 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return ascii::is_digit(c); })) {
        error(line_number,
              "max_age must be a number of seconds (1 to 10 digits), not " + quoted(value));
        continue;
      }
      std::uint64_t seconds = std::stoull(std::string(value));
      if (seconds > kStsMaxAgeLimit) {
        error(line_number, "max_age " + std::string(value) + " is more than " +
                               std::to_string(kStsMaxAgeLimit) + " seconds (one year)");
        continue;
      }
      policy.max_age = seconds;
      if (seconds < 86400)
        warning(line_number, "max_age " + std::string(value) +
                                 " is under a day: senders forget the policy that soon, and RFC "
                                 "8461 recommends weeks or more");
    } else if (key == "mx") {
      std::string pattern = ascii::lower(value);
      std::string_view host = pattern;
      if (host.substr(0, 2) == "*.") host.remove_prefix(2);
      if (host.empty() || host.back() == '.') {
        error(line_number, "the mx pattern " + quoted(value) + " must not end with '.'");
        continue;
      }
      if (auto problem = host_name_problem(host)) {
        error(line_number, "the mx pattern " + quoted(value) + " " + *problem);
        continue;
      }
      if (policy.mx.size() < kMaxMx) policy.mx.push_back(std::move(pattern));
    } else if (ascii::iequals(key, "version") || ascii::iequals(key, "mode") ||
               ascii::iequals(key, "max_age") || ascii::iequals(key, "mx")) {
      error(line_number,
            "field names are lower case: " + quoted(key) + " is not " + quoted(ascii::lower(key)));
    } else if (!is_extension_name(key)) {
      error(line_number, "the field name " + quoted(key) + " is not valid");
    } else {
      warning(line_number, "unknown field " + quoted(key) + ": senders ignore it");
    }
  }
  if (!seen_version) error(0, "the policy has no version field (\"version: STSv1\")");
  if (!seen_mode) error(0, "the policy has no mode field (\"mode: enforce\")");
  if (!seen_max_age) error(0, "the policy has no max_age field (\"max_age: 604800\")");
  if (policy.mode && *policy.mode != StsMode::none && policy.mx.empty())
    error(0, "the policy lists no mx: with mode " + std::string(sts_mode_name(*policy.mode)) +
                 " every exchanger must match an \"mx:\" line");
  return policy;
}

bool mx_pattern_matches(std::string_view pattern, std::string_view host) {
  pattern = without_dot(pattern);
  host = without_dot(host);
  if (pattern.substr(0, 2) == "*.") {
    std::string_view suffix = pattern.substr(1);  // ".example.org"
    if (host.size() <= suffix.size()) return false;
    std::string_view label = host.substr(0, host.size() - suffix.size());
    return label.find('.') == std::string_view::npos &&
           ascii::iequals(host.substr(label.size()), suffix);
  }
  return ascii::iequals(pattern, host);
}

std::optional<std::string> matching_mx_pattern(const std::vector<std::string>& patterns,
                                               std::string_view host) {
  for (const auto& pattern : patterns)
    if (mx_pattern_matches(pattern, host)) return pattern;
  return std::nullopt;
}

// ---- _smtp._tls -------------------------------------------------------------------------------

bool is_tlsrpt_record(std::string_view text) {
  return text.substr(0, 10) == "v=TLSRPTv1";
}

TlsRptRecord parse_tlsrpt_record(std::string_view text) {
  TlsRptRecord record;
  auto fields = split_fields(text);
  if (!is_tlsrpt_record(text) || fields.front() != "v=TLSRPTv1") {
    record.errors.push_back("the record must start with \"v=TLSRPTv1;\", not " +
                            quoted(fields.front()));
    return record;
  }
  bool seen_rua = false;
  for (std::size_t i = 1; i < fields.size(); ++i) {
    std::string_view field = fields[i];
    if (field.empty()) {
      record.errors.push_back("an empty field (two ';' in a row)");
      continue;
    }
    auto eq = field.find('=');
    if (eq == std::string_view::npos) {
      record.errors.push_back("the field " + quoted(field) + " has no '='");
      continue;
    }
    std::string_view name = field.substr(0, eq);
    std::string_view value = field.substr(eq + 1);
    if (name != "rua") {
      if (!is_extension_name(name))
        record.errors.push_back("the field name " + quoted(name) + " is not valid");
      continue;
    }
    if (seen_rua) {
      record.errors.push_back("more than one rua field (list every URI in one, comma-separated)");
      continue;
    }
    seen_rua = true;
    std::size_t start = 0;
    while (start <= value.size() && record.rua.size() < 16) {
      auto comma = value.find(',', start);
      std::string_view uri =
          trim_wsp(value.substr(start, comma == std::string_view::npos ? comma : comma - start));
      start = comma == std::string_view::npos ? value.size() + 1 : comma + 1;
      if (uri.empty()) {
        record.errors.push_back("rua has an empty URI");
        continue;
      }
      if (!std::all_of(uri.begin(), uri.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
        record.errors.push_back("the rua URI " + quoted(uri) +
                                " has a space, a control character or a non-ASCII byte");
        continue;
      }
      if (ascii::istarts_with(uri, "mailto:")) {
        std::string_view address =
            uri.substr(7, uri.find('?') == std::string_view::npos ? std::string_view::npos
                                                                  : uri.find('?') - 7);
        auto at = address.find('@');
        if (at == std::string_view::npos || at == 0 || at + 1 == address.size())
          record.errors.push_back("the rua URI " + quoted(uri) +
                                  " has no address (\"mailto:tlsrpt@example.org\")");
        else
          record.rua.emplace_back(uri);
      } else if (ascii::istarts_with(uri, "https://")) {
        std::string_view rest = uri.substr(8);
        std::string_view host = rest.substr(0, rest.find_first_of("/?#:"));
        if (host.empty())
          record.errors.push_back("the rua URI " + quoted(uri) + " has no host");
        else
          record.rua.emplace_back(uri);
      } else {
        record.errors.push_back("the rua URI " + quoted(uri) +
                                " is neither mailto: nor https: (the only schemes senders use)");
      }
    }
  }
  if (!seen_rua)
    record.errors.push_back("the record has no rua (\"rua=mailto:tlsrpt@example.org\")");
  return record;
}

TlsRptSelection select_tlsrpt(const std::vector<TxtRecord>& txt_records) {
  return select_record<TlsRptSelection>(txt_records, is_tlsrpt_record, parse_tlsrpt_record,
                                        "v=TLSRPTv1");
}

}  // namespace smtpdoctor
