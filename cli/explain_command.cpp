// Placeholder until the issue that builds `explain` lands: says so plainly and exits 3.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "core/exit_code.hpp"

namespace smtpdoctor::cli {

void setup_explain_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* sub = app.add_subcommand("explain", "not implemented yet");
  sub->allow_extras();
  sub->callback([&exit_code] {
    std::cerr << "smtpdoctor explain: not implemented yet\n";
    exit_code = kExitCannotRun;
  });
}

}  // namespace smtpdoctor::cli
