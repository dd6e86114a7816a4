// Errors that stop a subcommand before it does its job, in one shape each.
//
// Usage errors (exit 2) of every subcommand: a subcommand throws (usage_error, or a validator
// below fails inside CLI11); main() catches every CLI11 ParseError and prints it with
// print_usage_error: one line "smtpdoctor: error: --port: '127.0.0.1' is not a port number
// (1-65535)" on stderr, or under --json an smtpdoctor.error/1 document on stdout.
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
class Validator;
}  // namespace CLI

namespace smtpdoctor::cli {

// Throws the usage error "OPTION: MESSAGE" (OPTION as the user typed it: "--to", "TARGET").
[[noreturn]] void usage_error(const std::string& option, const std::string& message);
// Throws a usage error whose message already names the option and the word.
[[noreturn]] void usage_error(const std::string& message);

// Validators for numeric options, so a bad word is reported with the option that took it
// (CLI11's own conversion error would say "Could not convert: --port = x").
CLI::Validator port_number(int lowest = 1);             // "'x' is not a port number (1-65535)"
// PORT or PORT/ROLE (mx, submission, submissions): "'x' is not a port number (1-65535)", or
// "'25/relay': the role is mx, submission or submissions".
CLI::Validator port_spec();
CLI::Validator whole_number(std::uint64_t lowest = 0);  // "'x' is not a whole number (1 or more)"
CLI::Validator number_of_seconds();                     // "'x' is not a number of seconds"

// Every option of every subcommand takes one word per use (repeat it for more), so a positional
// argument may follow any option: `check --to a@example.test 127.0.0.1`.
void one_value_per_option(CLI::App& app);

// Whether the command line asks for JSON (--json, --format json, --format=json), read from argv
// itself: a parse error can happen before CLI11 reaches the flag.
bool json_requested(int argc, const char* const* argv);

// Prints a usage error for `command` ("check"; empty: none chosen yet) and returns kExitUsage.
int print_usage_error(const std::string& message, const std::string& command, bool json);

// Prints "smtpdoctor COMMAND: MESSAGE" on stderr, or the smtpdoctor.error/1 document with error
// "cannot_run" on stdout, and returns kExitCannotRun.
int print_cannot_run(const std::string& message, const std::string& command, bool json);

}  // namespace smtpdoctor::cli
