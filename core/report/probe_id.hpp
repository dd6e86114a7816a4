// The probes of `check` (DESIGN §2), in pipeline order. One name table serves the report, the
// JSON, `--only`/`--skip` and the progress line, so a probe is spelled the same everywhere.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace smtpdoctor {

enum class ProbeId { internet, dns, tcp, banner, ehlo, tls, auth, envelope, mta_sts, tlsrpt, dane };

// Every probe, in the order the pipeline runs them and the reports list them.
inline constexpr std::array<ProbeId, 11> kAllProbes{
    ProbeId::internet, ProbeId::dns,    ProbeId::tcp,  ProbeId::banner,
    ProbeId::ehlo,     ProbeId::tls,    ProbeId::auth, ProbeId::envelope,
    ProbeId::mta_sts,  ProbeId::tlsrpt, ProbeId::dane};

std::string_view probe_name(ProbeId id);
// Exact, lower-case names only ("tcp", "envelope").
std::optional<ProbeId> probe_from_name(std::string_view name);
// For `--only tsl`: the probe name closest to a typo, if one is close enough to suggest.
std::optional<ProbeId> probe_did_you_mean(std::string_view name);

}  // namespace smtpdoctor
