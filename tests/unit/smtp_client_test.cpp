// The embedded client against a scripted peer on loopback (tests/unit/client_fake_peer.hpp):
// what goes over the wire, byte for byte, and what the caller is told.
#include "core/smtp/smtp_client.hpp"

#include <doctest/doctest.h>
#include <openssl/x509_vfy.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "core/smtp/send_flow.hpp"
#include "tests/unit/client_fake_peer.hpp"

using namespace smtpdoctor;
using namespace smtpdoctor::test;
using namespace std::chrono_literals;

namespace {

ClientOptions loopback(std::uint16_t port) {
  ClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.limits.connect_timeout = 3s;
  o.limits.greeting_timeout = 3s;
  o.limits.command_timeout = 3s;
  o.limits.tls_handshake_timeout = 3s;
  o.limits.data_timeout = 3s;
  return o;
}

// Runs the client coroutine and the peer to completion; rethrows a failed CHECK/REQUIRE.
template <typename Body>
void run_client(asio::io_context& io, Body body) {
  std::exception_ptr failure;
  asio::co_spawn(io, body(), [&](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

// The test certificate as a CA file, removed when the test binary exits.
struct CaFile {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("smtpdoctor-client-test-" + std::to_string(getpid()) + ".pem");
  CaFile() { std::ofstream(path) << test_identity().certificate_pem; }
  ~CaFile() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

std::string ca_file() {
  static const CaFile file;
  return file.path.string();
}

bool transcript_contains(const Transcript& t, std::string_view text) {
  return t.render().find(text) != std::string::npos;
}

const std::vector<Step> kGreetAndEhlo = {say("220 fake.test ESMTP\r\n"), hear(),
                                         say("250-fake.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n"
                                             "250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 8BITMIME\r\n")};

std::vector<Step> script(std::vector<Step> head, std::vector<Step> tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace

TEST_CASE("a server that greets with 554 is reported as rejected, with its reply") {
  asio::io_context io;
  FakePeer peer(io, {say("554 5.7.1 mail.example: your address is blocklisted\r\n")});
  std::optional<Result<Greeting>> greeting;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    auto connected = co_await client.connect();
    REQUIRE(connected.ok());
    CHECK(connected->address == "127.0.0.1");
    greeting = co_await client.read_greeting();
  });
  REQUIRE(greeting);
  REQUIRE(!greeting->ok());
  CHECK(greeting->error().kind == ErrorKind::rejected);
  CHECK(greeting->error().stage == Stage::banner);
  REQUIRE(greeting->error().reply);
  CHECK(greeting->error().reply->code == 554);
  CHECK(greeting->error().reply->text().find("blocklisted") != std::string::npos);
}

TEST_CASE("a multi-line EHLO reply gives the server's capabilities") {
  asio::io_context io;
  FakePeer peer(io, kGreetAndEhlo);
  std::optional<Result<Capabilities>> caps;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    caps = co_await client.ehlo("client.test");
    CHECK(!client.used_helo());
  });
  CHECK(peer.heard.at(0) == "EHLO client.test\r\n");
  REQUIRE(caps->ok());
  CHECK((*caps)->pipelining);
  CHECK((*caps)->eightbitmime);
  CHECK((*caps)->size_limit() == 1000u);
  CHECK((*caps)->has_auth("CRAM-MD5"));
  // In clear (loopback), the mechanism that keeps the password off the wire; inside TLS, PLAIN
  // with its initial response, one round trip.
  CHECK(best_auth_mechanism(**caps, false) == "CRAM-MD5");
  CHECK(best_auth_mechanism(**caps, true) == "PLAIN");
}

TEST_CASE("an old server that refuses EHLO with 502 is greeted with HELO instead") {
  asio::io_context io;
  FakePeer peer(
      io, {say("220 old.test SMTP\r\n"), hear(), say("502 5.5.1 unrecognized command\r\n"), hear(),
           say("250 old.test hello\r\n")});
  std::optional<Result<Capabilities>> caps;
  bool used_helo = false;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    caps = co_await client.ehlo("client.test");
    used_helo = client.used_helo();
  });
  CHECK(peer.received == "EHLO client.test\r\nHELO client.test\r\n");
  REQUIRE(caps->ok());
  CHECK(used_helo);
  CHECK((*caps)->greeting_domain == "old.test");
  CHECK(!(*caps)->pipelining);
}

