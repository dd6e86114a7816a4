// c-ares 1.18 parses MX, A, AAAA, TXT and SRV itself; PTR and TLSA go through a small walker over
// the answer section (ares_parse_ptr_reply wants the queried address back, and 1.18 has no
// TLSA parser at all). Name compression is left to ares_expand_name either way.
#include "core/dns/dns_parse.hpp"

#include <ares.h>
#include <arpa/inet.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace smtpdoctor {

namespace {

constexpr int kTypePtr = 12;
constexpr int kTypeTlsa = 52;

template <typename T>
DnsAnswer<T> failed(int ares_status) {
  DnsAnswer<T> answer;
  if (ares_status == ARES_ENODATA) {
    answer.status = DnsStatus::nodata;
    answer.detail = "no records of this type in the answer";
  } else {
    answer.status = DnsStatus::error;
    answer.detail = std::string("malformed DNS answer: ") + ares_strerror(ares_status);
  }
  return answer;
}

template <typename T>
DnsAnswer<T> finished(std::vector<T> records, bool truncated) {
  if (records.empty()) return failed<T>(ARES_ENODATA);
  DnsAnswer<T> answer;
  answer.status = DnsStatus::ok;
  answer.records = std::move(records);
  answer.truncated = truncated;
  return answer;
}

struct AresFree {
  void operator()(void* p) const { ares_free_data(p); }
};

std::uint16_t read16(const unsigned char* p) {
  return std::uint16_t(p[0] << 8 | p[1]);
}

// Calls on_record(type, rdata, rdlength) for every answer-section record; returns an ARES_*
// status (ARES_EBADRESP for a message that runs past its end).
template <typename F>
int for_each_answer(DnsMessage message, F&& on_record) {
  const unsigned char* base = message.data();
  long length = long(message.size());
  if (length < 12) return ARES_EBADRESP;
  int questions = read16(base + 4);
  int answers = read16(base + 6);
  const unsigned char* p = base + 12;
  auto skip_name = [&]() -> bool {
    char* name = nullptr;
    long encoded = 0;
    if (ares_expand_name(p, base, int(length), &name, &encoded) != ARES_SUCCESS) return false;
    ares_free_string(name);
    p += encoded;
    return true;
  };
  for (int i = 0; i < questions; ++i) {
    if (!skip_name() || p + 4 > base + length) return ARES_EBADRESP;
    p += 4;
  }
  for (int i = 0; i < answers; ++i) {
    if (!skip_name() || p + 10 > base + length) return ARES_EBADRESP;
    int type = read16(p);
    std::size_t rdlength = read16(p + 8);
    p += 10;
    if (p + rdlength > base + length) return ARES_EBADRESP;
    if (!on_record(type, p, rdlength)) break;
    p += rdlength;
  }
  return ARES_SUCCESS;
}

const void* address_of(const ares_addrttl& a) {
  return &a.ipaddr;
}
const void* address_of(const ares_addr6ttl& a) {
  return &a.ip6addr;
}

template <typename AddrTtl>
DnsAnswer<AddressRecord> addresses(int family, const AddrTtl* ttls, int count,
                                   std::size_t max_records) {
  std::vector<AddressRecord> records;
  for (int i = 0; i < count && records.size() < max_records; ++i) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, address_of(ttls[i]), text, sizeof text);
    records.push_back({text, std::uint32_t(std::max(ttls[i].ttl, 0))});
  }
  return finished(std::move(records), std::size_t(count) > max_records);
}

// All of them first (c-ares has parsed them already; one message bounds their number), then
// sorted, so a cap keeps the most preferred records rather than whichever came first.
template <typename T, typename Less>
DnsAnswer<T> sorted_and_capped(std::vector<T> records, Less less, const DnsParseLimits& limits) {
  std::stable_sort(records.begin(), records.end(), less);
  bool truncated = records.size() > limits.max_records;
  if (truncated) records.resize(limits.max_records);
  return finished(std::move(records), truncated);
}

}  // namespace

DnsAnswer<MxRecord> parse_mx_answer(DnsMessage message, const DnsParseLimits& limits) {
  ares_mx_reply* head = nullptr;
  int status = ares_parse_mx_reply(message.data(), int(message.size()), &head);
  std::unique_ptr<ares_mx_reply, AresFree> owner(head);
  if (status != ARES_SUCCESS) return failed<MxRecord>(status);
  std::vector<MxRecord> records;
  for (auto* mx = head; mx; mx = mx->next) {
    std::string exchange = mx->host ? mx->host : "";
    // The root name comes back empty: that is the null MX "0 ." of RFC 7505.
    records.push_back({mx->priority, exchange.empty() ? "." : exchange});
  }
  return sorted_and_capped(
      std::move(records),
      [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; }, limits);
}

