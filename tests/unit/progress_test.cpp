// The live progress line and the terminal helpers behind it: drawn only where a person watches,
// never wider than the terminal, and gone before the report prints.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "core/report/progress.hpp"
#include "core/report/terminal.hpp"

using namespace smtpdoctor;

namespace {

// Everything written to the write end of a pipe so far.
std::string drain(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
    out.append(buffer, static_cast<std::size_t>(n));
    if (n < static_cast<ssize_t>(sizeof buffer)) break;
  }
  return out;
}

struct Pipe {
  int fds[2]{-1, -1};
  Pipe() { REQUIRE(::pipe(fds) == 0); }
  ~Pipe() {
    ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
};

}  // namespace

TEST_CASE("the progress line says how far the check is and what just finished") {
  ProbeResult tcp;
  tcp.id = ProbeId::tcp;
  tcp.target = {"127.0.0.1", 587, ""};
  tcp.status = ProbeStatus::ok;
  CHECK(format_progress(3, 8, &tcp) == "checking… 3/8 probes done (tcp 587 ✓)");
  CHECK(format_progress(0, 8, nullptr) == "checking… 0/8 probes done");

  ProbeResult dns;
  dns.id = ProbeId::dns;
  dns.target = {"example.test", 0, ""};
  dns.status = ProbeStatus::fail;
  CHECK(format_progress(1, 2, &dns) == "checking… 1/2 probes done (dns example.test ✗)");
}

TEST_CASE("the progress line is redrawn in place, cut to the terminal width, and cleared") {
  Pipe pipe;
  {
    ProgressLine line(pipe.fds[1], true, 20);
    line.update(1, 8);
    std::string first = drain(pipe.fds[0]);
    CHECK(first.rfind("\r", 0) == 0);
    CHECK(first.find("\x1b[K") != std::string::npos);
    // 19 columns: the text is cut with an ellipsis so the line never wraps.
    std::string visible = first.substr(1, first.size() - 1 - 3);
    CHECK(display_width(visible) == 19);
    CHECK(visible.substr(visible.size() - 3) == "…");
    line.clear();
    CHECK(drain(pipe.fds[0]) == "\r\x1b[K");
    line.clear();  // nothing drawn since: nothing written
  }
  ::close(pipe.fds[1]);
  pipe.fds[1] = -1;
  CHECK(drain(pipe.fds[0]).empty());
}

TEST_CASE("no progress line when stderr is not a terminal") {
  Pipe pipe;
  {
    ProgressLine line(pipe.fds[1]);  // a pipe is not a TTY
    CHECK_FALSE(line.enabled());
    line.update(1, 2);
  }
  ::close(pipe.fds[1]);
  pipe.fds[1] = -1;
  CHECK(drain(pipe.fds[0]).empty());
}

TEST_CASE("colour is off for pipes and whenever NO_COLOR is set") {
  Pipe pipe;
  CHECK_FALSE(should_colour(pipe.fds[1]));
  ::setenv("NO_COLOR", "1", 1);
  CHECK_FALSE(should_colour(pipe.fds[1]));
  CHECK_FALSE(should_colour(STDERR_FILENO));
  ::unsetenv("NO_COLOR");
}

TEST_CASE("display width counts code points, not bytes, and skips colour codes") {
  CHECK(display_width("✓ tcp") == 5);
  CHECK(display_width("\x1b[32m✓\x1b[0m tcp") == 5);
  CHECK(truncate_to_width("checking… 3/8", 9) == "checking…");
  CHECK(truncate_to_width("abcdef", 4) == "abc…");
  CHECK(truncate_to_width("ab", 4) == "ab");
}

TEST_CASE("text from a server is made safe for one terminal line") {
  CHECK(printable_line("220 ok\r\n250 next\tline  ") == "220 ok 250 next line");
  CHECK(printable_line("\x1b[2Jwiped") == "\\x1b[2Jwiped");
  CHECK(printable_line("csi \xc2\x9b"
                       "31m red") == "csi \\xc2\\x9b31m red");
  CHECK(printable_line("café ✓") == "café ✓");  // ordinary UTF-8 is kept
  // Latin-1 and broken sequences, and the bidirectional overrides that reorder a line.
  CHECK(printable_line("caf\xe9 \xff \xe2\x82 x") == "caf\\xe9 \\xff \\xe2\\x82 x");
  CHECK(printable_line("a\xe2\x80\xae"
                       "b\xe2\x81\xa6"
                       "c") == "a\\xe2\\x80\\xaeb\\xe2\\x81\\xa6c");

  ProbeResult hostile;
  hostile.id = ProbeId::dns;
  hostile.target = {"evil\x1b]0;title\x07.test", 0, ""};
  CHECK(format_progress(1, 1, &hostile).find('\x1b') == std::string::npos);
}
