// smtpdoctor: find out where the mail path breaks, and say why.
//
// main() only wires subcommands together. CLI11's own CLI11_PARSE is not used: it prints errors
// as text, and with --json an error must be JSON too (DESIGN §4). Every usage error of every
// subcommand — CLI11's, a validator's, or one a subcommand throws while reading its flags — ends
// here, in print_usage_error (cli/errors.hpp).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "core/base/exit_code.hpp"
#include "core/base/version.hpp"

namespace {

bool looks_like_option(const std::string& word) {
  return word.size() > 1 && word[0] == '-' && !(word[1] >= '0' && word[1] <= '9');
}

std::string quoted_list(const std::vector<std::string>& words) {
  std::string quoted;
  for (const auto& word : words) quoted += (quoted.empty() ? "'" : ", '") + word + "'";
  return quoted;
}

// CLI11 says "The following argument was not expected: x" or "A subcommand is required"; say what
// went wrong instead. `extras` are the words no option or positional took.
std::string usage_message(const CLI::ParseError& error, const CLI::App& app,
                          const std::vector<std::string>& extras) {
  if (app.get_subcommands().empty()) {
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
      commands.push_back(sub->get_name());
    std::string known = "(" + quoted_list(commands) + ")";
    for (const auto& word : extras)
      if (!looks_like_option(word)) return "unknown command '" + word + "' " + known;
    if (extras.empty()) return "name a command " + known;
  }
  if (!dynamic_cast<const CLI::ExtrasError*>(&error) || extras.empty()) return error.what();
  for (const auto& word : extras)
    if (looks_like_option(word)) return "unknown option '" + word + "'";
  return std::string(extras.size() == 1 ? "unexpected argument " : "unexpected arguments ") +
         quoted_list(extras) + " (an option takes one value: repeat the option for more)";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace smtpdoctor;
  CLI::App app{"smtpdoctor — diagnose why email will not send", "smtpdoctor"};
  app.set_version_flag("--version", std::string{"smtpdoctor "} + std::string{kVersion});
  app.require_subcommand(1);
  app.fallthrough();

  cli::GlobalOptions global;
  int exit_code = kExitOk;
  cli::setup_check_command(app, global, exit_code);
  cli::setup_serve_command(app, global, exit_code);
  cli::setup_send_command(app, global, exit_code);
  cli::setup_explain_command(app, global, exit_code);
  cli::setup_selftest_command(app, global, exit_code);
  cli::one_value_per_option(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = usage_message(e, app, app.remaining(true));
    auto chosen = app.get_subcommands();
    std::string command = chosen.empty() ? "" : chosen.front()->get_name();
    return cli::print_usage_error(message, command, global.json || cli::json_requested(argc, argv));
  }
  return exit_code;
}
