// SPF and DMARC summaries. The parsers keep going after a problem so one run lists every problem
// of a record, and they never resolve anything: the dns probe decides what to look up next
// (SpfRecord::includes, redirect).
#include "core/dns/mail_auth_records.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "core/base/ascii.hpp"
#include "core/dns/dns_name.hpp"

namespace smtpdoctor {

namespace {

constexpr std::size_t kMaxTerms = 128;  // far more than any working record needs
constexpr int kSpfLookupLimit = 10;     // RFC 7208 §4.6.4

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    auto at = s.find(separator);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

std::optional<int> small_number(std::string_view s, int max) {
  int value = -1;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value < 0 || value > max)
    return std::nullopt;
  return value;
}

// A domain-spec may hold macros (%{i}, %{d} ...), which only an evaluator can expand; a plain one
// must be a valid name.
bool plausible_domain_spec(std::string_view spec) {
  if (spec.empty()) return false;
  if (spec.find('%') != std::string_view::npos) return true;
  return is_valid_dns_name(spec);
}

bool valid_cidr_suffixes(std::string_view suffix) {
  // "/24", "//64" or "/24//64" after a/mx
  if (suffix.empty()) return true;
  auto v6 = suffix.find("//");
  std::string_view v4_part = suffix.substr(0, v6);
  if (!v4_part.empty() && (v4_part[0] != '/' || !small_number(v4_part.substr(1), 32))) return false;
  return v6 == std::string_view::npos || small_number(suffix.substr(v6 + 2), 128).has_value();
}

// Checks ip4:/ip6: networks: the address and an optional prefix length.
bool valid_network(std::string_view value, int family) {
  auto slash = value.find('/');
  std::string address(value.substr(0, slash));
  unsigned char buffer[16];
  if (inet_pton(family, address.c_str(), buffer) != 1) return false;
  return slash == std::string_view::npos ||
         small_number(value.substr(slash + 1), family == AF_INET ? 32 : 128).has_value();
}

std::string quoted(std::string_view term) {
  return "'" + std::string(term.substr(0, 80)) + "'";
}

void parse_spf_directive(SpfRecord& record, std::string_view term) {
  SpfMechanism mechanism;
  switch (term.front()) {
    case '+':
      mechanism.qualifier = SpfQualifier::pass;
      term.remove_prefix(1);
      break;
    case '-':
      mechanism.qualifier = SpfQualifier::fail;
      term.remove_prefix(1);
      break;
    case '~':
      mechanism.qualifier = SpfQualifier::softfail;
      term.remove_prefix(1);
      break;
    case '?':
      mechanism.qualifier = SpfQualifier::neutral;
      term.remove_prefix(1);
      break;
  }
  auto name_end = term.find_first_of(":/");
  mechanism.name = ascii::lower(term.substr(0, name_end));
  std::string_view rest = name_end == std::string_view::npos ? "" : term.substr(name_end);
  bool has_argument = !rest.empty() && rest.front() == ':';
  std::string_view argument = has_argument ? rest.substr(1) : "";
  mechanism.value = std::string(has_argument ? argument : rest);
  const auto& name = mechanism.name;

  auto problem = [&](std::string why) { record.errors.push_back(quoted(term) + ": " + why); };
  if (name == "all") {
    if (!rest.empty()) problem("'all' takes no argument");
  } else if (name == "include" || name == "exists") {
    if (!has_argument || !plausible_domain_spec(argument))
      problem("'" + name + "' needs ':domain'");
  } else if (name == "a" || name == "mx" || name == "ptr") {
    std::string_view domain = argument;
    std::string_view cidr = has_argument ? "" : rest;
    if (has_argument) {
      auto slash = argument.find('/');
      domain = argument.substr(0, slash);
      if (slash != std::string_view::npos) cidr = argument.substr(slash);
    }
    if (has_argument && !plausible_domain_spec(domain)) problem("invalid domain");
    if (name == "ptr" ? !cidr.empty() : !valid_cidr_suffixes(cidr))
      problem("invalid prefix length");
  } else if (name == "ip4" || name == "ip6") {
    if (!has_argument || !valid_network(argument, name == "ip4" ? AF_INET : AF_INET6))
      problem("invalid " + name + " network");
  } else {
    problem("unknown mechanism");
    return;
  }

  if (name == "include" || name == "a" || name == "mx" || name == "ptr" || name == "exists")
    ++record.dns_lookups;
  if (name == "include" && has_argument) record.includes.emplace_back(argument);
  if (name == "ptr")
    record.warnings.push_back("'ptr' is slow and unreliable; RFC 7208 §5.5 says not to use it");
  if (name == "all" && !record.all) record.all = mechanism.qualifier;
  record.mechanisms.push_back(std::move(mechanism));
}

void parse_spf_modifier(SpfRecord& record, std::string_view term, std::size_t equals,
                        bool& seen_exp) {
  auto name = ascii::lower(term.substr(0, equals));
  auto value = term.substr(equals + 1);
  for (char c : name) {
    if (!ascii::is_alnum(c) && c != '-' && c != '_' && c != '.') {
      record.errors.push_back(quoted(term) + ": not a valid term");
      return;
    }
  }
  if (name == "redirect") {
    if (record.redirect)
      record.errors.push_back("more than one 'redirect=' modifier");
    else if (!plausible_domain_spec(value))
      record.errors.push_back(quoted(term) + ": invalid domain");
    else {
      record.redirect = std::string(value);
      ++record.dns_lookups;
    }
  } else if (name == "exp") {
    if (seen_exp) record.errors.push_back("more than one 'exp=' modifier");
    seen_exp = true;
  }
  // Unknown modifiers are ignored by receivers (RFC 7208 §6).
}

void add_spf_policy_warnings(SpfRecord& record) {
  if (record.dns_lookups > kSpfLookupLimit) {
    record.warnings.push_back(
        std::to_string(record.dns_lookups) +
        " DNS-querying terms (include, a, mx, ptr, exists, redirect) in this record alone; "
        "receivers stop at 10 and return permerror (RFC 7208 §4.6.4)");
  }
  if (record.all) {
    bool last = record.mechanisms.back().name == "all";
    if (!last) record.warnings.push_back("terms after 'all' are never used");
    if (record.redirect) record.warnings.push_back("'redirect=' is ignored when 'all' is present");
    if (*record.all == SpfQualifier::pass)
      record.warnings.push_back("'+all' lets any server on the internet send as this domain");
    else if (*record.all == SpfQualifier::neutral)
      record.warnings.push_back("'?all' makes no claim about other servers: no protection");
  } else if (!record.redirect) {
    record.warnings.push_back(
        "no 'all' and no 'redirect=': servers not listed get neutral, as with '?all'");
  }
}

std::optional<DmarcPolicy> dmarc_policy(std::string_view value) {
  if (ascii::iequals(value, "none")) return DmarcPolicy::none;
  if (ascii::iequals(value, "quarantine")) return DmarcPolicy::quarantine;
  if (ascii::iequals(value, "reject")) return DmarcPolicy::reject;
  return std::nullopt;
}

std::vector<std::string> report_uris(std::string_view value, std::string_view tag,
                                     DmarcRecord& record) {
  std::vector<std::string> uris;
  for (auto uri : split(value, ',')) {
    uri = ascii::trim(uri);
    if (uris.size() == 16) break;
    // RFC 7489 §6.2: a URI, optionally "!size"; mail reports need mailto:.
    if (uri.size() < 8 || !ascii::iequals(uri.substr(0, 7), "mailto:") ||
        uri.find('@') == std::string_view::npos) {
      record.warnings.push_back(std::string(tag) + ": " + quoted(uri) +
                                " is not a mailto: address; no reports will arrive there");
      continue;
    }
    uris.emplace_back(uri);
  }
  return uris;
}

}  // namespace

