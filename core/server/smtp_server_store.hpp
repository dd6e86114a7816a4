// Where accepted mail goes. With `--store DIR`, each message becomes DIR/ID.eml (the message as
// received, after dot-unstuffing, with a Received: trace header prepended) and DIR/ID.json (its
// envelope). Both are written to temporary names, fsync'd, renamed, and the directory fsync'd,
// all before the server says 250 to the final dot: a 250 means the copy survives a crash.
// store_messages does the same for several messages at once (group commit): each file is still
// fsync'd before its rename, but the kernel writes them back together and the directory is
// fsync'd once for all of them.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"

namespace smtpdoctor {

struct Envelope {
  std::string id;    // message id, unique per server run; also the file stem
  std::string from;  // reverse-path without <>; empty for the null sender
  std::vector<std::string> rcpts;
  std::string helo;       // what the client said in EHLO/HELO
  bool esmtp = false;     // EHLO (true) or HELO
  std::string auth_user;  // empty when not authenticated
  bool tls = false;
  std::string tls_version;     // e.g. "TLSv1.3", when tls
  std::string client_address;  // "IP:PORT"
  std::string received_at;     // RFC 3339, UTC
  std::size_t size = 0;        // octets received (after dot-unstuffing), without Received:
};

// "Received: from HELO ([IP]) by HOST (smtpdoctor) with ESMTPSA id ID for <rcpt>; DATE\r\n"
// folded over three lines (RFC 5321 §4.4; the protocol name from RFC 3848).
std::string received_header(const Envelope& envelope, std::string_view hostname);

// The JSON sidecar: from, rcpts, helo, auth_user, tls, client, size, received_at.
nlohmann::json envelope_json(const Envelope& envelope);

struct StoredPaths {
  std::string eml, json;
};
// A message on its way to disk. The .eml content is `header` then `body`, written as two pieces
// so the body (moved in from the session) is never copied to prepend the header.
struct MessageToStore {
  Envelope envelope;
  std::string header;  // received_header(...)
  std::string body;    // the message as received, after dot-unstuffing
};

// Writes and fsyncs both files of one message (see the top of this file).
Result<StoredPaths> store_message(const std::string& dir, const MessageToStore& message);

// The same for every message of `batch`, one result each, in order: a message whose files could
// not be written fails alone; a failed directory fsync fails them all (none of them is durable).
std::vector<Result<StoredPaths>> store_messages(const std::string& dir,
                                                std::span<const MessageToStore> batch);

// "2026-11-22T21:46:20.123Z" for now, and the RFC 5322 form "Sun, 22 Nov 2026 21:46:20 +0000".
std::string rfc3339_now();
std::string rfc5322_now();

}  // namespace smtpdoctor
