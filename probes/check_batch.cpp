#include "probes/check_batch.hpp"

#include <asio/awaitable.hpp>
#include <sstream>

#include "core/base/target.hpp"
#include "core/net/concurrently.hpp"
#include "probes/check_pipeline.hpp"
#include "probes/port_session.hpp"

namespace smtpdoctor {

TargetsFile parse_targets_file(std::string_view text) {
  TargetsFile file;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    auto nl = text.find('\n');
    std::string line(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string target;
    if (!(words >> target)) continue;  // blank or comment only
    TargetLine entry{number, target, {}};
    std::string why;
    bool good = parse_target(target, &why).has_value();
    std::string word;
    while (good && words >> word) {
      auto ports = parse_port_specs(word, &why);
      if (!ports) {
        good = false;
        break;
      }
      entry.ports.insert(entry.ports.end(), ports->begin(), ports->end());
    }
    if (good)
      file.targets.push_back(std::move(entry));
    else
      file.errors.push_back("line " + std::to_string(number) + ": '" + line + "': " + why);
  }
  return file;
}

std::optional<CheckOptions> options_for_target(const CheckOptions& base, const TargetLine& line,
                                               std::string* why) {
  auto target = parse_target(line.target, why);
  if (!target) return std::nullopt;
  CheckOptions options = base;
  options.target = *target;
  options.target_text = line.target;
  if (target->recipient) options.to.push_back(*target->recipient);
  if (!line.ports.empty())
    options.set_ports(line.ports);
  else if (target->port)
    options.ports = {*target->port};
  return options;
}

namespace {

struct Batch {
  const std::vector<CheckOptions>& targets;
  const BatchReportHandler& on_report;
  CheckLoop& loop;
  std::size_t next = 0;
};

// One of `concurrency` workers: takes the next target until none is left or the run stopped.
asio::awaitable<void> batch_worker(Batch& batch) {
  while (batch.next < batch.targets.size() && !batch.loop.control().stopped()) {
    const std::size_t index = batch.next++;
    const CheckOptions& options = batch.targets[index];
    const auto start = std::chrono::steady_clock::now();
    Report report = new_check_report(options);
    CheckRun run(options, batch.loop.control(), report);
    run.resolver = batch.loop.resolver();
    run.resolver_error = batch.loop.resolver_error();
    co_await check_target(run);
    report.interrupted = batch.loop.control().why() == RunControl::Stop::interrupted;
    report.duration = elapsed_since(start);
    batch.on_report(index, std::move(report));
  }
}

}  // namespace

bool run_batch(const std::vector<CheckOptions>& targets, std::size_t concurrency,
               const BatchReportHandler& on_report) {
  if (targets.empty()) return false;
  // One loop, one stop switch and one resolver for all: the first target's options carry the
  // run-wide ones (--deadline, --dns-server, --timeout), the same for every target.
  CheckLoop loop(targets.front());
  Batch batch{targets, on_report, loop};
  std::vector<asio::awaitable<void>> workers;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, std::min(concurrency, targets.size())); ++i)
    workers.push_back(batch_worker(batch));
  auto crash = loop.run(run_concurrently(std::move(workers)));
  if (crash) {
    Report failed = new_check_report(targets.front());
    failed.target = "(batch)";
    failed.run_error = *crash;
    on_report(targets.size(), std::move(failed));
  }
  const bool interrupted = loop.control().why() == RunControl::Stop::interrupted;
  std::string why = loop.control().stop_reason();
  if (why.empty()) why = "the batch stopped early";
  for (std::size_t index = batch.next; index < targets.size(); ++index) {
    Report skipped = new_check_report(targets[index]);
    skipped.run_error = "not started: " + why;
    skipped.interrupted = interrupted;
    on_report(index, std::move(skipped));
  }
  return interrupted;
}

}  // namespace smtpdoctor
