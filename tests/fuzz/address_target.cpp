// RFC 5321 mailboxes, as a user types them (--from, --to) and as a client sends them to the
// server (MAIL FROM:<...>), and the command builders that must never let a line break through.
#include "core/smtp/address.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

void check_command(const std::optional<std::string>& command) {
  if (!command) return;
  SMTPDOCTOR_FUZZ_CHECK(command->ends_with("\r\n"));
  // Exactly one line: no CR, LF or NUL before the final CRLF (no command injection).
  SMTPDOCTOR_FUZZ_CHECK(!has_line_break(std::string_view(*command).substr(0, command->size() - 2)));
}

}  // namespace

void address(std::string_view input) {
  std::optional<Mailbox> ascii_only;
  for (bool utf8 : {false, true}) {
    std::string why;
    auto mailbox = parse_mailbox(input, utf8, &why);
    if (!mailbox) {
      SMTPDOCTOR_FUZZ_CHECK(!why.empty());
      SMTPDOCTOR_FUZZ_CHECK(!(utf8 && ascii_only));  // SMTPUTF8 only ever allows more
    } else {
      SMTPDOCTOR_FUZZ_CHECK(mailbox->str() == input);
      SMTPDOCTOR_FUZZ_CHECK(input.size() <= 254);
      SMTPDOCTOR_FUZZ_CHECK(!mailbox->local_part.empty() && mailbox->local_part.size() <= 64);
      SMTPDOCTOR_FUZZ_CHECK(!mailbox->domain.empty() && mailbox->domain.size() <= 255);
      SMTPDOCTOR_FUZZ_CHECK(!has_line_break(input));
    }
    if (!utf8) ascii_only = mailbox;

    auto from = mail_from_command(input, {}, utf8);
    SMTPDOCTOR_FUZZ_CHECK(from.has_value() == (input.empty() || mailbox.has_value()));
    check_command(from);
    check_command(rcpt_to_command(input, {}, utf8));
    // The input as a parameter and as a verb's argument.
    check_command(mail_from_command("a@b.example", {std::string(input)}, utf8));
    check_command(simple_command("EHLO", input));
    check_command(simple_command(input));
  }
}

}  // namespace smtpdoctor::fuzz
