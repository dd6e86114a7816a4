// The server's view of one command line: which verb, and for MAIL/RCPT the path and its
// ESMTP parameters. Pure functions over a line that the session has already bounded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smtpdoctor {

enum class Verb {
  ehlo,
  helo,
  starttls,
  auth,
  mail,
  rcpt,
  data,
  bdat,
  rset,
  noop,
  quit,
  vrfy,
  help,
  unknown
};

struct CommandLine {
  Verb verb = Verb::unknown;
  std::string name;      // the verb as upper-case text ("MAIL"), for drop-after and logs
  std::string argument;  // everything after the first space, trailing spaces trimmed
};
CommandLine split_command(std::string_view line);

// "FROM:<a@b> SIZE=10 BODY=8BITMIME" with keyword "FROM". Tolerates a space after the colon
// (as Postfix does). `path` is the text between < and >, empty for the null path "<>".
// Parameter keywords are upper-cased; values kept verbatim.
struct PathArgument {
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;
};
std::optional<PathArgument> parse_path_argument(std::string_view argument,
                                                std::string_view keyword);

// The domain of "local@domain" (or of "local@[address literal]"), lower-cased; empty when there
// is no '@'.
std::string mailbox_domain(std::string_view mailbox);

}  // namespace smtpdoctor
