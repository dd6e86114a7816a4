// Our client against our server over loopback: the happy paths a user of `send` and `check`
// walks — plain, STARTTLS, implicit TLS (with certificate verification failing by default and
// passing with the server's certificate as CA file), every AUTH mechanism, the pipelined
// envelope with a refused recipient, and a byte-exact dot-stuffing round trip by DATA and BDAT.
#include <doctest/doctest.h>
#include <openssl/x509_vfy.h>

#include "core/smtp/sasl.hpp"
#include "core/smtp/send_flow.hpp"
#include "tests/unit/client_server_fixture.hpp"

using namespace smtpdoctor;
using namespace smtpdoctor::test;

namespace {

const std::string kMessage =
    "From: <alice@example.test>\r\nTo: <bob@example.test>\r\nSubject: hello\r\n\r\nHi Bob.\r\n";

// The single message the server stored, and its Received-less content.
std::string stored_message(const Loopback& loopback) {
  auto messages = loopback.events("message");
  REQUIRE(messages.size() == 1);
  REQUIRE(messages[0].contains("path"));
  return without_received(slurp(messages[0]["path"].get<std::string>()));
}

// No line the client recorded holds the password or any base64 form of a secret it sent.
void check_no_secrets(const Transcript& transcript) {
  const std::string text = transcript.render();
  CHECK(text.find(kPassword) == std::string::npos);
  CHECK(text.find(base64_encode(kPassword)) == std::string::npos);
  CHECK(text.find(base64_encode(sasl_plain_message(kUser, kPassword))) == std::string::npos);
  CHECK(text.find(base64_encode("wrong-" + kPassword)) == std::string::npos);
  CHECK(text.find(base64_encode(sasl_plain_message(kUser, "wrong-" + kPassword))) ==
        std::string::npos);
  // CRAM-MD5's answer depends on the server's nonce: check every AUTH continuation instead.
  for (const auto& e : transcript.entries())
    if (e.direction == Direction::sent && e.stage == Stage::auth && e.text.rfind("AUTH ", 0) != 0)
      CHECK(e.text == "<redacted>");
}

}  // namespace

TEST_CASE("a plain session delivers a message that the server stores exactly as sent") {
  ScratchDir store;
  Loopback loopback(server_options(&store));
  std::optional<Result<EnvelopeResult>> sent;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    CHECK(client.capabilities().starttls);
    CHECK(!client.in_tls());
    const std::vector<std::string> to{"bob@example.test"};
    sent = co_await client.send_envelope("alice@example.test", to, kMessage);
    auto bye = co_await client.quit();
    REQUIRE(bye.ok());
    CHECK(bye->code == 221);
  });
  REQUIRE(sent);
  REQUIRE_MESSAGE(sent->ok(), (sent->ok() ? "" : sent->error().message));
  CHECK((*sent)->accepted());
  CHECK(code_of(*(*sent)->final_reply) == "250 2.0.0");
  CHECK(stored_message(loopback) == kMessage);
  CHECK(loopback.events("message")[0]["tls"] == false);
}

