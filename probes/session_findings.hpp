// Pure judgements the probes make about what a server said: which role a port plays, whether a
// greeting delay is a deliberate greet-pause or a slow network, whether a firewall's SMTP
// inspection has masked the session, and how the capabilities changed across STARTTLS.
// No I/O, so each is unit-tested on its own (tests/unit/probes_findings_test.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/reply.hpp"
#include "core/smtp/capabilities.hpp"

namespace smtpdoctor {

// What a port is for, which decides what a missing STARTTLS or AUTH means.
enum class PortRole {
  relay,         // 25: server-to-server; STARTTLS opportunistic, AUTH not expected
  submission,    // 587, 26, 2525 ...: clients log in; STARTTLS and AUTH expected
  implicit_tls,  // 465 (or --tls-on-connect): TLS before the greeting
};

// The role a port plays: `role` when the user gave one (PORT/ROLE: "mx", "submission",
// "submissions"), else 25 mx, 465 (or any port with --tls-on-connect) submissions, anything else
// submission.
PortRole port_role(std::uint16_t port, bool tls_on_connect, std::string_view role = {});
std::string_view port_role_name(PortRole role);  // "mx", "submission", "submissions"

// A name a server will accept in EHLO: a syntactically valid host name with at least two labels
// and not a private pseudo-domain (localhost, .local, .localdomain, .lan, .home, .internal).
// Address literals ("[192.0.2.1]") are allowed by RFC 5321 §4.1.3 and also pass.
bool looks_like_fqdn(std::string_view name);

enum class GreetingDelay {
  prompt,       // under a second: nothing to say
  slow,         // slow, and the network itself is slow too (or the pause is short)
  greet_pause,  // the TCP connect was fast but the banner came seconds later: deliberate
};

// A greet-pause (Postfix postscreen, Sendmail greet_pause, Exim) holds the banner back for
// several seconds to catch clients that talk first; a slow network delays the connect as much.
GreetingDelay classify_greeting_delay(std::chrono::milliseconds connect_latency,
                                      std::chrono::milliseconds greeting_delay);
std::string_view greeting_delay_name(GreetingDelay delay);  // "prompt", "slow", "greet-pause"

// A firewall's SMTP inspection (Cisco "fixup smtp", ESMTP inspection) replaces the greeting's
// text with asterisks: "220 ******************************0*0*0****".
bool greeting_is_masked(const Reply& greeting);

// EHLO keywords a firewall overwrote with X's ("XXXXXXXA" where STARTTLS was); empty when none.
std::vector<std::string> mangled_keywords(const Capabilities& capabilities);
// A guess at what a mangled keyword was, from its length ("STARTTLS" for 8); empty when unsure.
std::string_view mangled_keyword_guess(std::string_view keyword);

// The banner's host name: the first word after the code, when it looks like a name.
std::string banner_host(const Reply& greeting);

// One line per advertised capability, as the server meant it: "SIZE 10240000",
// "AUTH PLAIN LOGIN", "PIPELINING" (the human report adds each one's meaning).
std::vector<std::string> capability_lines(const Capabilities& capabilities);

// What changed across STARTTLS, in words: "AUTH is offered only after STARTTLS",
// "AUTH mechanisms change after STARTTLS: PLAIN LOGIN (before: none)", "after STARTTLS the
// server no longer offers SIZE" ... Empty when nothing changed.
std::vector<std::string> capability_changes(const Capabilities& before, const Capabilities& after);

// "PLAIN LOGIN" / "none".
std::string join_or_none(const std::vector<std::string>& words);

}  // namespace smtpdoctor