TEST_CASE("AUTH PLAIN sends the credentials as the initial response and never shows them") {
  asio::io_context io;
  FakePeer peer(io,
                script(kGreetAndEhlo, {hear(), say("235 2.7.0 Authentication successful\r\n")}));
  std::optional<Result<Reply>> auth;
  std::string transcript;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    auth = co_await client.auth("plain", "alice", "secret");
    transcript = client.transcript().render();
  });
  REQUIRE(auth->ok());
  CHECK((*auth)->code == 235);
  CHECK(peer.heard.at(1) == "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  CHECK(transcript.find("AUTH PLAIN <redacted>") != std::string::npos);
  CHECK(transcript.find("AGFsaWNlAHNlY3JldA==") == std::string::npos);
  CHECK(transcript.find("secret") == std::string::npos);
}

TEST_CASE("AUTH LOGIN answers the username and password prompts, redacted in the transcript") {
  asio::io_context io;
  FakePeer peer(
      io, script(kGreetAndEhlo, {hear(), say("334 VXNlcm5hbWU6\r\n"), hear(),
                                 say("334 UGFzc3dvcmQ6\r\n"), hear(), say("235 2.7.0 ok\r\n")}));
  std::optional<Result<Reply>> auth;
  std::string transcript;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    auth = co_await client.auth("LOGIN", "alice", "secret");
    transcript = client.transcript().render();
  });
  REQUIRE(auth->ok());
  REQUIRE(peer.heard.size() == 4);
  CHECK(peer.heard[1] == "AUTH LOGIN\r\n");
  CHECK(peer.heard[2] == "YWxpY2U=\r\n");
  CHECK(peer.heard[3] == "c2VjcmV0\r\n");
  CHECK(transcript.find("c2VjcmV0") == std::string::npos);
  CHECK(transcript.find("YWxpY2U=") == std::string::npos);
  CHECK(transcript.find(" -> <redacted>") != std::string::npos);
}

TEST_CASE("AUTH CRAM-MD5 answers the RFC 2195 challenge with the RFC's response") {
  asio::io_context io;
  // RFC 2195 §2: user tim, password tanstaaftanstaaf.
  FakePeer peer(
      io, script(kGreetAndEhlo,
                 {hear(), say("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"),
                  hear(), say("235 2.7.0 ok\r\n")}));
  std::optional<Result<Reply>> auth;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    auth = co_await client.auth("CRAM-MD5", "tim", "tanstaaftanstaaf");
  });
  REQUIRE(auth->ok());
  CHECK(peer.heard.at(1) == "AUTH CRAM-MD5\r\n");
  CHECK(peer.heard.at(2) == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n");
}

TEST_CASE("a wrong password (535) is reported as rejected with the server's reply") {
  asio::io_context io;
  FakePeer peer(
      io, script(kGreetAndEhlo, {hear(), say("535 5.7.8 Authentication credentials invalid\r\n")}));
  std::optional<Result<Reply>> auth;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    auth = co_await client.auth("PLAIN", "alice", "wrong");
  });
  REQUIRE(!auth->ok());
  CHECK(auth->error().kind == ErrorKind::rejected);
  CHECK(auth->error().stage == Stage::auth);
  REQUIRE(auth->error().reply);
  CHECK(auth->error().reply->code == 535);
  CHECK(auth->error().message.find("5.7.8") != std::string::npos);
}

TEST_CASE(
    "with PIPELINING the whole envelope goes out before any reply, one outcome per recipient") {
  asio::io_context io;
  // The peer answers nothing until it has MAIL, both RCPTs and DATA: a client that waited for
  // each reply would stall here and time out.
  FakePeer peer(
      io,
      script(kGreetAndEhlo, {hear(4),
                             say("250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 <bob@example.org>: no "
                                 "such user\r\n354 go ahead\r\n"),
                             hear_until("\r\n.\r\n"), say("250 2.0.0 Ok: queued as 4F2A\r\n")}),
      nullptr, 2s);
  std::optional<Result<EnvelopeResult>> envelope;
  run_client(io, [&]() -> asio::awaitable<void> {
    auto options = loopback(peer.port());
    options.limits.command_timeout = 2s;
    SmtpClient client(io.get_executor(), options);
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    const std::vector<std::string> recipients = {"alice@example.org", "bob@example.org"};
    envelope = co_await client.send_envelope("me@example.org", recipients,
                                             std::string_view("Subject: hi\n\nhello\n"));
  });
  CHECK(peer.failure.empty());
  CHECK(peer.heard.at(1) ==
        "MAIL FROM:<me@example.org>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
        "DATA\r\n");
  REQUIRE(envelope->ok());
  const EnvelopeResult& result = **envelope;
  CHECK(result.pipelined);
  REQUIRE(result.recipients.size() == 2);
  CHECK(result.recipients[0].accepted());
  CHECK(!result.recipients[1].accepted());
  CHECK(result.recipients[1].reply.code == 550);
  CHECK(result.accepted());
  CHECK(result.final_reply->lines.back() == "2.0.0 Ok: queued as 4F2A");
}

