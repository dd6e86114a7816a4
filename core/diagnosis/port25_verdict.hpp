// The port-25 verdict (DESIGN §2): is outbound port 25 blocked by *our* network, or is the server
// simply not listening? A guess here sends people to the wrong administrator, so it is decided
// from evidence only:
//
//   - 25 timed out while 587 or 465 on the same host connected: the host is up and answers
//     submission, so something between us drops 25 -> port_blocked;
//   - 25 timed out on every well-known MX of a reference list while the internet probe works:
//     the big providers do not all filter 25, so our network does -> port_blocked;
//   - 25 refused (RST): the host answered and nothing listens there -> connection_refused, a
//     different cause with a different fix;
//   - anything else (25 and submission both time out, unreachable, no internet): no verdict here;
//     the tcp and internet probes report those.
//
// Through a proxy (--proxy) every outcome is what the proxy's network saw: 25 timing out while
// 587 got through is a block on the proxy's network (port25_blocked_via_proxy, naming the proxy),
// a refusal is the proxy's report (the tcp probe's proxy_failure already says it), and the
// reference hosts are never asked: directly they would judge our network instead, and through
// the proxy the internet probe (which runs directly) cannot vouch that the proxy's network works.
//
// Pure: the tcp outcomes come from whoever connected (the tcp probe, core/tcp_reach).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnosis/diagnosis.hpp"
#include "core/net/tcp_outcome.hpp"

namespace smtpdoctor {

struct PortAttempt {
  std::string host;
  std::uint16_t port = 0;
  TcpOutcome outcome = TcpOutcome::failed;
};

// Reference MX hosts whose port 25 is known to accept connections from anywhere; the probe
// connects to 25 on each (only when not --offline) when the target's own port 25 timed out.
inline const std::vector<std::string> kDefaultPort25ReferenceHosts{
    "gmail-smtp-in.l.google.com",
    "mta5.am0.yahoodns.net",
    "outlook-com.olc.protection.outlook.com",
};

struct Port25Evidence {
  std::vector<PortAttempt> attempts;   // the target's hosts, every port tried
  std::vector<PortAttempt> reference;  // port 25 of the reference hosts (empty: not tried)
  std::optional<bool> internet_ok;     // the internet probe's outcome; nullopt: not run
  std::string proxy;  // non-empty: every attempt went through this proxy (ProxyConfig::display)
};

enum class Port25Finding { blocked, refused };

struct Port25Verdict {
  Port25Finding finding = Port25Finding::blocked;
  std::string host;      // the host it is about (for `refused`, or `blocked` by one host)
  std::string evidence;  // one line: "port 25 timed out while 587 connected"
  Diagnosis diagnosis;   // port_blocked / connection_refused, from the knowledge base
};

// Every verdict the evidence supports: at most one `blocked` (it is about our network, not a
// host) and one `refused` per host. Empty when the evidence says nothing about port 25.
std::vector<Port25Verdict> port25_verdicts(const Port25Evidence& evidence);

}  // namespace smtpdoctor
