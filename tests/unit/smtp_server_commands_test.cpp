#include <doctest/doctest.h>

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
