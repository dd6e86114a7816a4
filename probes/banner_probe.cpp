// banner: the server's greeting. 220 means it will talk; 421 (busy, too many connections) and
// 554 (no service for you: often a blocklist) mean it will not. How long the greeting took says
// more: several seconds after a fast connect is a deliberate greet-pause (postscreen,
// greet_pause) that a client must sit out, not a slow network. A greeting of asterisks is a
// firewall's SMTP inspection tampering with the session.
#include <asio/awaitable.hpp>
#include <cstdio>

#include "core/base/ascii.hpp"
#include "core/base/duration_text.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {}  // namespace

asio::awaitable<ProbeResult> run_banner_probe(PortSession& session) {
  const auto start = std::chrono::steady_clock::now();
  auto greeting = co_await session.client.read_greeting();
  ProbeResult result = new_result(ProbeId::banner, session);
  result.duration = elapsed_since(start);

  if (!greeting) {
    const Error& error = greeting.error();
    result.status = ProbeStatus::fail;
    if (error.reply) {
      result.summary = "refused: " + error.reply->one_line();
      result.details["code"] = error.reply->code;
      result.details["greeting"] = error.reply->text();
      session.broken = "the server refused the session (" + std::to_string(error.reply->code) + ")";
    } else {
      result.summary = error.message;
      session.broken = "no greeting";
    }
    add_diagnosis(result, diagnosis_for(error));
    co_return result;
  }

  session.greeting = *greeting;
  const Reply& reply = greeting->reply;
  result.summary = reply.one_line();
  result.details["code"] = reply.code;
  result.details["greeting"] = reply.text();
  result.details["greeting_delay_ms"] = greeting->delay.count();

  const auto connect_latency =
      session.connect ? session.connect->latency : std::chrono::milliseconds{0};
  GreetingDelay delay = classify_greeting_delay(connect_latency, greeting->delay);
  result.details["greeting_delay"] = std::string(greeting_delay_name(delay));
  if (delay == GreetingDelay::greet_pause) {
    add_note(result, "greet-pause: the greeting came after " + format_duration(greeting->delay) +
                         " although the connection took " +
                         std::to_string(connect_latency.count()) +
                         " ms; the server waits on purpose (an anti-spam greet-pause), "
                         "clients must wait for it and not talk first");
  } else if (delay == GreetingDelay::slow) {
    add_note(result, "the greeting took " + format_duration(greeting->delay) +
                         ": a slow network or a busy server");
  }

  std::string named = banner_host(reply);
  if (!named.empty()) result.details["banner_host"] = named;
  if (!named.empty() && !is_ip_literal(session.plan.host) &&
      ascii::lower(named) != ascii::lower(session.plan.host))
    add_note(result,
             "the banner names " + named + ", not " + session.plan.host + " (the name asked for)");

  if (greeting_is_masked(reply)) {
    raise_status(result, ProbeStatus::warn);
    add_note(result,
             "the greeting is masked with asterisks: a firewall's SMTP inspection "
             "(middlebox) is rewriting this session");
    add_diagnosis(result, diagnosis_for_finding(Stage::banner, Finding::middlebox_masked_greeting));
  }
  for (const auto& warning : session.client.warnings()) add_note(result, warning);
  co_return result;
}

}  // namespace smtpdoctor
