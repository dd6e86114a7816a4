// dane: the TLSA records of each MX host against the certificate the tls probe saw (see
// probes/dane_probe.hpp). Runs after the ports, so it reads their typed TLS facts (the chain as
// sent, DER), never a tls probe's printed details.
#include "probes/dane_probe.hpp"

#include <asio/awaitable.hpp>
#include <vector>

#include "core/base/ascii.hpp"
#include "core/diagnosis/knowledge_base.hpp"
#include "core/dns/resolver.hpp"
#include "core/net/concurrently.hpp"
#include "core/net/dane_match.hpp"
#include "probes/check_steps.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

ProbeResult dane_result(const ProbeTarget& target) {
  ProbeResult result;
  result.id = ProbeId::dane;
  result.target = target;
  return result;
}

void skip(ProbeResult& result, std::string reason) {
  result.status = ProbeStatus::skip;
  result.skip_reason = std::move(reason);
  result.summary = "skipped: " + result.skip_reason;
}

Diagnosis dane_diagnosis(Finding finding, const DaneEvidence& evidence,
                         const std::string& tlsa = {}) {
  Evidence ev;
  ev.stage = Stage::tls;
  ev.finding = finding;
  ev.add_fact("host", evidence.target.host);
  ev.add_fact("tlsa_name", evidence.tlsa_name);
  if (!tlsa.empty()) ev.add_fact("tlsa", tlsa);
  return diagnose(ev);
}

// The record to publish for the server's current key: DANE-EE, SPKI, SHA-256 ("3 1 1"), the
// one RFC 7671 §5.1 recommends, since it survives renewals that keep the key.
std::string current_key_record(const TlsInfo& tls) {
  if (tls.peer_chain.empty()) return {};
  auto hash = tlsa_association(tls.peer_chain.front(), 1, 1);
  return hash ? "3 1 1 " + *hash : std::string{};
}

void describe_records(ProbeResult& result, const DaneMatch& match) {
  Details records = Details::array();
  for (const auto& check : match.checks) {
    Details entry;
    entry["record"] = tlsa_text(check.record, /*full=*/true);
    entry["usage"] = tlsa_usage_name(check.record.usage);
    entry["usable"] = check.usable;
    if (!check.usable) entry["unusable_reason"] = check.unusable_reason;
    entry["matched"] = check.matched;
    if (check.matched) entry["matched_depth"] = check.matched_depth;
    records.push_back(std::move(entry));
  }
  result.details["records"] = std::move(records);
}

// The TLSA lookup did not give records: why, and what senders make of it.
void judge_lookup_failure(ProbeResult& result, const DaneEvidence& evidence) {
  const auto& tlsa = evidence.tlsa;
  if (tlsa.dnssec == DnssecState::bogus) {
    result.status = ProbeStatus::fail;
    result.summary = "the TLSA records at " + evidence.tlsa_name +
                     " fail DNSSEC validation (bogus): DANE senders defer mail";
    add_note(result, tlsa.detail);
    add_diagnosis(result, dane_diagnosis(Finding::dane_tlsa_bogus, evidence));
    return;
  }
  if (tlsa.status == DnsStatus::nxdomain || tlsa.status == DnsStatus::nodata) {
    skip(result,
         "no TLSA records at " + evidence.tlsa_name + ": DANE is not in use" +
             (tlsa.dnssec == DnssecState::secure ? " (their absence is DNSSEC-signed)" : ""));
    return;
  }
  // SERVFAIL without bogus data, a timeout, REFUSED: nothing is known of the records, and a
  // sender whose lookup fails like this defers mail to a host of a signed domain.
  result.status = ProbeStatus::warn;
  result.summary = tlsa.detail;  // "TLSA lookup of _25._tcp.mx.example.org: ..."
  add_note(result,
           "a sender whose TLSA lookup fails like this defers mail to this host when its MX "
           "records are DNSSEC-signed (RFC 7672 §2.1.1)");
}

// Secure records and no TLS session: DANE senders insist on TLS.
void judge_without_tls(ProbeResult& result, const DaneEvidence& evidence) {
  if (!evidence.tls_status || *evidence.tls_status == ProbeStatus::skip) {
    skip(result,
         "no certificate to match the TLSA records against: the tls probe did not run" +
             (evidence.tls_summary.empty() ? std::string{} : " (" + evidence.tls_summary + ")"));
    return;
  }
  result.status = ProbeStatus::fail;
  result.summary = "DNSSEC-signed TLSA records, but no TLS session: DANE senders defer mail";
  result.consequence_of = ProbeId::tls;
  add_diagnosis(result, dane_diagnosis(Finding::dane_without_tls, evidence));
}

