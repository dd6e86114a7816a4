// Layout, chosen to be read by a help-desk person and pasted into a ticket:
//
//   smtpdoctor 0.1.0 — check mail.example.test
//   ports 587, 465, 25 · offline · started 2026-11-22 09:30:00 UTC
//
//   mail.example.test:25 (127.0.0.1)
//     ✗ tcp        10.0 s  timed out: nothing answered within 10 s
//         why  Your network blocks outbound connections to port 25. (port_blocked)
//         fix  Send through port 587 with STARTTLS, or 465.
//     – banner             skipped: tcp failed
//
// Probes are grouped by target and listed in pipeline order within a target, so a report reads
// the same however the concurrent probes finished (see group_by_target). Everything a server or
// DNS sent passes through printable_line() first: it cannot move the cursor or break the layout.
#include "core/report/render_human.hpp"
#include "core/report/root_cause.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "core/base/duration_text.hpp"
#include "core/smtp/capabilities.hpp"

namespace smtpdoctor {
namespace {

constexpr std::size_t kIdColumn = 9;        // "envelope" plus a space
constexpr std::size_t kDurationColumn = 8;  // "12.50 s" right-aligned
constexpr std::string_view kDetailIndent = "      ";
constexpr std::size_t kMaxCapabilityColumn = 22;

struct Style {
  bool on = false;
  std::string paint(std::string_view text, std::string_view sgr) const {
    if (!on) return std::string(text);
    return "\x1b[" + std::string(sgr) + "m" + std::string(text) + "\x1b[0m";
  }
  std::string glyph(ProbeStatus status) const {
    switch (status) {
      case ProbeStatus::ok:
        return paint(status_glyph(status), "32");
      case ProbeStatus::warn:
        return paint(status_glyph(status), "33;1");
      case ProbeStatus::fail:
        return paint(status_glyph(status), "31;1");
      case ProbeStatus::skip:
        return paint(status_glyph(status), "2");
    }
    return std::string(status_glyph(status));
  }
  std::string bold(std::string_view text) const { return paint(text, "1"); }
  std::string dim(std::string_view text) const { return paint(text, "2"); }
};

std::string pad_right(std::string text, std::size_t columns) {
  std::size_t width = display_width(text);
  if (width < columns) text.append(columns - width, ' ');
  return text;
}

std::string pad_left(std::string text, std::size_t columns) {
  std::size_t width = display_width(text);
  if (width < columns) text.insert(0, columns - width, ' ');
  return text;
}

// Word-wraps `text` so no line passes `width`; the first line starts with `first`, the rest
// with `rest` (same display width, for a hanging indent).
std::string wrap(std::string_view text, const std::string& first, const std::string& rest,
                 std::size_t width) {
  std::string out = first;
  std::size_t column = display_width(first);
  std::size_t indent = display_width(rest);
  bool line_empty = true;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    if (end == i) break;
    // "RFC 3207" is one reference; a line break inside it reads like two things.
    if (text.substr(i, end - i).ends_with("RFC") && end < text.size()) {
      std::size_t next = text.find(' ', end + 1);
      end = next == std::string_view::npos ? text.size() : next;
    }
    std::string_view word = text.substr(i, end - i);
    std::size_t w = display_width(word);
    if (!line_empty && column + 1 + w > width) {
      out += '\n';
      out += rest;
      column = indent;
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++column;
    }
    out += word;
    column += w;
    line_empty = false;
    i = end;
  }
  out += '\n';
  return out;
}

std::string group_key(const ProbeResult& probe) {
  return format_target(probe.target) + "\n" + probe.target.address;
}

std::string group_heading(const ProbeTarget& target) {
  std::string heading = format_target(target);
  if (heading.empty()) heading = "this machine";
  if (!target.address.empty() && target.address != target.host)
    heading += " (" + target.address + ")";
  return printable_line(heading);
}

using Group = std::vector<const ProbeResult*>;

// Probes grouped by target, each group in pipeline order. Groups: probes not about a port first
// (internet, dns), then hosts in the order they first appear (the pipeline adds MX hosts in
// preference order), ports in the order the user gave them, addresses in order of appearance.
// So the report reads the same however the concurrent probes happened to finish.
std::vector<Group> group_by_target(const Report& report) {
  std::vector<Group> groups;
  std::map<std::string, std::size_t> index;
  std::map<std::string, std::size_t> host_rank;
  for (const auto& probe : report.probes) {
    host_rank.try_emplace(probe.target.host, host_rank.size());
    auto [it, inserted] = index.try_emplace(group_key(probe), groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(&probe);
  }
  auto port_rank = [&](std::uint16_t port) {
    const auto& ports = report.options.ports;
    auto it = std::find(ports.begin(), ports.end(), port);
    return it == ports.end() ? ports.size() + port : std::size_t(it - ports.begin());
  };
  auto rank = [&](const Group& g) {
    const ProbeTarget& t = g.front()->target;
    return std::make_tuple(t.port == 0 ? 0 : 1, host_rank[t.host], port_rank(t.port));
  };
  std::stable_sort(groups.begin(), groups.end(),
                   [&](const Group& a, const Group& b) { return rank(a) < rank(b); });
  for (auto& group : groups)
    std::stable_sort(group.begin(), group.end(),
                     [](const ProbeResult* a, const ProbeResult* b) { return a->id < b->id; });
  return groups;
}

std::string utc_time(std::chrono::system_clock::time_point at) {
  std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

std::string header(const Report& report, const Style& style) {
  std::string out = style.bold("smtpdoctor " + report.tool_version) + " — check " +
                    printable_line(report.target) + "\n";
  std::vector<std::string> facts;
  if (!report.options.ports.empty()) {
    std::string ports = report.options.ports.size() == 1 ? "port " : "ports ";
    const auto& roles = report.options.port_roles;
    for (std::size_t i = 0; i < report.options.ports.size(); ++i) {
      ports += (i ? ", " : "") + std::to_string(report.options.ports[i]);
      if (roles.size() == report.options.ports.size()) ports += " " + roles[i];
    }
    facts.push_back(ports);
  }
  if (!report.options.helo.empty()) facts.push_back("HELO " + printable_line(report.options.helo));
  if (report.options.offline) facts.push_back("offline");
  if (report.options.insecure)
    facts.push_back(style.paint("TLS certificates NOT verified (--insecure)", "33"));
  if (report.options.allow_plaintext_auth) facts.push_back("plaintext AUTH allowed");
  if (report.options.relay_test) facts.push_back("relay test");
  if (report.options.strict) facts.push_back("strict");
  facts.push_back("started " + utc_time(report.started_at));
  for (std::size_t i = 0; i < facts.size(); ++i) out += (i ? " · " : "") + facts[i];
  return out + "\n";
}

// Identifies a diagnosis so the same finding on three ports is explained once.
std::string diagnosis_key(const Diagnosis& d) {
  return std::string(category_name(d.category)) + "\n" + d.cause + "\n" + d.fix;
}

void render_diagnosis(std::string& out, const Diagnosis& d, std::set<std::string>& explained,
                      const std::string& indent, const Style& style, std::size_t width) {
  std::string category(category_name(d.category));
  if (!explained.insert(diagnosis_key(d)).second) {
    out += indent + style.dim("why") + "  same as above (" + category + ")\n";
    return;
  }
  std::string rest = indent + "     ";
  std::string cause = d.cause.empty() ? "No explanation is known." : printable_line(d.cause);
  out += wrap(cause + " (" + category + ")", indent + style.dim("why") + "  ", rest, width);
  if (!d.fix.empty())
    out += wrap(printable_line(d.fix), indent + style.bold("fix") + "  ", rest, width);
}

std::string scalar_text(const Details& value) {
  if (value.is_string()) return printable_line(value.get<std::string>());
  if (value.is_array()) {
    std::string joined;
    for (const auto& item : value) {
      if (!joined.empty()) joined += ", ";
      joined += scalar_text(item);
    }
    return joined.empty() ? "(none)" : joined;
  }
  return printable_line(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void render_capabilities(std::string& out, const Details& capabilities, std::size_t width) {
  std::size_t column = 0;
  for (const auto& c : capabilities)
    if (c.is_string())
      column = std::max(column, display_width(printable_line(c.get<std::string>())));
  column = std::min(column, kMaxCapabilityColumn) + 2;
  for (const auto& c : capabilities) {
    if (!c.is_string()) continue;
    std::string line = printable_line(c.get<std::string>());
    std::string_view meaning = capability_meaning(line);
    if (meaning.empty()) {
      out += std::string(kDetailIndent) + line + "\n";
    } else {
      std::string keyword = display_width(line) >= column ? line + "  " : pad_right(line, column);
      std::string first = std::string(kDetailIndent) + keyword;
      out += wrap(meaning, first, std::string(display_width(first), ' '), width);
    }
  }
}

void render_details(std::string& out, const ProbeResult& probe, bool verbose, std::size_t width) {
  const Details& details = probe.details;
  if (!details.is_object()) return;
  if (auto it = details.find("capabilities"); it != details.end() && it->is_array())
    render_capabilities(out, *it, width);
  if (auto it = details.find("notes"); it != details.end() && it->is_array())
    for (const auto& note : *it)
      if (note.is_string())
        out += wrap(printable_line(note.get<std::string>()), std::string(kDetailIndent) + "note  ",
                    std::string(kDetailIndent) + "      ", width);
  if (!verbose) return;
  std::size_t column = 0;
  for (const auto& [key, value] : details.items())
    if (key != "capabilities" && key != "notes") column = std::max(column, key.size());
  for (const auto& [key, value] : details.items()) {
    if (key == "capabilities" || key == "notes") continue;
    out +=
        std::string(kDetailIndent) + pad_right(key + ":", column + 2) + scalar_text(value) + "\n";
  }
}

std::string probe_line(const ProbeResult& probe, const Style& style) {
  std::string line = "  " + style.glyph(probe.status) + " " +
                     pad_right(std::string(probe_name(probe.id)), kIdColumn);
  if (probe.status == ProbeStatus::skip) {
    line += std::string(kDurationColumn, ' ') + "  ";
    std::string reason = probe.skip_reason.empty() ? probe.summary : probe.skip_reason;
    line += style.dim(reason.empty() ? "skipped" : "skipped: " + printable_line(reason));
  } else {
    line += pad_left(format_duration(probe.duration), kDurationColumn) + "  " +
            printable_line(probe.summary);
  }
  return line + "\n";
}

// Rows are the targets with a port, columns the probes seen on them; shown when there are
// several rows.
std::string render_matrix(const std::vector<Group>& groups, const Style& style) {
  std::vector<const Group*> rows;
  std::set<ProbeId> columns;
  std::set<std::string> hosts;
  for (const auto& group : groups) {
    if (group.front()->target.port == 0) continue;
    rows.push_back(&group);
    for (const ProbeResult* probe : group) columns.insert(probe->id);
    hosts.insert(group.front()->target.host + "\n" + group.front()->target.address);
  }
  if (rows.size() < 2) return {};

  // One host: the port alone names the row.
  bool one_host = hosts.size() == 1;
  std::vector<std::string> labels;
  std::size_t label_width = one_host ? 4 : 0;
  for (const Group* row : rows) {
    const ProbeTarget& t = row->front()->target;
    labels.push_back(one_host ? std::to_string(t.port) : group_heading(t));
    label_width = std::max(label_width, display_width(labels.back()));
  }
  std::string out = "  " + pad_right(one_host ? "port" : "", label_width + 2);
  std::vector<std::size_t> widths;
  for (ProbeId id : columns) {
    std::string name(probe_name(id));
    widths.push_back(name.size() + 2);
    out += pad_right(name, name.size() + 2);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += "\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line = "  " + pad_right(labels[r], label_width + 2);
    std::size_t c = 0;
    for (ProbeId id : columns) {
      // Two results for one cell (should not happen) show the one that matters most.
      std::optional<ProbeStatus> cell;
      for (const ProbeResult* probe : *rows[r])
        if (probe->id == id && (!cell || *cell == ProbeStatus::skip ||
                                (probe->status != ProbeStatus::skip && probe->status > *cell)))
          cell = probe->status;
      line += (cell ? style.glyph(*cell) : " ") + std::string(widths[c++] - 1, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string result_line(const Report& report, const Style& style) {
  StatusCounts counts = count_statuses(report);
  Verdict verdict = compute_verdict(report);
  std::string took = format_duration(report.duration);
  if (report.interrupted)
    return style.bold("Result: interrupted") + " after " + took + " (" +
           std::to_string(counts.ok + counts.warn + counts.fail) + " probes done)\n";
  if (report.run_error)
    return style.paint("Result: could not run", "31;1") + " — " +
           printable_line(*report.run_error) + "\n";

  std::string word;
  switch (verdict) {
    case Verdict::ok:
      word = style.paint("Result: ok", "32;1");
      break;
    case Verdict::warn:
      word = style.paint("Result: warning", "33;1");
      break;
    case Verdict::fail:
      word = style.paint("Result: FAILED", "31;1");
      break;
    case Verdict::error:
      word = style.paint("Result: nothing could be checked", "31;1");
      break;
  }
  auto count = [](int n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
  };
  std::string line = word + " — " + count(counts.ok, "ok", "ok") + ", " +
                     count(counts.warn, "warning", "warnings") + ", " +
                     count(counts.fail, "failed", "failed") + ", " +
                     count(counts.skip, "skipped", "skipped") + " in " + took;
  if (verdict == Verdict::warn && report.options.strict) line += " (--strict: warnings fail)";
  return line + "\n";
}

}  // namespace

std::string render_diagnosis(const Diagnosis& diagnosis, const HumanOptions& options,
                             const std::string& indent) {
  std::string out;
  std::set<std::string> explained;
  render_diagnosis(out, diagnosis, explained, indent, Style{options.colour}, options.width);
  return out;
}

namespace {

// The failure the verdict comes down to, first, with its fix, and what failed only because of
// it. Its diagnosis is then "same as above" where the probe's own line comes.
std::string render_root_cause(const Report& report, std::set<std::string>& explained,
                              const Style& style, std::size_t width) {
  if (compute_verdict(report) != Verdict::fail) return {};
  auto root = find_root_cause(report);
  if (!root || !root->probe) return {};
  const ProbeResult& cause = *root->probe;
  std::string out = "\n" + style.bold("Root cause") + "  " + std::string(probe_name(cause.id)) +
                    " on " + group_heading(cause.target) + ": " + printable_line(cause.summary) +
                    "\n";
  if (root->diagnosis) render_diagnosis(out, *root->diagnosis, explained, "  ", style, width);
  std::vector<std::string> after;
  for (const auto& probe : report.probes)
    if (probe.consequence_of == cause.id && probe.status != ProbeStatus::skip &&
        (cause.target.port == 0 ||
         (probe.target.port == cause.target.port && probe.target.host == cause.target.host)))
      after.push_back(std::string(probe_name(probe.id)) + " " + format_target(probe.target));
  if (!after.empty()) {
    std::string list;
    for (const auto& a : after) list += (list.empty() ? "" : ", ") + a;
    out += wrap("failed only because of it: " + printable_line(list),
                "  " + style.dim("then") + " ", "       ", width);
  }
  return out;
}

}  // namespace

std::string render_human(const Report& report, const HumanOptions& options) {
  Style style{options.colour};
  std::string out = header(report, style);
  std::set<std::string> explained;
  const std::string indent(kDetailIndent);
  out += render_root_cause(report, explained, style, options.width);

  std::vector<Group> groups = group_by_target(report);
  for (const auto& group : groups) {
    out += "\n" + style.bold(group_heading(group.front()->target)) + "\n";
    for (const ProbeResult* probe : group) {
      out += probe_line(*probe, style);
      render_details(out, *probe, options.verbose, options.width);
      if (probe->consequence_of && probe->status != ProbeStatus::skip) {
        // A knock-on failure gets no fix of its own: the fix is its cause's.
        out += indent +
               style.dim("↳ follows from " + std::string(probe_name(*probe->consequence_of))) +
               "\n";
      } else if (probe->status == ProbeStatus::warn || probe->status == ProbeStatus::fail ||
                 options.verbose) {
        for (const auto& d : probe->diagnoses)
          render_diagnosis(out, d, explained, indent, style, options.width);
      }
    }
  }

  if (std::string matrix = render_matrix(groups, style); !matrix.empty())
    out += "\n" + style.bold("At a glance") + "\n" + matrix;

  if (!report.diagnoses.empty()) {
    out += "\n" + style.bold("Diagnosis") + "\n";
    for (const auto& d : report.diagnoses)
      render_diagnosis(out, d, explained, "  ", style, options.width);
  }

  if (const auto& settings = report.mail_program_settings) {
    out += "\n" + style.bold("Settings for your mail program") + "\n";
    if (settings->found) {
      auto row = [&out](std::string_view label, const std::string& value) {
        out += "  " + pad_right(std::string(label), 11) + value + "\n";
      };
      row("server", printable_line(settings->server));
      row("port", std::to_string(settings->port));
      row("security", settings->security);
      row("user name", settings->login_tested ? settings->user_name + " (logged in)"
                                              : std::string("not tested"));
      row("found by", printable_line(settings->found_by));
    }
    if (!settings->note.empty()) out += wrap(settings->note, "  ", "  ", options.width);
  }

  if (options.verbose) {
    for (const auto& conversation : report.transcripts) {
      out += "\n" + style.bold("Transcript of " + conversation.target) + "\n";
      std::string text = conversation.transcript.render();
      std::size_t start = 0;
      while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        out += "  " + printable_line(text.substr(start, end - start)) + "\n";
        start = end + 1;
      }
    }
  }

  out += "\n" + result_line(report, style);
  return out;
}

}  // namespace smtpdoctor
