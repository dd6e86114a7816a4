// mta_sts: the _mta-sts TXT record, the policy over HTTPS, and the policy against the MX hosts
// and their certificates (see probes/mta_sts_probe.hpp).
#include "probes/mta_sts_probe.hpp"

#include <asio/this_coro.hpp>

#include "core/diagnosis/knowledge_base.hpp"
#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

// Problems shown in one diagnosis; the rest are in details.
constexpr std::size_t kProblemsInCause = 3;

Diagnosis finding(Finding f, std::vector<std::pair<std::string, std::string>> facts) {
  Evidence ev;
  ev.finding = f;
  for (auto& [name, value] : facts) ev.add_fact(std::move(name), std::move(value));
  return diagnose(ev);
}

std::string joined(const std::vector<std::string>& items, std::size_t most, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < most; ++i) {
    if (i) out += sep;
    out += items[i];
  }
  if (items.size() > most) out += sep + std::string("...");
  return out;
}

std::string dns_words(DnsStatus status) {
  switch (status) {
    case DnsStatus::nxdomain:
      return "does not exist (NXDOMAIN)";
    case DnsStatus::nodata:
      return "has no address record";
    case DnsStatus::timeout:
      return "could not be resolved (no answer in time)";
    default:
      return "could not be resolved (" + std::string(dns_status_name(status)) + ")";
  }
}

// Why the fetch did not give a usable policy body; empty when it did.
std::string fetch_problem(const MtaStsEvidence& e) {
  const std::string host = sts_policy_host(e.domain);
  if (e.policy_host_status && *e.policy_host_status != DnsStatus::ok)
    return host + " " + dns_words(*e.policy_host_status);
  if (!e.fetch) return "it was not fetched";
  const HttpsGetResult& f = *e.fetch;
  if (f.error) {
    if (f.error->kind == ErrorKind::tls && f.tls && f.tls->has_certificate && !f.tls->verified)
      return "its certificate is not valid for " + host + ": " + verification_problem(*f.tls);
    return f.error->message;
  }
  const HttpResponse& r = *f.response;
  if (r.status >= 300 && r.status < 400) {
    auto location = r.header("location");
    return "the server answered " + std::to_string(r.status) + " " + r.reason +
           (location ? " to " + *location : std::string()) +
           ", a redirect, which senders do not follow (RFC 8461 §3.3)";
  }
  if (r.status != 200)
    return "the server answered " + std::to_string(r.status) + " " + r.reason + ", not 200";
  return {};
}

void describe_policy(ProbeResult& result, const StsPolicy& policy) {
  Details p = Details::object();
  if (policy.version) p["version"] = *policy.version;
  if (policy.mode) p["mode"] = std::string(sts_mode_name(*policy.mode));
  p["mx"] = policy.mx;
  if (policy.max_age) p["max_age"] = *policy.max_age;
  std::vector<std::string> errors, warnings;
  for (const auto& e : policy.errors) errors.push_back(format_problem(e));
  for (const auto& w : policy.warnings) warnings.push_back(format_problem(w));
  p["errors"] = errors;
  p["warnings"] = warnings;
  result.details["policy"] = std::move(p);
}

const char* state_name(MxTlsCheck::State state) {
  switch (state) {
    case MxTlsCheck::State::verified:
      return "verified";
    case MxTlsCheck::State::failed:
      return "failed";
    case MxTlsCheck::State::no_starttls:
      return "no_starttls";
    case MxTlsCheck::State::not_checked:
      return "not_checked";
  }
  return "not_checked";
}

