#include "probes/check_pipeline.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <csignal>
#include <exception>

#include "core/dns/resolver.hpp"
#include "core/net/concurrently.hpp"
#include "core/report/root_cause.hpp"
#include "probes/check_steps.hpp"
#include "probes/probes.hpp"
#include "probes/submission_discovery.hpp"

namespace smtpdoctor {

// ---- the steps of one target ----------------------------------------------------------------

asio::awaitable<void> check_target(CheckRun& run) {
  co_await check_internet(run);
  co_await find_mail_hosts(run);
  co_await walk_ports(run);
  co_await check_mail_policy(run);
  co_await check_dane(run);
  add_cross_port_findings(run);
  co_await judge_port25(run);
  co_await check_egress(run);
  add_name_consistency(run);
  co_await compare_credentials(run);
  run.report.mail_program_settings = mail_program_settings(run);
  mark_consequences(run.report);
  if (run.options.verbose)
    for (auto& outcome : run.ports)
      for (auto& transcript : outcome.transcripts)
        run.report.transcripts.push_back(std::move(transcript));
}

// ---- the run context ------------------------------------------------------------------------

void CheckRun::add(ProbeResult result) {
  report.probes.push_back(std::move(result));
  ++probes_done;
  if (probes_total < probes_done) probes_total = probes_done;
  if (on_probe) on_probe(report.probes.back(), probes_done, probes_total);
}

void CheckRun::add_diagnosis(const Diagnosis& diagnosis) {
  for (const auto& existing : report.diagnoses)
    if (existing.rule == diagnosis.rule && existing.category == diagnosis.category) return;
  report.diagnoses.push_back(diagnosis);
}

// ---- step 3: the ports ----------------------------------------------------------------------

std::vector<PortPlan> port_plans(const CheckOptions& options, const std::vector<MailHost>& hosts) {
  std::vector<PortPlan> plans;
  for (const auto& host : hosts) {
    if (!host.ports.empty()) {
      for (const auto& p : host.ports) plans.push_back({host.host, host.address, p.port, p.role});
      continue;
    }
    for (auto port : options.ports)
      plans.push_back({host.host, host.address, port, options.role_of(port)});
  }
  return plans;
}

asio::awaitable<void> walk_ports(CheckRun& run) {
  const CheckOptions& options = run.options;
  if (run.hosts.empty()) {
    // Nothing to walk (null MX, the domain does not resolve): every transport probe says why.
    for (auto port : options.ports)
      for (ProbeId id : kTransportProbes) {
        ProbeResult skipped_probe;
        skipped_probe.id = id;
        skipped_probe.target = {options.target.host, port, ""};
        skipped_probe.status = ProbeStatus::skip;
        skipped_probe.skip_reason = run.transport_skip_reason;
        skipped_probe.summary = "skipped: " + run.transport_skip_reason;
        run.add(std::move(skipped_probe));
      }
    co_return;
  }
  auto plans = port_plans(options, run.hosts);
  run.probes_total = run.probes_done + plans.size() * kTransportProbes.size();
  // The progress line counts each probe as it ends; the report lists them in plan order below.
  ProbeDone on_done = [&run](const ProbeResult& result) {
    ++run.probes_done;
    if (run.on_probe) run.on_probe(result, run.probes_done, run.probes_total);
  };
  run.ports.resize(plans.size());
  std::vector<asio::awaitable<void>> conversations;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    run.ports[i].plan = plans[i];
    conversations.push_back([](const CheckOptions& options, PortPlan plan, RunControl& control,
                               ProbeDone on_done, PortOutcome& out) -> asio::awaitable<void> {
      out = co_await run_port_conversation(options, std::move(plan), control, std::move(on_done));
    }(options, plans[i], run.control, on_done, run.ports[i]));
  }
  co_await run_concurrently(std::move(conversations));
  for (const auto& outcome : run.ports)
    for (const auto& result : outcome.results) run.report.probes.push_back(result);
}

// ---- the loop -------------------------------------------------------------------------------

namespace {

ResolverOptions resolver_options(const CheckOptions& options) {
  ResolverOptions r;
  r.servers = options.mail_path.dns_servers;
  if (options.timeout) r.timeout = std::min(r.timeout, *options.timeout);
  return r;
}

}  // namespace