DnsAnswer<AddressRecord> parse_a_answer(DnsMessage message, const DnsParseLimits& limits) {
  // One slot more than the cap tells "exactly the cap" apart from "more than the cap".
  std::vector<ares_addrttl> ttls(limits.max_records + 1);
  int count = int(ttls.size());
  int status =
      ares_parse_a_reply(message.data(), int(message.size()), nullptr, ttls.data(), &count);
  if (status != ARES_SUCCESS) return failed<AddressRecord>(status);
  return addresses(AF_INET, ttls.data(), count, limits.max_records);
}

DnsAnswer<AddressRecord> parse_aaaa_answer(DnsMessage message, const DnsParseLimits& limits) {
  std::vector<ares_addr6ttl> ttls(limits.max_records + 1);
  int count = int(ttls.size());
  int status =
      ares_parse_aaaa_reply(message.data(), int(message.size()), nullptr, ttls.data(), &count);
  if (status != ARES_SUCCESS) return failed<AddressRecord>(status);
  return addresses(AF_INET6, ttls.data(), count, limits.max_records);
}

DnsAnswer<PtrRecord> parse_ptr_answer(DnsMessage message, const DnsParseLimits& limits) {
  std::vector<PtrRecord> records;
  bool truncated = false;
  bool bad_name = false;
  int status = for_each_answer(message, [&](int type, const unsigned char* rdata, std::size_t) {
    if (type != kTypePtr) return true;  // a CNAME of RFC 2317 classless delegation, say
    if (records.size() == limits.max_records) {
      truncated = true;
      return false;
    }
    char* name = nullptr;
    long encoded = 0;
    if (ares_expand_name(rdata, message.data(), int(message.size()), &name, &encoded) !=
        ARES_SUCCESS) {
      bad_name = true;
      return false;
    }
    records.push_back({name});
    ares_free_string(name);
    return true;
  });
  if (status != ARES_SUCCESS || bad_name) return failed<PtrRecord>(ARES_EBADRESP);
  return finished(std::move(records), truncated);
}

DnsAnswer<TxtRecord> parse_txt_answer(DnsMessage message, const DnsParseLimits& limits) {
  ares_txt_ext* head = nullptr;
  int status = ares_parse_txt_reply_ext(message.data(), int(message.size()), &head);
  std::unique_ptr<ares_txt_ext, AresFree> owner(head);
  if (status != ARES_SUCCESS) return failed<TxtRecord>(status);
  std::vector<TxtRecord> records;
  bool truncated = false;
  bool skipping = false;  // past the cap: drop strings until the next record starts
  for (auto* txt = head; txt; txt = txt->next) {
    if (txt->record_start) {
      if (records.size() == limits.max_records) {
        truncated = true;
        break;
      }
      records.push_back({});
      skipping = false;
    }
    if (records.empty() || skipping) continue;
    auto& text = records.back().text;
    std::size_t room = limits.max_txt_octets - text.size();
    if (txt->length > room) {
      truncated = true;
      skipping = true;
    }
    text.append(reinterpret_cast<const char*>(txt->txt), std::min(txt->length, room));
  }
  return finished(std::move(records), truncated);
}

DnsAnswer<TlsaRecord> parse_tlsa_answer(DnsMessage message, const DnsParseLimits& limits) {
  static constexpr char hex[] = "0123456789abcdef";
  std::vector<TlsaRecord> records;
  bool truncated = false;
  bool short_record = false;
  int status =
      for_each_answer(message, [&](int type, const unsigned char* rdata, std::size_t rdlength) {
        if (type != kTypeTlsa) return true;
        if (rdlength < 3) {
          short_record = true;
          return false;
        }
        if (records.size() == limits.max_records) {
          truncated = true;
          return false;
        }
        TlsaRecord tlsa;
        tlsa.usage = rdata[0];
        tlsa.selector = rdata[1];
        tlsa.matching_type = rdata[2];
        for (std::size_t i = 3; i < rdlength; ++i) {
          tlsa.data_hex += hex[rdata[i] >> 4];
          tlsa.data_hex += hex[rdata[i] & 0xf];
        }
        records.push_back(std::move(tlsa));
        return true;
      });
  if (status != ARES_SUCCESS || short_record) return failed<TlsaRecord>(ARES_EBADRESP);
  return finished(std::move(records), truncated);
}

DnsAnswer<SrvRecord> parse_srv_answer(DnsMessage message, const DnsParseLimits& limits) {
  ares_srv_reply* head = nullptr;
  int status = ares_parse_srv_reply(message.data(), int(message.size()), &head);
  std::unique_ptr<ares_srv_reply, AresFree> owner(head);
  if (status != ARES_SUCCESS) return failed<SrvRecord>(status);
  std::vector<SrvRecord> records;
  for (auto* srv = head; srv; srv = srv->next) {
    std::string target = srv->host ? srv->host : "";
    records.push_back({srv->priority, srv->weight, srv->port, target.empty() ? "." : target});
  }
  return sorted_and_capped(
      std::move(records),
      [](const SrvRecord& a, const SrvRecord& b) {
        return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
      },
      limits);
}

}  // namespace smtpdoctor
