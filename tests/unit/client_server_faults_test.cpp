// Every fault the test server can play (`--fault`) and every limit it enforces, as our client
// sees them: the ErrorKind, the stage, and the server's reply code and enhanced code — what
// `send` prints and what `check` diagnoses from. Deadlines and limits are shrunk to keep this fast.
#include <doctest/doctest.h>

#include "tests/unit/client_server_fixture.hpp"

using namespace smtpdoctor;
using namespace smtpdoctor::test;

namespace {

const std::string kMessage = "Subject: fault\r\n\r\nbody\r\n";

ServerOptions with_fault(const std::string& spec, ServerOptions options = server_options()) {
  std::string why;
  REQUIRE_MESSAGE(add_fault(spec, &options.faults, &why), why);
  return options;
}

// The reply of a rejection, as "421 4.3.2"; empty when the error carries none.
std::string rejected_code(const Error& e) {
  return e.reply ? code_of(*e.reply) : std::string();
}

}  // namespace

TEST_CASE("a server that delays its greeting is waited for, or times out at the banner") {
  Loopback loopback(with_fault("greeting-delay=300ms"));
  std::optional<Result<Greeting>> patient, hasty;
  loopback.run([&]() -> asio::awaitable<void> {
    {
      SmtpClient client(loopback.executor(), client_options(loopback.port()));
      auto c = co_await client.connect();
      REQUIRE(c.ok());
      patient = co_await client.read_greeting();
    }
    auto options = client_options(loopback.port());
    options.limits.greeting_timeout = 100ms;
    SmtpClient client(loopback.executor(), options);
    auto c = co_await client.connect();
    REQUIRE(c.ok());
    hasty = co_await client.read_greeting();
  });
  REQUIRE(patient->ok());
  CHECK((*patient)->reply.code == 220);
  CHECK((*patient)->delay >= 290ms);
  REQUIRE(!hasty->ok());
  CHECK(hasty->error().kind == ErrorKind::timeout);
  CHECK(hasty->error().stage == Stage::banner);
}

TEST_CASE("a 421 or 554 banner is a rejection at the banner stage, with the server's reply") {
  for (std::string code : {"421", "554"}) {
    CAPTURE(code);
    Loopback loopback(with_fault("banner=" + code));
    std::optional<Result<Greeting>> greeting;
    loopback.run([&]() -> asio::awaitable<void> {
      SmtpClient client(loopback.executor(), client_options(loopback.port()));
      auto c = co_await client.connect();
      REQUIRE(c.ok());
      greeting = co_await client.read_greeting();
      auto bye = co_await client.quit();
      (void)bye;
    });
    REQUIRE(!greeting->ok());
    CHECK(greeting->error().kind == ErrorKind::rejected);
    CHECK(greeting->error().stage == Stage::banner);
    CHECK(rejected_code(greeting->error()) == (code == "421" ? "421 4.3.2" : "554 5.3.2"));
  }
}

TEST_CASE("a server that refuses EHLO gets HELO, and mail still goes through without extensions") {
  ScratchDir store;
  Loopback loopback(with_fault("ehlo-refused", server_options(&store)));
  bool used_helo = false;
  std::optional<Capabilities> caps;
  std::optional<Result<EnvelopeResult>> sent;
  std::string transcript;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    used_helo = client.used_helo();
    caps = client.capabilities();
    const std::vector<std::string> to{"bob@example.test"};
    sent = co_await client.send_envelope("alice@example.test", to, kMessage);
    auto bye = co_await client.quit();
    (void)bye;
    transcript = client.transcript().render();
  });
  CHECK(used_helo);
  CHECK(!caps->pipelining);
  CHECK(transcript.find("502 5.5.1") != std::string::npos);
  CHECK(transcript.find("HELO client.example.test") != std::string::npos);
  REQUIRE(sent->ok());
  CHECK(!(*sent)->pipelined);
  CHECK((*sent)->accepted());
  CHECK(loopback.events("message").at(0)["helo"] == "client.example.test");
}

