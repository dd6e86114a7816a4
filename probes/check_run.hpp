// What every step of one target's `check` shares (probes/check_pipeline.cpp): the options, the
// run's stop switch and resolver, the report being filled, and the typed results one step hands
// the next. A step reads the fields of the steps before it, never a ProbeResult's `details`:
// those are written for output only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/run_control.hpp"
#include "core/report/report.hpp"
#include "probes/check_options.hpp"
#include "probes/port_conversation.hpp"

namespace smtpdoctor {

class Resolver;

// One port of a mail host found for it (--submission), with how it was found.
struct HostPort {
  std::uint16_t port = 0;
  PortRole role = PortRole::submission;
  std::string found_by;  // "SRV record _submissions._tcp.example.org", ...
};

// A mail host whose ports the transport probes walk.
struct MailHost {
  std::string host;     // name (SNI, certificate check, report) or address literal
  std::string address;  // resolved already by the dns step; empty: the client resolves `host`
  // This host's own ports (--submission: what its SRV records name); empty: the checked ports.
  std::vector<HostPort> ports;
};

// Called each time a probe result is added (the progress line). `total` grows as the run learns
// how many ports it walks.
using ProbeProgress =
    std::function<void(const ProbeResult& result, std::size_t done, std::size_t total)>;

struct CheckRun {
  CheckRun(const CheckOptions& o, RunControl& c, Report& r) : options(o), control(c), report(r) {}

  const CheckOptions& options;
  RunControl& control;
  Report& report;
  // The run's resolver for the dns, internet and egress steps; null when none may be used
  // (--offline without --dns-server), and then resolver_error may say why it could not start.
  Resolver* resolver = nullptr;
  std::string resolver_error;
  ProbeProgress on_probe;
  std::size_t probes_done = 0;
  std::size_t probes_total = 0;

  // Handed from step to step.
  std::optional<bool> internet_ok;  // nullopt: the internet probe did not run
  std::vector<MailHost> hosts;      // the mail hosts, in the order to report them
  // Set by the dns step: the target was looked up as a mail domain (its hosts are its MX hosts),
  // or as a server's name. nullopt: the dns step did not run.
  std::optional<bool> mail_domain;
  // Non-empty: the transport probes cannot run (null MX, DNS failure); they skip with this.
  std::string transport_skip_reason;
  // address -> PTR names, from the dns step, for the name-consistency finding.
  std::vector<std::pair<std::string, std::vector<std::string>>> ptr_names;
  std::vector<PortOutcome> ports;  // one per (host, port), in plan order

  // Appends to the report and tells the progress line.
  void add(ProbeResult result);
  void add_diagnosis(const Diagnosis& diagnosis);  // to report.diagnoses, once per rule
};

}  // namespace smtpdoctor
