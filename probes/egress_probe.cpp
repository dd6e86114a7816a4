#include "probes/egress_probe.hpp"

#include <chrono>

#include "core/diagnosis/knowledge_base.hpp"
#include "core/dns/dns_name.hpp"
#include "core/net/concurrently.hpp"

namespace smtpdoctor {
namespace {

using Clock = std::chrono::steady_clock;

void note(ProbeResult& result, std::string line) {
  if (!result.details.contains("notes")) result.details["notes"] = Details::array();
  result.details["notes"].push_back(std::move(line));
}

asio::awaitable<void> ask_dnsbl(Resolver& resolver, std::string address, DnsblResult& out) {
  auto name = dnsbl_query_name(address, out.zone);
  if (!name) {
    out.listing = DnsblListing::unexpected_answer;
    out.detail = "not a valid blocklist zone: " + out.zone;
    co_return;
  }
  auto a = co_await resolver.a(*name);
  out.listing = classify_dnsbl_answer(a);
  for (const auto& r : a.records) out.codes.push_back(r.address);
  if (!a.ok() && out.listing == DnsblListing::unexpected_answer) out.detail = a.detail;
  if (out.listing == DnsblListing::listed) {
    auto txt = co_await resolver.txt(*name);
    if (txt.ok() && !txt.records.empty()) out.reason = txt.records.front().text.substr(0, 300);
  }
}

}  // namespace

asio::awaitable<EgressProbeOutcome> run_egress_probe(Resolver& resolver,
                                                     EgressProbeOptions options) {
  const auto started = Clock::now();
  EgressProbeOutcome outcome;
  EgressFindings& f = outcome.findings;
  ProbeResult& result = outcome.result;
  result.id = ProbeId::dns;
  result.target.host = options.address;
  result.details["check"] = "egress";
  result.details["address"] = options.address;
  if (!options.echoed_by.empty()) result.details["echoed_by"] = options.echoed_by;
  f.address = options.address;
  f.global = is_global_address(options.address);

  if (!f.global && !options.include_non_global) {
    result.status = ProbeStatus::ok;
    result.summary = "the server sees us as " + options.address +
                     ", a private address: PTR and blocklists were not checked";
    note(result, "a server on the same private network, or behind the same NAT");
    co_return outcome;
  }

  // PTR and every blocklist at once; forward confirmation after the PTR.
  f.dnsbl.resize(options.dnsbl_zones.size());
  DnsAnswer<PtrRecord> ptr;
  {
    std::vector<asio::awaitable<void>> lookups;
    lookups.push_back(
        [](Resolver& r, std::string address, DnsAnswer<PtrRecord>& out) -> asio::awaitable<void> {
          out = co_await r.ptr(address);
        }(resolver, options.address, ptr));
    for (std::size_t i = 0; i < options.dnsbl_zones.size(); ++i) {
      f.dnsbl[i].zone = options.dnsbl_zones[i];
      lookups.push_back(ask_dnsbl(resolver, options.address, f.dnsbl[i]));
    }
    co_await run_concurrently(std::move(lookups));
  }
  f.ptr_status = ptr.status;
  for (const auto& r : ptr.records) f.ptr_names.push_back(without_trailing_dot(r.name));
  const bool v6 = options.address.find(':') != std::string::npos;
  for (const auto& name : f.ptr_names) {
    DnsAnswer<AddressRecord> forward;
    // Not `cond ? co_await x : co_await y`: g++ 12 miscompiles co_await in a conditional.
    if (v6)
      forward = co_await resolver.aaaa(name);
    else
      forward = co_await resolver.a(name);
    for (const auto& r : forward.records)
      if (same_address(r.address, options.address)) f.forward_confirmed = true;
    if (f.forward_confirmed) break;
  }

  result.details["ptr_status"] = std::string(dns_status_name(f.ptr_status));
  result.details["ptr"] = f.ptr_names;
  result.details["forward_confirmed"] = f.forward_confirmed;
  Details lists = Details::array();
  std::vector<std::string> listed_on, refused_by;
  std::size_t clean = 0;
  for (const auto& d : f.dnsbl) {
    Details entry = Details::object();
    entry["zone"] = d.zone;
    entry["listed"] = d.listing == DnsblListing::listed;
    entry["result"] = d.listing == DnsblListing::listed          ? "listed"
                      : d.listing == DnsblListing::not_listed    ? "not listed"
                      : d.listing == DnsblListing::refused_query ? "query refused"
                                                                 : "no usable answer";
    if (!d.codes.empty()) entry["codes"] = d.codes;
    if (!d.reason.empty()) entry["reason"] = d.reason;
    if (!d.detail.empty()) entry["detail"] = d.detail;
    lists.push_back(std::move(entry));
    if (d.listing == DnsblListing::listed) listed_on.push_back(d.zone);
    if (d.listing == DnsblListing::refused_query) refused_by.push_back(d.zone);
    if (d.listing == DnsblListing::not_listed) ++clean;
  }
  result.details["dnsbl"] = std::move(lists);

  std::string summary = "our address " + options.address;
  if (f.ptr_names.empty()) {
    result.status = ProbeStatus::warn;
    summary += " has no PTR";
    Evidence ev;
    ev.finding = Finding::egress_no_ptr;
    ev.add_fact("address", options.address);
    result.diagnoses.push_back(diagnose(ev));
  } else if (!f.forward_confirmed) {
    result.status = ProbeStatus::warn;
    summary += " has PTR " + f.ptr_names.front() + ", which does not resolve back to it";
    Evidence ev;
    ev.finding = Finding::egress_ptr_not_confirmed;
    ev.add_fact("address", options.address);
    ev.add_fact("ptr", f.ptr_names.front());
    result.diagnoses.push_back(diagnose(ev));
  } else {
    summary += " (PTR " + f.ptr_names.front() + ", confirmed)";
  }
  if (!listed_on.empty()) {
    result.status = ProbeStatus::warn;
    std::string zones;
    for (const auto& z : listed_on) zones += (zones.empty() ? "" : ", ") + z;
    summary += "; listed on " + zones;
    Evidence ev;
    ev.finding = Finding::egress_blocklisted;
    ev.add_fact("address", options.address);
    ev.add_fact("zones", zones);
    result.diagnoses.push_back(diagnose(ev));
  } else if (!f.dnsbl.empty()) {
    summary += "; not listed on " + std::to_string(clean) + " of " +
               std::to_string(f.dnsbl.size()) + " blocklists";
  }
  for (const auto& z : refused_by)
    note(result, z + " refused the query: it blocks queries from large public resolvers; use "
                     "your own resolver (--dns-server) to ask it");
  result.summary = summary;
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  co_return outcome;
}

}  // namespace smtpdoctor
