// What the probes of one port share: the plan (which host and port, what role), the one
// SmtpClient the conversation runs on, and what each probe learned for the ones after it.
// RunControl (core/base/run_control.hpp) is the run-wide switch that --deadline and SIGINT pull.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/run_control.hpp"
#include "core/diagnosis/finding.hpp"
#include "core/diagnosis/knowledge_base.hpp"
#include "core/diagnosis/port25_verdict.hpp"
#include "core/report/report.hpp"
#include "core/smtp/smtp_client.hpp"
#include "probes/check_options.hpp"
#include "probes/session_findings.hpp"

namespace smtpdoctor {

// Registers a client with the RunControl for as long as it lives: a stop cancels it.
class LiveClient {
 public:
  LiveClient(RunControl& control, SmtpClient& client)
      : registration_(control.on_stop([&client] { client.cancel(); })) {}

 private:
  RunControl::Registration registration_;
};

// The auth probe's login: which mechanism, and whether the server took it.
struct LoginAttempt {
  std::string mechanism;
  bool accepted = false;
};

struct PortPlan {
  std::string host;  // the mail host's name (or address literal): reports, SNI, certificate check
  // The address to connect to when the dns step resolved it already; empty: the client resolves
  // `host` itself.
  std::string address;
  std::uint16_t port = 25;
  PortRole role = PortRole::submission;
  bool implicit_tls() const { return role == PortRole::implicit_tls; }
};

// Client options for one port from the check options: timeouts, TLS trust, SNI, family.
ClientOptions client_options(const CheckOptions& options, const PortPlan& plan);

// A side conversation (STARTTLS enforcement, --auth-all, --relay-test) reports its transcript.
struct SideTranscript {
  std::string label;  // "starttls-enforcement", "auth-all CRAM-MD5", "relay-test"
  Transcript transcript;
};

struct PortSession {
  PortSession(const CheckOptions& o, PortPlan p, SmtpClient& c, RunControl& r)
      : options(o), plan(std::move(p)), client(c), control(r) {}

  const CheckOptions& options;
  PortPlan plan;
  SmtpClient& client;
  RunControl& control;

  // Learned along the way.
  std::optional<ConnectInfo> connect;
  std::vector<ConnectAttempt> connect_attempts;  // every address the tcp probe tried
  std::optional<Error> implicit_tls_error;       // 465: TCP connected but the handshake failed
  std::optional<Greeting> greeting;
  std::optional<Capabilities> before_tls;
  std::optional<Capabilities> after_tls;  // EHLO again inside TLS
  std::optional<TlsInfo> tls;
  bool authenticated = false;
  std::optional<TcpOutcome> tcp_outcome;  // what the tcp probe's connect came to
  std::optional<LoginAttempt> login;      // the auth probe's login, when it tried one
  std::vector<SideTranscript> side_transcripts;
  bool quit_sent = false;  // the envelope's dry run ended the session with QUIT

  // Why the probes after this point cannot run ("tcp failed: connection refused"); empty while
  // the session is usable.
  std::string broken;

  // The capabilities in force now: after TLS when there was TLS.
  const Capabilities* current_capabilities() const {
    if (after_tls) return &*after_tls;
    if (before_tls) return &*before_tls;
    return nullptr;
  }
  ProbeTarget target() const;
  // The EHLO name of this connection (RFC 5321 §4.1.4): --helo when given, this host's name when
  // it is fully qualified, else the address literal of our side of the connection
  // ("[192.0.2.7]", "[IPv6:2001:db8::7]").
  std::string helo() const;
  // --from, else postmaster@ the EHLO name.
  std::string sender() const;
};

// A fresh result for `id` on this port, stamped with its target.
ProbeResult new_result(ProbeId id, const PortSession& session);
// A skipped result with its reason.
ProbeResult skipped(ProbeId id, const PortSession& session, std::string reason);

// Elapsed since `start`, for ProbeResult::duration.
std::chrono::milliseconds elapsed_since(std::chrono::steady_clock::time_point start);

// The one place probes ask the knowledge base: a failure (an Error), a refusal (a reply at a
// stage), or a finding at a stage (a warning that has no server reply,
// e.g. Finding::starttls_not_offered). A finding no rule knows gets no diagnosis (nullopt) rather
// than the knowledge base's generic "not recognised" one; the probe's summary and notes still say
// it.
Diagnosis diagnosis_for(const Error& error);
Diagnosis diagnosis_for(Stage stage, const Reply& reply, const SessionContext& context = {});
std::optional<Diagnosis> diagnosis_for_finding(Stage stage, Finding finding);

}  // namespace smtpdoctor
