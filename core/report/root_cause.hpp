// One root cause, consequences marked. A failed login makes the envelope fail too, a refused
// connection skips everything after it on that port; reporting each with a fix of its own sends
// the user after knock-on effects. These pure functions over a finished report decide which
// failures follow from which, and which one failure is the report's root cause.
#pragma once

#include <optional>

#include "core/report/report.hpp"

namespace smtpdoctor {

// Sets ProbeResult::consequence_of on every failed or warned probe that follows from an earlier
// failure on the same port (tcp, banner or ehlo failed: everything after; tls failed: auth and
// envelope; a refused login: an envelope refused for want of a login), and on every tcp failure
// when the internet probe found no network. Probes already marked (a skip because the session
// broke) keep theirs.
void mark_consequences(Report& report);

struct RootCause {
  const ProbeResult* probe = nullptr;    // the failing probe (nullptr: a report-wide finding)
  const Diagnosis* diagnosis = nullptr;  // its first diagnosis, when it has one
};

// The report's root cause: the first failed probe that follows from nothing, in the order the
// report is read (probes not about a port, then ports as given); else the first warned one;
// else a report-wide diagnosis. nullopt when nothing failed or warned.
std::optional<RootCause> find_root_cause(const Report& report);

}  // namespace smtpdoctor
