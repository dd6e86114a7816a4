#include "core/diagnosis/egress_identity.hpp"

#include <doctest/doctest.h>

using namespace smtpdoctor;

namespace {
Reply reply(int code, std::vector<std::string> lines) {
  Reply r;
  r.code = code;
  r.lines = std::move(lines);
  return r;
}
}  // namespace

TEST_CASE("the address Exim and Sendmail echo after Hello is taken from the EHLO reply") {
  CHECK(echoed_address_in_line("mx.example.com Hello foo.example [198.51.100.7]") ==
        "198.51.100.7");
  CHECK(echoed_address_in_line("mx.example.com Hello foo [198.51.100.7], pleased to meet you") ==
        "198.51.100.7");
}

TEST_CASE("Gmail's 'at your service' echo gives our address, IPv4 or IPv6") {
  CHECK(echoed_address_in_line("smtp.gmail.com at your service, [198.51.100.7]") == "198.51.100.7");
  CHECK(echoed_address_in_line("mx.google.com at your service, [2001:DB8:0:0::1]") ==
        "2001:db8::1");
}

TEST_CASE("Exchange's [IPv6:...] form is read and the address canonicalised") {
  CHECK(echoed_address_in_line("BN8PR01.outlook.com Hello [IPv6:2001:db8:0::1]") == "2001:db8::1");
  CHECK(echoed_address_in_line("mx Hello [ipv6:::ffff:198.51.100.7]") == "::ffff:198.51.100.7");
}

TEST_CASE("a bare address after Hello or in parentheses is accepted") {
  CHECK(echoed_address_in_line("mail.example.net Hello 203.0.113.9") == "203.0.113.9");
  CHECK(echoed_address_in_line("mail.example.net says hi (203.0.113.9)") == "203.0.113.9");
}

TEST_CASE("the server's own name or address as the first word is never taken as ours") {
  CHECK_FALSE(echoed_address_in_line("[192.0.2.1] ESMTP ready").has_value());
  CHECK_FALSE(echoed_address_in_line("192.0.2.1 ESMTP ready").has_value());
  CHECK_FALSE(echoed_address_in_line("mx.example.org").has_value());
  CHECK_FALSE(echoed_address_in_line("").has_value());
}

TEST_CASE("brackets that hold no address, and garbage, give nothing") {
  CHECK_FALSE(echoed_address_in_line("mx Hello [foo.example]").has_value());
  CHECK_FALSE(echoed_address_in_line("mx Hello [999.1.1.1]").has_value());
  CHECK_FALSE(echoed_address_in_line("mx ESMTP Postfix (Debian/GNU)").has_value());
  CHECK_FALSE(echoed_address_in_line("mx Hello [" + std::string(5000, '1') + "]").has_value());
}

TEST_CASE("the EHLO reply wins over the greeting; the greeting is the fallback") {
  auto ehlo = reply(250, {"mx.example.com Hello x [198.51.100.7]", "PIPELINING"});
  auto greeting = reply(220, {"mx.example.com ESMTP; client 203.0.113.5"});
  CHECK(echoed_client_address(ehlo, greeting) == "198.51.100.7");
  auto silent_ehlo = reply(250, {"mx.example.com", "PIPELINING", "SIZE 1000"});
  CHECK(echoed_client_address(silent_ehlo, greeting) == "203.0.113.5");
  CHECK_FALSE(echoed_client_address(silent_ehlo, reply(220, {"mx ESMTP"})).has_value());
  CHECK_FALSE(echoed_client_address(std::nullopt, std::nullopt).has_value());
}

TEST_CASE("only an address the internet could see counts as global") {
  for (auto a :
       {"198.51.100.7", "10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "100.64.0.1",
        "169.254.1.1", "::1", "fd00::1", "fe80::1", "2001:db8::1", "::ffff:10.0.0.1", "0.0.0.0"})
    CHECK_MESSAGE(!is_global_address(a), a);
  for (auto a : {"8.8.8.8", "1.1.1.1", "2a00:1450:4001::1", "172.32.0.1", "::ffff:8.8.4.4"})
    CHECK_MESSAGE(is_global_address(a), a);
  CHECK_FALSE(is_global_address("not an address"));
}

TEST_CASE("DNSBL query names reverse the address under the list's zone (RFC 5782)") {
  CHECK(dnsbl_query_name("198.51.100.7", "zen.spamhaus.org") == "7.100.51.198.zen.spamhaus.org");
  CHECK(dnsbl_query_name("127.0.0.2", "dnsbl.smtpdoctor.test.") ==
        "2.0.0.127.dnsbl.smtpdoctor.test");
  auto v6 = dnsbl_query_name("2001:db8::1", "bl.example");
  REQUIRE(v6);
  CHECK(v6->rfind("1.0.0.0.", 0) == 0);
  CHECK(v6->size() == 64 + std::string("bl.example").size());
  CHECK_FALSE(dnsbl_query_name("not-an-ip", "zen.spamhaus.org"));
  CHECK_FALSE(dnsbl_query_name("198.51.100.7", ""));
  CHECK_FALSE(dnsbl_query_name("198.51.100.7", "bad zone!"));
}

TEST_CASE("a DNSBL answer in 127.0.0.0/8 is a listing; Spamhaus' 127.255.255.x is a refusal") {
  DnsAnswer<AddressRecord> answer;
  answer.status = DnsStatus::nxdomain;
  CHECK(classify_dnsbl_answer(answer) == DnsblListing::not_listed);
  answer.status = DnsStatus::ok;
  answer.records = {{"127.0.0.2"}, {"127.0.0.10"}};
  CHECK(classify_dnsbl_answer(answer) == DnsblListing::listed);
  answer.records = {{"127.255.255.254"}};
  CHECK(classify_dnsbl_answer(answer) == DnsblListing::refused_query);
  answer.records = {{"198.51.100.1"}};  // a wildcarding resolver, not the list
  CHECK(classify_dnsbl_answer(answer) == DnsblListing::unexpected_answer);
  answer.status = DnsStatus::timeout;
  answer.records.clear();
  CHECK(classify_dnsbl_answer(answer) == DnsblListing::unexpected_answer);
}