TEST_CASE("the message goes over the wire dot-stuffed with CRLF line ends, byte for byte") {
  asio::io_context io;
  FakePeer peer(io, {say("220 plain.test\r\n"), hear(), say("250 plain.test\r\n"), hear(),
                     say("250 ok\r\n"), hear(), say("250 ok\r\n"), hear(), say("354 go\r\n"),
                     hear_until("\r\n.\r\n"), say("250 queued\r\n")});
  std::optional<Result<EnvelopeResult>> envelope;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    const std::vector<std::string> recipients = {"you@example.org"};
    envelope = co_await client.send_envelope("me@example.org", recipients,
                                             std::string_view("a\n.b\r\n..c\rd\n.\nend"));
  });
  REQUIRE(envelope->ok());
  CHECK(!(*envelope)->pipelined);
  CHECK((*envelope)->accepted());
  REQUIRE(peer.heard.size() == 5);
  CHECK(peer.heard[1] == "MAIL FROM:<me@example.org>\r\n");
  CHECK(peer.heard[2] == "RCPT TO:<you@example.org>\r\n");
  CHECK(peer.heard[3] == "DATA\r\n");
  CHECK(peer.heard[4] == "a\r\n..b\r\n...c\r\nd\r\n..\r\nend\r\n.\r\n");
}

TEST_CASE("an overlong reply line is a protocol error, found without reading the whole flood") {
  asio::io_context io;
  std::string flood = "220 " + std::string(1'000'000, 'x');
  FakePeer peer(io, {say(flood)});
  std::optional<Result<Greeting>> greeting;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    greeting = co_await client.read_greeting();
  });
  REQUIRE(!greeting->ok());
  CHECK(greeting->error().kind == ErrorKind::protocol);
  CHECK(greeting->error().message.find("exceeds 4096 octets") != std::string::npos);
}

TEST_CASE("a server that never answers times out within the deadline") {
  asio::io_context io;
  FakePeer peer(io, {hear()});  // accepts, then waits for a line that never comes
  std::optional<Result<Greeting>> greeting;
  auto started = std::chrono::steady_clock::now();
  run_client(io, [&]() -> asio::awaitable<void> {
    auto options = loopback(peer.port());
    options.limits.greeting_timeout = 300ms;
    SmtpClient client(io.get_executor(), options);
    REQUIRE((co_await client.connect()).ok());
    greeting = co_await client.read_greeting();
  });
  auto elapsed = std::chrono::steady_clock::now() - started;
  REQUIRE(!greeting->ok());
  CHECK(greeting->error().kind == ErrorKind::timeout);
  CHECK(greeting->error().stage == Stage::banner);
  CHECK(elapsed >= 300ms);
  CHECK(elapsed < 2s);
}

TEST_CASE("cancel() stops a session waiting for the server") {
  asio::io_context io;
  FakePeer peer(io, {hear()});
  std::optional<Result<Greeting>> greeting;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    asio::steady_timer timer(io, 100ms);
    timer.async_wait([&](asio::error_code ec) {
      if (!ec) client.cancel();
    });
    greeting = co_await client.read_greeting();
  });
  REQUIRE(!greeting->ok());
  CHECK(greeting->error().kind == ErrorKind::cancelled);
}

TEST_CASE("a closed port is reported as a network error naming the address") {
  asio::io_context io;
  std::uint16_t port;
  {
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  std::optional<Result<ConnectInfo>> connected;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(port));
    connected = co_await client.connect();
  });
  REQUIRE(!connected->ok());
  CHECK(connected->error().kind == ErrorKind::network);
  CHECK(connected->error().stage == Stage::connect);
  CHECK(connected->error().message.find("127.0.0.1") != std::string::npos);
}

