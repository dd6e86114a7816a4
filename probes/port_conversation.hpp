// One port's conversation: ONE coroutine that runs the transport probes in order on one
// SmtpClient (tcp -> banner -> ehlo -> tls -> auth -> envelope -> QUIT), with the side
// conversations (STARTTLS enforcement, --relay-test, --auth-all) in their own connections,
// concurrently with it. The pipeline runs one of these per port, all at once.
#pragma once

#include <array>
#include <asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <vector>

#include "core/report/report.hpp"
#include "probes/check_options.hpp"
#include "probes/port_session.hpp"

namespace smtpdoctor {

// What one port's conversation produced. The results are for output; the steps after the ports
// (cross-port findings, the port-25 verdict, egress, name consistency, credentials) read only the
// typed fields below it.
struct PortOutcome {
  PortPlan plan;
  std::vector<ProbeResult> results;  // tcp, banner, ehlo, tls, auth, envelope, in that order
  std::vector<ConversationTranscript> transcripts;
  std::optional<TcpOutcome> tcp;           // nullopt: the tcp probe did not run
  std::optional<ConnectInfo> connect;      // the address that answered
  std::optional<TlsInfo> tls;              // what the handshake showed, verified or not
  std::optional<LoginAttempt> login;       // the SMTP login, when one was tried
  std::optional<Capabilities> before_tls;  // the first EHLO (not on implicit-TLS ports)
  std::optional<Capabilities> after_tls;
  std::optional<Greeting> greeting;
  bool used_helo = false;
};

// The transport probes, in pipeline order.
inline constexpr std::array<ProbeId, 6> kTransportProbes{
    ProbeId::tcp, ProbeId::banner, ProbeId::ehlo, ProbeId::tls, ProbeId::auth, ProbeId::envelope};

using ProbeDone = std::function<void(const ProbeResult&)>;

asio::awaitable<PortOutcome> run_port_conversation(const CheckOptions& options, PortPlan plan,
                                                   RunControl& control, ProbeDone on_done);

// How far --quit-after lets the conversation go: the index into kTransportProbes of the last
// probe that runs, and whether that probe stops early (tls without EHLO again, envelope with
// MAIL only). Pure, for tests.
struct QuitPoint {
  std::size_t last = kTransportProbes.size() - 1;
  bool partial = false;
};
QuitPoint quit_point(std::optional<Stage> quit_after);

}  // namespace smtpdoctor
