// One setup function per subcommand (the micromamba shape): each parses its options into a plain
// struct and, when chosen, runs and stores its exit code. No I/O logic lives in cli/.
#pragma once

namespace CLI {
class App;
}

namespace smtpdoctor::cli {

// Options every subcommand shares.
struct GlobalOptions {
  bool json = false;  // --json: machine output; errors are JSON too
};

void setup_serve_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void setup_send_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void setup_check_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void setup_explain_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void setup_selftest_command(CLI::App& app, GlobalOptions& global, int& exit_code);

}  // namespace smtpdoctor::cli