std::string_view spf_qualifier_name(SpfQualifier qualifier) {
  switch (qualifier) {
    case SpfQualifier::pass:
      return "pass";
    case SpfQualifier::fail:
      return "fail";
    case SpfQualifier::softfail:
      return "softfail";
    case SpfQualifier::neutral:
      return "neutral";
  }
  return "neutral";
}

bool is_spf_record(std::string_view text) {
  return text.size() >= 6 && ascii::iequals(text.substr(0, 6), "v=spf1") &&
         (text.size() == 6 || text[6] == ' ');
}

SpfRecord parse_spf(std::string_view text) {
  SpfRecord record;
  if (!is_spf_record(text)) {
    record.errors.push_back("not an SPF record (it must start with 'v=spf1')");
    return record;
  }
  bool seen_exp = false;
  std::size_t terms = 0;
  for (auto term : split(text.substr(6), ' ')) {
    if (term.empty()) continue;  // several spaces between terms are allowed
    if (++terms > kMaxTerms) {
      record.errors.push_back("more than " + std::to_string(kMaxTerms) + " terms");
      break;
    }
    auto equals = term.find('=');
    auto colon_or_slash = term.find_first_of(":/");
    if (equals != std::string_view::npos && equals != 0 &&
        (colon_or_slash == std::string_view::npos || equals < colon_or_slash))
      parse_spf_modifier(record, term, equals, seen_exp);
    else
      parse_spf_directive(record, term);
  }
  if (!record.mechanisms.empty() || record.redirect)
    add_spf_policy_warnings(record);
  else
    record.warnings.push_back("the record lists no servers at all");
  return record;
}