TEST_CASE("greylisting at MAIL is a 451 4.7.1 the client reports, and nothing is sent") {
  Loopback loopback(with_fault("greylist=mail"));
  std::optional<Result<EnvelopeResult>> pipelined;
  std::optional<Result<Reply>> single;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    const std::vector<std::string> to{"bob@example.test"};
    pipelined = co_await client.send_envelope("alice@example.test", to, kMessage);
    single = co_await client.mail_from("alice@example.test");
    auto bye = co_await client.quit();
    (void)bye;
  });
  REQUIRE(pipelined->ok());
  CHECK((*pipelined)->pipelined);
  CHECK(code_of((*pipelined)->mail) == "451 4.7.1");
  CHECK(!(*pipelined)->accepted());
  CHECK((*pipelined)->accepted_recipients() == 0);
  CHECK(!(*pipelined)->final_reply);
  REQUIRE(!single->ok());
  CHECK(single->error().kind == ErrorKind::rejected);
  CHECK(single->error().stage == Stage::mail);
  CHECK(rejected_code(single->error()) == "451 4.7.1");
  CHECK(loopback.events("message").empty());
}

TEST_CASE("greylisting at RCPT gives every recipient 451 4.7.1 and the message is not sent") {
  Loopback loopback(with_fault("greylist=rcpt"));
  std::optional<Result<EnvelopeResult>> sent;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    const std::vector<std::string> to{"bob@example.test", "carol@localhost"};
    sent = co_await client.send_envelope("alice@example.test", to, kMessage);
    // The session is still usable: the server answers the next command in turn.
    auto again = co_await client.rset();
    CHECK(again.ok());
    auto bye = co_await client.quit();
    (void)bye;
  });
  REQUIRE(sent->ok());
  CHECK(code_of((*sent)->mail) == "250 2.1.0");
  REQUIRE((*sent)->recipients.size() == 2);
  CHECK(code_of((*sent)->recipients[0].reply) == "451 4.7.1");
  CHECK(code_of((*sent)->recipients[1].reply) == "451 4.7.1");
  CHECK(!(*sent)->accepted());
  CHECK(!(*sent)->final_reply);
  CHECK(loopback.events("message").empty());
}

TEST_CASE("an unknown user is refused with 550 5.1.1 while the others still get the message") {
  Loopback loopback(with_fault("unknown-user=ghost@example.test"));
  std::optional<Result<EnvelopeResult>> sent;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    const std::vector<std::string> to{"bob@example.test", "Ghost@example.test", "carol@localhost"};
    sent = co_await client.send_envelope("alice@example.test", to, kMessage);
    auto bye = co_await client.quit();
    (void)bye;
  });
  REQUIRE(sent->ok());
  REQUIRE((*sent)->recipients.size() == 3);
  CHECK((*sent)->recipients[0].accepted());
  CHECK(code_of((*sent)->recipients[1].reply) == "550 5.1.1");
  CHECK((*sent)->recipients[2].accepted());
  CHECK((*sent)->accepted());
  CHECK(loopback.events("message").at(0)["rcpts"] ==
        nlohmann::json({"bob@example.test", "carol@localhost"}));
}

TEST_CASE("a server that drops the connection after a command is a network error at that stage") {
  struct Case {
    std::string verb;
    Stage stage;
  };
  for (const Case& c : {Case{"MAIL", Stage::mail}, Case{"EHLO", Stage::ehlo}}) {
    CAPTURE(c.verb);
    Loopback loopback(with_fault("drop-after=" + c.verb));
    std::optional<Error> error;
    loopback.run([&]() -> asio::awaitable<void> {
      SmtpClient client(loopback.executor(), client_options(loopback.port()));
      auto connected = co_await client.connect();
      REQUIRE(connected.ok());
      auto greeting = co_await client.read_greeting();
      REQUIRE(greeting.ok());
      auto caps = co_await client.ehlo("client.example.test");
      if (!caps) {
        error = caps.error();
        co_return;
      }
      auto mail = co_await client.mail_from("alice@example.test");
      if (!mail) error = mail.error();
    });
    REQUIRE(error);
    CHECK(error->kind == ErrorKind::network);
    CHECK(error->stage == c.stage);
    CHECK(error->message.find("closed the connection") != std::string::npos);
  }
}

TEST_CASE("STARTTLS offered but the handshake fails is a TLS error, not a hang") {
  Loopback loopback(with_fault("tls-fail"));
  std::optional<Result<TlsInfo>> tls;
  bool offered = false;
  const auto start = std::chrono::steady_clock::now();
  loopback.run([&]() -> asio::awaitable<void> {
    auto options = client_options(loopback.port());
    options.tls.ca_file = server_identity().cert;
    SmtpClient client(loopback.executor(), options);
    co_await greet(client);
    offered = client.capabilities().starttls;
    tls = co_await client.starttls();
  });
  CHECK(offered);
  REQUIRE(!tls->ok());
  CHECK(tls->error().kind == ErrorKind::tls);
  CHECK(tls->error().stage == Stage::tls);
  CHECK(std::chrono::steady_clock::now() - start < 2s);  // well inside the 3 s handshake deadline
}