// Destroyed in reverse: the resolver before the loop it runs on, the loop (and with it any
// abandoned coroutine, whose registrations end) before the stop switch.
struct CheckLoop::Impl {
  explicit Impl(const CheckOptions& options)
      : signals(io, SIGINT, SIGTERM), deadline(io), grace(io) {
    // --offline contacts nothing but the target; an explicitly named resolver is allowed.
    if (!options.offline || !options.mail_path.dns_servers.empty()) {
      auto created = Resolver::create(io.get_executor(), resolver_options(options));
      if (created) {
        resolver.emplace(std::move(*created));
        cancel_lookups = control.on_stop([this] { resolver->cancel(); });
      } else {
        resolver_error = created.error().message;
      }
    }
    if (options.deadline) deadline_after = *options.deadline;
  }

  RunControl control;
  asio::io_context io;
  asio::signal_set signals;
  asio::steady_timer deadline;
  asio::steady_timer grace;
  std::optional<std::chrono::milliseconds> deadline_after;
  std::optional<Resolver> resolver;
  std::string resolver_error;
  RunControl::Registration cancel_lookups;

  void stop(RunControl::Stop why) {
    control.stop(why);
    // Whatever ignores the stop is abandoned shortly after: the run ends on time regardless.
    grace.expires_after(kStopGrace);
    grace.async_wait([this](const asio::error_code& ec) {
      if (!ec) io.stop();
    });
  }
};

CheckLoop::CheckLoop(const CheckOptions& options) : impl_(std::make_unique<Impl>(options)) {}
CheckLoop::~CheckLoop() {
  // Registrations of abandoned coroutines end with the loop, before the stop switch.
  impl_->cancel_lookups = {};
  impl_->resolver.reset();
}

RunControl& CheckLoop::control() {
  return impl_->control;
}
Resolver* CheckLoop::resolver() {
  return impl_->resolver ? &*impl_->resolver : nullptr;
}
const std::string& CheckLoop::resolver_error() const {
  return impl_->resolver_error;
}
asio::any_io_executor CheckLoop::executor() {
  return impl_->io.get_executor();
}

std::optional<std::string> CheckLoop::run(asio::awaitable<void> work) {
  Impl& s = *impl_;
  s.signals.async_wait([&s](const asio::error_code& ec, int) {
    if (!ec) s.stop(RunControl::Stop::interrupted);
  });
  if (s.deadline_after) {
    s.deadline.expires_after(*s.deadline_after);
    s.deadline.async_wait([&s](const asio::error_code& ec) {
      if (!ec) s.stop(RunControl::Stop::deadline);
    });
  }
  std::optional<std::string> crash;
  asio::co_spawn(s.io, std::move(work), [&](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        crash = std::string("internal error: ") + e.what();
      }
    }
    s.deadline.cancel();
    s.signals.cancel();
    s.grace.cancel();
  });
  s.io.run();
  return crash;
}

// ---- one target -----------------------------------------------------------------------------

Report new_check_report(const CheckOptions& options) {
  Report report = make_report(options.target_text);
  report.options.offline = options.offline;
  report.options.insecure = options.insecure;
  report.options.strict = options.strict;
  report.options.allow_plaintext_auth = options.allow_plaintext_auth;
  report.options.relay_test = options.relay_test;
  report.options.ports = options.ports;
  for (auto port : options.ports)
    report.options.port_roles.emplace_back(port_role_name(options.role_of(port)));
  report.options.helo = options.helo;
  if (options.proxy) report.options.proxy = options.proxy->display();
  return report;
}

Report run_check(const CheckOptions& options, ProbeProgress on_probe) {
  const auto start = std::chrono::steady_clock::now();
  Report report = new_check_report(options);
  {
    CheckLoop loop(options);
    CheckRun run(options, loop.control(), report);
    run.resolver = loop.resolver();
    run.resolver_error = loop.resolver_error();
    run.on_probe = std::move(on_probe);
    if (auto crash = loop.run(check_target(run))) report.run_error = *crash;
    report.interrupted = loop.control().why() == RunControl::Stop::interrupted;
  }
  report.duration = elapsed_since(start);
  return report;
}

}  // namespace smtpdoctor
