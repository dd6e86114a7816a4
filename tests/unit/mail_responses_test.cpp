#include <doctest/doctest.h>

#include "core/mailbox/mail_responses.hpp"

using namespace smtpdoctor;

TEST_CASE("a POP3 server's +OK and -ERR lines, and its SASL continuation") {
  auto ok = parse_pop_line("+OK Dovecot ready.");
  REQUIRE(ok);
  CHECK(ok->ok);
  CHECK(ok->text == "Dovecot ready.");
  auto err = parse_pop_line("-err [AUTH] Authentication failed.");
  REQUIRE(err);
  CHECK_FALSE(err->ok);
  CHECK(err->text == "[AUTH] Authentication failed.");
  auto bare = parse_pop_line("+OK");
  REQUIRE(bare);
  CHECK(bare->text.empty());
  for (std::string_view continuation : {"+", "+ ", "+ dXNlcm5hbWU6"}) {
    auto plus = parse_pop_line(continuation);
    REQUIRE(plus);
    CHECK(plus->ok);
    CHECK(plus->text == "+");
  }
  CHECK_FALSE(parse_pop_line("* OK IMAP4rev1 ready"));
  CHECK_FALSE(parse_pop_line(""));
}

TEST_CASE("POP3 CAPA lines offer STLS and SASL mechanisms as whole words") {
  std::vector<std::string> capa{"TOP", "STLS", "SASL  PLAIN LOGIN", "USER"};
  CHECK(pop_offers(capa, "stls"));
  CHECK_FALSE(pop_offers(capa, "UIDL"));
  CHECK(pop_offers_sasl(capa, "plain"));
  CHECK_FALSE(pop_offers_sasl(capa, "CRAM-MD5"));
  CHECK_FALSE(pop_offers_sasl({"SASLPLAIN"}, "PLAIN"));
}

TEST_CASE("IMAP lines: continuation, untagged data, the tagged status, anything else") {
  CHECK(parse_imap_line("+", "a1").kind == ImapLineKind::continuation);
  CHECK(parse_imap_line("+ ", "a1").kind == ImapLineKind::continuation);

  auto untagged = parse_imap_line("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN", "a1");
  CHECK(untagged.kind == ImapLineKind::untagged);
  REQUIRE(untagged.capabilities);
  CHECK(*untagged.capabilities == std::vector<std::string>{"IMAP4rev1", "STARTTLS", "AUTH=PLAIN"});
  CHECK_FALSE(parse_imap_line("* 3 EXISTS", "a1").capabilities);

  auto tagged = parse_imap_line("a1 ok [CAPABILITY IMAP4rev1 SASL-IR] Logged in", "a1");
  CHECK(tagged.kind == ImapLineKind::tagged);
  CHECK(tagged.status == "OK");
  CHECK(tagged.text == "[CAPABILITY IMAP4rev1 SASL-IR] Logged in");
  REQUIRE(tagged.capabilities);
  CHECK(tagged.capabilities->size() == 2);
  auto no = parse_imap_line("a1 NO", "a1");
  CHECK(no.kind == ImapLineKind::tagged);
  CHECK(no.text.empty());

  CHECK(parse_imap_line("a1 MAYBE later", "a1").kind == ImapLineKind::invalid);
  CHECK(parse_imap_line("a2 OK done", "a1").kind == ImapLineKind::invalid);
  CHECK(parse_imap_line("a1", "a1").kind == ImapLineKind::invalid);
  CHECK(parse_imap_line("a1x OK", "a1").kind == ImapLineKind::invalid);
  CHECK(parse_imap_line("", "a1").kind == ImapLineKind::invalid);
}

TEST_CASE("an IMAP greeting's capabilities, with or without the response-code brackets") {
  CHECK(capability_words("[CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.") ==
        std::vector<std::string>{"IMAP4rev1", "STARTTLS"});
  CHECK(capability_words("capability  IMAP4rev1") == std::vector<std::string>{"IMAP4rev1"});
  CHECK_FALSE(capability_words("[CAPABILITY IMAP4rev1"));
  CHECK_FALSE(capability_words("Dovecot ready."));
  CHECK(has_capability({"IMAP4rev1", "LOGINDISABLED"}, "logindisabled"));
  CHECK_FALSE(has_capability({"IMAP4rev1"}, "IMAP4"));
}
