#include "cli/password.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace smtpdoctor::cli {
namespace {

Error usage(std::string message) {
  return make_error(ErrorKind::usage, Stage::none, std::move(message));
}

Result<std::string> from_file(const std::string& path) {
  auto line = first_line_of_file(path, kMaxPasswordOctets);
  if (!line) return line.error();
  std::string password = std::move(*line);
  if (password.size() > kMaxPasswordOctets) return usage(path + " is too long for a password");
  return password;
}

// Asks on the controlling terminal, like ssh and sudo, so that stdin stays free for a message
// body and a password is never read from a pipe by accident.
Result<std::string> from_terminal(const std::string& user) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (!tty)
    return usage(
        "no password: give --password-env VAR or --password-file FILE (there is no terminal "
        "to ask on)");
  int fd = fileno(tty);
  // Echo goes off before the prompt appears: TCSAFLUSH drops what was typed before it, so a
  // password typed right after the prompt must not race with it.
  termios saved{};
  bool restore = tcgetattr(fd, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::fprintf(tty, "Password for %s: ", user.empty() ? "the login" : user.c_str());
  std::fflush(tty);
  std::string password;
  bool too_long = false;
  for (int c; (c = std::fgetc(tty)) != EOF && c != '\n';) {
    if (password.size() < kMaxPasswordOctets)
      password += static_cast<char>(c);
    else
      too_long = true;
  }
  if (restore) tcsetattr(fd, TCSAFLUSH, &saved);
  std::fputs("\n", tty);
  std::fclose(tty);
  if (too_long) return usage("the password typed is too long");
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace

std::string first_line(std::string text) {
  if (auto eol = text.find_first_of("\r\n"); eol != std::string::npos) text.resize(eol);
  return text;
}

Result<std::string> first_line_of_file(const std::string& path, std::size_t max_octets) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return usage("cannot read " + path);
  std::string text(max_octets + 2, '\0');
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(std::size_t(in.gcount()));
  return first_line(std::move(text));
}

Result<std::string> read_password(const PasswordSource& source) {
  if (!source.env.empty()) {
    const char* value = std::getenv(source.env.c_str());
    if (!value) return usage("the environment variable " + source.env + " is not set");
    std::string password = value;
    if (password.size() > kMaxPasswordOctets)
      return usage("the password in " + source.env + " is too long");
    return password;
  }
  if (!source.file.empty()) return from_file(source.file);
  return from_terminal(source.user);
}

std::string password_flag(const PasswordSource& source) {
  if (!source.env.empty()) return "--password-env";
  if (!source.file.empty()) return "--password-file";
  return "--auth-user";
}

}  // namespace smtpdoctor::cli