// At most a warning when no sender would apply DANE to this host: its MX RRset is unsigned.
void cap_for_insecure_mx(ProbeResult& result, const DaneEvidence& evidence) {
  if (evidence.mx_dnssec != DnssecState::insecure) return;
  add_note(result,
           "the domain's MX records are not DNSSEC-signed: senders apply DANE only to MX hosts "
           "found through a signed MX lookup (RFC 7672 §2.2.1), so none enforces these records "
           "yet; sign the MX records and they will");
  if (result.status == ProbeStatus::fail) result.status = ProbeStatus::warn;
}

void judge_match(ProbeResult& result, const DaneEvidence& evidence, const DaneMatch& match) {
  const TlsInfo& tls = *evidence.tls;
  const TlsaCheck* hit = match.first_match();
  if (!hit) {
    result.status = ProbeStatus::fail;
    result.summary =
        "TLSA records do not match the certificate: DANE-enforcing senders "
        "(Postfix with smtp_tls_security_level = dane, Exim) will defer mail";
    std::string record = current_key_record(tls);
    if (!record.empty()) result.details["current_key_record"] = record;
    add_diagnosis(result, dane_diagnosis(Finding::dane_mismatch, evidence, record));
    return;
  }
  const std::string record = tlsa_text(hit->record);
  if (hit->record.usage == kDaneTa && !tls.hostname_match) {
    result.status = ProbeStatus::fail;
    result.summary = "DANE-TA record " + record + " matches the CA, but the certificate does " +
                     "not name " + tls.verify_host;
    add_diagnosis(
        result, dane_diagnosis(Finding::dane_ta_name_mismatch, evidence, current_key_record(tls)));
    return;
  }
  result.summary = hit->record.usage == kDaneEe
                       ? "DANE-EE record " + record + " matches the server's " +
                             (hit->record.selector == 1 ? "key" : "certificate")
                       : "DANE-TA record " + record + " matches the CA certificate " +
                             std::to_string(hit->matched_depth) + " above the server's";
  result.summary += " (DNSSEC-signed)";
  if (hit->record.usage == kDaneEe && !tls.verified)
    add_note(result, "the certificate does not verify for ordinary clients (" +
                         verification_problem(tls) +
                         "); DANE-EE senders check only the key, not names or dates (RFC 7672 "
                         "§3.1.1), so they deliver");
}

}  // namespace

ProbeResult judge_dane(const DaneEvidence& evidence) {
  ProbeResult result = dane_result(evidence.target);
  result.details["tlsa_name"] = evidence.tlsa_name;
  result.details["tlsa_status"] = dns_status_name(evidence.tlsa.status);
  result.details["dnssec"] = dnssec_state_name(evidence.tlsa.dnssec);
  if (evidence.mx_dnssec) result.details["mx_dnssec"] = dnssec_state_name(*evidence.mx_dnssec);
  if (!evidence.tlsa.ok()) {
    judge_lookup_failure(result, evidence);
    return result;
  }
  std::span<const DerCertificate> chain;
  if (evidence.tls) chain = evidence.tls->peer_chain;
  DaneMatch match = match_tlsa(evidence.tlsa.records, chain);
  describe_records(result, match);
  if (evidence.tlsa.dnssec != DnssecState::secure) {
    skip(result, "the TLSA records at " + evidence.tlsa_name +
                     " are not DNSSEC-signed (insecure): senders do not use them");
    add_note(result,
             "a resolver that does not validate never vouches for an answer: if the zone is "
             "signed, name a validating resolver with --dns-server");
    return result;
  }
  if (!match.any_usable()) {
    result.status = ProbeStatus::warn;
    result.summary =
        "no TLSA record is usable for SMTP: DANE senders require TLS but cannot "
        "authenticate the server";
    for (const auto& check : match.checks) add_note(result, check.unusable_reason);
  } else if (!evidence.tls || evidence.tls->peer_chain.empty()) {
    judge_without_tls(result, evidence);
  } else {
    judge_match(result, evidence, match);
  }
  cap_for_insecure_mx(result, evidence);
  return result;
}

