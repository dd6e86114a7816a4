#include "probes/port_conversation.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/this_coro.hpp>

#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

using namespace asio::experimental::awaitable_operators;

constexpr std::size_t kTcp = 0, kBanner = 1, kEhlo = 2, kTls = 3, kAuth = 4, kEnvelope = 5;

asio::awaitable<ProbeResult> run_probe(std::size_t index, PortSession& session, bool partial) {
  switch (index) {
    case kTcp:
      co_return co_await run_tcp_probe(session);
    case kBanner:
      co_return co_await run_banner_probe(session);
    case kEhlo:
      co_return co_await run_ehlo_probe(session);
    case kTls:
      co_return co_await run_tls_probe(session, !partial);
    case kAuth:
      co_return co_await run_auth_probe(session);
    default:
      co_return co_await run_envelope_probe(session, partial);
  }
}

// The last transport probe the user selected; the ones before it run too (reported as "not
// selected") because they set up the session it needs.
std::optional<std::size_t> last_selected(const CheckOptions& options) {
  std::optional<std::size_t> last;
  for (std::size_t i = 0; i < kTransportProbes.size(); ++i)
    if (options.wants(kTransportProbes[i])) last = i;
  return last;
}

std::string not_selected_reason(const CheckOptions& options, ProbeId id) {
  if (options.skip.count(id)) return "--skip " + std::string(probe_name(id));
  return "not selected by --only";
}

bool enforcement_applies(const CheckOptions& options, const PortPlan& plan) {
  return options.wants(ProbeId::tls) && plan.role == PortRole::submission &&
         (!options.quit_after || *options.quit_after >= Stage::mail);
}

ProbeResult failed_by_implicit_tls(ProbeId id, PortSession& session) {
  const Error& error = *session.implicit_tls_error;
  ProbeResult result = new_result(id, session);
  result.status = ProbeStatus::fail;
  result.summary = error.message;
  add_diagnosis(result, diagnosis_for(error));
  session.broken = "the TLS handshake failed (" + error.message + ")";
  return result;
}

bool relay_test_applies(const CheckOptions& options) {
  return options.relay_test && options.wants(ProbeId::envelope) &&
         (!options.quit_after || *options.quit_after >= Stage::rcpt);
}

asio::awaitable<std::vector<ProbeResult>> main_conversation(PortSession& session,
                                                            const ProbeDone& on_done) {
  const CheckOptions& options = session.options;
  std::vector<ProbeResult> results;
  QuitPoint quit = quit_point(options.quit_after);
  auto selected = last_selected(options);
  std::size_t last = selected ? std::min(*selected, quit.last) : 0;
  bool run_any = selected.has_value();
  std::optional<ProbeId> broken_by;  // the probe whose failure ended the session

  for (std::size_t i = 0; i < kTransportProbes.size(); ++i) {
    ProbeId id = kTransportProbes[i];
    ProbeResult result;
    if (!run_any || i > last) {
      std::string reason = !options.wants(id)
                               ? not_selected_reason(options, id)
                               : "--quit-after " + std::string(stage_name(*options.quit_after));
      result = skipped(id, session, reason);
    } else if (session.control.stopped()) {
      result = skipped(id, session, session.control.stop_reason());
    } else if (!session.broken.empty()) {
      result = skipped(id, session, session.broken);
      result.consequence_of = broken_by;
    } else if (session.implicit_tls_error && i < kTls && last >= kTls) {
      // Implicit TLS: the handshake failed before the server said a word. Nothing to greet;
      // the tls probe, next, reports why and ends the session.
      result = skipped(id, session, "the TLS handshake failed; the tls probe says why");
      result.consequence_of = ProbeId::tls;
    } else if (session.implicit_tls_error && i < kTls) {
      // The tls probe does not run (--only banner, --quit-after banner), yet the handshake
      // failure is what stopped this probe: it fails with that cause, never passes as skipped.
      result = failed_by_implicit_tls(id, session);
    } else {
      result = co_await run_probe(i, session, i == last && i == quit.last && quit.partial);
      if (!session.broken.empty()) broken_by = id;
      if (session.control.stopped() && result.status != ProbeStatus::skip) {
        // The probe was cancelled in the middle: its findings are not findings.
        result.status = ProbeStatus::fail;
        result.summary = "cut short: " + session.control.stop_reason();
        result.diagnoses.clear();
        session.broken = session.control.stop_reason();
      }
      if (!options.wants(id)) result = skipped(id, session, not_selected_reason(options, id));
    }
    if (on_done) on_done(result);
    results.push_back(std::move(result));
  }

  if (session.quit_sent) {
    // The envelope's group already said QUIT.
  } else if (session.greeting && !session.control.stopped()) {
    auto quit_reply = co_await session.client.quit();
    (void)quit_reply;  // the server may already have closed; nothing to report
  } else {
    session.client.close();
  }
  // Every probe of this port names the address that answered, so the report groups them.
  for (auto& result : results) result.target = session.target();
  co_return results;
}

