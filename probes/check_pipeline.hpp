// `check` from options to Report. One target's steps read top to bottom in check_target()
// (probes/check_pipeline.cpp; each step is declared in probes/check_steps.hpp):
//
//   internet -> mail hosts (dns) -> ports -> cross-port findings -> port-25 verdict -> egress
//   -> name consistency -> credentials
//
// Everything runs on one io_context: one target (run_check) or many at once (probes/
// check_batch.hpp) share its loop, its stop switch and its resolver. --deadline and SIGINT/
// SIGTERM pull the stop switch, which cancels whatever is in flight in any step; what has not
// ended shortly after that is abandoned, so a run never outlives its deadline by more than
// kStopGrace.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/base/run_control.hpp"
#include "core/report/report.hpp"
#include "probes/check_options.hpp"
#include "probes/check_run.hpp"

namespace smtpdoctor {

class Resolver;

// How long a stopped run waits for its steps to wind down before it abandons them.
inline constexpr std::chrono::milliseconds kStopGrace{300};

// The loop of one run (one target or many): the io_context, the stop switch wired to
// --deadline and SIGINT/SIGTERM, and the resolver when the options allow one (not --offline,
// or --offline with --dns-server). Asio stays behind the pimpl.
class CheckLoop {
 public:
  explicit CheckLoop(const CheckOptions& options);
  ~CheckLoop();
  CheckLoop(const CheckLoop&) = delete;
  CheckLoop& operator=(const CheckLoop&) = delete;

  RunControl& control();
  Resolver* resolver();                       // null: none may be used, or it failed to start
  const std::string& resolver_error() const;  // why it failed to start
  asio::any_io_executor executor();

  // Runs `work` to its end (or the stop plus kStopGrace). Returns an internal error's text when
  // `work` threw.
  std::optional<std::string> run(asio::awaitable<void> work);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A report for `options` with the options that change what it means echoed in it.
Report new_check_report(const CheckOptions& options);

// One target's steps on the caller's loop. Never throws for network trouble: that is in the
// report.
asio::awaitable<void> check_target(CheckRun& run);

// One target on a loop of its own (check, selftest, tests).
Report run_check(const CheckOptions& options, ProbeProgress on_probe = {});

}  // namespace smtpdoctor
