// tlsrpt: the _smtp._tls TXT record (RFC 8460 §3) — where senders report the TLS failures they
// meet delivering to the domain (an expired MX certificate, an MTA-STS mismatch). A broken record
// is a warning: mail still flows, but nobody hears of those failures.
#include "core/diagnosis/knowledge_base.hpp"
#include "probes/mta_sts_probe.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {

ProbeResult judge_tlsrpt(const std::string& domain, DnsStatus status,
                         const std::vector<TxtRecord>& txt) {
  ProbeResult result;
  result.id = ProbeId::tlsrpt;
  result.target.host = domain;
  const std::string name = "_smtp._tls." + domain;
  if (status != DnsStatus::ok && status != DnsStatus::nxdomain && status != DnsStatus::nodata) {
    result.status = ProbeStatus::warn;
    result.summary = name + " could not be resolved (" + std::string(dns_status_name(status)) + ")";
    return result;
  }
  auto selection = select_tlsrpt(txt);
  if (selection.count == 0) {
    result.summary = "no TLS-RPT record (" + name + ")";
    add_note(result,
             "senders send no reports of TLS failures; publish \"v=TLSRPTv1; "
             "rua=mailto:tlsrpt@" +
                 domain + "\" at " + name + " to receive them");
    return result;
  }
  const TlsRptRecord& record = *selection.record;
  for (const auto& t : txt)
    if (is_tlsrpt_record(t.text)) {
      result.details["record"] = t.text;
      break;
    }
  result.details["rua"] = record.rua;
  result.details["errors"] = record.errors;
  if (!record.ok()) {
    result.status = ProbeStatus::warn;
    std::string problems;
    for (std::size_t i = 0; i < record.errors.size() && i < 3; ++i)
      problems += (i ? "; " : "") + record.errors[i];
    result.summary = "the TLS-RPT record is invalid: " + record.errors.front();
    Evidence ev;
    ev.finding = Finding::tlsrpt_invalid;
    ev.add_fact("domain", domain);
    ev.add_fact("problem", problems);
    add_diagnosis(result, diagnose(ev));
    return result;
  }
  std::string uris;
  for (const auto& uri : record.rua) uris += (uris.empty() ? "" : ", ") + uri;
  result.summary = "reports go to " + uris;
  return result;
}

}  // namespace smtpdoctor