// ---- TLS ------------------------------------------------------------------------------------

TEST_CASE(
    "the dry run to a pipelining server is one write: MAIL, every RCPT, RSET and QUIT together") {
  asio::io_context io;
  // The peer answers nothing until the whole group is in: a client that waited for any reply
  // would stall here and time out.
  FakePeer peer(io,
                script(kGreetAndEhlo,
                       {hear(5), say("250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no such user\r\n"
                                     "250 2.0.0 reset\r\n221 2.0.0 bye\r\n")}),
                nullptr, 2s);
  std::optional<Result<DryRunResult>> run;
  run_client(io, [&]() -> asio::awaitable<void> {
    auto options = loopback(peer.port());
    options.limits.command_timeout = 2s;
    SmtpClient client(io.get_executor(), options);
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    const std::vector<std::string> recipients = {"alice@example.org", "bob@example.org"};
    run = co_await client.dry_run("me@example.org", recipients);
  });
  CHECK(peer.failure.empty());
  const std::string group =
      "MAIL FROM:<me@example.org>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
      "RSET\r\nQUIT\r\n";
  CHECK(peer.heard.at(1) == group);
  // One write of the client, one read of the peer: EHLO, then the group.
  REQUIRE(peer.reads.size() == 2);
  CHECK(peer.reads[1] == group);
  REQUIRE(run->ok());
  const DryRunResult& result = **run;
  CHECK(result.pipelined);
  CHECK(result.mail->code == 250);
  REQUIRE(result.recipients.size() == 2);
  CHECK(result.recipients[0].accepted());
  CHECK(result.recipients[1].reply.code == 550);
  CHECK(result.rset->code == 250);
  CHECK(result.quit->code == 221);
  CHECK(!result.failure);
}

TEST_CASE("the dry run to a server without PIPELINING waits for each reply before the next") {
  asio::io_context io;
  // Each hear step takes one line; a client that sent ahead would put two commands in one read.
  FakePeer peer(io,
                {say("220 fake.test ESMTP\r\n"), hear(), say("250-fake.test\r\n250 8BITMIME\r\n"),
                 hear(), say("250 2.1.0 ok\r\n"), hear(), say("250 2.1.5 ok\r\n"), hear(),
                 say("250 2.0.0 reset\r\n"), hear(), say("221 2.0.0 bye\r\n")},
                nullptr, 2s);
  std::optional<Result<DryRunResult>> run;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    const std::vector<std::string> recipients = {"alice@example.org"};
    run = co_await client.dry_run("me@example.org", recipients);
  });
  CHECK(peer.failure.empty());
  const std::vector<std::string> lockstep = {
      "EHLO client.test\r\n", "MAIL FROM:<me@example.org>\r\n", "RCPT TO:<alice@example.org>\r\n",
      "RSET\r\n", "QUIT\r\n"};
  CHECK(peer.reads == lockstep);
  REQUIRE(run->ok());
  CHECK(!(*run)->pipelined);
  CHECK((*run)->recipients.at(0).accepted());
  CHECK((*run)->rset->code == 250);
  CHECK((*run)->quit->code == 221);
}

TEST_CASE("a pipelining server that closes without answering QUIT still gives a whole dry run") {
  asio::io_context io;
  FakePeer peer(
      io,
      script(kGreetAndEhlo, {hear(4), say("250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.0.0 reset\r\n")}),
      nullptr, 2s);
  std::optional<Result<DryRunResult>> run;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    const std::vector<std::string> recipients = {"alice@example.org"};
    run = co_await client.dry_run("me@example.org", recipients);
  });
  REQUIRE(run->ok());
  CHECK((*run)->recipients.at(0).accepted());
  CHECK((*run)->rset->code == 250);
  CHECK(!(*run)->quit);
  CHECK(!(*run)->failure);  // the missing 221 is no failure of the envelope
}

const std::vector<Step> kStartTlsHead = {say("220 tls.test ESMTP\r\n"), hear(),
                                         say("250-tls.test\r\n250 STARTTLS\r\n"), hear()};

