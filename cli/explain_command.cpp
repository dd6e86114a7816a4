// `smtpdoctor explain TEXT…` / `explain -`: explain a pasted SMTP reply, bounce, log line or
// client error. Parsing and diagnosis live in core/diagnosis/explain.hpp; this file reads the input
// (bounded), and prints the findings for people or as JSON (schema smtpdoctor.explain/1).
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/errors.hpp"
#include "core/base/exit_code.hpp"
#include "core/diagnosis/enhanced_codes.hpp"
#include "core/diagnosis/explain.hpp"
#include "core/report/render_json.hpp"

namespace smtpdoctor::cli {
namespace {

// Keys in the order a reader expects (schema first), not alphabetical.
using Json = nlohmann::ordered_json;

constexpr std::size_t kMaxInput = 1024 * 1024;

struct ExplainOptions {
  std::vector<std::string> text;
};

// Reads at most kMaxInput + 1 bytes so an endless pipe cannot exhaust memory.
bool read_stdin(std::string& out) {
  out.clear();
  char buf[65536];
  while (out.size() <= kMaxInput) {
    std::cin.read(buf, sizeof buf);
    std::streamsize n = std::cin.gcount();
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    if (!std::cin) return std::cin.eof();
  }
  return true;
}

// The diagnosis as `check` writes it, with what only `explain` knows: the stage is null when the
// text does not say, the meaning of the enhanced code, and the excerpt it was found in.
Json finding_json(const ExplainFinding& f) {
  const Diagnosis& d = f.diagnosis;
  Json j = diagnosis_json(d);
  if (d.stage == Stage::none) j["stage"] = nullptr;
  j["enhanced_meaning"] = d.enhanced ? Json(enhanced_code_meaning(*d.enhanced)) : Json();
  j["text"] = printable_excerpt(f.text, 4096);
  return j;
}

void print_human(const std::vector<ExplainFinding>& findings) {
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const Diagnosis& d = findings[i].diagnosis;
    if (i) std::cout << "\n";
    std::cout << (findings.size() > 1 ? std::to_string(i + 1) + ". " : "")
              << category_name(d.category) << " (" << (d.permanent ? "permanent" : "temporary")
              << ")\n";
    std::cout << "  text      " << printable_excerpt(findings[i].text, 300) << "\n";
    if (d.code || d.enhanced) {
      std::cout << "  reply     " << (d.code ? std::to_string(*d.code) : "");
      if (d.enhanced)
        std::cout << (d.code ? " " : "") << d.enhanced->str() << " — "
                  << enhanced_code_meaning(*d.enhanced);
      std::cout << "\n";
    }
    if (d.stage != Stage::none) std::cout << "  stage     " << stage_name(d.stage) << "\n";
    std::cout << "  cause     " << d.cause << "\n";
    std::cout << "  fix       " << d.fix << "\n";
    if (!d.refs.empty()) {
      std::cout << "  refs      ";
      for (std::size_t r = 0; r < d.refs.size(); ++r) std::cout << (r ? ", " : "") << d.refs[r];
      std::cout << "\n";
    }
    std::cout << "  rule      " << d.rule << " (" << basis_name(d.basis) << ")\n";
  }
}

int run_explain(const ExplainOptions& o, const GlobalOptions& global) {
  std::string input;
  if (o.text.size() == 1 && o.text[0] == "-") {
    if (!read_stdin(input))
      return print_cannot_run("could not read standard input", "explain", global.json);
  } else {
    for (const auto& part : o.text) {
      if (!input.empty()) input += ' ';
      input += part;
    }
  }
  if (input.size() > kMaxInput)
    usage_error("TEXT", "input is larger than 1 MiB; paste only the error message or bounce");
  if (input.find_first_not_of(" \t\r\n") == std::string::npos)
    usage_error("TEXT", "nothing to explain (give TEXT or '-' for stdin)");

  std::vector<ExplainFinding> findings = explain_text(input);
  if (global.json) {
    Json out = {{"schema", "smtpdoctor.explain/1"}, {"findings", Json::array()}};
    for (const auto& f : findings) out["findings"].push_back(finding_json(f));
    std::cout << out.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  } else if (findings.empty()) {
    std::cout << "No SMTP reply or known mail client error found in the input.\n"
                 "Paste the server's reply (e.g. \"550 5.1.1 …\") or the error line your mail "
                 "program printed.\n";
  } else {
    print_human(findings);
  }
  return findings.empty() ? kExitFailed : kExitOk;
}

}  // namespace

void setup_explain_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto options = std::make_shared<ExplainOptions>();
  auto* sub = app.add_subcommand(
      "explain", "explain a pasted SMTP reply, bounce message, log line or mail client error");
  sub->add_option("TEXT", options->text,
                  "the text to explain; '-' reads it from standard input (at most 1 MiB)")
      ->required();
  sub->add_flag("--json", global.json,
                "print {\"schema\":\"smtpdoctor.explain/1\",\"findings\":[…]}");
  sub->footer(
      "Finds every SMTP reply (e.g. \"550 5.1.1 …\", multi-line replies joined) and known client "
      "error (ECONNREFUSED, certificate verify failed, …) in the text and prints its category, "
      "whether it is permanent, the reply and enhanced status code with its RFC 3463 meaning, "
      "cause, fix and references.\n\n"
      "Exit status: 0 something was explained, 1 nothing recognisable was found, 2 bad input "
      "(none, or over 1 MiB), 3 standard input could not be read.\n\n"
      "Examples:\n"
      "  smtpdoctor explain '554 5.7.1 <a@example.org>: Relay access denied'\n"
      "  pbpaste | smtpdoctor explain -\n"
      "  smtpdoctor explain --json - < bounce.eml");
  sub->callback([options, &global, &exit_code] { exit_code = run_explain(*options, global); });
}

}  // namespace smtpdoctor::cli
