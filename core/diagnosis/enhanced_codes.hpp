// Meanings of enhanced mail system status codes: RFC 3463 classes and subjects, and the detail
// codes of the IANA "SMTP Enhanced Status Codes" registry (RFC 5248), so `explain` can say what
// "5.7.1" means even when no rule knows the server's wording.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/base/reply.hpp"

namespace smtpdoctor {

// "Success", "Persistent transient failure", "Permanent failure"; empty for an unknown class.
std::string_view enhanced_class_meaning(int klass);
// "Addressing status" … "Security or policy status"; empty for an unknown subject.
std::string_view enhanced_subject_meaning(int subject);
// The registry's text for subject.detail ("Delivery not authorized, message refused" for 7.1),
// or nullopt when the registry has no such entry.
std::optional<std::string_view> enhanced_detail_meaning(int subject, int detail);

// One line for people: the detail text when known, else the subject's, prefixed by the class,
// e.g. "Permanent failure: Delivery not authorized, message refused".
std::string enhanced_code_meaning(const EnhancedCode& code);

}  // namespace smtpdoctor
