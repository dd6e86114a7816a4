// The token command runs under fork/exec, never a shell: its words are split here by simple
// rules, so a token helper's arguments reach it as written and nothing is interpreted twice.
// Its stdout is read through a pipe with poll() and a deadline; at the deadline, or past the size
// cap, the child is killed. stderr is left to the terminal so the helper can explain itself.
#include "cli/oauth_token.hpp"

#include "cli/password.hpp"
#include "core/base/duration_text.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace smtpdoctor::cli {
namespace {

Error usage(std::string message) {
  return make_error(ErrorKind::usage, Stage::none, std::move(message));
}

Result<std::string> checked(std::string token, const std::string& where) {
  if (token.empty()) return usage(where + " gave an empty token");
  if (token.size() > kMaxTokenOctets) return usage("the token from " + where + " is too long");
  return token;
}

Result<std::string> from_file(const std::string& path) {
  auto line = first_line_of_file(path, kMaxTokenOctets);
  if (!line) return line.error();
  return checked(std::move(*line), path);
}

std::string exit_text(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "ended abnormally";
}

Result<std::string> from_command(const std::string& command, std::chrono::milliseconds timeout) {
  auto words = split_command_words(command);
  if (!words) return words.error();
  const std::string name = words->front();
  std::vector<char*> argv;
  for (auto& word : *words) argv.push_back(word.data());
  argv.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return usage("cannot run " + name + ": " + std::strerror(errno));
  // exec failures travel back on a second close-on-exec pipe: EOF there means exec succeeded.
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return usage("cannot run " + name + ": " + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {out[0], out[1], report[0], report[1]}) close(fd);
    return usage("cannot run " + name + ": " + std::strerror(errno));
  }
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execvp(argv[0], argv.data());
    int error = errno;
    ssize_t ignored = write(report[1], &error, sizeof error);
    (void)ignored;
    _exit(127);
  }
  close(out[1]);
  close(report[1]);
  int exec_error = 0;
  ssize_t got = read(report[0], &exec_error, sizeof exec_error);
  close(report[0]);
  if (got == ssize_t(sizeof exec_error)) {
    close(out[0]);
    waitpid(pid, nullptr, 0);
    return usage("cannot run " + name + ": " + std::strerror(exec_error));
  }

  std::string text;
  bool timed_out = false, too_long = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fd{out[0], POLLIN, 0};
    int ready = poll(&fd, 1, int(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timed_out = ready == 0;
      break;
    }
    char buf[4096];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, std::size_t(n));
    // The first line is all that is needed; stop reading once it is complete.
    if (text.find('\n') != std::string::npos) break;
    if (text.size() > kMaxTokenOctets) {
      too_long = true;
      break;
    }
  }
  close(out[0]);
  const bool have_line = text.find('\n') != std::string::npos;
  if (timed_out || too_long) kill(pid, SIGKILL);
  int status = 0;
  // A helper that printed its line but lingers (a daemonising agent, a forgotten background
  // refresh) gets a second to exit, then is killed: the line is the token all the same.
  const auto linger_until =
      have_line ? std::min(deadline, std::chrono::steady_clock::now() + kTokenCommandLinger)
                : deadline;
  bool lingered = false;
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || done < 0) break;
    if (std::chrono::steady_clock::now() >= linger_until && !lingered) {
      kill(pid, SIGKILL);
      lingered = have_line;
      timed_out = timed_out || !have_line;
    }
    usleep(10 * 1000);
  }
  // Killed by us after it had answered, or by SIGPIPE writing more after the line we read: it
  // answered all the same.
  if (have_line && WIFSIGNALED(status) && (lingered || WTERMSIG(status) == SIGPIPE)) status = 0;
  const std::string where = "the token command " + name;
  if (timed_out) return usage(where + " did not print a token within " + format_duration(timeout));
  if (too_long) return usage("the token from " + where + " is too long");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return usage(where + " " + exit_text(status) + (text.empty() ? " and printed nothing" : ""));
  if (text.empty()) return usage(where + " printed nothing");
  return checked(first_line(std::move(text)), where);
}

}  // namespace

Result<std::vector<std::string>> split_command_words(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      std::size_t end = command.find('\'', i + 1);
      if (end == std::string::npos) return usage("unterminated ' in the token command");
      word.append(command, i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= command.size()) return usage("unterminated \" in the token command");
        if (command[i] == '"') break;
        if (command[i] == '\\' && i + 1 < command.size() &&
            (command[i + 1] == '"' || command[i + 1] == '\\'))
          ++i;
        word += command[i];
      }
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return usage("the token command is empty");
  return words;
}

Result<std::string> read_token(const TokenSource& source,
                               std::chrono::milliseconds command_timeout) {
  if (!source.env.empty()) {
    const char* value = std::getenv(source.env.c_str());
    if (!value) return usage("the environment variable " + source.env + " is not set");
    return checked(value, source.env);
  }
  if (!source.file.empty()) return from_file(source.file);
  if (!source.command.empty()) return from_command(source.command, command_timeout);
  return usage("no token: give --oauth2-token-env, --oauth2-token-file or --oauth2-token-cmd");
}

std::string token_flag(const TokenSource& source) {
  if (!source.env.empty()) return "--oauth2-token-env";
  if (!source.file.empty()) return "--oauth2-token-file";
  if (!source.command.empty()) return "--oauth2-token-cmd";
  return "--auth";
}

}  // namespace smtpdoctor::cli
