// One name-consistency finding per exchanger (DESIGN §2): the host name we asked for, the name
// in the banner, the name in the EHLO reply, the PTR names of the address we reached, and the
// names in the certificate should tell one story. Load balancers and shared hosting make small
// disagreements normal, so most are notes; a warning is kept for the cases receivers and mail
// apps trip over: a banner that names nothing we can connect to ("localhost", an unqualified
// name) or a banner name that neither PTR nor certificate vouches for. Pure.
#pragma once

#include <string>
#include <vector>

#include "core/report/report.hpp"

namespace smtpdoctor {

struct NameEvidence {
  std::string asked_host;               // the exchanger or host we connected to
  std::string banner_host;              // first word of the 220 greeting; empty: none
  std::string ehlo_host;                // first word of the EHLO reply; empty: none
  std::vector<std::string> ptr_names;   // PTR of the address reached
  std::vector<std::string> cert_names;  // DNS SANs (and subject CN) of the certificate
};

struct NameConsistency {
  ProbeStatus status = ProbeStatus::ok;  // ok or warn
  std::vector<std::string> notes;        // one line each, for ProbeResult details["notes"]
};

NameConsistency name_consistency(const NameEvidence& evidence);

// Certificate name matching as RFC 6125 §6.4.3 has it: case-insensitive, a trailing dot
// ignored, "*" only as the whole left-most label and matching exactly one label.
bool certificate_name_matches(const std::string& pattern, const std::string& host);

// The first word of a greeting or EHLO reply line ("mx.example.org ESMTP Postfix" ->
// "mx.example.org"), or empty.
std::string first_word(const std::string& line);

}  // namespace smtpdoctor