TEST_CASE(
    "STARTTLS against a self-signed certificate fails verification by default, with the reason") {
  asio::io_context io;
  FakePeer peer(io, script(kStartTlsHead, {say("220 2.0.0 go ahead\r\n"), start_tls(), hear()}),
                test_server_tls_context());
  std::optional<Result<TlsInfo>> tls;
  std::optional<TlsInfo> info;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    tls = co_await client.starttls();
    info = client.tls_info();
  });
  REQUIRE(!tls->ok());
  CHECK(tls->error().kind == ErrorKind::tls);
  CHECK(tls->error().tls_verify_result == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  CHECK(tls->error().message.find("the certificate is self-signed") != std::string::npos);
  REQUIRE(info);
  CHECK(!info->verified);
  CHECK(info->hostname_match);  // the name is right; only the chain is untrusted
  CHECK(info->subject_cn == "localhost");
  CHECK(info->verify_reason == "self-signed certificate");
}

TEST_CASE(
    "STARTTLS verifies with the certificate given as CA file; injected plaintext is dropped") {
  asio::io_context io;
  // "250 injected" arrives with the 220, before the handshake: the CVE-2011-0411 shape.
  FakePeer peer(io,
                script(kStartTlsHead,
                       {say("220 2.0.0 go ahead\r\n250 injected\r\n"), start_tls(), hear(),
                        say("250-tls.test\r\n250 AUTH PLAIN\r\n"), hear(), say("221 bye\r\n")}),
                test_server_tls_context());
  std::optional<Result<TlsInfo>> tls;
  std::optional<Result<Capabilities>> caps_after;
  std::vector<std::string> warnings;
  Transcript transcript;
  run_client(io, [&]() -> asio::awaitable<void> {
    auto options = loopback(peer.port());
    options.tls.ca_file = ca_file();
    SmtpClient client(io.get_executor(), options);
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    tls = co_await client.starttls();
    caps_after = co_await client.ehlo("client.test");
    auto quit = co_await client.quit();
    CHECK(quit.ok());
    warnings = client.warnings();
    transcript = client.transcript();
  });
  CHECK(peer.failure.empty());
  REQUIRE(tls->ok());
  const TlsInfo& info = **tls;
  CHECK(info.verified);
  CHECK(info.verify_result == X509_V_OK);
  CHECK(info.hostname_match);
  CHECK(info.protocol.rfind("TLSv1.", 0) == 0);
  CHECK(!info.cipher.empty());
  CHECK(info.sni.empty());  // no SNI for an IP literal
  CHECK(std::find(info.sans.begin(), info.sans.end(), "IP:127.0.0.1") != info.sans.end());
  REQUIRE(info.days_to_expiry);
  CHECK(*info.days_to_expiry >= 29);
  CHECK(info.plaintext_discarded == std::string("250 injected\r\n").size());
  REQUIRE(!warnings.empty());
  CHECK(warnings.front().find("STARTTLS injection") != std::string::npos);
  // The injected line was not taken as the answer to the second EHLO.
  REQUIRE(caps_after->ok());
  CHECK((*caps_after)->has_auth("PLAIN"));
  CHECK(peer.heard.back() == "QUIT\r\n");
  bool ehlo_in_tls = false;
  for (const auto& e : transcript.entries())
    if (e.direction == Direction::sent && e.text == "EHLO client.test" && e.in_tls)
      ehlo_in_tls = true;
  CHECK(ehlo_in_tls);
}

TEST_CASE("implicit TLS (port 465 style) sends SNI and reads the greeting inside TLS") {
  asio::io_context io;
  FakePeer peer(io, {start_tls(), say("220 tls.test ESMTP\r\n"), hear(), say("250 tls.test\r\n")},
                test_server_tls_context());
  std::optional<Result<Greeting>> greeting;
  std::optional<TlsInfo> info;
  Transcript transcript;
  run_client(io, [&]() -> asio::awaitable<void> {
    auto options = loopback(peer.port());
    options.implicit_tls = true;
    options.tls_sni = "localhost";
    options.verify_host = "localhost";
    options.tls.ca_file = ca_file();
    SmtpClient client(io.get_executor(), options);
    REQUIRE((co_await client.connect()).ok());
    greeting = co_await client.read_greeting();
    CHECK((co_await client.ehlo("client.test")).ok());
    info = client.tls_info();
    transcript = client.transcript();
  });
  REQUIRE(greeting->ok());
  REQUIRE(info);
  CHECK(info->verified);
  CHECK(info->sni == "localhost");
  CHECK(peer.tls_sni == "localhost");
  CHECK(transcript_contains(transcript, "<~  220 tls.test ESMTP"));
  CHECK(transcript_contains(transcript, " ~> EHLO client.test"));
}

