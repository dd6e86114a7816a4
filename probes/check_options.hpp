// Everything `smtpdoctor check` was asked to do, as one plain struct: filled by
// cli/check_command.cpp (or by `selftest` and the tests directly) and read by every probe.
// No parsing and no I/O here; the CLI validates, the pipeline reads.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/limits.hpp"
#include "core/base/stage.hpp"
#include "core/base/target.hpp"
#include "core/report/probe_id.hpp"
#include "core/smtp/smtp_client.hpp"
#include "probes/mail_path_options.hpp"
#include "probes/session_findings.hpp"

namespace smtpdoctor {

// The ports checked when none are named: submission, implicit-TLS submission, relay.
inline const std::vector<std::uint16_t> kDefaultPorts{587, 465, 25};

// --submission tries these on the conventional names (smtp.DOMAIN, mail.DOMAIN) when the domain
// publishes no SRV records: implicit TLS first, as RFC 8314 §3.3 prefers.
inline const std::vector<std::uint16_t> kSubmissionPorts{465, 587};

// The recipient `--relay-test` tries: .invalid can never be a real domain (RFC 2606 §2), so an
// open relay accepting it harms nobody, and a "yes" can only mean the server relays anything.
inline constexpr const char* kRelayTestRecipient = "relay-test@smtpdoctor-relay-test.invalid";

struct CheckOptions {
  std::string target_text;  // as the user wrote it, for the report heading
  Target target;            // parsed; target.host is what we connect to
  std::vector<std::uint16_t> ports = kDefaultPorts;
  std::map<std::uint16_t, std::string> port_roles;  // PORT/ROLE as given ("mx", ...)
  bool tls_on_connect = false;  // --tls-on-connect: implicit TLS on every port, not only 465
  IpFamily family = IpFamily::any;

  std::string helo;  // the EHLO name; the CLI fills in this host's FQDN when not given
  bool helo_is_default = true;
  std::string from;                   // empty: postmaster@<helo>
  std::vector<std::string> to;        // --to, plus the user@domain target's address
  std::optional<std::uint64_t> size;  // --size N: declared as SIZE=N on MAIL FROM

  std::string auth_user;
  std::string password;  // from --password-env/--password-file/prompt; never from argv
  // `password` holds an OAuth2 bearer token (--oauth2-token-env/-file/-cmd) for XOAUTH2 and
  // OAUTHBEARER instead of a password.
  bool password_is_token = false;
  std::string auth_mechanism;  // --auth MECH; empty: the best offered
  bool auth_all = false;
  bool allow_plaintext_auth = false;

  std::string tls_sni;
  std::string tls_verify_name;  // the name the certificate must carry, over --tls-sni and host
  std::string ca_file;
  bool insecure = false;

  bool relay_test = false;
  // --submission: find the address's submission server (RFC 6186 SRV, else the conventional
  // names) and check that, instead of the domain's MX hosts.
  bool submission = false;
  bool offline = false;
  std::set<ProbeId> only;  // empty: every probe
  std::set<ProbeId> skip;
  std::optional<Stage> quit_after;

  // --timeout: every network operation's limit; unset, the Limits defaults (connect 10 s,
  // greeting and commands 30 s) apply.
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<std::chrono::milliseconds> deadline;  // the whole run
  bool strict = false;
  bool verbose = false;  // keep transcripts in the report
  // Issue 5: --dns-server, --mx-limit, --reachability-target, --dnsbl, --pop/--imap,
  // --pop-user (probes/mail_path_options.hpp).
  MailPathOptions mail_path;
  Limits limits;  // the base limits; timeout overrides the client's per-operation ones

  bool has_credentials() const { return !auth_user.empty(); }
  // The ports to check, in order, each once, with the roles given as PORT/ROLE.
  void set_ports(const std::vector<PortSpec>& specs) {
    ports.clear();
    port_roles.clear();
    for (const auto& spec : specs) {
      if (std::find(ports.begin(), ports.end(), spec.port) == ports.end())
        ports.push_back(spec.port);
      if (!spec.role.empty()) port_roles[spec.port] = spec.role;
    }
  }
  PortRole role_of(std::uint16_t port) const {
    auto it = port_roles.find(port);
    return port_role(port, tls_on_connect, it == port_roles.end() ? "" : it->second);
  }
  // Selected by --only/--skip.
  bool wants(ProbeId id) const {
    if (skip.count(id)) return false;
    return only.empty() || only.count(id) > 0;
  }
};

}  // namespace smtpdoctor
