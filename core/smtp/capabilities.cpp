// EHLO reply lines after the first are "keyword [params]" (RFC 5321 §4.1.1.1). We split each line
// into whitespace-separated tokens and compare the whole first token, so "STARTTLSX" never
// counts as STARTTLS. The pre-RFC 2554 form "AUTH=LOGIN PLAIN" (old Outlook/Exchange clients
// needed it) is folded into the same mechanism list.
#include "core/smtp/capabilities.hpp"

#include "core/base/ascii.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace smtpdoctor {

namespace {

using ascii::iequals;
using ascii::upper;

void add_mechanism(Capabilities& caps, std::string_view mechanism) {
  if (mechanism.empty()) return;
  std::string m = upper(mechanism);
  if (std::find(caps.auth.begin(), caps.auth.end(), m) == caps.auth.end()) caps.auth.push_back(m);
}

void add_keyword(Capabilities& caps, std::string keyword) {
  if (std::find(caps.keywords.begin(), caps.keywords.end(), keyword) == caps.keywords.end())
    caps.keywords.push_back(std::move(keyword));
}

// The keywords without parameters that we track, and the member each one sets.
constexpr std::pair<std::string_view, bool Capabilities::*> kFlags[] = {
    {"PIPELINING", &Capabilities::pipelining},
    {"8BITMIME", &Capabilities::eightbitmime},
    {"SMTPUTF8", &Capabilities::smtputf8},
    {"DSN", &Capabilities::dsn},
    {"CHUNKING", &Capabilities::chunking},
    {"BINARYMIME", &Capabilities::binarymime},
    {"ENHANCEDSTATUSCODES", &Capabilities::enhancedstatuscodes},
    {"STARTTLS", &Capabilities::starttls},
    {"REQUIRETLS", &Capabilities::requiretls},
};

bool Capabilities::*flag_for(std::string_view upper_keyword) {
  for (const auto& [name, member] : kFlags)
    if (name == upper_keyword) return member;
  return nullptr;
}

struct Meaning {
  std::string_view keyword;
  std::string_view meaning;
};

constexpr std::array kMeanings{
    Meaning{"SIZE", "the server announces the largest message it accepts, in octets (RFC 1870)"},
    Meaning{"AUTH", "the client may log in with the listed SASL mechanisms (RFC 4954)"},
    Meaning{"PIPELINING",
            "the client may send several commands without waiting for each reply (RFC 2920)"},
    Meaning{"8BITMIME", "the message may contain 8-bit text, not just 7-bit ASCII (RFC 6152)"},
    Meaning{"SMTPUTF8", "addresses and headers may contain UTF-8, e.g. non-ASCII names (RFC 6531)"},
    Meaning{"DSN", "the client may ask for delivery status notifications (RFC 3461)"},
    Meaning{"CHUNKING",
            "the message may be sent in sized chunks with BDAT instead of DATA (RFC 3030)"},
    Meaning{"BINARYMIME", "the message may contain raw binary data, sent with BDAT (RFC 3030)"},
    Meaning{"ENHANCEDSTATUSCODES",
            "replies carry detailed status codes such as 5.7.1 (RFC 2034, codes in RFC 3463)"},
    Meaning{"STARTTLS", "the connection can be upgraded to TLS encryption (RFC 3207)"},
    Meaning{"REQUIRETLS", "the client may demand TLS on every hop of the message (RFC 8689)"},
    Meaning{"VRFY", "the server may confirm whether an address exists (RFC 5321)"},
    Meaning{"EXPN", "the server may expand a mailing list into its members (RFC 5321)"},
    Meaning{"HELP", "the server answers HELP with information for people (RFC 5321)"},
    Meaning{"ETRN", "a client may ask the server to flush mail queued for a domain (RFC 1985)"},
    Meaning{"ATRN", "an authenticated client may take mail queued for it (RFC 2645)"},
    Meaning{"DELIVERBY", "the client may set a delivery deadline (RFC 2852)"},
    Meaning{"MT-PRIORITY", "the client may give the message a transfer priority (RFC 6710)"},
    Meaning{"FUTURERELEASE", "the client may ask for delivery to be held until later (RFC 4865)"},
    Meaning{"NO-SOLICITING",
            "the server declines solicitations with the given keywords (RFC 3865)"},
    Meaning{"BURL", "the message may be fetched from an IMAP URL instead of sent (RFC 4468)"},
    Meaning{"LIMITS", "the server announces limits such as recipients per transaction (RFC 9422)"},
    Meaning{"XCLIENT", "Postfix extension: a trusted proxy may pass the original client's details"},
    Meaning{"XFORWARD",
            "Postfix extension: a trusted filter may pass the original client's details"},
    Meaning{"X-EXPS", "Microsoft Exchange extension: authentication between Exchange servers"},
    Meaning{"XEXCH50", "Microsoft Exchange extension: Exchange-specific message properties"},
    Meaning{"X-ANONYMOUSTLS", "Microsoft Exchange extension: TLS between Exchange servers"},
    Meaning{"XRDST", "Microsoft Exchange extension: redirect of the submission to another server"},
    // The rest of IANA's SMTP Service Extensions registry: old, rare or experimental.
    Meaning{"SEND", "obsolete: deliver to a user's terminal instead of a mailbox (RFC 821)"},
    Meaning{"SOML", "obsolete: deliver to a terminal or else a mailbox (RFC 821)"},
    Meaning{"SAML", "obsolete: deliver to a terminal and a mailbox (RFC 821)"},
    Meaning{"TURN", "obsolete and unsafe: the two sides swap roles (RFC 821)"},
    Meaning{"VERB", "the server may report its delivery steps as it goes (Sendmail verbose mode)"},
    Meaning{"ONEX", "the client will send only one message in this session (Sendmail)"},
    Meaning{"CHECKPOINT", "an interrupted message transfer may resume where it stopped (RFC 1845)"},
    Meaning{"MTRK", "the client may ask to track the message's delivery (RFC 3885)"},
    Meaning{"CONPERM",
            "the message's content may be converted only if the client allows (RFC 4141)"},
    Meaning{"CONNEG", "the recipient's content capabilities may be negotiated (RFC 4141)"},
    Meaning{"UTF8SMTP", "old name of SMTPUTF8 from the experiment: UTF-8 addresses (RFC 5336)"},
    Meaning{"RRVS",
            "the client may require the recipient mailbox to be the one it was on a date "
            "(RFC 7293)"},
    // Common vendor keywords outside the registry.
    Meaning{"PIPECONNECT",
            "Exim extension: a client that saw this before may send EHLO without waiting for "
            "the greeting, saving a round trip"},
    Meaning{"X-LINK2STATE", "Microsoft Exchange extension: routing state between Exchange servers"},
    Meaning{"XSHADOW", "Microsoft Exchange extension: shadow redundancy between servers"},
    Meaning{"XOORG", "Microsoft Exchange extension: the message's originating organisation"},
    Meaning{"XPROXY", "Microsoft Exchange extension: the frontend proxies the client's session"},
    Meaning{"XPROXYFROM", "Microsoft Exchange extension: the frontend passes the client's details"},
    Meaning{"XUSR", "Microsoft Exchange extension: the submission comes from a user client"},
    Meaning{"XDFLG", "Microsoft Exchange extension: delivery flags between Exchange servers"},
    Meaning{"XRSET", "Microsoft Exchange extension: a reset that keeps the session state"},
    Meaning{"XSYSPROBE", "Microsoft Exchange extension: system probe messages"},
    Meaning{"X-RCPTLIMIT", "the server announces how many recipients one message may have"},
    Meaning{"XVERP", "Postfix/qmail extension: variable envelope return paths for bounces"},
};

}  // namespace