TEST_CASE("STARTTLS to the self-signed test server fails verification by default, with why") {
  Loopback loopback(server_options());
  std::optional<Result<TlsInfo>> tls;
  std::optional<TlsInfo> info;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    tls = co_await client.starttls();
    info = client.tls_info();
  });
  REQUIRE(tls);
  REQUIRE(!tls->ok());
  CHECK(tls->error().kind == ErrorKind::tls);
  CHECK(tls->error().tls_verify_result == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  CHECK(tls->error().message.find("self-signed") != std::string::npos);
  REQUIRE(info);  // the handshake itself worked: the report can say what the certificate is
  CHECK(!info->verified);
  CHECK(info->verify_result == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  CHECK(info->verify_reason.find("self-signed") != std::string::npos);
  CHECK(info->hostname_match);  // the certificate names 127.0.0.1: only the issuer is unknown
  CHECK(info->subject_cn == "localhost");
}

TEST_CASE("STARTTLS with the server's certificate as CA file verifies, and mail goes inside TLS") {
  ScratchDir store;
  Loopback loopback(server_options(&store));
  std::optional<Result<TlsInfo>> tls;
  std::optional<Result<EnvelopeResult>> sent;
  bool encrypted = false;
  loopback.run([&]() -> asio::awaitable<void> {
    auto options = client_options(loopback.port());
    options.tls.ca_file = server_identity().cert;
    SmtpClient client(loopback.executor(), options);
    co_await greet(client);
    tls = co_await client.starttls();
    REQUIRE(tls->ok());
    auto caps = co_await client.ehlo("client.example.test");
    REQUIRE(caps.ok());
    auto auth = co_await client.auth("PLAIN", kUser, kPassword);
    REQUIRE(auth.ok());
    const std::vector<std::string> to{"carol@far.example"};
    sent = co_await client.send_envelope("alice@example.test", to, kMessage);
    encrypted = client.in_tls();
    auto bye = co_await client.quit();
    (void)bye;
  });
  REQUIRE(tls->ok());
  CHECK((*tls)->verified);
  CHECK((*tls)->verify_result == X509_V_OK);
  CHECK(!(*tls)->protocol.empty());
  CHECK(encrypted);
  REQUIRE(sent->ok());
  CHECK((*sent)->accepted());  // a foreign domain: accepted because alice logged in
  auto message = loopback.events("message").at(0);
  CHECK(message["tls"] == true);
  CHECK(message["auth_user"] == kUser);
  CHECK(stored_message(loopback) == kMessage);
}

TEST_CASE("implicit TLS fails verification by default and verifies with the CA file") {
  Loopback loopback(server_options(), /*implicit_tls_listener=*/true);
  REQUIRE(loopback.tls_port() != 0);
  std::optional<Result<ConnectInfo>> untrusted, trusted;
  std::optional<TlsInfo> untrusted_info;
  std::optional<Result<Greeting>> greeting;
  bool encrypted = false;
  loopback.run([&]() -> asio::awaitable<void> {
    auto options = client_options(loopback.tls_port());
    options.implicit_tls = true;
    {
      SmtpClient client(loopback.executor(), options);
      untrusted = co_await client.connect();
      untrusted_info = client.tls_info();
    }
    options.tls.ca_file = server_identity().cert;
    SmtpClient client(loopback.executor(), options);
    trusted = co_await client.connect();
    greeting = co_await client.read_greeting();
    encrypted = client.in_tls();
    auto bye = co_await client.quit();
    (void)bye;
  });
  REQUIRE(!untrusted->ok());
  CHECK(untrusted->error().kind == ErrorKind::tls);
  CHECK(untrusted->error().tls_verify_result == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  REQUIRE(untrusted_info);
  CHECK(!untrusted_info->verified);
  CHECK(untrusted_info->verify_reason.find("self-signed") != std::string::npos);
  REQUIRE(trusted->ok());
  REQUIRE(greeting->ok());
  CHECK((*greeting)->reply.code == 220);
  CHECK(encrypted);
}

TEST_CASE("each AUTH mechanism logs in with the right password and gets 535 5.7.8 without it") {
  for (std::string mechanism : {"PLAIN", "LOGIN", "CRAM-MD5"}) {
    for (bool initial_response : {true, false}) {
      if (mechanism != "PLAIN" && !initial_response) continue;  // only PLAIN has one
      CAPTURE(mechanism);
      CAPTURE(initial_response);
      Loopback loopback(server_options());
      std::optional<Result<Reply>> good, bad;
      std::optional<Transcript> transcript;
      loopback.run([&]() -> asio::awaitable<void> {
        auto options = client_options(loopback.port());
        options.initial_response = initial_response;
        {
          SmtpClient client(loopback.executor(), options);
          co_await greet(client);
          bad = co_await client.auth(mechanism, kUser, "wrong-" + kPassword);
          auto bye = co_await client.quit();
          (void)bye;
          transcript = client.transcript();
        }
        SmtpClient client(loopback.executor(), options);
        co_await greet(client);
        good = co_await client.auth(mechanism, kUser, kPassword);
        auto bye = co_await client.quit();
        (void)bye;
        check_no_secrets(client.transcript());
      });
      REQUIRE(!bad->ok());
      CHECK(bad->error().kind == ErrorKind::rejected);
      CHECK(bad->error().stage == Stage::auth);
      REQUIRE(bad->error().reply);
      CHECK(code_of(*bad->error().reply) == "535 5.7.8");
      check_no_secrets(*transcript);
      REQUIRE_MESSAGE(good->ok(), (good->ok() ? "" : good->error().message));
      CHECK(code_of(**good) == "235 2.7.0");
      auto auths = loopback.events("auth");
      REQUIRE(auths.size() == 2);
      CHECK(auths[0]["mechanism"] == mechanism);
      CHECK(auths[0]["ok"] == false);
      CHECK(auths[1]["ok"] == true);
      CHECK(auths[1]["user"] == kUser);
    }
  }
}

TEST_CASE("a pipelined envelope reports each recipient's outcome in order, relay denied included") {
  for (bool pipelining : {true, false}) {
    CAPTURE(pipelining);
    ScratchDir store;
    auto options = server_options(&store);
    options.capabilities.pipelining = pipelining;
    Loopback loopback(options);
    std::optional<Result<EnvelopeResult>> sent;
    loopback.run([&]() -> asio::awaitable<void> {
      SmtpClient client(loopback.executor(), client_options(loopback.port()));
      co_await greet(client);
      const std::vector<std::string> to{"bob@example.test", "eve@elsewhere.example",
                                        "carol@localhost", "dan@example.test"};
      sent = co_await client.send_envelope("alice@example.test", to, kMessage);
      auto bye = co_await client.quit();
      (void)bye;
    });
    REQUIRE(sent->ok());
    const auto& result = **sent;
    CHECK(result.pipelined == pipelining);
    REQUIRE(result.recipients.size() == 4);
    CHECK(result.recipients[0].address == "bob@example.test");
    CHECK(code_of(result.recipients[0].reply) == "250 2.1.5");
    CHECK(result.recipients[1].address == "eve@elsewhere.example");
    CHECK(code_of(result.recipients[1].reply) == "554 5.7.1");
    CHECK(!result.recipients[1].accepted());
    CHECK(result.recipients[2].address == "carol@localhost");
    CHECK(result.recipients[2].accepted());
    CHECK(result.recipients[3].accepted());
    CHECK(result.accepted_recipients() == 3);
    CHECK(result.accepted());
    auto message = loopback.events("message").at(0);
    CHECK(message["rcpts"] ==
          nlohmann::json({"bob@example.test", "carol@localhost", "dan@example.test"}));
  }
}

TEST_CASE("dots, long lines and UTF-8 survive the DATA and BDAT round trip byte for byte") {
  const std::string long_line(998, 'x');  // the longest text line RFC 5321 allows
  const std::string long_dot = "." + std::string(996, 'y');  // 998 once stuffed
  const std::string message =
      "From: <alice@example.test>\r\n"
      "To: <bob@example.test>\r\n"
      "Subject: =?UTF-8?Q?dots?=\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      ".leading dot\r\n"
      ".\r\n"
      "..\r\n"
      "...three\r\n"
      "a line ending in a dot.\r\n"
      " .space first\r\n"
      ".\r\n"
      "\r\n"
      "Gr\xC3\xBC\xC3\x9F\x65 \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xE2\x9C\x93\r\n" +
      long_line + "\r\n" + long_dot + "\r\n" + ".\r\n";  // ends with a lone dot, before ours
  for (bool bdat : {false, true}) {
    CAPTURE(bdat);
    ScratchDir store;
    Loopback loopback(server_options(&store));
    std::optional<Result<EnvelopeResult>> sent;
    loopback.run([&]() -> asio::awaitable<void> {
      SmtpClient client(loopback.executor(), client_options(loopback.port()));
      co_await greet(client);
      REQUIRE(client.capabilities().chunking);
      REQUIRE(client.capabilities().eightbitmime);
      EnvelopeOptions envelope;
      envelope.prefer_bdat = bdat;
      envelope.mail_params.push_back("BODY=8BITMIME");
      const std::vector<std::string> to{"bob@example.test"};
      sent = co_await client.send_envelope("alice@example.test", to, message, envelope);
      auto bye = co_await client.quit();
      (void)bye;
    });
    REQUIRE(sent->ok());
    CHECK((*sent)->bdat == bdat);
    REQUIRE((*sent)->final_reply);
    CHECK_MESSAGE((*sent)->accepted(), (*sent)->final_reply->wire());
    CHECK(stored_message(loopback) == message);
  }
}

TEST_CASE("`send` (send_message) runs STARTTLS and AUTH against the server and keeps no secret") {
  ScratchDir store;
  Loopback loopback(server_options(&store));
  std::optional<SendOutcome> outcome;
  loopback.run([&]() -> asio::awaitable<void> {
    SendRequest request;
    request.client = client_options(loopback.port());
    request.client.tls.ca_file = server_identity().cert;
    request.helo = "client.example.test";
    request.tls = TlsMode::required;
    request.auth_mechanism = "";  // the best offered
    request.auth_user = kUser;
    request.auth_secret = kPassword;
    request.from = "alice@example.test";
    request.to.push_back("someone@far.example");
    request.message = kMessage;
    outcome = co_await send_message(loopback.executor(), request);
  });
  REQUIRE(outcome);
  REQUIRE_MESSAGE(!outcome->error, (outcome->error ? outcome->error->message : ""));
  CHECK(outcome->accepted());
  // Inside TLS the best offered is PLAIN with its initial response (one round trip); its
  // payload holds the password, which check_no_secrets shows never reached the transcript.
  CHECK(outcome->auth_mechanism == "PLAIN");
  REQUIRE(outcome->tls);
  CHECK(outcome->tls->verified);
  check_no_secrets(outcome->transcript);
  CHECK(stored_message(loopback) == kMessage);
}

TEST_CASE(
    "a 998-octet line starting with a dot is within the limit (its stuffed dot does not count)") {
  const std::string message = "Subject: long\r\n\r\n." + std::string(997, 'z') + "\r\n";
  ScratchDir store;
  Loopback loopback(server_options(&store));
  std::optional<Result<EnvelopeResult>> sent;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    const std::vector<std::string> to{"bob@example.test"};
    sent = co_await client.send_envelope("alice@example.test", to, message);
    auto bye = co_await client.quit();
    (void)bye;
  });
  REQUIRE(sent->ok());
  REQUIRE((*sent)->final_reply);
  CHECK_MESSAGE((*sent)->accepted(), (*sent)->final_reply->wire());
  CHECK(stored_message(loopback) == message);
}
