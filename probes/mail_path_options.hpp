// The `check` options of issue 5 (the mail path around the SMTP session), as one plain struct
// that CheckOptions can carry as `mail_path`. Filled by cli/check_command.cpp; read by
// probes/mail_path.cpp. Defaults are documented in the headers they come from. Light on
// purpose (no Asio), so check_options.hpp can include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/dns/dns_name.hpp"
#include "core/mailbox/mail_protocol.hpp"

namespace smtpdoctor {

// A well-known host the internet probe connects to (probes/internet_probe.hpp).
struct ReachabilityTarget {
  std::string host;  // IP literal or host name (resolved with the probe's resolver)
  std::uint16_t port = 443;
};

// A --pop / --imap server for the credential comparison (probes/credentials_probe.hpp).
struct MailboxServer {
  MailProtocol protocol = MailProtocol::pop3;
  std::string host;
  std::uint16_t port = 0;  // 0: 995 / 993 (implicit TLS)
  MailTls tls = MailTls::automatic;
};

// "HOST:PORT" or "[IPv6]:PORT" for --reachability-target; the port is required. Fails with a
// usage Error. (Defined in internet_probe.cpp.)
Result<ReachabilityTarget> parse_reachability_target(std::string_view spec);

// "HOST", "HOST:PORT", "[v6]:PORT" for --pop / --imap: implicit TLS on 995/993, STLS/STARTTLS
// on any other port. A scheme says it explicitly for an unusual port: "pop3s://HOST:PORT" /
// "imaps://HOST:PORT" (implicit TLS), "pop3://" / "imap://" (STLS/STARTTLS). Fails with a usage
// Error. (Defined in credentials_probe.cpp.)
Result<MailboxServer> parse_mailbox_server(MailProtocol protocol, std::string_view spec);

struct MailPathOptions {
  // --dns-server IP[:PORT] (repeatable): the resolver for the dns, internet and egress checks.
  // Empty: the system's (/etc/resolv.conf). Tests always name the loopback fixture.
  std::vector<DnsServer> dns_servers;
  std::size_t mx_limit = 0;  // --mx-limit N: walk at most N exchangers; 0 = all
  // --reachability-target HOST:PORT (repeatable); empty: kDefaultReachabilityTargets.
  std::vector<ReachabilityTarget> reachability_targets;
  // --reachability-name NAME: the name the internet probe resolves; empty: example.com.
  std::string reachability_name;
  std::vector<std::string> dnsbl_zones;  // --dnsbl ZONE (repeatable); empty: kDefaultDnsblZones
  std::vector<MailboxServer> mailbox_servers;  // --pop HOST[:PORT], --imap HOST[:PORT]
  std::string mailbox_user;                    // --pop-user; empty: --auth-user
  // Check an echoed loopback/private egress address too (tests; real runs skip them).
  bool egress_non_global = false;
};

}  // namespace smtpdoctor