TEST_CASE("a tarpit slows every reply; a client with a shorter deadline times out") {
  Loopback loopback(with_fault("tarpit=200ms"));
  std::optional<Result<Greeting>> greeting;
  std::optional<Result<Capabilities>> ehlo;
  loopback.run([&]() -> asio::awaitable<void> {
    auto options = client_options(loopback.port());
    options.limits.command_timeout = 100ms;
    SmtpClient client(loopback.executor(), options);
    auto connected = co_await client.connect();
    REQUIRE(connected.ok());
    greeting = co_await client.read_greeting();
    ehlo = co_await client.ehlo("client.example.test");
  });
  REQUIRE(greeting->ok());
  // Measured from the client's connect, which under load completes a little after the server
  // accepted and started its delay.
  CHECK((*greeting)->delay >= 150ms);
  REQUIRE(!ehlo->ok());
  CHECK(ehlo->error().kind == ErrorKind::timeout);
  CHECK(ehlo->error().stage == Stage::ehlo);
}

TEST_CASE("after N messages the server says 421 4.7.0 to the next MAIL and closes") {
  Loopback loopback(with_fault("421-after=1"));
  std::optional<Result<EnvelopeResult>> first;
  std::optional<Result<Reply>> second;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    const std::vector<std::string> to{"bob@example.test"};
    first = co_await client.send_envelope("alice@example.test", to, kMessage);
    second = co_await client.mail_from("alice@example.test");
  });
  REQUIRE(first->ok());
  CHECK((*first)->accepted());
  REQUIRE(!second->ok());
  CHECK(second->error().kind == ErrorKind::rejected);
  CHECK(rejected_code(second->error()) == "421 4.7.0");
}

TEST_CASE("a pipelined envelope that meets 421 at MAIL still reports the 421") {
  Loopback loopback(with_fault("421-after=1"));
  std::optional<Result<EnvelopeResult>> second;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    const std::vector<std::string> to{"bob@example.test"};
    auto first = co_await client.send_envelope("alice@example.test", to, kMessage);
    REQUIRE(first.ok());
    second = co_await client.send_envelope("alice@example.test", to, kMessage);
  });
  REQUIRE(second);
  if (second->ok()) {
    CHECK(code_of((*second)->mail) == "421 4.7.0");
  } else {
    INFO(second->error().message);
    CHECK(second->error().kind == ErrorKind::rejected);
    CHECK(rejected_code(second->error()) == "421 4.7.0");
  }
}

// ---- limits ------------------------------------------------------------------------------------

TEST_CASE("a declared SIZE over the server's maximum is refused at MAIL with 552 5.3.4") {
  auto options = server_options();
  options.limits.max_message_octets = 1000;
  Loopback loopback(options);
  std::optional<Result<EnvelopeResult>> declared;
  std::optional<Result<EnvelopeResult>> undeclared;
  std::size_t advertised = 0;
  std::string big = "Subject: big\r\n\r\n";
  for (int i = 0; i < 30; ++i) big += std::string(70, 'b') + "\r\n";  // 2,1xx octets
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    advertised = client.capabilities().size_limit().value_or(0);
    const std::vector<std::string> to{"bob@example.test"};
    EnvelopeOptions with_size;
    with_size.mail_params.push_back("SIZE=" + std::to_string(big.size()));
    declared = co_await client.send_envelope("alice@example.test", to, big, with_size);
    // Without SIZE= the server can only say so after the final dot.
    undeclared = co_await client.send_envelope("alice@example.test", to, big);
    auto bye = co_await client.quit();
    (void)bye;
  });
  CHECK(advertised == 1000);
  REQUIRE(declared->ok());
  CHECK(code_of((*declared)->mail) == "552 5.3.4");
  CHECK(!(*declared)->accepted());
  REQUIRE(undeclared->ok());
  REQUIRE((*undeclared)->final_reply);
  CHECK(code_of(*(*undeclared)->final_reply) == "552 5.3.4");
  CHECK(!(*undeclared)->accepted());
  CHECK(loopback.events("message").empty());
}

