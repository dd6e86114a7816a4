// What the loopback server makes of a client's command lines: the verb, and for MAIL/RCPT the
// path and its ESMTP parameters, then the path as a mailbox. Each input line is one command
// (the session has already cut the line at LF and bounded it).
#include "core/base/ascii.hpp"
#include "core/server/smtp_server_commands.hpp"
#include "core/smtp/address.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

bool blank_at_ends(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  return !s.empty() && (blank(s.front()) || blank(s.back()));
}

void path_argument(std::string_view argument, std::string_view keyword) {
  auto path = parse_path_argument(argument, keyword);
  if (!path) return;
  SMTPDOCTOR_FUZZ_CHECK(path->path.size() < argument.size());
  for (const auto& [key, value] : path->params) {
    SMTPDOCTOR_FUZZ_CHECK(!key.empty() && key == ascii::upper(key));
    SMTPDOCTOR_FUZZ_CHECK(key.find(' ') == std::string::npos);
    SMTPDOCTOR_FUZZ_CHECK(value.find(' ') == std::string::npos);
  }
  for (bool utf8 : {false, true}) {
    std::string why;
    if (auto mailbox = parse_mailbox(path->path, utf8, &why)) {
      SMTPDOCTOR_FUZZ_CHECK(mailbox->str() == path->path);
      SMTPDOCTOR_FUZZ_CHECK(mailbox_domain(path->path) == ascii::lower(mailbox->domain));
    }
  }
}

}  // namespace

void server_command(std::string_view input) {
  for (auto line : lines_of(input)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // as read_line does
    CommandLine command = split_command(line);
    SMTPDOCTOR_FUZZ_CHECK(command.name == ascii::upper(command.name));
    SMTPDOCTOR_FUZZ_CHECK(command.name.size() <= line.size());
    SMTPDOCTOR_FUZZ_CHECK(command.argument.size() <= line.size());
    SMTPDOCTOR_FUZZ_CHECK(!blank_at_ends(command.argument));
    path_argument(command.argument, "FROM");
    path_argument(command.argument, "TO");
    SMTPDOCTOR_FUZZ_CHECK(ascii::iequals(command.name, line.substr(0, command.name.size())));
  }
}

}  // namespace smtpdoctor::fuzz
