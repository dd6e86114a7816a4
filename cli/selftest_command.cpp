// `smtpdoctor selftest`: proves this build works end to end, with nothing but loopback. It
// starts the embedded test server in-process on an ephemeral 127.0.0.1 port (STARTTLS with a
// fresh self-signed certificate, TLS required before MAIL/AUTH, one AUTH user with a random
// password, a local domain), runs the full `check` against it offline — trusting exactly that
// certificate, logging in as that user, trying a local recipient — prints the report and exits
// with its code.
#include <openssl/rand.h>
#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "core/base/exit_code.hpp"
#include "core/server/self_signed.hpp"
#include "core/server/smtp_server.hpp"
#include "probes/check_output.hpp"

namespace smtpdoctor::cli {
namespace {

constexpr const char* kSelftestDomain = "selftest.example.test";
constexpr const char* kSelftestUser = "selftest";

struct SelftestFlags {
  std::string format = "human";
  bool verbose = false;
};

std::string random_password() {
  unsigned char bytes[18];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "selftest-fallback-password";
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string password;
  for (unsigned char b : bytes) password += kAlphabet[b % (sizeof kAlphabet - 1)];
  return password;
}

// A private directory for the certificate and key, removed when the selftest ends.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "smtpdoctor-selftest-XXXXXX");
    if (char* made = mkdtemp(pattern.data())) path = made;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
};

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return bool(out);
}

int cannot_run(const std::string& message, bool json) {
  return print_cannot_run(message, "selftest", json);
}

int run_selftest(const OutputOptions& output) {
  const bool json = output.format == OutputFormat::json;
  TempDir dir;
  if (dir.path.empty()) return cannot_run("cannot create a temporary directory", json);
  auto identity = make_self_signed_identity("localhost");
  if (!identity) return cannot_run(identity.error().message, json);
  auto cert = dir.path / "cert.pem", key = dir.path / "key.pem";
  if (!write_file(cert, identity->certificate_pem) || !write_file(key, identity->private_key_pem))
    return cannot_run("cannot write the test certificate to " + dir.path.string(), json);

  const std::string password = random_password();
  ServerOptions server_options;
  server_options.listen = {ListenAddress{"127.0.0.1", 0, false}};
  server_options.hostname = "localhost";
  server_options.cert_file = cert.string();
  server_options.key_file = key.string();
  server_options.users = {{kSelftestUser, password}};
  server_options.require_tls = true;
  server_options.local_domains = {kSelftestDomain};

  asio::io_context server_io;
  SmtpServer server(server_io, server_options);
  auto bound = server.start();
  if (!bound || bound->empty())
    return cannot_run(bound ? "the test server bound no port" : bound.error().message, json);
  std::thread server_thread([&] { server_io.run(); });

  CheckOptions options;
  options.target_text = bound->front().str();
  options.target.host = "127.0.0.1";
  options.target.is_ip_literal = true;
  options.ports = {bound->front().port};
  options.offline = true;
  options.helo = "selftest-client.example.test";
  options.helo_is_default = false;
  options.from = std::string("postmaster@") + kSelftestDomain;
  options.to = {std::string("postmaster@") + kSelftestDomain};
  options.auth_user = kSelftestUser;
  options.password = password;
  options.ca_file = cert.string();
  options.relay_test = true;
  options.timeout = std::chrono::seconds(5);
  options.deadline = std::chrono::seconds(20);
  options.verbose = output.verbose;

  int code = run_and_print(options, output);

  asio::post(server_io, [&] { server.stop(std::chrono::milliseconds(500)); });
  server_thread.join();
  return code;
}

}  // namespace

void setup_selftest_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<SelftestFlags>();
  auto* sub = app.add_subcommand(
      "selftest", "start the embedded server on loopback and run the full check against it");
  sub->add_option("--format", flags->format, "human, json or nagios")
      ->check(CLI::IsMember({"human", "json", "nagios"}));
  sub->add_flag("--json", global.json, "the report as JSON (same as --format json)");
  sub->add_flag("-v,--verbose", flags->verbose, "all details and the SMTP transcript");
  sub->callback([flags, &global, &exit_code] {
    if (flags->format == "json") global.json = true;
    OutputOptions output;
    output.format = global.json                 ? OutputFormat::json
                    : flags->format == "nagios" ? OutputFormat::nagios
                                                : OutputFormat::human;
    output.verbose = flags->verbose;
    exit_code = run_selftest(output);
  });
}

}  // namespace smtpdoctor::cli
