#include "cli/errors.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>
#include <string_view>

#include "core/base/exit_code.hpp"
#include "core/base/target.hpp"
#include "core/report/render_json.hpp"

namespace smtpdoctor::cli {
namespace {

template <typename Number>
bool parse_number(const std::string& text, Number& value) {
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc{} && stop == end;
}

}  // namespace

void usage_error(const std::string& option, const std::string& message) {
  throw CLI::ValidationError(option, message);
}

void usage_error(const std::string& message) {
  throw CLI::ValidationError(message);
}

CLI::Validator port_number(int lowest) {
  const std::string range = "(" + std::to_string(lowest) + "-65535)";
  return CLI::Validator(
      [lowest, range](std::string& text) -> std::string {
        int port = -1;
        if (parse_number(text, port) && port >= lowest && port <= 65535) return {};
        return "'" + text + "' is not a port number " + range;
      },
      "");
}

CLI::Validator port_spec() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto slash = text.find('/');
        int port = -1;
        if (!parse_number(text.substr(0, slash), port) || port < 1 || port > 65535)
          return "'" + text.substr(0, slash) + "' is not a port number (1-65535)";
        if (slash != std::string::npos && !parse_port_specs(text))
          return "'" + text + "': the role is mx, submission or submissions";
        return {};
      },
      "");
}

CLI::Validator whole_number(std::uint64_t lowest) {
  return CLI::Validator(
      [lowest](std::string& text) -> std::string {
        std::uint64_t value = 0;
        if (parse_number(text, value) && value >= lowest) return {};
        return "'" + text + "' is not a whole number" +
               (lowest ? " (" + std::to_string(lowest) + " or more)" : std::string{});
      },
      "");
}

CLI::Validator number_of_seconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double seconds = 0;
        if (parse_number(text, seconds)) return {};
        return "'" + text + "' is not a number of seconds";
      },
      "");
}

void one_value_per_option(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    for (CLI::Option* option : sub->get_options())
      if (option->nonpositional() && option->get_expected_max() > 1)  // a vector: repeatable
        option->expected(1)->allow_extra_args(false)->multi_option_policy(
            CLI::MultiOptionPolicy::TakeAll);
}

bool json_requested(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;  // what follows is TEXT, not flags
    if (arg == "--json" || arg == "--format=json") return true;
    if (arg == "--format" && i + 1 < argc && std::string_view(argv[i + 1]) == "json") return true;
  }
  return false;
}

int print_usage_error(const std::string& message, const std::string& command, bool json) {
  std::string line = message;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  if (json) {
    std::cout << error_json("usage", line, kExitUsage);
  } else {
    std::string help = command.empty() ? "smtpdoctor --help" : "smtpdoctor " + command + " --help";
    std::cerr << "smtpdoctor: error: " << line << "\n"
              << "Run '" << help << "' for usage.\n";
  }
  return kExitUsage;
}

int print_cannot_run(const std::string& message, const std::string& command, bool json) {
  if (json)
    std::cout << error_json("cannot_run", message, kExitCannotRun);
  else
    std::cerr << "smtpdoctor " << command << ": " << message << "\n";
  return kExitCannotRun;
}

}  // namespace smtpdoctor::cli