TEST_CASE("recipients past the server's limit get 452 4.5.3; the first ones get the message") {
  auto options = server_options();
  options.limits.max_recipients = 2;
  Loopback loopback(options);
  std::optional<Result<EnvelopeResult>> sent;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    const std::vector<std::string> to{"a@example.test", "b@example.test", "c@example.test"};
    sent = co_await client.send_envelope("alice@example.test", to, kMessage);
    auto bye = co_await client.quit();
    (void)bye;
  });
  REQUIRE(sent->ok());
  REQUIRE((*sent)->recipients.size() == 3);
  CHECK((*sent)->recipients[0].accepted());
  CHECK((*sent)->recipients[1].accepted());
  CHECK(code_of((*sent)->recipients[2].reply) == "452 4.5.3");
  CHECK((*sent)->accepted());
  CHECK(loopback.events("message").at(0)["rcpts"].size() == 2);
}

TEST_CASE("--require-tls: MAIL before STARTTLS gets 530 5.7.0, after STARTTLS it is accepted") {
  auto options = server_options();
  options.require_tls = true;
  Loopback loopback(options);
  std::optional<Result<Reply>> before, after;
  loopback.run([&]() -> asio::awaitable<void> {
    auto client_opts = client_options(loopback.port());
    client_opts.tls.ca_file = server_identity().cert;
    SmtpClient client(loopback.executor(), client_opts);
    co_await greet(client);
    before = co_await client.mail_from("alice@example.test");
    auto tls = co_await client.starttls();
    REQUIRE(tls.ok());
    auto caps = co_await client.ehlo("client.example.test");
    REQUIRE(caps.ok());
    after = co_await client.mail_from("alice@example.test");
    auto bye = co_await client.quit();
    (void)bye;
  });
  REQUIRE(!before->ok());
  CHECK(before->error().kind == ErrorKind::rejected);
  CHECK(rejected_code(before->error()) == "530 5.7.0");
  REQUIRE(after->ok());
  CHECK(code_of(**after) == "250 2.1.0");
}

TEST_CASE("--require-auth: MAIL before AUTH gets 530 5.7.0, after AUTH it is accepted") {
  auto options = server_options();
  options.require_auth = true;
  Loopback loopback(options);
  std::optional<Result<Reply>> before, after;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    before = co_await client.mail_from("alice@example.test");
    auto auth = co_await client.auth("LOGIN", kUser, kPassword);
    REQUIRE(auth.ok());
    after = co_await client.mail_from("alice@example.test");
    auto bye = co_await client.quit();
    (void)bye;
  });
  REQUIRE(!before->ok());
  CHECK(before->error().stage == Stage::mail);
  CHECK(rejected_code(before->error()) == "530 5.7.0");
  REQUIRE(after->ok());
}

TEST_CASE("a client that stalls past the idle timeout is told 421 4.4.2 at its next command") {
  auto options = server_options();
  options.limits.idle_timeout = 300ms;
  Loopback loopback(options);
  std::optional<Result<Reply>> late;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient client(loopback.executor(), client_options(loopback.port()));
    co_await greet(client);
    co_await pause(600ms);
    late = co_await client.mail_from("alice@example.test");
  });
  REQUIRE(!late->ok());
  INFO(late->error().message);
  CHECK(late->error().kind == ErrorKind::rejected);
  CHECK(late->error().stage == Stage::mail);
  CHECK(rejected_code(late->error()) == "421 4.4.2");
}

TEST_CASE("a text line over 998 octets gets 500 5.5.2 after the final dot, and is not stored") {
  Loopback loopback(server_options());
  std::optional<Result<EnvelopeResult>> sent;
  const std::string message = "Subject: wide\r\n\r\n" + std::string(999, 'w') + "\r\n";
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
  CHECK(code_of(*(*sent)->final_reply) == "500 5.5.2");
  CHECK(!(*sent)->accepted());
  CHECK(loopback.events("message").empty());
}

TEST_CASE("a connection past the server's limit is greeted with 421 4.7.0") {
  auto options = server_options();
  options.limits.max_connections = 1;
  Loopback loopback(options);
  std::optional<Result<Greeting>> first, second;
  loopback.run([&]() -> asio::awaitable<void> {
    SmtpClient one(loopback.executor(), client_options(loopback.port()));
    auto c1 = co_await one.connect();
    REQUIRE(c1.ok());
    first = co_await one.read_greeting();
    SmtpClient two(loopback.executor(), client_options(loopback.port()));
    auto c2 = co_await two.connect();
    REQUIRE(c2.ok());
    second = co_await two.read_greeting();
    auto bye = co_await one.quit();
    (void)bye;
  });
  REQUIRE(first->ok());
  REQUIRE(!second->ok());
  CHECK(second->error().kind == ErrorKind::rejected);
  CHECK(second->error().stage == Stage::banner);
  CHECK(rejected_code(second->error()) == "421 4.7.0");
}
