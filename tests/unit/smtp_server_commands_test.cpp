#include <doctest/doctest.h>

#include "core/server/bdat_framing.hpp"
#include "core/server/smtp_server_commands.hpp"

using namespace smtpdoctor;

TEST_CASE("the server reads a MAIL FROM line's verb, path and parameters") {
  CommandLine mail = split_command("mail FROM:<Alice@Example.ORG> SIZE=10  body=8BITMIME ");
  CHECK(mail.verb == Verb::mail);
  CHECK(mail.name == "MAIL");
  auto path = parse_path_argument(mail.argument, "FROM");
  REQUIRE(path);
  CHECK(path->path == "Alice@Example.ORG");
  REQUIRE(path->params.size() == 2);
  CHECK(path->params[1] == std::pair<std::string, std::string>{"BODY", "8BITMIME"});
  CHECK(split_command("XYZZY now").verb == Verb::unknown);
}

TEST_CASE("the relay check's domain is the mailbox's, address literals and quotes included") {
  CHECK(mailbox_domain("bob@Example.ORG") == "example.org");
  CHECK(mailbox_domain("\"bob@evil.test\"@example.org") == "example.org");
  CHECK(mailbox_domain("bob@[192.0.2.1]") == "[192.0.2.1]");
  // Found by fuzzing: a general address literal may hold '@'; it is part of the domain.
  CHECK(mailbox_domain("bob@[x-tag:a@local.test]") == "[x-tag:a@local.test]");
  CHECK(mailbox_domain("\"a@[b\"@[x-tag:c@d]") == "[x-tag:c@d]");
  CHECK(mailbox_domain("postmaster").empty());
}

TEST_CASE("BDAT's argument: a 64-bit size of digits only, and LAST in any case") {
  CHECK(parse_bdat_argument("1000") == BdatCommand{1000, false});
  CHECK(parse_bdat_argument("0 last") == BdatCommand{0, true});
  CHECK(parse_bdat_argument("18446744073709551615 LAST") ==
        BdatCommand{18446744073709551615ull, true});
  for (const char* bad : {"", " 10", "+10", "-1", "10 ", "10 LAST ", "10 FIRST", "0x10",
                          "18446744073709551616", "1e3", "10\tLAST"})
    CHECK_MESSAGE(!parse_bdat_argument(bad), std::string(bad));
}

TEST_CASE("BDAT chunks end where the count says, whatever the reads bring") {
  BdatFraming bdat(10);
  bdat.start_chunk(4);
  CHECK(bdat.feed("ab") == 2);
  CHECK(!bdat.chunk_done());
  // The rest of the chunk and the next command in one read: only the chunk is taken, and a
  // ".\r\n" inside it means nothing.
  CHECK(bdat.feed(".\r\nBDAT 3 LAST\r\n") == 2);
  CHECK(bdat.chunk_done());
  CHECK(bdat.message() == "ab.\r");
  bdat.start_chunk(0);
  CHECK(bdat.chunk_done());
  CHECK(bdat.feed("QUIT\r\n") == 0);
  // Past the limit: still read to the end of the chunk, nothing kept.
  bdat.start_chunk(7);
  CHECK(bdat.feed("1234567") == 7);
  CHECK(bdat.chunk_done());
  CHECK(bdat.too_big());
  CHECK(bdat.message().empty());
}
