// The resolver's pure parts: reading --dns-server, checking names before they go on the wire,
// reverse-lookup names, and turning answer bytes into records (hand-built DNS messages, so
// hostile or odd answers can be tried without a server).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/dns/dns_name.hpp"
#include "core/dns/dns_parse.hpp"
#include "core/dns/dns_records.hpp"

using namespace smtpdoctor;

namespace {

// A tiny DNS message builder: one question, then answers appended by the test.
struct Message {
  std::vector<unsigned char> bytes;
  int answers = 0;

  Message(const std::string& qname, std::uint16_t qtype, int rcode = 0) {
    bytes = {0x12, 0x34, 0x81, std::uint8_t(0x80 | rcode), 0, 1, 0, 0, 0, 0, 0, 0};
    name(qname);
    u16(qtype);
    u16(1);
  }
  void u16(std::uint16_t v) {
    bytes.push_back(v >> 8);
    bytes.push_back(v & 0xff);
  }
  void u32(std::uint32_t v) {
    u16(v >> 16);
    u16(v & 0xffff);
  }
  void name(const std::string& n) {
    std::size_t start = 0;
    while (start < n.size()) {
      auto dot = n.find('.', start);
      if (dot == std::string::npos) dot = n.size();
      bytes.push_back(std::uint8_t(dot - start));
      bytes.insert(bytes.end(), n.begin() + start, n.begin() + dot);
      start = dot + 1;
    }
    bytes.push_back(0);
  }
  std::vector<unsigned char> encoded_name(const std::string& n) {
    Message scratch("x", 1);
    scratch.bytes.clear();
    scratch.name(n);
    return scratch.bytes;
  }
  // An answer record; owner is always the question name (compression pointer to offset 12).
  void answer(std::uint16_t type, const std::vector<unsigned char>& rdata,
              std::uint32_t ttl = 300) {
    bytes.push_back(0xc0);
    bytes.push_back(12);
    u16(type);
    u16(1);
    u32(ttl);
    u16(std::uint16_t(rdata.size()));
    bytes.insert(bytes.end(), rdata.begin(), rdata.end());
    ++answers;
    bytes[6] = std::uint8_t(answers >> 8);
    bytes[7] = std::uint8_t(answers & 0xff);
  }
  void mx(std::uint16_t preference, const std::string& exchange) {
    std::vector<unsigned char> rdata = {std::uint8_t(preference >> 8),
                                        std::uint8_t(preference & 0xff)};
    auto n = encoded_name(exchange);
    rdata.insert(rdata.end(), n.begin(), n.end());
    answer(15, rdata);
  }
  void txt(const std::vector<std::string>& strings) {
    std::vector<unsigned char> rdata;
    for (auto& s : strings) {
      rdata.push_back(std::uint8_t(s.size()));
      rdata.insert(rdata.end(), s.begin(), s.end());
    }
    answer(16, rdata);
  }
  DnsMessage view() const { return DnsMessage(bytes); }
};

}  // namespace

TEST_CASE("--dns-server accepts IPv4 and IPv6 addresses with or without a port") {
  auto v4 = parse_dns_server("127.0.0.1:5353");
  REQUIRE(v4.ok());
  CHECK(v4->address == "127.0.0.1");
  CHECK(v4->port == 5353);
  CHECK(v4->to_string() == "127.0.0.1:5353");

  auto plain = parse_dns_server("127.0.0.1");
  REQUIRE(plain.ok());
  CHECK(plain->port == 53);

  auto v6 = parse_dns_server("[::1]:5353");
  REQUIRE(v6.ok());
  CHECK(v6->address == "::1");
  CHECK(v6->port == 5353);
  CHECK(v6->to_string() == "[::1]:5353");

  auto bare_v6 = parse_dns_server("::1");
  REQUIRE(bare_v6.ok());
  CHECK(bare_v6->port == 53);
  CHECK(parse_dns_server("[2001:db8::53]")->port == 53);
}

TEST_CASE("a bad --dns-server is a usage error that names the problem") {
  for (const char* bad :
       {"", "dns.example.org", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:53x",
        "[::1", "[::1]5353", "[127.0.0.1]:53", "::1:zz", "256.1.1.1", "127.0.0.1:-1"}) {
    CAPTURE(bad);
    auto server = parse_dns_server(bad);
    REQUIRE_FALSE(server.ok());
    CHECK(server.error().kind == ErrorKind::usage);
    CHECK(server.error().message.find("invalid DNS server") != std::string::npos);
  }
}

