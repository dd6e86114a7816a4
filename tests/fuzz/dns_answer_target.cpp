// DNS answers as the resolver hands them over: the raw message, parsed as each record type the
// checks ask for, with the default caps and with tiny ones (so the caps themselves are reached).
#include <arpa/inet.h>

#include "core/dns/dns_parse.hpp"
#include "core/dns/dns_query.hpp"
#include "tests/fuzz/fuzz_targets.hpp"

namespace smtpdoctor::fuzz {
namespace {

template <typename T>
void check_answer(const DnsAnswer<T>& answer, const DnsParseLimits& limits) {
  SMTPDOCTOR_FUZZ_CHECK(answer.records.size() <= limits.max_records);
  SMTPDOCTOR_FUZZ_CHECK((answer.status == DnsStatus::ok) == !answer.records.empty());
  if (answer.status != DnsStatus::ok) SMTPDOCTOR_FUZZ_CHECK(!answer.detail.empty());
}

void check_address(const std::string& text, int family) {
  unsigned char buffer[16];
  SMTPDOCTOR_FUZZ_CHECK(inet_pton(family, text.c_str(), buffer) == 1);
}

void parse_all(DnsMessage message, const DnsParseLimits& limits) {
  auto mx = parse_mx_answer(message, limits);
  check_answer(mx, limits);
  for (std::size_t i = 1; i < mx.records.size(); ++i)
    SMTPDOCTOR_FUZZ_CHECK(mx.records[i - 1].preference <= mx.records[i].preference);
  for (const auto& r : mx.records) SMTPDOCTOR_FUZZ_CHECK(!r.exchange.empty());

  auto a = parse_a_answer(message, limits);
  check_answer(a, limits);
  for (const auto& r : a.records) check_address(r.address, AF_INET);
  auto aaaa = parse_aaaa_answer(message, limits);
  check_answer(aaaa, limits);
  for (const auto& r : aaaa.records) check_address(r.address, AF_INET6);

  check_answer(parse_ptr_answer(message, limits), limits);

  auto txt = parse_txt_answer(message, limits);
  check_answer(txt, limits);
  for (const auto& r : txt.records) SMTPDOCTOR_FUZZ_CHECK(r.text.size() <= limits.max_txt_octets);

  auto tlsa = parse_tlsa_answer(message, limits);
  check_answer(tlsa, limits);
  for (const auto& r : tlsa.records) SMTPDOCTOR_FUZZ_CHECK(r.data_hex.size() % 2 == 0);

  auto srv = parse_srv_answer(message, limits);
  check_answer(srv, limits);
  for (std::size_t i = 1; i < srv.records.size(); ++i) {
    const auto& a = srv.records[i - 1];
    const auto& b = srv.records[i];
    SMTPDOCTOR_FUZZ_CHECK(a.priority < b.priority ||
                          (a.priority == b.priority && a.weight >= b.weight));
  }
  for (const auto& r : srv.records) SMTPDOCTOR_FUZZ_CHECK(!r.target.empty());
}

}  // namespace

void dns_answer(std::string_view input) {
  DnsMessage message(reinterpret_cast<const unsigned char*>(input.data()), input.size());
  parse_all(message, DnsParseLimits{});
  parse_all(message, DnsParseLimits{.max_records = 1, .max_txt_octets = 4});
  // The DNSSEC lookups read the header themselves, and build queries from names they are given.
  auto header = read_answer_header(message);
  SMTPDOCTOR_FUZZ_CHECK(header.has_value() == (input.size() >= 12));
  if (header) SMTPDOCTOR_FUZZ_CHECK(header->rcode >= 0 && header->rcode < 16);
  QueryFlags flags{.authentic_data = true, .checking_disabled = true, .dnssec_ok = true};
  if (auto query = build_query(input, 52, 1, flags))
    SMTPDOCTOR_FUZZ_CHECK(query->size() <= 12 + 255 + 4 + 11);
}

}  // namespace smtpdoctor::fuzz
