#include "probes/dns_probe.hpp"

#include <algorithm>
#include <chrono>

#include "core/base/ascii.hpp"
#include "core/base/target.hpp"
#include "core/diagnosis/knowledge_base.hpp"
#include "core/dns/dns_name.hpp"
#include "core/dns/mail_auth_records.hpp"
#include "core/net/concurrently.hpp"

namespace smtpdoctor {
namespace {

using Clock = std::chrono::steady_clock;

DnsOutcome outcome_for(DnsStatus status) {
  switch (status) {
    case DnsStatus::nxdomain:
      return DnsOutcome::nxdomain;
    case DnsStatus::nodata:
      return DnsOutcome::nodata;
    case DnsStatus::refused:
      return DnsOutcome::refused;
    case DnsStatus::timeout:
    case DnsStatus::unreachable:
      return DnsOutcome::timeout;
    default:
      return DnsOutcome::servfail;
  }
}

Diagnosis dns_diagnosis(DnsOutcome outcome, const std::string& detail) {
  Evidence ev;
  ev.stage = Stage::resolve;
  ev.dns = outcome;
  ev.text = detail;
  return diagnose(ev);
}

std::string status_words(DnsStatus status) {
  switch (status) {
    case DnsStatus::nxdomain:
      return "does not exist (NXDOMAIN)";
    case DnsStatus::nodata:
      return "has no such record";
    case DnsStatus::servfail:
      return "could not be resolved: the server failed (SERVFAIL)";
    case DnsStatus::refused:
      return "could not be resolved: the resolver refused (REFUSED)";
    case DnsStatus::timeout:
      return "could not be resolved: no answer in time";
    case DnsStatus::unreachable:
      return "could not be resolved: the resolver is unreachable";
    default:
      return "could not be resolved";
  }
}

void note(ProbeResult& result, std::string line) {
  if (!result.details.contains("notes")) result.details["notes"] = Details::array();
  result.details["notes"].push_back(std::move(line));
}

void at_least(ProbeResult& result, ProbeStatus status) {
  auto rank = [](ProbeStatus s) { return s == ProbeStatus::fail ? 2 : s == ProbeStatus::warn; };
  if (rank(status) > rank(result.status)) result.status = status;
}

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

AddressCheck unchecked(std::string address) {
  AddressCheck check;
  check.address = std::move(address);
  return check;
}

// PTR of one address, and forward confirmation of each name (at most `max_names`).
asio::awaitable<void> check_address(Resolver& resolver, AddressCheck& check,
                                    std::size_t max_names) {
  auto ptr = co_await resolver.ptr(check.address);
  check.ptr_status = ptr.status;
  for (const auto& record : ptr.records)
    check.ptr_names.push_back(without_trailing_dot(record.name));
  if (check.ptr_names.size() > max_names) check.ptr_names.resize(max_names);
  const bool v6 = check.address.find(':') != std::string::npos;
  std::vector<DnsAnswer<AddressRecord>> forward(check.ptr_names.size());
  std::vector<asio::awaitable<void>> lookups;
  for (std::size_t i = 0; i < check.ptr_names.size(); ++i)
    lookups.push_back([](Resolver& r, std::string name, bool ipv6,
                         DnsAnswer<AddressRecord>& out) -> asio::awaitable<void> {
      // Not `cond ? co_await x : co_await y`: g++ 12 miscompiles co_await in a conditional.
      if (ipv6)
        out = co_await r.aaaa(name);
      else
        out = co_await r.a(name);
    }(resolver, check.ptr_names[i], v6, forward[i]));
  co_await run_concurrently(std::move(lookups));
  for (std::size_t i = 0; i < forward.size() && check.confirmed_name.empty(); ++i)
    for (const auto& record : forward[i].records)
      if (same_address(record.address, check.address)) check.confirmed_name = check.ptr_names[i];
}

// A and AAAA of one exchanger, then every address's PTR check, all at once.
asio::awaitable<void> resolve_exchanger(Resolver& resolver, Exchanger& exchanger,
                                        std::size_t max_names) {
  if (is_ipv4_literal(exchanger.host) || is_ipv6_literal(exchanger.host)) {
    exchanger.a_status = exchanger.aaaa_status = DnsStatus::ok;
    exchanger.addresses.push_back(unchecked(exchanger.host));
  } else {
    DnsAnswer<AddressRecord> a, aaaa;
    std::vector<asio::awaitable<void>> lookups;
    lookups.push_back(
        [](Resolver& r, std::string n, DnsAnswer<AddressRecord>& out) -> asio::awaitable<void> {
          out = co_await r.a(n);
        }(resolver, exchanger.host, a));
    lookups.push_back(
        [](Resolver& r, std::string n, DnsAnswer<AddressRecord>& out) -> asio::awaitable<void> {
          out = co_await r.aaaa(n);
        }(resolver, exchanger.host, aaaa));
    co_await run_concurrently(std::move(lookups));
    exchanger.a_status = a.status;
    exchanger.aaaa_status = aaaa.status;
    for (const auto& r : a.records) exchanger.addresses.push_back(unchecked(r.address));
    for (const auto& r : aaaa.records) exchanger.addresses.push_back(unchecked(r.address));
  }
  std::vector<asio::awaitable<void>> checks;
  for (auto& address : exchanger.addresses)
    checks.push_back(check_address(resolver, address, max_names));
  co_await run_concurrently(std::move(checks));
}

// The per-exchanger result: its addresses and how their PTRs hold up.
ProbeResult exchanger_result(const Exchanger& exchanger, std::chrono::milliseconds duration) {
  ProbeResult result;
  result.id = ProbeId::dns;
  result.target.host = exchanger.host;
  result.duration = duration;
  result.details["exchanger"] = exchanger.host;
  if (!exchanger.implicit) result.details["preference"] = exchanger.preference;
  result.details["implicit_mx"] = exchanger.implicit;
  Details addresses = Details::array();
  for (const auto& check : exchanger.addresses) {
    Details entry = Details::object();
    entry["address"] = check.address;
    entry["ptr_status"] = std::string(dns_status_name(check.ptr_status));
    entry["ptr"] = check.ptr_names;
    entry["forward_confirmed"] = check.forward_confirmed();
    addresses.push_back(std::move(entry));
  }
  result.details["addresses"] = std::move(addresses);

  if (exchanger.addresses.empty()) {
    // NXDOMAIN on either family means the name is gone; otherwise the worst failure speaks.
    DnsStatus status =
        exchanger.a_status == DnsStatus::nodata ? exchanger.aaaa_status : exchanger.a_status;
    if (status == DnsStatus::ok) status = DnsStatus::nodata;
    result.status = ProbeStatus::fail;
    result.summary = exchanger.host + " " +
                     (status == DnsStatus::nodata ? std::string("has no A or AAAA record")
                                                  : status_words(status));
    result.details["status"] = std::string(dns_status_name(status));
    result.diagnoses.push_back(dns_diagnosis(outcome_for(status), result.summary));
    return result;
  }
  if (is_ipv4_literal(exchanger.host) || is_ipv6_literal(exchanger.host))
    note(result,
         "the MX names an IP address, not a host name: RFC 5321 §5.1 forbids it and "
         "many senders ignore such an MX");

  std::string summary;
  for (const auto& check : exchanger.addresses) {
    if (!summary.empty()) summary += "; ";
    summary += check.address;
    if (check.ptr_names.empty()) {
      summary += " (no PTR)";
      at_least(result, ProbeStatus::warn);
      note(result, check.address + " has no PTR record (" +
                       std::string(dns_status_name(check.ptr_status)) +
                       "): receivers that check reverse DNS distrust mail sent from it");
    } else if (check.forward_confirmed()) {
      summary += " (PTR " + check.confirmed_name + ", confirmed)";
    } else {
      summary += " (PTR " + check.ptr_names.front() + ", not confirmed)";
      at_least(result, ProbeStatus::warn);
      note(result, "the PTR of " + check.address + " (" + check.ptr_names.front() +
                       ") does not resolve back to it: no forward-confirmed reverse DNS");
    }
  }
  result.summary = summary;
  return result;
}

// SPF and DMARC findings on the domain's result: a summary line in details, problems as notes.
void add_mail_auth(ProbeResult& result, const std::string& domain,
                   const DnsAnswer<TxtRecord>& spf_txt, const DnsAnswer<TxtRecord>& dmarc_txt,
                   std::string& summary) {
  auto spf = select_spf(spf_txt.records);
  if (!spf_txt.ok() && spf_txt.status != DnsStatus::nodata &&
      spf_txt.status != DnsStatus::nxdomain) {
    result.details["spf"] = {{"status", std::string(dns_status_name(spf_txt.status))}};
    note(result, "the SPF (TXT) lookup failed: " + spf_txt.detail);
  } else if (!spf.record) {
    result.details["spf"] = {{"present", false}};
    summary += "; no SPF";
    note(result, domain +
                     " publishes no SPF record: receivers cannot tell its mail from "
                     "forgeries");
  } else {
    const SpfRecord& r = *spf.record;
    Details d = Details::object();
    d["present"] = true;
    d["count"] = spf.count;
    if (r.all) d["all"] = std::string(spf_qualifier_name(*r.all));
    d["dns_lookups"] = r.dns_lookups;
    d["errors"] = r.errors;
    d["warnings"] = r.warnings;
    result.details["spf"] = std::move(d);
    summary += "; SPF";
    if (r.all) {
      static constexpr const char* kAllTerm[] = {"+all", "-all", "~all", "?all"};
      summary += std::string(" ") + kAllTerm[static_cast<int>(*r.all)];
    }
    for (const auto& e : r.errors) {
      note(result, "SPF error: " + e);
      at_least(result, ProbeStatus::warn);
    }
    for (const auto& w : r.warnings) note(result, "SPF: " + w);
  }

  auto dmarc = select_dmarc(dmarc_txt.records);
  if (!dmarc_txt.ok() && dmarc_txt.status != DnsStatus::nodata &&
      dmarc_txt.status != DnsStatus::nxdomain) {
    result.details["dmarc"] = {{"status", std::string(dns_status_name(dmarc_txt.status))}};
    note(result, "the DMARC lookup failed: " + dmarc_txt.detail);
  } else if (!dmarc.record) {
    result.details["dmarc"] = {{"present", false}};
    summary += "; no DMARC";
    note(result, domain + " publishes no DMARC record (_dmarc." + domain + ")");
  } else {
    const DmarcRecord& r = *dmarc.record;
    Details d = Details::object();
    d["present"] = true;
    d["count"] = dmarc.count;
    d["policy"] = std::string(dmarc_policy_name(r.policy));
    d["pct"] = r.percent;
    d["errors"] = r.errors;
    d["warnings"] = r.warnings;
    result.details["dmarc"] = std::move(d);
    summary += "; DMARC p=" + std::string(dmarc_policy_name(r.policy));
    for (const auto& e : r.errors) {
      note(result, "DMARC error: " + e);
      at_least(result, ProbeStatus::warn);
    }
    for (const auto& w : r.warnings) note(result, "DMARC: " + w);
  }
}

template <typename T>
asio::awaitable<void> store(asio::awaitable<DnsAnswer<T>> lookup, DnsAnswer<T>& out) {
  out = co_await std::move(lookup);
}

}  // namespace

Diagnosis dns_lookup_diagnosis(DnsStatus status, const std::string& detail) {
  return dns_diagnosis(outcome_for(status), detail);
}

std::vector<std::string> Exchanger::address_list() const {
  std::vector<std::string> out;
  for (const auto& a : addresses) out.push_back(a.address);
  return out;
}

asio::awaitable<DnsProbeOutcome> run_dns_probe(Resolver& resolver, DnsProbeOptions options) {
  const auto started = Clock::now();
  DnsProbeOutcome outcome;
  const std::string domain = ascii::lower(without_trailing_dot(options.domain));
  ProbeResult result;
  result.id = ProbeId::dns;
  result.target.host = domain;

  if (!options.mail_domain) {
    Exchanger host;
    host.host = domain;
    host.implicit = true;
    co_await resolve_exchanger(resolver, host, options.max_ptr_names);
    ProbeResult host_result = exchanger_result(host, since(started));
    outcome.deliverable = !host.addresses.empty();
    outcome.exchangers.push_back(std::move(host));
    outcome.results.push_back(std::move(host_result));
    co_return outcome;
  }

  // 1. MX, SPF and DMARC at once.
  DnsAnswer<MxRecord> mx;
  DnsAnswer<TxtRecord> spf_txt, dmarc_txt;
  {
    std::vector<asio::awaitable<void>> lookups;
    lookups.push_back(store(resolver.mx(domain), mx));
    lookups.push_back(store(resolver.txt(domain), spf_txt));
    lookups.push_back(store(resolver.txt("_dmarc." + domain), dmarc_txt));
    co_await run_concurrently(std::move(lookups));
  }
  result.details["mx_status"] = std::string(dns_status_name(mx.status));
  outcome.mx_status = mx.status;

  // 2. The exchangers, or why there are none.
  std::vector<Exchanger> exchangers;
  std::string summary;
  if (mx.ok()) {
    bool has_null = std::any_of(mx.records.begin(), mx.records.end(),
                                [](const MxRecord& r) { return r.is_null(); });
    Details list = Details::array();
    for (const auto& record : mx.records) {
      list.push_back({{"preference", record.preference}, {"exchange", record.exchange}});
      if (record.is_null()) continue;
      Exchanger e;
      e.host = ascii::lower(without_trailing_dot(record.exchange));
      e.preference = record.preference;
      exchangers.push_back(std::move(e));
    }
    result.details["mx"] = std::move(list);
    if (has_null && exchangers.empty()) {
      outcome.null_mx = true;
      result.status = ProbeStatus::fail;
      result.summary = domain + " accepts no mail: it publishes a null MX (RFC 7505)";
      result.diagnoses.push_back(dns_diagnosis(DnsOutcome::null_mx, result.summary));
      result.duration = since(started);
      outcome.results.push_back(std::move(result));
      co_return outcome;
    }
    if (has_null) {
      at_least(result, ProbeStatus::warn);
      note(result,
           "a null MX (\".\") next to other MX records is invalid (RFC 7505 §3); it was "
           "ignored");
    }
    summary = "MX ";
    for (std::size_t i = 0; i < exchangers.size(); ++i)
      summary += (i ? ", " : "") + exchangers[i].host + " (" +
                 std::to_string(exchangers[i].preference) + ")";
  } else if (mx.status == DnsStatus::nodata) {
    // RFC 5321 §5.1: no MX, so the domain's own address is the implicit MX.
    Exchanger implicit;
    implicit.host = domain;
    implicit.implicit = true;
    co_await resolve_exchanger(resolver, implicit, options.max_ptr_names);
    if (implicit.addresses.empty()) {
      result.status = ProbeStatus::fail;
      result.summary = domain + " has no MX and no A/AAAA record: mail cannot be delivered";
      result.diagnoses.push_back(dns_diagnosis(DnsOutcome::nodata, result.summary));
      result.duration = since(started);
      outcome.results.push_back(std::move(result));
      co_return outcome;
    }
    at_least(result, ProbeStatus::warn);
    note(result, domain +
                     " has no MX record: mail goes to its own address (implicit MX, "
                     "RFC 5321 §5.1); publish an MX record to make that explicit");
    summary = "no MX, implicit MX " + domain;
    result.details["implicit_mx"] = true;
    exchangers.push_back(std::move(implicit));
  } else {
    result.status = ProbeStatus::fail;
    result.summary = domain + " " + status_words(mx.status);
    if (!mx.detail.empty()) result.details["detail"] = mx.detail;
    result.diagnoses.push_back(dns_diagnosis(outcome_for(mx.status), result.summary));
    result.duration = since(started);
    outcome.results.push_back(std::move(result));
    co_return outcome;
  }
  if (mx.truncated) note(result, "more MX records than the limit; the rest were not read");

  // 3. Each exchanger (up to --mx-limit) at once.
  if (options.mx_limit > 0 && exchangers.size() > options.mx_limit) {
    outcome.exchangers_not_checked = exchangers.size() - options.mx_limit;
    exchangers.resize(options.mx_limit);
    note(result, std::to_string(outcome.exchangers_not_checked) +
                     " more exchanger(s) not checked (--mx-limit " +
                     std::to_string(options.mx_limit) + ")");
  }
  {
    std::vector<asio::awaitable<void>> tasks;
    for (auto& e : exchangers)
      if (e.addresses.empty())
        tasks.push_back(resolve_exchanger(resolver, e, options.max_ptr_names));
    co_await run_concurrently(std::move(tasks));
  }

  // 4. SPF and DMARC.
  add_mail_auth(result, domain, spf_txt, dmarc_txt, summary);

  std::vector<ProbeResult> per_exchanger;
  std::size_t usable = 0;
  for (const auto& e : exchangers) {
    per_exchanger.push_back(exchanger_result(e, since(started)));
    if (!e.addresses.empty()) ++usable;
  }
  if (usable == 0) {
    result.status = ProbeStatus::fail;
    summary += "; no exchanger resolves to an address";
    if (!per_exchanger.empty() && !per_exchanger.front().diagnoses.empty())
      result.diagnoses.push_back(per_exchanger.front().diagnoses.front());
    else
      result.diagnoses.push_back(dns_diagnosis(DnsOutcome::nodata, summary));
  } else if (usable < exchangers.size()) {
    at_least(result, ProbeStatus::warn);
    note(result, std::to_string(exchangers.size() - usable) + " of " +
                     std::to_string(exchangers.size()) + " exchangers do not resolve");
  }
  result.summary = summary;
  result.duration = since(started);
  outcome.deliverable = usable > 0;
  outcome.results.push_back(std::move(result));
  for (auto& r : per_exchanger) outcome.results.push_back(std::move(r));
  outcome.exchangers = std::move(exchangers);
  co_return outcome;
}

}  // namespace smtpdoctor
