// How one TCP connect ended, shared by the transport, the tcp probe and the port-25 verdict.
#pragma once

#include <optional>
#include <string_view>

namespace smtpdoctor {

enum class TcpOutcome { connected, refused, timed_out, unreachable, failed };

// "connected", "refused", "timed out", "unreachable", "failed" — the words of the tcp probe's
// details["outcome"] (documented in man/smtpdoctor-report.schema.json).
std::string_view tcp_outcome_name(TcpOutcome outcome);
std::optional<TcpOutcome> tcp_outcome_from_name(std::string_view name);

}  // namespace smtpdoctor