// The policy against the MX hosts: patterns and certificates.
void cross_check(ProbeResult& result, const MtaStsEvidence& e, const StsPolicy& policy) {
  const StsMode mode = *policy.mode;
  const std::string url = sts_policy_url(e.domain);
  if (!e.mx_hosts) {
    add_note(result, "the MX hosts are not known (" + e.mx_tls_missing +
                         "): they were not checked against the policy");
    return;
  }
  const bool enforce = mode == StsMode::enforce;
  const ProbeStatus severity = enforce ? ProbeStatus::fail : ProbeStatus::warn;
  Details checks = Details::array();
  std::size_t good = 0;
  for (const auto& host : *e.mx_hosts) {
    Details check = Details::object();
    check["host"] = host;
    auto pattern = matching_mx_pattern(policy.mx, host);
    check["pattern"] = pattern ? Details(*pattern) : Details(nullptr);
    bool host_ok = pattern.has_value();
    bool verified = false;  // on at least one port: "valid certificate" is then known
    if (!pattern && mode != StsMode::none) {
      raise_status(result, severity);
      add_diagnosis(
          result,
          finding(Finding::mta_sts_mx_not_listed,
                  {{"host", host},
                   {"patterns", "mx: " + joined(policy.mx, 6, ", ")},
                   {"url", url},
                   {"consequence", enforce ? "in enforce mode senders will refuse to deliver to it"
                                           : "in testing mode senders deliver to it but report a "
                                             "failure, and would refuse it under enforce"}}));
    }
    Details ports = Details::array();
    for (const auto& tls : e.mx_tls) {
      if (tls.host != host) continue;
      Details port = Details::object();
      port["port"] = tls.port;
      port["certificate"] = state_name(tls.state);
      if (!tls.problem.empty()) port["problem"] = tls.problem;
      ports.push_back(std::move(port));
      if (tls.state == MxTlsCheck::State::not_checked) {
        add_note(result, host + ":" + std::to_string(tls.port) + ": certificate not checked (" +
                             tls.problem + ")");
        continue;
      }
      if (tls.state == MxTlsCheck::State::verified) {
        verified = true;
        continue;
      }
      host_ok = false;
      if (mode == StsMode::none) continue;
      raise_status(result, severity);
      std::string problem = tls.state == MxTlsCheck::State::no_starttls
                                ? "it offers no STARTTLS"
                                : "its certificate does not match (" + tls.problem + ")";
      add_diagnosis(result,
                    finding(enforce ? Finding::mta_sts_tls_enforce : Finding::mta_sts_tls_testing,
                            {{"host", host}, {"problem", problem}}));
    }
    if (e.mx_tls.empty() && !e.mx_tls_missing.empty())
      add_note(result, host + ": certificate not checked (" + e.mx_tls_missing + ")");
    check["ports"] = std::move(ports);
    checks.push_back(std::move(check));
    if (host_ok && verified) ++good;
  }
  result.details["mx_checks"] = std::move(checks);
  result.summary += "; " + std::to_string(good) + " of " + std::to_string(e.mx_hosts->size()) +
                    " MX host" + (e.mx_hosts->size() == 1 ? "" : "s") +
                    " listed with a valid certificate";
  if (e.mx_tls.empty()) result.summary += " (certificates not checked)";
  if (mode == StsMode::none)
    add_note(result, "mode none: senders apply no policy (the domain is withdrawing MTA-STS)");
  if (mode == StsMode::testing && result.status == ProbeStatus::ok && good == e.mx_hosts->size())
    add_note(result,
             "mode testing: senders report failures but deliver anyway; every MX host "
             "passes, so \"mode: enforce\" is safe to publish");
}

}  // namespace

std::string sts_policy_host(const std::string& domain) {
  return "mta-sts." + domain;
}

std::string sts_policy_url(const std::string& domain) {
  return "https://" + sts_policy_host(domain) + kStsPolicyPath;
}

asio::awaitable<MtaStsEvidence> gather_mta_sts(Resolver& resolver, MtaStsProbeOptions options) {
  MtaStsEvidence e;
  e.domain = options.domain;
  auto txt = co_await resolver.txt("_mta-sts." + options.domain);
  e.txt_status = txt.status;
  e.txt = std::move(txt.records);
  if (select_sts(e.txt).count == 0) co_return e;

  // The policy host, resolved by our resolver (the one --dns-server names), then the GET to
  // that address with the name for SNI, the certificate and Host.
  const std::string host = sts_policy_host(options.domain);
  std::string address;
  DnsStatus status = DnsStatus::nodata;
  if (options.family != IpFamily::v6) {
    auto a = co_await resolver.a(host);
    status = a.status;
    if (!a.records.empty()) address = a.records.front().address;
  }
  if (address.empty() && options.family != IpFamily::v4 && status != DnsStatus::nxdomain) {
    auto aaaa = co_await resolver.aaaa(host);
    if (status != DnsStatus::ok) status = aaaa.status;
    if (!aaaa.records.empty()) address = aaaa.records.front().address;
  }
  if (address.empty() && status == DnsStatus::ok) status = DnsStatus::nodata;
  e.policy_host_status = address.empty() ? status : DnsStatus::ok;
  if (address.empty()) co_return e;

  HttpsGetOptions get;
  get.host = host;
  get.address = address;
  get.path = kStsPolicyPath;
  get.ca_file = options.ca_file;
  get.timeout = options.timeout;
  get.control = options.control;
  auto executor = co_await asio::this_coro::executor;
  e.fetch = co_await https_get(executor, std::move(get));
  co_return e;
}

