// The fuzz targets: one function per parser that sees bytes from outside (a server's replies, a
// client's commands, DNS answers, pasted text), each feeding the input to the parser and checking
// what must hold of its result. libFuzzer calls them from fuzz_entry.cpp (one executable per
// target, clang only); the normal build runs every saved input through them in
// tests/unit/fuzz_regressions_test.cpp, so a regression is caught by `ctest -L unit` too.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smtpdoctor::fuzz {

// A broken invariant: thrown, so libFuzzer reports it as a crash (uncaught) and doctest as a
// failed check naming the input.
struct InvariantBroken : std::logic_error {
  using std::logic_error::logic_error;
};

#define SMTPDOCTOR_FUZZ_CHECK(condition)                                                     \
  do {                                                                                       \
    if (!(condition))                                                                        \
      throw ::smtpdoctor::fuzz::InvariantBroken(std::string(__FILE__) + ":" +                \
                                                std::to_string(__LINE__) + ": " #condition); \
  } while (0)

// The input's lines, split at LF (a CR before it kept), the last one even without LF.
std::vector<std::string_view> lines_of(std::string_view input);

void reply(std::string_view input);
void capabilities(std::string_view input);
void server_command(std::string_view input);
void data_framing(std::string_view input);
void bdat_framing(std::string_view input);
void address(std::string_view input);
void sasl(std::string_view input);
void dns_answer(std::string_view input);
void mail_auth_records(std::string_view input);
void mailbox_response(std::string_view input);
void explain(std::string_view input);
void proxy_reply(std::string_view input);
void http_response(std::string_view input);
void mta_sts_policy(std::string_view input);

struct Target {
  std::string_view name;  // fuzz_<name>, tests/fuzz/corpus/<name>, tests/fuzz/regressions/<name>
  void (*run)(std::string_view input);
};

inline constexpr Target kTargets[] = {
    {"reply", reply},
    {"capabilities", capabilities},
    {"server_command", server_command},
    {"data_framing", data_framing},
    {"bdat_framing", bdat_framing},
    {"address", address},
    {"sasl", sasl},
    {"dns_answer", dns_answer},
    {"mail_auth_records", mail_auth_records},
    {"mailbox_response", mailbox_response},
    {"explain", explain},
    {"proxy_reply", proxy_reply},
    {"http_response", http_response},
    {"mta_sts_policy", mta_sts_policy},
};

}  // namespace smtpdoctor::fuzz