asio::awaitable<StarttlsEnforcement> maybe_enforcement(PortSession& session) {
  if (!enforcement_applies(session.options, session.plan)) co_return StarttlsEnforcement{};
  co_return co_await check_starttls_enforcement(session);
}

asio::awaitable<RelayTest> maybe_relay_test(PortSession& session) {
  if (!relay_test_applies(session.options)) co_return RelayTest{};
  co_return co_await check_relay(session);
}

ProbeResult* find(std::vector<ProbeResult>& results, ProbeId id) {
  for (auto& result : results)
    if (result.id == id && result.status != ProbeStatus::skip) return &result;
  return nullptr;
}

}  // namespace

QuitPoint quit_point(std::optional<Stage> quit_after) {
  QuitPoint point;
  if (!quit_after) return point;
  switch (*quit_after) {
    case Stage::none:
    case Stage::resolve:
    case Stage::connect:
      point.last = kTcp;
      break;
    case Stage::banner:
      point.last = kBanner;
      break;
    case Stage::ehlo:
      point.last = kEhlo;
      break;
    case Stage::starttls:
    case Stage::tls:
      point = {kTls, true};
      break;
    case Stage::helo:
      point.last = kTls;
      break;
    case Stage::auth:
      point.last = kAuth;
      break;
    case Stage::mail:
      point = {kEnvelope, true};
      break;
    default:
      point.last = kEnvelope;
      break;
  }
  return point;
}

asio::awaitable<Result<Capabilities>> open_side_session(SmtpClient& client,
                                                        const PortSession& session, bool with_tls) {
  auto connected = co_await client.connect();
  if (!connected) co_return connected.error();
  auto greeting = co_await client.read_greeting();
  if (!greeting) co_return greeting.error();
  auto capabilities = co_await client.ehlo(session.helo());
  if (!capabilities || !with_tls || session.plan.implicit_tls() || !capabilities->starttls)
    co_return capabilities;
  auto tls = co_await client.starttls();
  if (!tls) co_return tls.error();
  co_return co_await client.ehlo(session.helo());
}

asio::awaitable<PortOutcome> run_port_conversation(const CheckOptions& options, PortPlan plan,
                                                   RunControl& control, ProbeDone on_done) {
  auto executor = co_await asio::this_coro::executor;
  SmtpClient client(executor, client_options(options, plan));
  LiveClient live(control, client);
  PortSession session(options, plan, client, control);

  auto [results, enforcement, relay] =
      co_await (main_conversation(session, on_done) && maybe_enforcement(session) &&
                maybe_relay_test(session));

  if (auto* tls = find(results, ProbeId::tls)) merge_starttls_enforcement(*tls, enforcement);
  if (auto* envelope = find(results, ProbeId::envelope); envelope && relay_test_applies(options))
    merge_relay_test(*envelope, relay);
  if (auto* auth = find(results, ProbeId::auth);
      auth && options.auth_all && options.has_credentials() && !control.stopped()) {
    auto outcomes = co_await try_every_mechanism(session);
    merge_auth_all(*auth, outcomes);
  }

  PortOutcome outcome;
  outcome.plan = plan;
  outcome.results = std::move(results);
  outcome.before_tls = session.before_tls;
  outcome.after_tls = session.after_tls;
  outcome.greeting = session.greeting;
  outcome.tcp = session.tcp_outcome;
  outcome.connect = session.connect;
  outcome.tls = client.tls_info();
  outcome.login = session.login;
  outcome.used_helo = client.used_helo();
  std::string name = format_target(session.target());
  outcome.transcripts.push_back({name, client.transcript()});
  for (auto& side : session.side_transcripts)
    outcome.transcripts.push_back({name + " " + side.label, std::move(side.transcript)});
  co_return outcome;
}

}  // namespace smtpdoctor
