#include "core/report/root_cause.hpp"

#include <algorithm>
#include <vector>

namespace smtpdoctor {
namespace {

bool same_port(const ProbeResult& a, const ProbeResult& b) {
  return a.target.port != 0 && a.target.port == b.target.port && a.target.host == b.target.host &&
         a.target.address == b.target.address;
}

// What a refused login explains: an envelope refused because nobody logged in.
bool wants_a_login(const ProbeResult& probe) {
  return std::any_of(probe.diagnoses.begin(), probe.diagnoses.end(), [](const Diagnosis& d) {
    return d.category == Category::auth_required || d.category == Category::relay_denied ||
           d.category == Category::auth_failed || d.category == Category::tls_required ||
           d.category == Category::auth_unavailable;
  });
}

// Whether `later`'s trouble follows from `cause`, a failure earlier on the same port.
// (A skip is marked where it happens, by the conversation that knows why it skipped.)
bool follows_from(const ProbeResult& cause, const ProbeResult& later) {
  if (later.status == ProbeStatus::ok || later.status == ProbeStatus::skip || later.id <= cause.id)
    return false;
  switch (cause.id) {
    case ProbeId::tcp:
    case ProbeId::banner:
    case ProbeId::ehlo:
      return true;  // no conversation, or none past the greeting
    case ProbeId::tls:
      return later.id == ProbeId::auth || later.id == ProbeId::envelope;
    case ProbeId::auth:
      return later.id == ProbeId::envelope && wants_a_login(later);
    default:
      return false;
  }
}

// The order the report is read in: probes not about a port first, then ports as given.
std::size_t reading_rank(const Report& report, const ProbeResult& probe) {
  if (probe.target.port == 0) return 0;
  const auto& ports = report.options.ports;
  auto it = std::find(ports.begin(), ports.end(), probe.target.port);
  return 1 + (it == ports.end() ? ports.size() + probe.target.port : it - ports.begin());
}

}  // namespace

void mark_consequences(Report& report) {
  auto& probes = report.probes;
  bool no_network = std::any_of(probes.begin(), probes.end(), [](const ProbeResult& p) {
    return p.id == ProbeId::internet && p.status == ProbeStatus::fail;
  });
  for (auto& probe : probes)
    if (no_network && probe.id == ProbeId::tcp && probe.status == ProbeStatus::fail &&
        !probe.consequence_of)
      probe.consequence_of = ProbeId::internet;

  // Earlier probes first, so a chain (tcp -> banner -> ...) names its first link.
  std::vector<ProbeResult*> order;
  for (auto& probe : probes) order.push_back(&probe);
  std::stable_sort(order.begin(), order.end(),
                   [](const ProbeResult* a, const ProbeResult* b) { return a->id < b->id; });
  for (ProbeResult* cause : order) {
    if (cause->status != ProbeStatus::fail || cause->target.port == 0) continue;
    for (ProbeResult* later : order)
      if (later != cause && !later->consequence_of && same_port(*cause, *later) &&
          follows_from(*cause, *later))
        later->consequence_of = cause->consequence_of.value_or(cause->id);
  }
}

std::optional<RootCause> find_root_cause(const Report& report) {
  for (ProbeStatus status : {ProbeStatus::fail, ProbeStatus::warn}) {
    const ProbeResult* best = nullptr;
    for (const auto& probe : report.probes) {
      if (probe.status != status || probe.consequence_of) continue;
      if (!best || reading_rank(report, probe) < reading_rank(report, *best) ||
          (reading_rank(report, probe) == reading_rank(report, *best) && probe.id < best->id))
        best = &probe;
    }
    // A report-wide finding (the port-25 verdict) speaks for a failure it explains better.
    if (best && status == ProbeStatus::fail) {
      for (const auto& d : report.diagnoses)
        if (d.category == Category::port_blocked && best->id == ProbeId::tcp &&
            best->target.port == 25)
          return RootCause{best, &d};
    }
    if (best) return RootCause{best, best->diagnoses.empty() ? nullptr : &best->diagnoses.front()};
  }
  if (!report.diagnoses.empty()) return RootCause{nullptr, &report.diagnoses.front()};
  return std::nullopt;
}

}  // namespace smtpdoctor