TEST_CASE("with an SNI name and no verify_host, the certificate is checked against that name") {
  asio::io_context io;
  FakePeer peer(io, {start_tls()}, test_server_tls_context());
  std::optional<Result<ConnectInfo>> connected;
  std::optional<TlsInfo> info;
  run_client(io, [&]() -> asio::awaitable<void> {
    auto options = loopback(peer.port());  // 127.0.0.1, which the certificate names
    options.implicit_tls = true;
    options.tls_sni = "mail.example.org";  // ... but this name it does not
    options.tls.ca_file = ca_file();
    SmtpClient client(io.get_executor(), options);
    connected = co_await client.connect();
    info = client.tls_info();
  });
  CHECK(peer.tls_sni == "mail.example.org");
  REQUIRE(!connected->ok());
  CHECK(connected->error().kind == ErrorKind::tls);
  CHECK(connected->error().tls_verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
  CHECK(connected->error().message.find("not mail.example.org") != std::string::npos);
  REQUIRE(info);
  CHECK(info->verify_host == "mail.example.org");
  CHECK(!info->hostname_match);
}

TEST_CASE("--insecure lets the session go on but keeps the verification failure and reason") {
  asio::io_context io;
  FakePeer peer(io, {start_tls(), say("220 tls.test ESMTP\r\n")}, test_server_tls_context());
  std::optional<Result<ConnectInfo>> connected;
  std::optional<TlsInfo> info;
  run_client(io, [&]() -> asio::awaitable<void> {
    auto options = loopback(peer.port());
    options.implicit_tls = true;
    options.verify_host = "mail.example.org";  // not in the certificate either
    options.tls.insecure = true;
    SmtpClient client(io.get_executor(), options);
    connected = co_await client.connect();
    CHECK((co_await client.read_greeting()).ok());
    info = client.tls_info();
  });
  REQUIRE(connected->ok());
  REQUIRE(info);
  CHECK(!info->verified);
  CHECK(!info->hostname_match);
  CHECK(info->insecure);
  CHECK(info->verify_reason == "self-signed certificate");
}

TEST_CASE(
    "with CHUNKING and BDAT preferred, the message goes as one BDAT LAST chunk, not dot-stuffed") {
  asio::io_context io;
  FakePeer peer(io, {say("220 chunky.test\r\n"), hear(), say("250-chunky.test\r\n250 CHUNKING\r\n"),
                     hear(), say("250 ok\r\n"), hear(), say("250 ok\r\n"), hear_until(".x\r\n"),
                     say("250 2.0.0 queued\r\n")});
  std::optional<Result<EnvelopeResult>> envelope;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    const std::vector<std::string> recipients = {"you@example.org"};
    EnvelopeOptions options;
    options.prefer_bdat = true;
    envelope = co_await client.send_envelope("me@example.org", recipients,
                                             std::string_view("a\n.x"), options);
  });
  REQUIRE(envelope->ok());
  CHECK((*envelope)->bdat);
  CHECK((*envelope)->accepted());
  CHECK(peer.heard.at(3) == "BDAT 7 LAST\r\na\r\n.x\r\n");
  CHECK(!(*envelope)->data);  // no DATA verb was sent
}

TEST_CASE(
    "a refused XOAUTH2 token: the JSON error challenge is answered empty, then 535 is reported") {
  asio::io_context io;
  FakePeer peer(io,
                script(kGreetAndEhlo, {hear(), say("334 eyJzdGF0dXMiOiI0MDEifQ==\r\n"), hear(),
                                       say("535 5.7.8 Username and Password not accepted\r\n")}));
  std::optional<Result<Reply>> auth;
  std::string transcript;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    REQUIRE((co_await client.ehlo("client.test")).ok());
    auth = co_await client.auth("XOAUTH2", "alice@example.org", "ya29.token");
    transcript = client.transcript().render();
  });
  REQUIRE(!auth->ok());
  CHECK(auth->error().kind == ErrorKind::rejected);
  CHECK(auth->error().reply->code == 535);
  CHECK(peer.heard.at(1).rfind("AUTH XOAUTH2 ", 0) == 0);
  CHECK(peer.heard.at(2) == "\r\n");
  CHECK(transcript.find("AUTH XOAUTH2 <redacted>") != std::string::npos);
  CHECK(transcript.find("ya29") == std::string::npos);
}