TEST_CASE("only well-formed names are sent to the DNS server") {
  CHECK(is_valid_dns_name("example.org"));
  CHECK(is_valid_dns_name("example.org."));
  CHECK(is_valid_dns_name("_dmarc.example.org"));
  CHECK(is_valid_dns_name("_25._tcp.mx.example.org"));
  CHECK(is_valid_dns_name("localhost"));
  CHECK_FALSE(is_valid_dns_name(""));
  CHECK_FALSE(is_valid_dns_name("."));
  CHECK_FALSE(is_valid_dns_name("a..b"));
  CHECK_FALSE(is_valid_dns_name(".example.org"));
  CHECK_FALSE(is_valid_dns_name("exa mple.org"));
  CHECK_FALSE(is_valid_dns_name("user@example.org"));
  CHECK_FALSE(is_valid_dns_name(std::string("a\0b", 3)));
  CHECK_FALSE(is_valid_dns_name(std::string(64, 'a') + ".org"));
  CHECK(is_valid_dns_name(std::string(63, 'a') + ".org"));
  std::string long_name;
  while (long_name.size() < 260) long_name += "abcdefghi.";
  CHECK_FALSE(is_valid_dns_name(long_name));
}

TEST_CASE("the PTR of an address is looked up under in-addr.arpa or ip6.arpa") {
  CHECK(reverse_lookup_name("192.0.2.7") == "7.2.0.192.in-addr.arpa");
  CHECK(reverse_lookup_name("::1") ==
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
  CHECK(reverse_lookup_name("2001:db8::567:89ab") ==
        "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  CHECK_FALSE(reverse_lookup_name("mx.example.org").has_value());
  CHECK_FALSE(reverse_lookup_name("192.0.2.300").has_value());
}

TEST_CASE("DNS statuses have distinct stable names and readable messages") {
  CHECK(dns_status_name(DnsStatus::nxdomain) == "nxdomain");
  CHECK(dns_status_name(DnsStatus::nodata) == "nodata");
  CHECK(dns_status_name(DnsStatus::servfail) == "servfail");
  CHECK(dns_status_name(DnsStatus::refused) == "refused");
  CHECK(dns_status_name(DnsStatus::timeout) == "timeout");
  std::error_code code = DnsStatus::nxdomain;
  CHECK(code.category().name() == std::string("dns"));
  CHECK(code.message().find("does not exist") != std::string::npos);

  auto timeout = dns_error(DnsStatus::timeout, "");
  CHECK(timeout.kind == ErrorKind::timeout);
  CHECK(timeout.code == DnsStatus::timeout);
  CHECK(timeout.message == "the DNS server did not answer in time");
  auto servfail = dns_error(DnsStatus::servfail, "MX lookup of example.org: SERVFAIL");
  CHECK(servfail.kind == ErrorKind::resolve);
  CHECK(servfail.stage == Stage::resolve);
  CHECK(servfail.message == "MX lookup of example.org: SERVFAIL");
}

TEST_CASE("MX records come back sorted by preference, null MX as '.'") {
  Message message("example.org", 15);
  message.mx(20, "mx2.example.org");
  message.mx(10, "mx1.example.org");
  auto answer = parse_mx_answer(message.view(), {});
  REQUIRE(answer.ok());
  REQUIRE(answer.records.size() == 2);
  CHECK(answer.records[0].preference == 10);
  CHECK(answer.records[0].exchange == "mx1.example.org");
  CHECK(answer.records[1].exchange == "mx2.example.org");

  Message null_mx("example.org", 15);
  null_mx.mx(0, "");
  auto nulled = parse_mx_answer(null_mx.view(), {});
  REQUIRE(nulled.ok());
  REQUIRE(nulled.records.size() == 1);
  CHECK(nulled.records[0].is_null());
}

TEST_CASE("an answer with more records than the cap keeps the cap and says it was truncated") {
  Message message("example.org", 15);
  for (int i = 9; i >= 0; --i)
    message.mx(std::uint16_t(i), "mx" + std::to_string(i) + ".example.org");
  auto answer = parse_mx_answer(message.view(), {.max_records = 3});
  REQUIRE(answer.ok());
  REQUIRE(answer.records.size() == 3);
  CHECK(answer.truncated);
  CHECK(answer.records[0].exchange == "mx0.example.org");  // the most preferred are kept
  CHECK(answer.records[2].exchange == "mx2.example.org");

  Message a("example.org", 1);
  for (int i = 0; i < 5; ++i) a.answer(1, {127, 0, 0, std::uint8_t(i + 1)});
  auto exact = parse_a_answer(a.view(), {.max_records = 5});
  CHECK(exact.records.size() == 5);
  CHECK_FALSE(exact.truncated);
  auto capped = parse_a_answer(a.view(), {.max_records = 4});
  CHECK(capped.records.size() == 4);
  CHECK(capped.truncated);
}

TEST_CASE("A and AAAA answers give addresses with their TTL") {
  Message a("mx.example.org", 1);
  a.answer(1, {192, 0, 2, 25}, 3600);
  auto v4 = parse_a_answer(a.view(), {});
  REQUIRE(v4.ok());
  CHECK(v4.records[0].address == "192.0.2.25");
  CHECK(v4.records[0].ttl == 3600);

  Message aaaa("mx.example.org", 28);
  aaaa.answer(28, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25});
  auto v6 = parse_aaaa_answer(aaaa.view(), {});
  REQUIRE(v6.ok());
  CHECK(v6.records[0].address == "2001:db8::25");
}

TEST_CASE("a TXT record split into several strings reads as one (SPF over 255 octets)") {
  Message message("example.org", 16);
  message.txt({"v=spf1 include:_spf.example.org ", "~all"});
  message.txt({"google-site-verification=abc"});
  auto answer = parse_txt_answer(message.view(), {});
  REQUIRE(answer.ok());
  REQUIRE(answer.records.size() == 2);
  CHECK(answer.records[0].text == "v=spf1 include:_spf.example.org ~all");
  CHECK(answer.records[1].text == "google-site-verification=abc");

  auto capped = parse_txt_answer(message.view(), {.max_records = 8, .max_txt_octets = 10});
  REQUIRE(capped.ok());
  CHECK(capped.records[0].text == "v=spf1 inc");
  CHECK(capped.truncated);
}

TEST_CASE("PTR and TLSA answers are read from the answer section") {
  Message ptr("7.2.0.192.in-addr.arpa", 12);
  ptr.answer(12, ptr.encoded_name("mail.example.org"));
  auto names = parse_ptr_answer(ptr.view(), {});
  REQUIRE(names.ok());
  CHECK(names.records[0].name == "mail.example.org");

  Message tlsa("_25._tcp.mx.example.org", 52);
  tlsa.answer(52, {3, 1, 1, 0xde, 0xad, 0xbe, 0xef});
  auto records = parse_tlsa_answer(tlsa.view(), {});
  REQUIRE(records.ok());
  CHECK(records.records[0].usage == 3);
  CHECK(records.records[0].selector == 1);
  CHECK(records.records[0].matching_type == 1);
  CHECK(records.records[0].data_hex == "deadbeef");
}

TEST_CASE("SRV answers come in priority order, heaviest first, and \".\" means not offered") {
  Message srv("_submissions._tcp.example.org", 33);
  auto add = [&](std::uint16_t priority, std::uint16_t weight, std::uint16_t port,
                 const std::string& target) {
    std::vector<unsigned char> rdata{std::uint8_t(priority >> 8), std::uint8_t(priority),
                                     std::uint8_t(weight >> 8),   std::uint8_t(weight),
                                     std::uint8_t(port >> 8),     std::uint8_t(port)};
    auto name = srv.encoded_name(target);
    rdata.insert(rdata.end(), name.begin(), name.end());
    srv.answer(33, rdata);
  };
  add(20, 0, 465, "backup.example.org");
  add(10, 5, 465, "light.example.org");
  add(10, 50, 465, "heavy.example.org");
  auto records = parse_srv_answer(srv.view(), {});
  REQUIRE(records.ok());
  REQUIRE(records.records.size() == 3);
  CHECK(records.records[0].target == "heavy.example.org");
  CHECK(records.records[1].target == "light.example.org");
  CHECK(records.records[2].target == "backup.example.org");
  CHECK(records.records[2].port == 465);

  Message none("_submission._tcp.example.org", 33);
  none.answer(33, {0, 0, 0, 0, 0, 0, 0});  // the root name
  auto null_srv = parse_srv_answer(none.view(), {});
  REQUIRE(null_srv.ok());
  CHECK(null_srv.records[0].is_null());
}

TEST_CASE("an answer without records of the type asked for is NODATA") {
  Message cname_only("www.example.org", 15);
  cname_only.answer(5, cname_only.encoded_name("example.org"));
  CHECK(parse_mx_answer(cname_only.view(), {}).status == DnsStatus::nodata);
  CHECK(parse_ptr_answer(cname_only.view(), {}).status == DnsStatus::nodata);
  CHECK(parse_tlsa_answer(cname_only.view(), {}).status == DnsStatus::nodata);
  CHECK(parse_srv_answer(cname_only.view(), {}).status == DnsStatus::nodata);
}

TEST_CASE("a truncated or garbled answer is an error, never a crash") {
  Message message("example.org", 15);
  message.mx(10, "mx1.example.org");
  for (std::size_t cut = 0; cut < message.bytes.size(); ++cut) {
    CAPTURE(cut);
    DnsMessage prefix(message.bytes.data(), cut);
    CHECK_FALSE(parse_mx_answer(prefix, {}).ok());
    CHECK_FALSE(parse_ptr_answer(prefix, {}).ok());
    CHECK_FALSE(parse_tlsa_answer(prefix, {}).ok());
    CHECK_FALSE(parse_srv_answer(prefix, {}).ok());
  }
  Message loop("example.org", 12);
  loop.answer(12, {0xc0, std::uint8_t(loop.bytes.size() + 12)});  // points at itself
  CHECK(parse_ptr_answer(loop.view(), {}).status == DnsStatus::error);

  Message short_tlsa("_25._tcp.mx.example.org", 52);
  short_tlsa.answer(52, {3, 1});
  CHECK(parse_tlsa_answer(short_tlsa.view(), {}).status == DnsStatus::error);
}
