// The loopback test server, driven in-process over real loopback sockets with a byte-exact
// client: what a mail client talking to `smtpdoctor serve` would see.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/server_test_client.hpp"
#include "tests/unit/server_test_steps.hpp"

using namespace smtpdoctor;
using namespace smtpdoctor::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The stored message without the Received: header the server prepended (folded lines start
// with a tab).
std::string without_received(const std::string& eml) {
  REQUIRE(eml.rfind("Received: ", 0) == 0);
  std::size_t pos = 0;
  do {
    pos = eml.find("\r\n", pos) + 2;
  } while (pos < eml.size() && eml[pos] == '\t');
  return eml.substr(pos);
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("smtpdoctor-server-test-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("a client that pipelines its whole envelope gets every reply, in order") {
  ServerUnderTest server(server_options());
  ServerTestClient c(server.port());
  REQUIRE(reply_code(c.read_reply()) == 220);
  c.send(
      "EHLO client.test\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<b@localhost>\r\n"
      "RCPT TO:<c@elsewhere.invalid>\r\nRCPT TO:<d@example.test>\r\nDATA\r\n");
  std::string ehlo = c.read_reply();
  CHECK(reply_code(ehlo) == 250);
  CHECK(ehlo.find("PIPELINING") != std::string::npos);
  CHECK(c.read_reply().rfind("250 2.1.0", 0) == 0);
  CHECK(c.read_reply().rfind("250 2.1.5", 0) == 0);
  CHECK(c.read_reply().rfind("554 5.7.1", 0) == 0);
  CHECK(c.read_reply().rfind("250 2.1.5", 0) == 0);
  CHECK(reply_code(c.read_reply()) == 354);
  c.send("Subject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n");
  CHECK(c.read_reply().rfind("250 2.0.0", 0) == 0);
  CHECK(reply_code(c.read_reply()) == 221);
  auto message = server.wait_event("message");
  REQUIRE(message.is_object());
  CHECK(message["rcpts"] == nlohmann::json::array({"b@localhost", "d@example.test"}));
}

TEST_CASE("mail for a domain that is not local is refused as relaying until the client logs in") {
  ServerUnderTest server(server_options());
  ServerTestClient c(server.port());
  greet(c);
  REQUIRE(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
  CHECK(c.command("RCPT TO:<someone@gmail.com>").rfind("554 5.7.1", 0) == 0);
  CHECK(c.command("RSET").rfind("250", 0) == 0);
  CHECK(c.command(auth_plain("alice", "s3cret")).rfind("235 2.7.0", 0) == 0);
  REQUIRE(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
  CHECK(c.command("RCPT TO:<someone@gmail.com>").rfind("250 2.1.5", 0) == 0);
}

TEST_CASE("--local-domain replaces the default local domains") {
  auto o = server_options();
  o.local_domains = {"corp.test"};
  ServerUnderTest server(o);
  ServerTestClient c(server.port());
  greet(c);
  REQUIRE(reply_code(c.command("MAIL FROM:<>")) == 250);
  CHECK(reply_code(c.command("RCPT TO:<x@CORP.test>")) == 250);
  CHECK(reply_code(c.command("RCPT TO:<x@localhost>")) == 554);
}

TEST_CASE(
    "AUTH PLAIN, LOGIN and CRAM-MD5 log in with the right password and not with a wrong one") {
  ServerUnderTest server(server_options());

  SUBCASE("PLAIN with an initial response") {
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command(auth_plain("alice", "wrong")).rfind("535 5.7.8", 0) == 0);
    CHECK(c.command(auth_plain("alice", "s3cret")).rfind("235 2.7.0", 0) == 0);
  }
  SUBCASE("PLAIN without an initial response") {
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command("AUTH PLAIN") == "334 \r\n");
    CHECK(c.command(base64_encode(sasl_plain_message("alice", "s3cret"))).rfind("235", 0) == 0);
  }
  SUBCASE("LOGIN") {
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command("AUTH LOGIN") == "334 " + base64_encode("Username:") + "\r\n");
    CHECK(c.command(base64_encode("alice")) == "334 " + base64_encode("Password:") + "\r\n");
    CHECK(c.command(base64_encode("s3cret")).rfind("235 2.7.0", 0) == 0);
  }
  SUBCASE("LOGIN with the user name as initial response, wrong password") {
    ServerTestClient c(server.port());
    greet(c);
    CHECK(reply_code(c.command("AUTH LOGIN " + base64_encode("alice"))) == 334);
    CHECK(c.command(base64_encode("nope")).rfind("535 5.7.8", 0) == 0);
  }
  SUBCASE("CRAM-MD5") {
    for (std::string password : {"s3cret", "bad"}) {
      ServerTestClient c(server.port());
      greet(c);
      std::string challenge = c.command("AUTH CRAM-MD5");
      REQUIRE(reply_code(challenge) == 334);
      auto decoded = base64_decode(challenge.substr(4, challenge.size() - 6));
      REQUIRE(decoded);
      CHECK(decoded->front() == '<');
      std::string reply = c.command(base64_encode(cram_md5_response("alice", password, *decoded)));
      CHECK(reply_code(reply) == (password == "s3cret" ? 235 : 535));
    }
  }
  SUBCASE("'*' cancels the exchange with 501") {
    ServerTestClient c(server.port());
    greet(c);
    REQUIRE(reply_code(c.command("AUTH LOGIN")) == 334);
    CHECK(c.command("*").rfind("501", 0) == 0);
    CHECK(reply_code(c.command("NOOP")) == 250);
  }
  SUBCASE("an unknown mechanism is refused") {
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command("AUTH GSSAPI").rfind("504 5.5.4", 0) == 0);
  }

  // The auth events name the user but never carry the password.
  for (const auto& e : server.events("auth")) CHECK(e.dump().find("s3cret") == std::string::npos);
}

