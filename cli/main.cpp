// smtpdoctor: find out where the mail path breaks, and say why.
//
// main() only wires subcommands together. CLI11's own CLI11_PARSE is not used: it prints errors
// as text, and with --json an error must be JSON too (DESIGN §4).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/exit_code.hpp"
#include "core/version.hpp"

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (global.json) {
      nlohmann::json err = {{"schema", "smtpdoctor.error/1"},
                            {"error", "usage"},
                            {"message", e.what()},
                            {"exit_code", int(kExitUsage)}};
      std::cout << err.dump(2) << "\n";
    } else {
      std::cerr << "smtpdoctor: " << e.what() << "\n"
                << "Run 'smtpdoctor --help' for usage.\n";
    }
    return kExitUsage;
  }
  return exit_code;
}
