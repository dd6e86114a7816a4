// POP3 status lines and IMAP response lines, one at a time. The conversations decide what a
// line means for the login; here is only what the line says.
#include "core/mailbox/mail_responses.hpp"

#include <algorithm>

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

using ascii::istarts_with;

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

}  // namespace

std::optional<PopReply> parse_pop_line(std::string_view line) {
  if (istarts_with(line, "+ ") || line == "+") return PopReply{true, "+"};
  PopReply reply;
  if (istarts_with(line, "+OK")) {
    reply.ok = true;
    line.remove_prefix(3);
  } else if (istarts_with(line, "-ERR")) {
    line.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  reply.text = std::string(line);
  return reply;
}

bool pop_offers(const std::vector<std::string>& capabilities, std::string_view name) {
  return std::any_of(capabilities.begin(), capabilities.end(), [&](const std::string& c) {
    auto words = split_words(c);
    return !words.empty() && ascii::iequals(words[0], name);
  });
}

bool pop_offers_sasl(const std::vector<std::string>& capabilities, std::string_view mechanism) {
  for (const auto& c : capabilities) {
    auto words = split_words(c);
    if (words.empty() || !ascii::iequals(words[0], "SASL")) continue;
    for (std::size_t i = 1; i < words.size(); ++i)
      if (ascii::iequals(words[i], mechanism)) return true;
  }
  return false;
}

std::optional<std::vector<std::string>> capability_words(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    text = text.substr(1, close - 1);
  }
  if (!istarts_with(text, "CAPABILITY ")) return std::nullopt;
  return split_words(text.substr(11));
}

ImapLine parse_imap_line(std::string_view line, std::string_view tag) {
  ImapLine out;
  if (line == "+" || istarts_with(line, "+ ")) {
    out.kind = ImapLineKind::continuation;
    return out;
  }
  if (istarts_with(line, "* ")) {
    out.kind = ImapLineKind::untagged;
    out.capabilities = capability_words(line.substr(2));
    return out;
  }
  if (line.size() > tag.size() && line.substr(0, tag.size()) == tag && line[tag.size()] == ' ') {
    line.remove_prefix(tag.size() + 1);
    auto space = line.find(' ');
    out.status = ascii::upper(line.substr(0, space));
    out.text = space == std::string_view::npos ? "" : std::string(line.substr(space + 1));
    out.capabilities = capability_words(out.text);
    if (out.status == "OK" || out.status == "NO" || out.status == "BAD")
      out.kind = ImapLineKind::tagged;
  }
  return out;
}

std::optional<std::string> imap_quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || c == '\r' || c == '\n' || u >= 0x80) return std::nullopt;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::pair<std::string, std::string> split_response_code(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close != std::string_view::npos) {
      std::string code(text.substr(1, close - 1));
      auto space = code.find(' ');
      if (space != std::string::npos) code.resize(space);
      text.remove_prefix(close + 1);
      while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
      return {code, std::string(text)};
    }
  }
  return {"", std::string(text)};
}

bool has_capability(const std::vector<std::string>& capabilities, std::string_view name) {
  return std::any_of(capabilities.begin(), capabilities.end(),
                     [&](const std::string& c) { return ascii::iequals(c, name); });
}

}  // namespace smtpdoctor
