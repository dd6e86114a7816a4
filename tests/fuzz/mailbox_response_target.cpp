// What a POP3 or IMAP server answers the login conversations: each input line is one line the
// server sent (LineConnection has cut it at LF and bounded it).
#include "core/base/ascii.hpp"
#include "core/mailbox/mail_responses.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {

void mailbox_response(std::string_view input) {
  std::vector<std::string> capabilities;
  for (auto line : lines_of(input)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (auto pop = parse_pop_line(line)) {
      SMTPDOCTOR_FUZZ_CHECK(pop->text.size() <= line.size());
      SMTPDOCTOR_FUZZ_CHECK(pop->ok || ascii::istarts_with(line, "-ERR"));
      auto [code, text] = split_response_code(pop->text);
      SMTPDOCTOR_FUZZ_CHECK(code.size() + text.size() <= pop->text.size());
    }

    ImapLine imap = parse_imap_line(line, "a1");
    if (imap.kind == ImapLineKind::tagged) {
      SMTPDOCTOR_FUZZ_CHECK(imap.status == "OK" || imap.status == "NO" || imap.status == "BAD");
      SMTPDOCTOR_FUZZ_CHECK(line.starts_with("a1 "));
      auto [code, text] = split_response_code(imap.text);
      SMTPDOCTOR_FUZZ_CHECK(code.find(' ') == std::string::npos);
    }
    if (imap.capabilities) {
      for (const auto& word : *imap.capabilities) {
        SMTPDOCTOR_FUZZ_CHECK(!word.empty() && word.find(' ') == std::string::npos);
        SMTPDOCTOR_FUZZ_CHECK(has_capability(*imap.capabilities, word));
        capabilities.push_back(word);
      }
    }
    // The greeting "* OK [CAPABILITY ...]" and CAPA lines.
    capability_words(line);
    pop_offers({std::string(line)}, "STLS");
    pop_offers_sasl({std::string(line)}, "PLAIN");

    // What we would send back: a quoted string holds no line break and ends as it began.
    if (auto quoted = imap_quote(line)) {
      SMTPDOCTOR_FUZZ_CHECK(quoted->size() >= 2 && quoted->front() == '"' && quoted->back() == '"');
      SMTPDOCTOR_FUZZ_CHECK(quoted->find_first_of(std::string_view("\r\n\0", 3)) ==
                            std::string::npos);
    }
  }
  has_capability(capabilities, "STARTTLS");
}

}  // namespace smtpdoctor::fuzz
