// Where an OAuth2 bearer token comes from (issue 14). Never argv: --oauth2-token-env VAR,
// --oauth2-token-file F, or --oauth2-token-cmd 'COMMAND' (msmtp's passwordeval habit, so oama,
// oauth2ms, mailctl or a cloud CLI can supply a fresh token). Shared by `check` and `send`.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/base/error.hpp"

namespace smtpdoctor::cli {

struct TokenSource {
  std::string env;      // --oauth2-token-env: the variable's name
  std::string file;     // --oauth2-token-file: its first line is the token
  std::string command;  // --oauth2-token-cmd: run without a shell, its first stdout line
  bool given() const { return !env.empty() || !file.empty() || !command.empty(); }
};

// Tokens are long (a Microsoft access token is ~2-3 KB) but never this long.
inline constexpr std::size_t kMaxTokenOctets = 16 * 1024;
// The token command gets this long to print its line before it is killed.
inline constexpr std::chrono::seconds kTokenCommandTimeout{30};
// After its first line, the time the token command gets to exit before it is killed.
inline constexpr std::chrono::seconds kTokenCommandLinger{1};

// Splits a command line into words without a shell: blanks separate words; '...' keeps
// everything literally; "..." keeps everything but lets \" and \\ stand for " and \; a backslash
// outside quotes takes the next character literally. No variables, globs, pipes or redirects.
// ErrorKind::usage on an unterminated quote or an empty command.
Result<std::vector<std::string>> split_command_words(const std::string& command);

// The token, or ErrorKind::usage with a one-line reason (never containing the token).
Result<std::string> read_token(const TokenSource& source,
                               std::chrono::milliseconds command_timeout = kTokenCommandTimeout);
// The flag a read_token() error is about.
std::string token_flag(const TokenSource& source);

}  // namespace smtpdoctor::cli