TEST_CASE(
    "a server that talks past its greeting fails the greeting as out of turn, whole lines or not") {
  // Real clients would take the extra line as the answer to EHLO and stay one reply behind for
  // the rest of the session, so this is the server's failure, not a warning.
  for (std::string extra : {"250 surprise\r\n", "250-unasked\r\n250-for\r\n60"}) {
    CAPTURE(extra);
    asio::io_context io;
    FakePeer peer(io, {say("220 chatty.test\r\n" + extra), hear()});
    std::optional<Result<Greeting>> greeting;
    run_client(io, [&]() -> asio::awaitable<void> {
      SmtpClient client(io.get_executor(), loopback(peer.port()));
      REQUIRE((co_await client.connect()).ok());
      greeting = co_await client.read_greeting();
    });
    REQUIRE(greeting);
    REQUIRE_FALSE(greeting->ok());
    CHECK(greeting->error().kind == ErrorKind::protocol);
    CHECK(greeting->error().message.find("talked out of turn: " + std::to_string(extra.size()) +
                                         " more bytes") != std::string::npos);
  }
}

TEST_CASE("asking for IPv4 only with an IPv6 address is refused before any connection") {
  asio::io_context io;
  std::optional<Result<ConnectInfo>> connected;
  run_client(io, [&]() -> asio::awaitable<void> {
    ClientOptions options = loopback(25);
    options.host = "::1";
    options.family = IpFamily::v4;
    SmtpClient client(io.get_executor(), options);
    connected = co_await client.connect();
  });
  REQUIRE(!connected->ok());
  CHECK(connected->error().kind == ErrorKind::usage);
}

TEST_CASE("a CR or LF in the EHLO name is refused instead of injecting a command") {
  asio::io_context io;
  FakePeer peer(io, {say("220 fake.test\r\n")});
  std::optional<Result<Capabilities>> caps;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    REQUIRE((co_await client.read_greeting()).ok());
    caps = co_await client.ehlo("x\r\nMAIL FROM:<evil@example.org>");
    client.close();
  });
  REQUIRE(!caps->ok());
  CHECK(caps->error().kind == ErrorKind::usage);
  CHECK(peer.received.empty());
}

TEST_CASE("send refuses to put a password on a connection without TLS unless allowed") {
  asio::io_context io;
  FakePeer peer(io, script(kGreetAndEhlo, {hear(), say("221 bye\r\n")}));
  SendRequest request;
  request.client = loopback(peer.port());
  request.helo = "client.test";
  request.auth_mechanism = "PLAIN";
  request.auth_user = "alice";
  request.auth_secret = "secret";
  request.from = "alice@example.org";
  request.to = {"bob@example.org"};
  request.message = "Subject: x\n\nbody\n";
  std::optional<SendOutcome> outcome;
  run_client(io, [&]() -> asio::awaitable<void> {
    outcome = co_await send_message(io.get_executor(), request);
  });
  REQUIRE(outcome->error);
  CHECK(outcome->error->kind == ErrorKind::unsupported);
  CHECK(outcome->error->message.find("without TLS") != std::string::npos);
  CHECK(peer.received.find("AUTH") == std::string::npos);
  CHECK(peer.heard.back() == "QUIT\r\n");
}

TEST_CASE("escape sequences a server puts in its replies are shown harmlessly in the transcript") {
  asio::io_context io;
  FakePeer peer(io, {say("220 evil.test \x1b[2J\x1b[1;1Hall clear\r\n")});
  std::string rendered;
  run_client(io, [&]() -> asio::awaitable<void> {
    SmtpClient client(io.get_executor(), loopback(peer.port()));
    REQUIRE((co_await client.connect()).ok());
    CHECK((co_await client.read_greeting()).ok());
    rendered = client.transcript().render();
  });
  CHECK(rendered.find('\x1b') == std::string::npos);
  CHECK(rendered.find("\\x1b[2J") != std::string::npos);
}
