// Placeholder until the issue that builds `check` lands: says so plainly and exits 3.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "core/exit_code.hpp"

namespace smtpdoctor::cli {

void setup_check_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* sub = app.add_subcommand("check", "not implemented yet");
  sub->allow_extras();
  sub->callback([&exit_code] {
    std::cerr << "smtpdoctor check: not implemented yet\n";
    exit_code = kExitCannotRun;
  });
}

}  // namespace smtpdoctor::cli
