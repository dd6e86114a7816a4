#include "core/report/render_json.hpp"
#include "core/report/root_cause.hpp"

#include <cstdio>
#include <ctime>
#include <map>

#include "core/base/version.hpp"
#include "core/net/tls_client.hpp"

namespace smtpdoctor {
namespace {

std::string dump(const Details& value) {
  // A hostile server's bytes may be invalid UTF-8: replace them rather than throw.
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string_view direction_name(Direction direction) {
  switch (direction) {
    case Direction::sent:
      return "sent";
    case Direction::received:
      return "received";
    case Direction::error:
      return "error";
    case Direction::info:
      return "info";
  }
  return "info";
}

Details probe_json(const ProbeResult& probe) {
  Details p = Details::object();
  p["id"] = probe_name(probe.id);
  p["target"] = format_target(probe.target);
  p["host"] = probe.target.host;
  p["port"] = probe.target.port == 0 ? Details(nullptr) : Details(probe.target.port);
  p["address"] = probe.target.address.empty() ? Details(nullptr) : Details(probe.target.address);
  p["status"] = status_name(probe.status);
  p["duration_ms"] = probe.duration.count();
  p["summary"] = probe.summary;
  if (probe.status == ProbeStatus::skip) p["skip_reason"] = probe.skip_reason;
  p["consequence_of"] =
      probe.consequence_of ? Details(probe_name(*probe.consequence_of)) : Details(nullptr);
  p["details"] = probe.details.is_object() ? probe.details : Details::object();
  p["diagnoses"] = Details::array();
  for (const auto& d : probe.diagnoses) p["diagnoses"].push_back(diagnosis_json(d));
  return p;
}

// Every diagnosis of the run once, with where it was found: a consumer that wants "what is
// wrong" reads this list and nothing else.
Details all_diagnoses_json(const Report& report) {
  Details list = Details::array();
  std::map<std::string, std::size_t> seen;
  auto add = [&](const Diagnosis& d, const std::string& where) {
    std::string key = std::string(category_name(d.category)) + "\n" + d.cause + "\n" + d.fix;
    auto [it, inserted] = seen.try_emplace(key, list.size());
    if (inserted) {
      Details entry = diagnosis_json(d);
      entry["found_in"] = Details::array();
      list.push_back(std::move(entry));
    }
    if (!where.empty()) list[it->second]["found_in"].push_back(where);
  };
  for (const auto& d : report.diagnoses) add(d, "");
  // A consequence's diagnoses are not causes: they stay on its probe, not in this list.
  for (const auto& probe : report.probes)
    if (!probe.consequence_of)
      for (const auto& d : probe.diagnoses)
        add(d, std::string(probe_name(probe.id)) + " " + format_target(probe.target));
  return list;
}

// The one failure the verdict comes down to, for a consumer that reads one thing.
Details root_cause_json(const Report& report) {
  auto root = find_root_cause(report);
  if (!root || compute_verdict(report) == Verdict::ok) return nullptr;
  Details j = Details::object();
  j["category"] = root->diagnosis ? Details(category_name(root->diagnosis->category)) : Details();
  j["probe"] = root->probe ? Details(probe_name(root->probe->id)) : Details();
  j["target"] = root->probe ? Details(format_target(root->probe->target)) : Details(report.target);
  j["summary"] = root->probe ? Details(root->probe->summary) : Details();
  j["cause"] = root->diagnosis ? Details(root->diagnosis->cause) : Details();
  j["fix"] = root->diagnosis ? Details(root->diagnosis->fix) : Details();
  return j;
}

}  // namespace

std::string iso8601_utc(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  auto since_epoch = duration_cast<milliseconds>(at.time_since_epoch()).count();
  long long seconds = since_epoch / 1000;
  long long millis = since_epoch % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lldZ", date, millis);
  return out;
}

Details diagnosis_json(const Diagnosis& d) {
  Details j = Details::object();
  j["category"] = category_name(d.category);
  j["permanent"] = d.permanent;
  j["stage"] = stage_name(d.stage);
  j["cause"] = d.cause;
  j["fix"] = d.fix;
  j["refs"] = d.refs;
  j["rule"] = d.rule;
  j["basis"] = basis_name(d.basis);
  j["code"] = d.code ? Details(*d.code) : Details(nullptr);
  j["enhanced_code"] = d.enhanced ? Details(d.enhanced->str()) : Details(nullptr);
  return j;
}

Details reply_json(const Reply& reply) {
  return {{"code", reply.code},
          {"enhanced", reply.enhanced ? Details(reply.enhanced->str()) : Details()},
          {"text", reply.text()}};
}

Details tls_json(const TlsInfo& t) {
  return {{"protocol", t.protocol},
          {"cipher", t.cipher},
          {"sni", t.sni},
          {"subject_cn", t.subject_cn},
          {"sans", t.sans},
          {"issuer", t.issuer},
          {"not_before", t.not_before},
          {"not_after", t.not_after},
          {"days_to_expiry", t.days_to_expiry ? Details(*t.days_to_expiry) : Details()},
          {"verified", t.verified},
          {"verify_result", t.verify_result},
          {"verify_reason", t.verify_reason},
          {"hostname_match", t.hostname_match},
          {"insecure", t.insecure},
          {"plaintext_discarded", t.plaintext_discarded}};
}

Details transcript_json(const Transcript& transcript) {
  Details lines = Details::array();
  for (const auto& entry : transcript.entries()) lines.push_back(transcript_entry_json(entry));
  return lines;
}

Details transcript_entry_json(const TranscriptEntry& entry) {
  Details j = Details::object();
  j["at"] = iso8601_utc(entry.at);
  j["direction"] = direction_name(entry.direction);
  j["tls"] = entry.in_tls;
  j["stage"] = stage_name(entry.stage);
  j["text"] = entry.text;
  return j;
}

Details report_json(const Report& report) {
  Details j = Details::object();
  j["schema"] = kReportSchema;
  j["tool"] = "smtpdoctor";
  j["version"] = report.tool_version;
  j["target"] = report.target;
  j["started_at"] = iso8601_utc(report.started_at);
  j["duration_ms"] = report.duration.count();
  j["verdict"] = verdict_name(compute_verdict(report));
  j["exit_code"] = report_exit_code(report);
  if (report.run_error) j["error"] = *report.run_error;
  j["interrupted"] = report.interrupted;
  j["root_cause"] = root_cause_json(report);

  Details options = Details::object();
  options["offline"] = report.options.offline;
  options["insecure"] = report.options.insecure;
  options["strict"] = report.options.strict;
  options["allow_plaintext_auth"] = report.options.allow_plaintext_auth;
  options["relay_test"] = report.options.relay_test;
  options["ports"] = report.options.ports;
  if (report.options.port_roles.size() == report.options.ports.size()) {
    Details roles = Details::object();
    for (std::size_t i = 0; i < report.options.ports.size(); ++i)
      roles[std::to_string(report.options.ports[i])] = report.options.port_roles[i];
    options["port_roles"] = std::move(roles);
  }
  options["helo"] = report.options.helo.empty() ? Details(nullptr) : Details(report.options.helo);
  j["options"] = std::move(options);

  StatusCounts counts = count_statuses(report);
  j["counts"] = {
      {"ok", counts.ok}, {"warn", counts.warn}, {"fail", counts.fail}, {"skip", counts.skip}};

  j["probes"] = Details::array();
  for (const auto& probe : report.probes) j["probes"].push_back(probe_json(probe));
  j["diagnoses"] = all_diagnoses_json(report);
  if (const auto& settings = report.mail_program_settings) {
    Details s = Details::object();
    s["found"] = settings->found;
    s["server"] = settings->found ? Details(settings->server) : Details(nullptr);
    s["port"] = settings->found ? Details(settings->port) : Details(nullptr);
    s["security"] = settings->found ? Details(settings->security) : Details(nullptr);
    s["user_name"] = settings->user_name.empty() ? Details(nullptr) : Details(settings->user_name);
    s["login_tested"] = settings->login_tested;
    s["found_by"] = settings->found_by.empty() ? Details(nullptr) : Details(settings->found_by);
    s["note"] = settings->note.empty() ? Details(nullptr) : Details(settings->note);
    j["mail_program_settings"] = std::move(s);
  }

  if (!report.transcripts.empty()) {
    Details transcripts = Details::array();
    for (const auto& conversation : report.transcripts) {
      transcripts.push_back(
          {{"target", conversation.target}, {"lines", transcript_json(conversation.transcript)}});
    }
    j["transcript"] = std::move(transcripts);
  }
  return j;
}

std::string render_json(const Report& report) {
  return dump(report_json(report));
}

std::string error_json(std::string_view kind, std::string_view message, int exit_code) {
  return dump(error_document(kind, message, exit_code));
}

Details error_document(std::string_view kind, std::string_view message, int exit_code) {
  Details j = Details::object();
  j["schema"] = kErrorSchema;
  j["tool"] = "smtpdoctor";
  j["version"] = kVersion;
  j["error"] = kind;
  j["message"] = message;
  j["exit_code"] = exit_code;
  return j;
}

}  // namespace smtpdoctor
