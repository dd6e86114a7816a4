#include "core/server/smtp_server_commands.hpp"

#include <algorithm>
#include <cctype>

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

struct VerbName {
  std::string_view name;
  Verb verb;
};
constexpr VerbName kVerbs[] = {
    {"EHLO", Verb::ehlo}, {"HELO", Verb::helo}, {"STARTTLS", Verb::starttls}, {"AUTH", Verb::auth},
    {"MAIL", Verb::mail}, {"RCPT", Verb::rcpt}, {"DATA", Verb::data},         {"BDAT", Verb::bdat},
    {"RSET", Verb::rset}, {"NOOP", Verb::noop}, {"QUIT", Verb::quit},         {"VRFY", Verb::vrfy},
    {"HELP", Verb::help},
};

}  // namespace

CommandLine split_command(std::string_view line) {
  CommandLine out;
  auto space = line.find(' ');
  out.name = ascii::upper(line.substr(0, space));
  if (space != std::string_view::npos)
    out.argument = std::string(ascii::trim(line.substr(space + 1)));
  for (const auto& v : kVerbs)
    if (v.name == out.name) out.verb = v.verb;
  return out;
}

std::optional<PathArgument> parse_path_argument(std::string_view argument,
                                                std::string_view keyword) {
  if (argument.size() < keyword.size() + 1 ||
      !ascii::iequals(argument.substr(0, keyword.size()), keyword) ||
      argument[keyword.size()] != ':')
    return std::nullopt;
  std::string_view rest = ascii::trim(argument.substr(keyword.size() + 1));
  if (rest.empty() || rest.front() != '<') return std::nullopt;
  // The closing '>' is the first one outside a quoted local part.
  bool quoted = false;
  std::size_t close = std::string_view::npos;
  for (std::size_t i = 1; i < rest.size(); ++i) {
    if (quoted && rest[i] == '\\') {
      ++i;
    } else if (rest[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && rest[i] == '>') {
      close = i;
      break;
    }
  }
  if (close == std::string_view::npos) return std::nullopt;
  PathArgument out;
  out.path = std::string(rest.substr(1, close - 1));
  // Source routes ("@a,@b:user@c", RFC 5321 §4.1.2) are obsolete; accept and drop them.
  if (!out.path.empty() && out.path.front() == '@') {
    auto colon = out.path.find(':');
    if (colon == std::string::npos) return std::nullopt;
    out.path.erase(0, colon + 1);
  }
  std::string_view params = rest.substr(close + 1);
  if (!params.empty() && params.front() != ' ') return std::nullopt;
  while (!(params = ascii::trim(params)).empty()) {
    auto end = params.find(' ');
    std::string_view param = params.substr(0, end);
    params = end == std::string_view::npos ? std::string_view{} : params.substr(end);
    auto eq = param.find('=');
    out.params.emplace_back(
        ascii::upper(param.substr(0, eq)),
        eq == std::string_view::npos ? std::string() : std::string(param.substr(eq + 1)));
    if (out.params.back().first.empty()) return std::nullopt;
  }
  return out;
}

std::string mailbox_domain(std::string_view mailbox) {
  // A general address literal may hold '@' ("a@[tag:x@y]", RFC 5321 §4.1.3) but never '[', and a
  // quoted local part may hold both: a literal starts at the last "@[".
  auto at = mailbox.ends_with(']') ? mailbox.rfind("@[") : mailbox.rfind('@');
  if (at == std::string_view::npos) return {};
  return ascii::lower(mailbox.substr(at + 1));
}

}  // namespace smtpdoctor
