#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>

#include "cli/oauth_token.hpp"

using namespace smtpdoctor;
using namespace smtpdoctor::cli;
using namespace std::chrono_literals;

namespace {

TokenSource command(std::string text) {
  TokenSource source;
  source.command = std::move(text);
  return source;
}

}  // namespace

TEST_CASE("a token command that prints nothing in time is killed at the deadline") {
  const auto start = std::chrono::steady_clock::now();
  auto token = read_token(command("sleep 30"), 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(token);
  CHECK(token.error().kind == ErrorKind::usage);
  CHECK(token.error().message == "the token command sleep did not print a token within 300 ms");
  // Killed, not waited for: well under the 30 s the command wanted.
  CHECK(took < 10s);
}

TEST_CASE("a token command's first line is the token; a lingering helper is not waited for") {
  auto token = read_token(command("sh -c 'echo ya29.first; echo second; sleep 30'"), 500ms);
  REQUIRE_MESSAGE(token, (token ? "" : token.error().message));
  CHECK(*token == "ya29.first");
}

TEST_CASE("a token command that floods stdout without a line end is refused, not stored") {
  auto token = read_token(command("sh -c 'yes x | tr -d \"\\n\"'"), 5s);
  REQUIRE_FALSE(token);
  CHECK(token.error().message.find("too long") != std::string::npos);
}

TEST_CASE("commands are split without a shell: quotes, escapes, and no expansion") {
  auto words = split_command_words(R"(helper --account 'a b' "c \"d\"" e\ f $HOME)");
  REQUIRE(words);
  CHECK(*words ==
        std::vector<std::string>{"helper", "--account", "a b", "c \"d\"", "e f", "$HOME"});
  CHECK_FALSE(split_command_words("echo 'unterminated"));
  CHECK_FALSE(split_command_words("   "));
}

TEST_CASE("an environment token is taken as it is, and an empty one is an error") {
  setenv("SMTPDOCTOR_TEST_TOKEN", "ya29.env", 1);
  TokenSource env;
  env.env = "SMTPDOCTOR_TEST_TOKEN";
  auto token = read_token(env);
  REQUIRE(token);
  CHECK(*token == "ya29.env");
  setenv("SMTPDOCTOR_TEST_TOKEN", "", 1);
  CHECK_FALSE(read_token(env));
  unsetenv("SMTPDOCTOR_TEST_TOKEN");
}
