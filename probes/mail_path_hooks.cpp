#include "probes/mail_path_hooks.hpp"

#include <memory>

#include "probes/mail_path.hpp"

namespace smtpdoctor {
namespace {

// What the two hooks share: the options, and step 1's plan for step 4. The CheckOptions given to
// find_mail_hosts live as long as run_check, which calls after_ports before it returns.
struct MailPathState {
  MailPathOptions mail_path;
  MailPathPlan plan;
  const CheckOptions* options = nullptr;
};

asio::awaitable<MailHosts> find_hosts(std::shared_ptr<MailPathState> state,
                                      const CheckOptions& options) {
  state->options = &options;
  state->plan = co_await find_mail_path(options, state->mail_path);
  MailHosts found;
  found.results = state->plan.results;
  for (const auto& h : state->plan.hosts) found.hosts.push_back({h.host, h.address});
  found.transport_skip_reason = state->plan.transport_skip_reason;
  // No exchangers and nothing wrong (an IP target, dns not run): walk the target itself.
  if (found.hosts.empty() && found.transport_skip_reason.empty())
    found.hosts.push_back({options.target.host, ""});
  co_return found;
}

}  // namespace

void install_mail_path_hooks(CheckHooks& hooks, MailPathOptions mail_path) {
  auto state = std::make_shared<MailPathState>();
  state->mail_path = std::move(mail_path);
  hooks.find_mail_hosts = [state](const CheckOptions& options) {
    return find_hosts(state, options);
  };
  auto before = hooks.after_ports;
  hooks.after_ports = [state, before](Report& report, const std::vector<PortOutcome>& outcomes) {
    if (before) before(report, outcomes);
    if (state->options)
      add_mail_path_findings(report, outcomes, state->plan, *state->options, state->mail_path);
  };
}

}  // namespace smtpdoctor
