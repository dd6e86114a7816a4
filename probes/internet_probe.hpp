// The internet probe (DESIGN §2), run first: can this machine reach the outside at all? It asks
// the chosen resolver for a well-known name and TCP-connects to a few well-known hosts on 443,
// all at once, each with its own connect deadline. Three states matter to the user because
// their fixes differ:
//
//   online       the name resolves and a host answers                    -> ok
//   dns broken   a host answers but the name does not resolve            -> fail, dns_failure
//   no network   no host answers (every connect unreachable or timed out)
//                and the name does not resolve either                    -> fail, no_internet
//   restricted   the name resolves but no host answers on 443: a firewall
//                or a proxy-only network                                 -> warn, no_internet
//
// "Answers" includes a refusal (RST): a reset came back, so packets flow. The default targets
// are IP literals so that TCP is tested without DNS: Cloudflare's, Google's and Quad9's anycast
// resolvers all serve HTTPS (DNS-over-HTTPS) on 443. `--reachability-target HOST:PORT`
// (repeatable) replaces them; `--offline` skips the probe.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/dns/dns_records.hpp"
#include "core/dns/resolver.hpp"
#include "core/net/tcp_reach.hpp"
#include "core/report/report.hpp"
#include "probes/mail_path_options.hpp"

namespace smtpdoctor {

inline const std::vector<ReachabilityTarget> kDefaultReachabilityTargets{
    {"1.1.1.1", 443},  // Cloudflare
    {"8.8.8.8", 443},  // Google
    {"9.9.9.9", 443},  // Quad9
};
// A name that exists for as long as DNS does (RFC 2606 §3 reserves it for documentation, and
// IANA serves it).
inline constexpr std::string_view kDefaultReachabilityName = "example.com";

struct InternetProbeOptions {
  std::vector<ReachabilityTarget> targets = kDefaultReachabilityTargets;
  std::string name = std::string(kDefaultReachabilityName);
  std::chrono::milliseconds connect_timeout{5000};  // per target; all run at once
  RunControl* control = nullptr;                    // the run's stop switch cancels the connects
};

enum class InternetState { online, dns_broken, no_network, restricted };
std::string_view internet_state_name(InternetState state);  // "online", "dns_broken", ...

struct InternetEvidence {
  DnsStatus name_status = DnsStatus::error;  // the well-known name's A lookup
  std::vector<TcpReach> reaches;             // one per target that had an address
};

// Pure: the state the evidence shows (see the table above).
InternetState internet_state(const InternetEvidence& evidence);

struct InternetProbeOutcome {
  ProbeResult result;  // id internet
  InternetState state = InternetState::no_network;
  // The network reaches the outside (online or dns_broken): what the port-25 verdict needs.
  bool connects() const {
    return state == InternetState::online || state == InternetState::dns_broken;
  }
};

asio::awaitable<InternetProbeOutcome> run_internet_probe(Resolver& resolver,
                                                         InternetProbeOptions options);

}  // namespace smtpdoctor