namespace {

std::string lower_name(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return ascii::lower(name);
}

// The MX RRset's state for `host` when it is one of `domain`'s exchangers.
std::optional<DnssecState> mx_state_for(const DnsAnswer<MxRecord>& mx, const std::string& host) {
  if (!mx.ok()) return std::nullopt;
  for (const auto& record : mx.records)
    if (lower_name(record.exchange) == lower_name(host)) return mx.dnssec;
  return std::nullopt;
}

asio::awaitable<void> lookup_tlsa(Resolver& resolver, std::string name,
                                  DnsAnswer<TlsaRecord>& out) {
  out = co_await resolver.tlsa_dnssec(std::move(name));
}

const ProbeResult* find_result(const PortOutcome& outcome, ProbeId id) {
  for (const auto& result : outcome.results)
    if (result.id == id) return &result;
  return nullptr;
}

}  // namespace

asio::awaitable<void> check_dane(CheckRun& run) {
  const CheckOptions& options = run.options;
  std::vector<const PortOutcome*> mx_ports;
  for (const auto& outcome : run.ports)
    if (outcome.plan.role == PortRole::relay) mx_ports.push_back(&outcome);
  if (mx_ports.empty()) co_return;  // DANE for SMTP is about MX hosts (the mx role)

  std::string why_not;
  if (!options.wants(ProbeId::dane))
    why_not = options.skip.count(ProbeId::dane) ? "--skip dane" : "not selected by --only";
  else if (options.offline && options.mail_path.dns_servers.empty())
    why_not = "--offline: no resolver of our own (name one with --dns-server to check DANE)";
  else if (!run.resolver)
    why_not = "cannot start the resolver: " + run.resolver_error;
  else if (run.control.stopped())
    why_not = run.control.stop_reason();

  std::vector<DaneEvidence> evidence(mx_ports.size());
  std::vector<asio::awaitable<void>> lookups;
  for (std::size_t i = 0; i < mx_ports.size(); ++i) {
    const PortOutcome& outcome = *mx_ports[i];
    DaneEvidence& e = evidence[i];
    e.target = {outcome.plan.host, outcome.plan.port,
                outcome.connect ? outcome.connect->address : outcome.plan.address};
    if (const ProbeResult* tls = find_result(outcome, ProbeId::tls)) {
      e.target = tls->target;
      e.tls_status = tls->status;
      e.tls_summary = tls->summary;
      // No conversation reached TLS (the connection failed): that is the port's finding, and
      // there is no certificate to match whatever DNS says.
      if (tls->status == ProbeStatus::skip && tls->consequence_of) {
        e.consequence_of = tls->consequence_of;
        e.skip_reason = tls->skip_reason;
      }
    }
    e.tlsa_name =
        "_" + std::to_string(outcome.plan.port) + "._tcp." + lower_name(outcome.plan.host);
    if (outcome.tls) e.tls = &*outcome.tls;
    if (why_not.empty() && e.skip_reason.empty() && !is_ip_literal(outcome.plan.host))
      lookups.push_back(lookup_tlsa(*run.resolver, e.tlsa_name, e.tlsa));
  }
  DnsAnswer<MxRecord> mx;
  if (why_not.empty() && !options.target.is_ip_literal) {
    // Arguments of a co_await live in locals: g++ 12 mishandles temporaries across suspension.
    std::string domain = options.target.host;
    mx = co_await run.resolver->mx_dnssec(domain);
  }
  co_await run_concurrently(std::move(lookups));

  for (std::size_t i = 0; i < mx_ports.size(); ++i) {
    DaneEvidence& e = evidence[i];
    if (!e.skip_reason.empty() || !why_not.empty() || is_ip_literal(mx_ports[i]->plan.host)) {
      ProbeResult skipped = dane_result(e.target);
      if (!e.skip_reason.empty())
        skip(skipped, e.skip_reason);
      else
        skip(skipped,
             why_not.empty() ? "the host is an IP address: TLSA records need its name" : why_not);
      skipped.consequence_of = e.consequence_of;
      run.add(std::move(skipped));
      continue;
    }
    e.mx_dnssec = mx_state_for(mx, mx_ports[i]->plan.host);
    run.add(judge_dane(e));
  }
}

}  // namespace smtpdoctor
