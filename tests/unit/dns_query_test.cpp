// The DNSSEC-aware query (core/dns/dns_query.hpp): the bytes a validating resolver needs to see
// (AD, CD, an OPT record with DO) and the answer header bits read back.
#include "core/dns/dns_query.hpp"

#include <doctest/doctest.h>

#include <vector>

namespace smtpdoctor {

TEST_CASE("a DNSSEC query sets RD and AD in the header and DO in an OPT record") {
  QueryFlags flags{.recursion_desired = true, .authentic_data = true, .dnssec_ok = true};
  auto query = build_query("_25._tcp.mx.example.org", 52, 0x1234, flags);
  REQUIRE(query);
  const std::vector<unsigned char> header{0x12, 0x34, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 1};
  CHECK(std::vector<unsigned char>(query->begin(), query->begin() + 12) == header);
  // The name as labels, then type 52 class IN.
  const std::vector<unsigned char> question{3,   '_', '2', '5', 4,   '_', 't', 'c', 'p', 2,
                                            'm', 'x', 7,   'e', 'x', 'a', 'm', 'p', 'l', 'e',
                                            3,   'o', 'r', 'g', 0,   0,   52,  0,   1};
  CHECK(std::vector<unsigned char>(query->begin() + 12, query->begin() + 12 + question.size()) ==
        question);
  // OPT: root name, type 41, payload 1232, rcode/version 0, DO, no options.
  const std::vector<unsigned char> opt{0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0};
  CHECK(std::vector<unsigned char>(query->end() - 11, query->end()) == opt);
  CHECK(query->size() == 12 + question.size() + opt.size());
}

TEST_CASE("checking disabled sets CD; a plain query has no OPT record") {
  QueryFlags cd{.authentic_data = true, .checking_disabled = true, .dnssec_ok = true};
  auto with_cd = build_query("example.org.", 15, 1, cd);
  REQUIRE(with_cd);
  CHECK((*with_cd)[3] == 0x30);
  auto plain = build_query("example.org", 15, 1, QueryFlags{});
  REQUIRE(plain);
  CHECK((*plain)[3] == 0x00);
  CHECK((*plain)[11] == 0);  // ARCOUNT
  CHECK(plain->size() == 12 + 13 + 4);
}

TEST_CASE("names that cannot be encoded give no query") {
  CHECK_FALSE(build_query("a..b", 1, 1, QueryFlags{}));
  CHECK_FALSE(build_query(".a", 1, 1, QueryFlags{}));
  CHECK_FALSE(build_query(std::string(64, 'a') + ".org", 1, 1, QueryFlags{}));
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  CHECK_FALSE(build_query(long_name, 1, 1, QueryFlags{}));
  CHECK(build_query(std::string(63, 'a') + ".org", 1, 1, QueryFlags{}));
}

TEST_CASE("the answer header gives RCODE, AD and TC") {
  const std::vector<unsigned char> secure{0xab, 0xcd, 0x81, 0xa0, 0, 1, 0, 1, 0, 0, 0, 1};
  auto header = read_answer_header(secure);
  REQUIRE(header);
  CHECK(header->id == 0xabcd);
  CHECK(header->response);
  CHECK(header->authentic_data);
  CHECK_FALSE(header->truncated);
  CHECK(header->rcode == 0);
  const std::vector<unsigned char> servfail{0, 1, 0x83, 0x82, 0, 1, 0, 0, 0, 0, 0, 0};
  header = read_answer_header(servfail);
  REQUIRE(header);
  CHECK(header->truncated);
  CHECK_FALSE(header->authentic_data);
  CHECK(header->rcode == 2);
  const std::vector<unsigned char> short_message{0, 1, 0x81};
  CHECK_FALSE(read_answer_header(short_message));
}

}  // namespace smtpdoctor