bool Capabilities::has_auth(std::string_view mechanism) const {
  return std::any_of(auth.begin(), auth.end(),
                     [&](const std::string& m) { return iequals(m, mechanism); });
}

std::optional<std::uint64_t> Capabilities::size_limit() const {
  if (size && *size > 0) return size;
  return std::nullopt;
}

Capabilities parse_capabilities(const Reply& ehlo_reply) {
  Capabilities caps;
  if (ehlo_reply.lines.empty()) return caps;

  std::string_view first = ehlo_reply.lines.front();
  std::size_t start = first.find_first_not_of(" \t");
  if (start != std::string_view::npos) {
    first = first.substr(start);
    std::size_t end = first.find_first_of(" \t");
    caps.greeting_domain = std::string(first.substr(0, end));
    if (end != std::string_view::npos) {
      std::size_t rest = first.find_first_not_of(" \t", end);
      if (rest != std::string_view::npos) caps.greeting_text = std::string(first.substr(rest));
    }
  }

  for (std::size_t i = 1; i < ehlo_reply.lines.size(); ++i) {
    const std::string& line = ehlo_reply.lines[i];
    auto words = ascii::words(line);
    if (words.empty()) continue;
    std::string keyword = upper(words[0]);

    // Old form: "AUTH=LOGIN PLAIN" — the first mechanism is glued to the keyword.
    if (keyword.starts_with("AUTH=")) {
      add_keyword(caps, "AUTH");
      add_mechanism(caps, std::string_view(words[0]).substr(5));
      for (std::size_t w = 1; w < words.size(); ++w) add_mechanism(caps, words[w]);
      continue;
    }

    add_keyword(caps, keyword);
    if (keyword == "AUTH") {
      for (std::size_t w = 1; w < words.size(); ++w) add_mechanism(caps, words[w]);
    } else if (keyword == "SIZE") {
      caps.size_advertised = true;
      if (words.size() > 1) {
        std::uint64_t n = 0;
        auto arg = words[1];
        auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
        if (ec == std::errc{} && end == arg.data() + arg.size()) caps.size = n;
      }
    } else if (auto flag = flag_for(keyword)) {
      caps.*flag = true;
    } else {
      caps.unknown.push_back(line);
    }
  }
  return caps;
}

std::string_view capability_meaning(std::string_view keyword) {
  // Accept a whole capability line or the old "AUTH=..." form as well as a bare keyword.
  std::size_t end = keyword.find_first_of(" \t=");
  if (end != std::string_view::npos) keyword = keyword.substr(0, end);
  for (const auto& m : kMeanings)
    if (iequals(m.keyword, keyword)) return m.meaning;
  return {};
}

}  // namespace smtpdoctor
