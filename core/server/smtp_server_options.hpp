// What the loopback test server is told to be: where it listens, which EHLO capabilities it
// advertises, who may log in, which domains are local, where mail is stored, and which faults it
// plays. One plain struct, filled by `smtpdoctor serve` from flags or by a test directly, plus the
// pure parsers for the flag values (fault specs, listen addresses, users files).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/limits.hpp"

namespace smtpdoctor {

// A fault the server plays on demand (`--fault SPEC`). The syntax, one per flag:
//   greeting-delay=DUR    wait DUR before the 220 greeting (DUR: 500ms, 2s, 1m)
//   banner=421            greet with "421 4.3.2 Service not available" and close
//   banner=554            greet with "554 5.7.1 No SMTP service here" (then 503 to everything)
//   ehlo-refused          answer EHLO with 502 5.5.1 so the client must fall back to HELO
//   greylist=mail|rcpt    answer MAIL or RCPT with 451 4.7.1 (greylisted, try again later)
//   unknown-user=ADDR     answer RCPT TO:<ADDR> with 550 5.1.1 (repeatable)
//   drop-after=VERB       close the connection, without a reply, after reading VERB (e.g. MAIL)
//   tls-fail              offer STARTTLS, answer 220, then close instead of the TLS handshake
//   tarpit=DUR            wait DUR before every reply
//   421-after=N           after N accepted messages in a session, answer 421 4.7.0 and close
struct ServerFaults {
  std::chrono::milliseconds greeting_delay{0};
  int banner_code = 220;  // 220 (normal), 421 or 554
  bool ehlo_refused = false;
  bool greylist_mail = false;
  bool greylist_rcpt = false;
  std::vector<std::string> unknown_users;  // compared case-insensitively
  std::string drop_after;                  // upper-case verb, empty = never
  bool tls_fail = false;
  std::chrono::milliseconds tarpit{0};
  std::optional<unsigned> close_after_messages;
};

// Adds one `--fault` spec to *faults. Returns false and sets *why on a bad spec.
bool add_fault(std::string_view spec, ServerFaults* faults, std::string* why);
// "250ms", "2s", "1m", "1.5s"; a bare number is seconds. nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 2525;  // 0 = ephemeral
  bool implicit_tls = false;  // TLS from the first byte (the "smtps"/465 shape)
};
// "ADDR", "ADDR:PORT", "[V6]:PORT", or ":PORT". nullopt and *why on bad input.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::uint16_t default_port,
                                                  std::string* why);

// `--users-file`: one NAME:PASS per line; after a line "[oauth2-tokens]", NAME:TOKEN lines
// (bearer tokens for XOAUTH2/OAUTHBEARER, as --oauth-token) until "[passwords]". A section line
// has no ':', so no password line can be mistaken for one. Blank lines and lines starting with
// '#' ignored. nullopt and *why (naming the line) when a line has no ':', an empty name, an
// empty token, or is an unknown section.
struct UsersFile {
  std::map<std::string, std::string> passwords;
  std::map<std::string, std::string> oauth_tokens;
};
std::optional<UsersFile> parse_users_text(std::string_view text, std::string* why);

// EHLO keywords the server can advertise; any of them can be hidden (`--hide`).
struct ServerCapabilities {
  bool size = true;
  bool pipelining = true;
  bool eightbitmime = true;
  bool smtputf8 = true;
  bool enhancedstatuscodes = true;
  bool chunking = true;  // CHUNKING: BDAT accepted
  bool dsn = true;
  bool starttls = true;  // hidden: STARTTLS is refused with 502
  bool auth = true;      // advertised only when users exist; hidden: AUTH refused with 502
};
// Hides the capability named `keyword` (case-insensitive: SIZE, PIPELINING, 8BITMIME, SMTPUTF8,
// ENHANCEDSTATUSCODES, CHUNKING, DSN, STARTTLS, AUTH). False on an unknown keyword.
bool hide_capability(std::string_view keyword, ServerCapabilities* caps);

struct ServerOptions {
  // Plain (STARTTLS-capable) listeners and implicit-TLS listeners.
  std::vector<ListenAddress> listen{ListenAddress{}};
  std::string hostname = "localhost";  // in the greeting, EHLO reply and Received header
  ServerCapabilities capabilities;
  // TLS identity; both empty = a self-signed certificate made in memory at start.
  std::string cert_file, key_file;

  std::map<std::string, std::string> users;  // NAME -> PASS for AUTH
  // NAME -> bearer token for XOAUTH2 and OAUTHBEARER (--oauth-token NAME:TOKEN).
  std::map<std::string, std::string> oauth_tokens;
  bool require_auth = false;  // 530 5.7.0 to MAIL before AUTH
  bool require_tls = false;   // 530 5.7.0 to MAIL/AUTH before STARTTLS
  // Recipients in these domains are accepted from anyone; others only after AUTH (relay policy).
  std::vector<std::string> local_domains{"localhost", "example.test"};

  // A CR or LF inside a DATA line (not part of its CRLF) is how SMTP smuggling hides a second
  // message behind a fake end of data (<LF>.<LF>, <CR>.<CR>): downstream servers that end data
  // there see commands the client never sent them. Postfix rejects such messages; so does this
  // server unless a test of a client asks it to accept and store them as they came.
  bool accept_bare_newlines = false;

  std::string store_dir;  // empty = do not store (events only)
  // How the store makes a message durable before its 250: `group` (group commit, the default)
  // fsyncs the messages that complete together in one batch on a thread of its own; `each`
  // fsyncs every message alone on the event loop. The guarantee is the same.
  enum class StoreSync { group, each };
  StoreSync store_sync = StoreSync::group;
  Limits limits;
  ServerFaults faults;
};

}  // namespace smtpdoctor