TEST_CASE("--require-tls: no AUTH offered and MAIL refused before STARTTLS; all fine after") {
  auto o = server_options();
  o.require_tls = true;
  ServerUnderTest server(o);
  ServerTestClient c(server.port());
  REQUIRE(reply_code(c.read_reply()) == 220);
  std::string ehlo = c.command("EHLO client.test");
  CHECK(ehlo.find("STARTTLS") != std::string::npos);
  CHECK(ehlo.find("AUTH") == std::string::npos);
  CHECK(c.command("MAIL FROM:<a@client.test>") ==
        "530 5.7.0 Must issue a STARTTLS command first\r\n");
  CHECK(c.command(auth_plain("alice", "s3cret")).rfind("530 5.7.0", 0) == 0);

  REQUIRE(c.command("STARTTLS").rfind("220 2.0.0", 0) == 0);
  REQUIRE(c.start_tls());
  std::string ehlo_tls = c.command("EHLO client.test");
  CHECK(ehlo_tls.find("AUTH PLAIN LOGIN CRAM-MD5") != std::string::npos);
  CHECK(ehlo_tls.find("STARTTLS") == std::string::npos);
  CHECK(reply_code(c.command(auth_plain("alice", "s3cret"))) == 235);
  CHECK(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
}

TEST_CASE("commands pipelined behind STARTTLS are discarded, not run inside TLS") {
  ServerUnderTest server(server_options());
  ServerTestClient c(server.port());
  greet(c);
  c.send("STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
  REQUIRE(c.read_reply().rfind("220", 0) == 0);
  REQUIRE(c.start_tls());
  // Had the injected MAIL survived, this would be "503 nested MAIL" or "503 send EHLO".
  CHECK(reply_code(c.command("EHLO client.test")) == 250);
  CHECK(c.command("MAIL FROM:<a@client.test>").rfind("250", 0) == 0);
}

TEST_CASE("--require-auth answers MAIL with 530 5.7.0 Authentication required") {
  auto o = server_options();
  o.require_auth = true;
  ServerUnderTest server(o);
  ServerTestClient c(server.port());
  greet(c);
  CHECK(c.command("MAIL FROM:<a@client.test>") == "530 5.7.0 Authentication required\r\n");
  REQUIRE(reply_code(c.command(auth_plain("alice", "s3cret"))) == 235);
  CHECK(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
}

TEST_CASE("an implicit-TLS listener speaks TLS from the first byte") {
  auto o = server_options();
  o.listen.push_back(ListenAddress{"127.0.0.1", 0, true});
  ServerUnderTest server(o);
  REQUIRE(server.tls_port() != 0);
  ServerTestClient c(server.tls_port());
  REQUIRE(c.start_tls());
  CHECK(reply_code(c.read_reply()) == 220);
  std::string ehlo = c.command("EHLO client.test");
  CHECK(ehlo.find("STARTTLS") == std::string::npos);
  CHECK(ehlo.find("AUTH") != std::string::npos);
}

TEST_CASE("limits get the replies a mail client expects") {
  auto o = server_options();
  o.limits.max_message_octets = 100;
  o.limits.max_recipients = 2;
  o.limits.idle_timeout = 300ms;
  o.limits.max_connections = 2;
  ServerUnderTest server(o);

  SUBCASE("MAIL with SIZE over the limit: 552 5.3.4") {
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command("MAIL FROM:<a@client.test> SIZE=101").rfind("552 5.3.4", 0) == 0);
    CHECK(reply_code(c.command("MAIL FROM:<a@client.test> SIZE=100")) == 250);
  }
  SUBCASE("a message that grows past the limit in DATA: 552 5.3.4 after the dot") {
    ServerTestClient c(server.port());
    greet(c);
    REQUIRE(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
    REQUIRE(reply_code(c.command("RCPT TO:<b@localhost>")) == 250);
    REQUIRE(reply_code(c.command("DATA")) == 354);
    c.send(std::string(60, 'x') + "\r\n" + std::string(60, 'y') + "\r\n.\r\n");
    CHECK(c.read_reply().rfind("552 5.3.4", 0) == 0);
    CHECK(reply_code(c.command("NOOP")) == 250);  // the session goes on
    CHECK(server.events("message").empty());
  }
  SUBCASE("too many recipients: 452 4.5.3") {
    ServerTestClient c(server.port());
    greet(c);
    REQUIRE(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
    CHECK(reply_code(c.command("RCPT TO:<1@localhost>")) == 250);
    CHECK(reply_code(c.command("RCPT TO:<2@localhost>")) == 250);
    CHECK(c.command("RCPT TO:<3@localhost>") == "452 4.5.3 Too many recipients\r\n");
  }
  SUBCASE("a command line over 1000 octets: 500 5.5.2, and the session goes on") {
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command("NOOP " + std::string(1200, 'a')) == "500 5.5.2 Line too long\r\n");
    CHECK(c.command("NOOP " + std::string(20000, 'a')) == "500 5.5.2 Line too long\r\n");
    CHECK(reply_code(c.command("NOOP")) == 250);
  }
  SUBCASE("a silent client: 421 4.4.2 Idle timeout, then the connection closes") {
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.read_reply().rfind("421 4.4.2", 0) == 0);
    CHECK(c.wait_closed());
  }
  SUBCASE("one connection too many: 421 4.7.0") {
    ServerTestClient a(server.port()), b(server.port());
    REQUIRE(reply_code(a.read_reply()) == 220);
    REQUIRE(reply_code(b.read_reply()) == 220);
    ServerTestClient third(server.port());
    CHECK(third.read_reply().rfind("421 4.7.0", 0) == 0);
  }
}

TEST_CASE("unknown commands, bad sequence and bad syntax get 500, 503 and 501") {
  ServerUnderTest server(server_options());
  ServerTestClient c(server.port());
  REQUIRE(reply_code(c.read_reply()) == 220);
  CHECK(c.command("MAIL FROM:<a@client.test>").rfind("503 5.5.1", 0) == 0);
  CHECK(c.command("FROB").rfind("500 5.5.1", 0) == 0);
  REQUIRE(reply_code(c.command("EHLO client.test")) == 250);
  CHECK(c.command("MAIL FROM:a@client.test").rfind("501 5.5.4", 0) == 0);
  CHECK(c.command("RCPT TO:<b@localhost>").rfind("503 5.5.1", 0) == 0);
  CHECK(c.command("DATA").rfind("503 5.5.1", 0) == 0);
  CHECK(c.command("VRFY alice").rfind("252", 0) == 0);
  CHECK(c.command("HELP").rfind("214", 0) == 0);
  CHECK(c.command("QUIT").rfind("221", 0) == 0);
}

TEST_CASE("--store keeps the message byte for byte, dot-unstuffed, with its envelope beside it") {
  TempDir dir;
  auto o = server_options();
  o.store_dir = dir.path.string();
  ServerUnderTest server(o);
  ServerTestClient c(server.port());
  greet(c);
  REQUIRE(reply_code(c.command(auth_plain("alice", "s3cret"))) == 235);
  REQUIRE(reply_code(c.command("MAIL FROM:<sender@client.test>")) == 250);
  REQUIRE(reply_code(c.command("RCPT TO:<r1@localhost>")) == 250);
  REQUIRE(reply_code(c.command("RCPT TO:<r2@far.invalid>")) == 250);
  REQUIRE(reply_code(c.command("DATA")) == 354);
  const std::string original =
      "Subject: dots\r\n\r\n.\r\n..\r\n.leading dot\r\n..two dots\r\ntrailing space  \r\n"
      "8-bit \xc3\xa9\r\n\r\n";  // bare LF: smtp_server_hostile_test.cpp
  // Dot-stuffed as RFC 5321 §4.5.2 says: one more dot on each line that starts with one.
  c.send(
      "Subject: dots\r\n\r\n..\r\n...\r\n..leading dot\r\n...two dots\r\ntrailing space  \r\n"
      "8-bit \xc3\xa9\r\n\r\n.\r\n");
  std::string reply = c.read_reply();
  REQUIRE(reply.rfind("250 2.0.0", 0) == 0);

  auto message = server.wait_event("message");
  REQUIRE(message.contains("path"));
  fs::path eml = message["path"].get<std::string>();
  CHECK(eml.parent_path() == dir.path);
  CHECK(reply.find(eml.stem().string()) != std::string::npos);  // "queued as ID" names the file
  CHECK(without_received(read_file(eml)) == original);
  CHECK(read_file(eml).find("for <") == std::string::npos);  // two recipients: no "for" clause

  auto sidecar = nlohmann::json::parse(read_file(fs::path(eml).replace_extension(".json")));
  CHECK(sidecar["from"] == "sender@client.test");
  CHECK(sidecar["rcpts"] == nlohmann::json::array({"r1@localhost", "r2@far.invalid"}));
  CHECK(sidecar["helo"] == "client.test");
  CHECK(sidecar["auth_user"] == "alice");
  CHECK(sidecar["tls"] == false);
  CHECK(sidecar["size"] == original.size());
  CHECK(sidecar["client"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
  CHECK(sidecar["received_at"].get<std::string>().size() == 24);
  // No temporary files left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    CHECK(entry.path().extension() != ".tmp");
    ++files;
  }
  CHECK(files == 2);
}

TEST_CASE("BDAT chunks are stored exactly as sent") {
  TempDir dir;
  auto o = server_options();
  o.store_dir = dir.path.string();
  ServerUnderTest server(o);
  ServerTestClient c(server.port());
  greet(c);
  REQUIRE(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
  REQUIRE(reply_code(c.command("RCPT TO:<b@localhost>")) == 250);
  std::string part1 = "Subject: chunks\r\n\r\n.not stuffed\r\n";
  std::string part2 = "end\r\n";
  c.send("BDAT " + std::to_string(part1.size()) + "\r\n" + part1);
  CHECK(c.read_reply().rfind("250 2.0.0", 0) == 0);
  c.send("BDAT " + std::to_string(part2.size()) + " LAST\r\n" + part2);
  CHECK(c.read_reply().rfind("250 2.0.0 Ok: queued", 0) == 0);
  auto message = server.wait_event("message");
  REQUIRE(message.contains("path"));
  CHECK(without_received(read_file(message["path"].get<std::string>())) == part1 + part2);
}

TEST_CASE("faults on demand") {
  auto o = server_options();
  SUBCASE("greeting-delay holds the 220 back") {
    REQUIRE(add_fault("greeting-delay=400ms", &o.faults, nullptr));
    ServerUnderTest server(o);
    auto start = std::chrono::steady_clock::now();
    ServerTestClient c(server.port());
    CHECK(reply_code(c.read_reply()) == 220);
    CHECK(std::chrono::steady_clock::now() - start >= 380ms);
  }
  SUBCASE("banner=421 greets with 421 and closes") {
    REQUIRE(add_fault("banner=421", &o.faults, nullptr));
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    CHECK(c.read_reply().rfind("421 4.3.2", 0) == 0);
    CHECK(c.wait_closed());
  }
  SUBCASE("banner=554 greets with 554 and answers 503 until QUIT") {
    REQUIRE(add_fault("banner=554", &o.faults, nullptr));
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    CHECK(c.read_reply().rfind("554 ", 0) == 0);
    CHECK(c.command("EHLO client.test").rfind("503", 0) == 0);
    CHECK(c.command("QUIT").rfind("221", 0) == 0);
  }
  SUBCASE("ehlo-refused forces HELO") {
    REQUIRE(add_fault("ehlo-refused", &o.faults, nullptr));
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    REQUIRE(reply_code(c.read_reply()) == 220);
    CHECK(c.command("EHLO client.test").rfind("502 5.5.1", 0) == 0);
    CHECK(reply_code(c.command("HELO client.test")) == 250);
    CHECK(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
  }
  SUBCASE("greylist=mail answers MAIL with 451 4.7.1") {
    REQUIRE(add_fault("greylist=mail", &o.faults, nullptr));
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command("MAIL FROM:<a@client.test>").rfind("451 4.7.1", 0) == 0);
  }
  SUBCASE("greylist=rcpt answers RCPT with 451 4.7.1") {
    REQUIRE(add_fault("greylist=rcpt", &o.faults, nullptr));
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    greet(c);
    REQUIRE(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
    CHECK(c.command("RCPT TO:<b@localhost>").rfind("451 4.7.1", 0) == 0);
  }
  SUBCASE("unknown-user answers that recipient with 550 5.1.1, others with 250") {
    REQUIRE(add_fault("unknown-user=ghost@localhost", &o.faults, nullptr));
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    greet(c);
    REQUIRE(reply_code(c.command("MAIL FROM:<a@client.test>")) == 250);
    CHECK(c.command("RCPT TO:<Ghost@localhost>").rfind("550 5.1.1", 0) == 0);
    CHECK(reply_code(c.command("RCPT TO:<alive@localhost>")) == 250);
  }
  SUBCASE("drop-after=MAIL closes the connection without answering MAIL") {
    REQUIRE(add_fault("drop-after=MAIL", &o.faults, nullptr));
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command("MAIL FROM:<a@client.test>").empty());
    CHECK(c.wait_closed());
  }
  SUBCASE("tls-fail offers STARTTLS, says 220, and the handshake fails") {
    REQUIRE(add_fault("tls-fail", &o.faults, nullptr));
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    REQUIRE(reply_code(c.read_reply()) == 220);
    CHECK(c.command("EHLO client.test").find("STARTTLS") != std::string::npos);
    CHECK(reply_code(c.command("STARTTLS")) == 220);
    CHECK_FALSE(c.start_tls());
  }
  SUBCASE("tarpit delays every reply") {
    REQUIRE(add_fault("tarpit=200ms", &o.faults, nullptr));
    ServerUnderTest server(o);
    auto start = std::chrono::steady_clock::now();
    ServerTestClient c(server.port());
    greet(c);
    CHECK(reply_code(c.command("NOOP")) == 250);
    CHECK(std::chrono::steady_clock::now() - start >= 580ms);  // three replies
  }
  SUBCASE("421-after=1 ends the session at the second message") {
    REQUIRE(add_fault("421-after=1", &o.faults, nullptr));
    ServerUnderTest server(o);
    ServerTestClient c(server.port());
    greet(c);
    c.send("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@localhost>\r\nDATA\r\n");
    REQUIRE(reply_code(c.read_reply()) == 250);
    REQUIRE(reply_code(c.read_reply()) == 250);
    REQUIRE(reply_code(c.read_reply()) == 354);
    REQUIRE(reply_code(c.command("one\r\n.")) == 250);
    CHECK(c.command("MAIL FROM:<a@client.test>").rfind("421 4.7.0", 0) == 0);
    CHECK(c.wait_closed());
  }
}

TEST_CASE("stopping lets a transaction in flight finish and turns idle sessions away") {
  ServerUnderTest server(server_options());
  ServerTestClient busy(server.port()), idle(server.port());
  greet(busy);
  greet(idle);
  REQUIRE(reply_code(busy.command("MAIL FROM:<a@client.test>")) == 250);
  server.stop(5s);
  CHECK(idle.read_reply().rfind("421 4.3.2", 0) == 0);
  CHECK(reply_code(busy.command("RCPT TO:<b@localhost>")) == 250);
  CHECK(reply_code(busy.command("DATA")) == 354);
  CHECK(reply_code(busy.command("hello\r\n.")) == 250);
  // The transaction is done: the session is told goodbye and the server stops.
  CHECK(busy.read_reply().rfind("421 4.3.2", 0) == 0);
  CHECK(server.wait_stopped(5s));
  ServerTestClient late(server.port());
  CHECK_FALSE(late.connected());
}

TEST_CASE("fault specs, listen addresses and users files parse, and bad ones say why") {
  ServerFaults f;
  std::string why;
  CHECK(add_fault("greeting-delay=2s", &f, &why));
  CHECK(f.greeting_delay == 2000ms);
  CHECK(add_fault("tarpit=1.5s", &f, &why));
  CHECK(f.tarpit == 1500ms);
  CHECK(add_fault("421-after=3", &f, &why));
  CHECK(f.close_after_messages == 3u);
  CHECK(add_fault("drop-after=rcpt", &f, &why));
  CHECK(f.drop_after == "RCPT");
  CHECK_FALSE(add_fault("greylist=data", &f, &why));
  CHECK(why.find("greylist=mail or greylist=rcpt") != std::string::npos);
  CHECK_FALSE(add_fault("explode", &f, &why));
  CHECK(why.find("unknown fault") != std::string::npos);
  CHECK_FALSE(add_fault("tarpit=soon", &f, &why));

  auto a = parse_listen_address("[::1]:2600", 25, &why);
  REQUIRE(a);
  CHECK(a->host == "::1");
  CHECK(a->port == 2600);
  auto b = parse_listen_address("127.0.0.2", 2525, &why);
  REQUIRE(b);
  CHECK(b->port == 2525);
  auto v6 = parse_listen_address("::1", 2525, &why);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK_FALSE(parse_listen_address("127.0.0.1:99999", 25, &why));

  auto users = parse_users_text("# test users\nalice:pa:ss\r\n\nbob:\n", &why);
  REQUIRE(users);
  CHECK(users->passwords.at("alice") == "pa:ss");
  CHECK(users->passwords.at("bob") == "");
  CHECK_FALSE(parse_users_text("alice\n", &why));
  CHECK(why == "line 1: expected NAME:PASS");

  // Tokens in their own section; a section line has no ':', so a password is never one.
  users =
      parse_users_text("alice:pw\n[oauth2-tokens]\ncarol:ya29.t0k:en\n[passwords]\ndave:x\n", &why);
  REQUIRE(users);
  CHECK(users->passwords.size() == 2);
  CHECK(users->oauth_tokens.at("carol") == "ya29.t0k:en");
  CHECK_FALSE(users->passwords.count("carol"));
  CHECK_FALSE(parse_users_text("[oauth2-tokens]\ncarol:\n", &why));
  CHECK(why == "line 2: expected NAME:TOKEN");
  CHECK_FALSE(parse_users_text("[tokens]\n", &why));
  CHECK(why.starts_with("line 1: unknown section"));
  users = parse_users_text("[x]:pass\n", &why);  // a user named "[x]"
  REQUIRE(users);
  CHECK(users->passwords.at("[x]") == "pass");
}

TEST_CASE("a thousand concurrent sessions are each greeted and answered on one thread") {
  auto o = server_options();
  o.limits.max_connections = 2000;
  ServerUnderTest server(o);
  std::vector<std::unique_ptr<ServerTestClient>> clients;
  for (int i = 0; i < 1000; ++i) {
    clients.push_back(std::make_unique<ServerTestClient>(server.port()));
    REQUIRE(clients.back()->connected());
  }
  int greeted = 0, answered = 0;
  for (auto& c : clients) greeted += reply_code(c->read_reply()) == 220;
  for (auto& c : clients) c->send("NOOP\r\n");
  for (auto& c : clients) answered += reply_code(c->read_reply()) == 250;
  CHECK(greeted == 1000);
  CHECK(answered == 1000);
  CHECK(server.events("connect").size() == 1000);
}

TEST_CASE("garbage from a client gets a reply and bounded treatment, never a hang") {
  auto o = server_options();
  o.limits.idle_timeout = 400ms;
  ServerUnderTest server(o);

  SUBCASE("NUL bytes and binary junk are unrecognized commands") {
    ServerTestClient c(server.port());
    greet(c);
    c.send(std::string("\x00\xff\x01junk\r\n", 9));
    CHECK(c.read_reply().rfind("500 5.5.1", 0) == 0);
    CHECK(reply_code(c.command("NOOP")) == 250);
  }
  SUBCASE("a DATA line over 1000 octets fails the message with 500 5.5.2 after the dot") {
    ServerTestClient c(server.port());
    greet(c);
    c.send("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@localhost>\r\nDATA\r\n");
    REQUIRE(reply_code(c.read_reply()) == 250);
    REQUIRE(reply_code(c.read_reply()) == 250);
    REQUIRE(reply_code(c.read_reply()) == 354);
    c.send(std::string(5000, 'z') + "\r\nok\r\n.\r\n");
    CHECK(c.read_reply() == "500 5.5.2 Line too long\r\n");
    CHECK(server.events("message").empty());
  }
  SUBCASE("an AUTH response over 12288 octets is refused") {
    ServerTestClient c(server.port());
    greet(c);
    REQUIRE(reply_code(c.command("AUTH PLAIN")) == 334);
    CHECK(c.command(std::string(13000, 'Q')).rfind("500 5.5.6", 0) == 0);
    CHECK(reply_code(c.command("NOOP")) == 250);
  }
  SUBCASE("bad base64 in AUTH is a 501") {
    ServerTestClient c(server.port());
    greet(c);
    CHECK(c.command("AUTH PLAIN !!!notbase64").rfind("501", 0) == 0);
  }
  SUBCASE("a client that stalls inside DATA is timed out with 421 4.4.2") {
    ServerTestClient c(server.port());
    greet(c);
    c.send("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@localhost>\r\nDATA\r\n");
    REQUIRE(reply_code(c.read_reply()) == 250);
    REQUIRE(reply_code(c.read_reply()) == 250);
    REQUIRE(reply_code(c.read_reply()) == 354);
    c.send("Subject: half a message\r\n");
    CHECK(c.read_reply().rfind("421 4.4.2", 0) == 0);
    CHECK(c.wait_closed());
  }
}

TEST_CASE("--hide takes capabilities out of EHLO, and hidden STARTTLS/AUTH are refused") {
  auto o = server_options();
  REQUIRE(hide_capability("pipelining", &o.capabilities));
  REQUIRE(hide_capability("STARTTLS", &o.capabilities));
  REQUIRE(hide_capability("AUTH", &o.capabilities));
  CHECK_FALSE(hide_capability("TURBO", &o.capabilities));
  ServerUnderTest server(o);
  ServerTestClient c(server.port());
  REQUIRE(reply_code(c.read_reply()) == 220);
  std::string ehlo = c.command("EHLO client.test");
  CHECK(ehlo.find("PIPELINING") == std::string::npos);
  CHECK(ehlo.find("STARTTLS") == std::string::npos);
  CHECK(ehlo.find("AUTH") == std::string::npos);
  CHECK(ehlo.find("SIZE 10485760") != std::string::npos);
  CHECK(c.command("STARTTLS").rfind("502 5.5.1", 0) == 0);
  CHECK(c.command(auth_plain("alice", "s3cret")).rfind("502 5.5.1", 0) == 0);
}