ProbeResult judge_mta_sts(const MtaStsEvidence& e) {
  ProbeResult result;
  result.id = ProbeId::mta_sts;
  result.target.host = e.domain;
  const std::string url = sts_policy_url(e.domain);
  if (e.txt_status != DnsStatus::ok && e.txt_status != DnsStatus::nxdomain &&
      e.txt_status != DnsStatus::nodata) {
    result.status = ProbeStatus::warn;
    result.summary = "_mta-sts." + e.domain + " " + dns_words(e.txt_status);
    return result;
  }
  auto selection = select_sts(e.txt);
  if (selection.count == 0) {
    result.summary = "no MTA-STS policy (no _mta-sts TXT record)";
    add_note(result,
             "senders use STARTTLS opportunistically and accept any certificate; publish "
             "an MTA-STS policy so they insist on a valid one");
    return result;
  }
  const StsRecord& record = *selection.record;
  for (const auto& txt : e.txt)
    if (is_sts_record(txt.text)) {
      result.details["record"] = txt.text;
      break;
    }
  result.details["id"] = record.id;
  result.details["url"] = url;
  if (!record.ok()) {
    result.status = ProbeStatus::fail;
    result.details["record_errors"] = record.errors;
    add_diagnosis(result, finding(Finding::mta_sts_record_invalid,
                                  {{"domain", e.domain},
                                   {"problem", joined(record.errors, kProblemsInCause, "; ")}}));
  }

  std::string problem = fetch_problem(e);
  if (e.fetch) {
    if (e.fetch->response) result.details["http_status"] = e.fetch->response->status;
    // In details, not target.address: the result belongs with the domain's, not to a host.
    if (!e.fetch->address.empty()) result.details["policy_address"] = e.fetch->address;
    result.duration = e.fetch->duration;
  }
  if (!problem.empty()) {
    result.status = ProbeStatus::fail;
    result.summary = "the policy at " + url + " cannot be fetched: " + problem;
    add_diagnosis(result, finding(Finding::mta_sts_policy_unavailable,
                                  {{"domain", e.domain}, {"url", url}, {"problem", problem}}));
    return result;
  }

  const HttpResponse& response = *e.fetch->response;
  auto content_type = response.header("content-type");
  std::string type = content_type ? media_type(*content_type) : std::string();
  result.details["content_type"] = content_type ? *content_type : std::string();
  StsPolicy policy = parse_sts_policy(response.body);
  if (type != "text/plain")
    policy.errors.insert(
        policy.errors.begin(),
        {0, "it is served as " +
                (type.empty() ? std::string("no Content-Type") : "\"" + type + "\"") +
                ", not text/plain"});
  describe_policy(result, policy);
  if (!policy.ok()) {
    std::vector<std::string> problems;
    for (const auto& p : policy.errors) problems.push_back(format_problem(p));
    result.status = ProbeStatus::fail;
    result.summary = "the policy at " + url + " is invalid: " + problems.front();
    add_diagnosis(result,
                  finding(Finding::mta_sts_policy_invalid,
                          {{"url", url}, {"problem", joined(problems, kProblemsInCause, "; ")}}));
    return result;
  }
  for (const auto& w : policy.warnings) {
    raise_status(result, ProbeStatus::warn);
    add_note(result, "policy " + format_problem(w));
  }
  result.summary = std::string(sts_mode_name(*policy.mode)) + " policy id " + record.id +
                   ", max_age " + std::to_string(*policy.max_age) + ", mx: " +
                   (policy.mx.empty() ? std::string("(none)") : joined(policy.mx, 4, ", "));
  cross_check(result, e, policy);
  return result;
}

}  // namespace smtpdoctor
