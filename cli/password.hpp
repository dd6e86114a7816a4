// Where a password comes from. Never argv (DESIGN §6): --password-env VAR, --password-file F, or
// a prompt on the controlling terminal with echo off. Shared by `check` and `send`.
#pragma once

#include <string>

#include "core/base/error.hpp"

namespace smtpdoctor::cli {

struct PasswordSource {
  std::string env;   // --password-env: the variable's name
  std::string file;  // --password-file: the first line of the file is the password
  std::string user;  // named in the prompt
};

// A password longer than this is refused: no real one is, and reading stays bounded.
inline constexpr std::size_t kMaxPasswordOctets = 4096;

// `text` up to its first CR or LF.
std::string first_line(std::string text);
// The first line of the file at `path`, reading at most max_octets + 2 octets: a line longer
// than max_octets comes back longer than that, for the caller to refuse in its own words.
// ErrorKind::usage when the file cannot be read. Shared with the OAuth2 token file.
Result<std::string> first_line_of_file(const std::string& path, std::size_t max_octets);

// The password, or ErrorKind::usage with a one-line reason.
Result<std::string> read_password(const PasswordSource& source);
// The flag a read_password() error is about: "--password-env", "--password-file" or
// "--auth-user" (no source named: the terminal prompt).
std::string password_flag(const PasswordSource& source);

}  // namespace smtpdoctor::cli