SpfSelection select_spf(const std::vector<TxtRecord>& txt_records) {
  SpfSelection selection;
  for (const auto& txt : txt_records) {
    if (!is_spf_record(txt.text)) continue;
    if (++selection.count == 1) selection.record = parse_spf(txt.text);
  }
  if (selection.count > 1)
    selection.record->errors.push_back(std::to_string(selection.count) +
                                       " SPF records; there must be exactly one (RFC 7208 §4.5)");
  return selection;
}

std::string_view dmarc_policy_name(DmarcPolicy policy) {
  switch (policy) {
    case DmarcPolicy::none:
      return "none";
    case DmarcPolicy::quarantine:
      return "quarantine";
    case DmarcPolicy::reject:
      return "reject";
  }
  return "none";
}

bool is_dmarc_record(std::string_view text) {
  auto first = ascii::trim(split(text, ';').front());
  auto equals = first.find('=');
  return equals != std::string_view::npos && ascii::trim(first.substr(0, equals)) == "v" &&
         ascii::trim(first.substr(equals + 1)) == "DMARC1";
}

DmarcRecord parse_dmarc(std::string_view text) {
  DmarcRecord record;
  if (!is_dmarc_record(text)) {
    record.errors.push_back("not a DMARC record (it must start with 'v=DMARC1')");
    return record;
  }
  bool has_policy = false;
  auto tags = split(text, ';');
  if (tags.size() > kMaxTerms) {
    record.errors.push_back("more than " + std::to_string(kMaxTerms) + " tags");
    tags.resize(kMaxTerms);
  }
  for (std::size_t i = 1; i < tags.size(); ++i) {
    auto tag = ascii::trim(tags[i]);
    if (tag.empty()) continue;  // "p=reject;" ends with an empty tag
    auto equals = tag.find('=');
    if (equals == std::string_view::npos) {
      record.errors.push_back(quoted(tag) + ": not a tag=value pair");
      continue;
    }
    auto name = ascii::lower(ascii::trim(tag.substr(0, equals)));
    auto value = ascii::trim(tag.substr(equals + 1));
    if (name == "p" || name == "sp") {
      auto policy = dmarc_policy(value);
      if (!policy) {
        record.errors.push_back(name + "=" + std::string(value.substr(0, 40)) +
                                ": the policy must be none, quarantine or reject");
      } else if (name == "p") {
        if (i != 1) record.warnings.push_back("'p=' should come right after 'v=DMARC1'");
        record.policy = *policy;
        has_policy = true;
      } else {
        record.subdomain_policy = *policy;
      }
    } else if (name == "pct") {
      if (auto percent = small_number(value, 100))
        record.percent = *percent;
      else
        record.errors.push_back("pct=" + std::string(value.substr(0, 40)) + ": must be 0 to 100");
    } else if (name == "rua") {
      record.aggregate_report_uris = report_uris(value, "rua", record);
    } else if (name == "ruf") {
      record.failure_report_uris = report_uris(value, "ruf", record);
    } else if (name == "adkim" || name == "aspf") {
      bool strict = ascii::iequals(value, "s");
      if (!strict && !ascii::iequals(value, "r"))
        record.errors.push_back(name + "=" + std::string(value.substr(0, 40)) + ": must be r or s");
      (name == "adkim" ? record.strict_dkim_alignment : record.strict_spf_alignment) = strict;
    }
    // fo, rf, ri and tags from later extensions change no summary; receivers ignore unknown tags.
  }

  if (!has_policy) {
    // RFC 7489 §6.6.3: without p= the record counts only if it has a valid rua (as p=none).
    if (record.aggregate_report_uris.empty())
      record.errors.push_back("no 'p=' policy: receivers ignore this record");
    else
      record.warnings.push_back("no 'p=' policy: receivers treat it as p=none");
  }
  if (has_policy && record.policy == DmarcPolicy::none)
    record.warnings.push_back("p=none only monitors: receivers deliver failing mail as usual");
  if (record.percent < 100 && record.policy != DmarcPolicy::none)
    record.warnings.push_back("pct=" + std::to_string(record.percent) + ": the policy applies to " +
                              std::to_string(record.percent) + "% of failing mail only");
  if (record.aggregate_report_uris.empty())
    record.warnings.push_back("no 'rua=': the domain receives no aggregate reports");
  return record;
}

DmarcSelection select_dmarc(const std::vector<TxtRecord>& txt_records) {
  DmarcSelection selection;
  for (const auto& txt : txt_records) {
    if (!is_dmarc_record(txt.text)) continue;
    if (++selection.count == 1) selection.record = parse_dmarc(txt.text);
  }
  if (selection.count > 1)
    selection.record->errors.push_back(std::to_string(selection.count) +
                                       " DMARC records; receivers apply none (RFC 7489 §6.6.3)");
  return selection;
}

}  // namespace smtpdoctor
