#include "probes/session_findings.hpp"

#include <algorithm>
#include <array>

#include "core/base/ascii.hpp"
#include "core/base/target.hpp"

namespace smtpdoctor {
namespace {

// Several seconds of silence after a fast connect is a policy, not a network.
constexpr std::chrono::milliseconds kNoticeableDelay{1000};
constexpr std::chrono::milliseconds kGreetPauseMinimum{3000};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool contains(const std::vector<std::string>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

}  // namespace

PortRole port_role(std::uint16_t port, bool tls_on_connect, std::string_view role) {
  if (role == "mx") return PortRole::relay;
  if (role == "submission") return PortRole::submission;
  if (role == "submissions") return PortRole::implicit_tls;
  if (tls_on_connect || port == 465) return PortRole::implicit_tls;
  if (port == 25) return PortRole::relay;
  return PortRole::submission;
}

std::string_view port_role_name(PortRole role) {
  switch (role) {
    case PortRole::relay:
      return "mx";
    case PortRole::submission:
      return "submission";
    case PortRole::implicit_tls:
      return "submissions";
  }
  return "submission";
}

bool looks_like_fqdn(std::string_view name) {
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    std::string_view inner = name.substr(1, name.size() - 2);
    if (inner.rfind("IPv6:", 0) == 0) return is_ipv6_literal(inner.substr(5));
    return is_ipv4_literal(inner);
  }
  if (!is_valid_hostname(name) || is_ipv4_literal(name)) return false;
  std::string host = ascii::lower(name);
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.find('.') == std::string::npos) return false;
  if (host == "localhost" || host.rfind("localhost.", 0) == 0) return false;
  static constexpr std::array<std::string_view, 6> kPrivate{".local", ".localdomain", ".lan",
                                                            ".home",  ".internal",    ".localhost"};
  for (auto suffix : kPrivate)
    if (ends_with(host, suffix)) return false;
  return true;
}

GreetingDelay classify_greeting_delay(std::chrono::milliseconds connect_latency,
                                      std::chrono::milliseconds greeting_delay) {
  if (greeting_delay < kNoticeableDelay) return GreetingDelay::prompt;
  // A round trip or two of network time explains at most a few connect latencies; anything far
  // beyond that was the server waiting on purpose.
  if (greeting_delay >= kGreetPauseMinimum && connect_latency * 10 <= greeting_delay)
    return GreetingDelay::greet_pause;
  return GreetingDelay::slow;
}

std::string_view greeting_delay_name(GreetingDelay delay) {
  switch (delay) {
    case GreetingDelay::prompt:
      return "prompt";
    case GreetingDelay::slow:
      return "slow";
    case GreetingDelay::greet_pause:
      return "greet-pause";
  }
  return "prompt";
}

bool greeting_is_masked(const Reply& greeting) {
  if (greeting.lines.empty()) return false;
  const std::string& text = greeting.lines.front();
  std::size_t stars = 0, visible = 0;
  for (char c : text) {
    if (c == ' ') continue;
    ++visible;
    if (c == '*') ++stars;
  }
  // The inspection keeps a few digits of the original; the asterisks dominate.
  return stars >= 8 && stars * 10 >= visible * 7;
}

std::vector<std::string> mangled_keywords(const Capabilities& capabilities) {
  std::vector<std::string> out;
  for (const auto& keyword : capabilities.keywords) {
    std::size_t xs = 0;
    while (xs < keyword.size() && keyword[xs] == 'X') ++xs;
    // "XXXXXXXA", "XXXA", "XXXX": X's, optionally one trailing letter. Real keywords never look
    // like that (X-prefixed private extensions are "X-NAME" or "XNAME" with a word after).
    bool mangled =
        xs >= 3 && (xs == keyword.size() ||
                    (xs + 1 == keyword.size() && keyword.back() >= 'A' && keyword.back() <= 'Z'));
    if (mangled) out.push_back(keyword);
  }
  return out;
}

std::string_view mangled_keyword_guess(std::string_view keyword) {
  switch (keyword.size()) {
    case 8:
      return "STARTTLS";
    case 4:
      return "AUTH";
    case 10:
      return "PIPELINING";
    default:
      return "";
  }
}

std::string banner_host(const Reply& greeting) {
  if (greeting.lines.empty()) return "";
  std::string_view first = greeting.lines.front();
  std::string_view word = first.substr(0, first.find(' '));
  if (is_valid_hostname(word) || is_ipv4_literal(word)) return std::string(word);
  if (word.size() > 2 && word.front() == '[' && word.back() == ']') return std::string(word);
  return "";
}

std::vector<std::string> capability_lines(const Capabilities& capabilities) {
  std::vector<std::string> lines;
  for (const auto& keyword : capabilities.keywords) {
    if (keyword == "AUTH") {
      if (!contains(lines, "AUTH " + join_or_none(capabilities.auth)))
        lines.push_back("AUTH " + join_or_none(capabilities.auth));
    } else if (keyword.rfind("AUTH=", 0) == 0) {
      continue;  // the old AUTH= form; its mechanisms are already in the AUTH line
    } else if (keyword == "SIZE" && capabilities.size) {
      lines.push_back("SIZE " + std::to_string(*capabilities.size));
    } else if (!contains(lines, keyword)) {
      lines.push_back(keyword);
    }
  }
  return lines;
}

std::vector<std::string> capability_changes(const Capabilities& before, const Capabilities& after) {
  std::vector<std::string> notes;
  if (before.auth.empty() && !after.auth.empty()) {
    notes.push_back("AUTH is offered only after STARTTLS (" + join_or_none(after.auth) + ")");
  } else if (!before.auth.empty() && after.auth.empty()) {
    notes.push_back("AUTH is offered before STARTTLS (" + join_or_none(before.auth) +
                    ") but no longer after it");
  } else if (before.auth != after.auth) {
    notes.push_back("AUTH mechanisms change after STARTTLS: " + join_or_none(after.auth) +
                    " (before: " + join_or_none(before.auth) + ")");
  } else if (!before.auth.empty()) {
    notes.push_back(
        "AUTH is offered before STARTTLS too: a client could send its password "
        "unencrypted");
  }
  for (const auto& keyword : after.keywords) {
    if (keyword == "AUTH" || keyword.rfind("AUTH=", 0) == 0) continue;
    if (!contains(before.keywords, keyword))
      notes.push_back(keyword + " is offered only after STARTTLS");
  }
  for (const auto& keyword : before.keywords) {
    if (keyword == "AUTH" || keyword.rfind("AUTH=", 0) == 0 || keyword == "STARTTLS") continue;
    if (!contains(after.keywords, keyword))
      notes.push_back("after STARTTLS the server no longer offers " + keyword);
  }
  if (before.size_limit() != after.size_limit() && before.size_advertised && after.size_advertised)
    notes.push_back("the SIZE limit changes after STARTTLS");
  return notes;
}

std::string join_or_none(const std::vector<std::string>& words) {
  if (words.empty()) return "none";
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

}  // namespace smtpdoctor
