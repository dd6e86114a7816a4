// The failing recipients' diagnostics in a whole bounce message, so that `explain` of a pasted
// bounce reports why delivery failed, not the first code-looking line of its headers or of the
// returned message. Three shapes are read:
//   - a DSN's message/delivery-status part (RFC 3464): per recipient, Action, Status and
//     Diagnostic-Code; recipients whose Action is "failed" win over delayed ones, delivered and
//     relayed ones are skipped;
//   - an Exchange / Microsoft 365 NDR: "Remote Server returned '550 5.1.10 …'", or the
//     "Reported error: 550 5.1.10 …" lines of current Microsoft 365 NDRs;
//   - a Gmail "Delivery Status Notification": the lines after "The response from the remote
//     server was:".
// Pure text work; explain.cpp diagnoses what this finds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smtpdoctor {

struct BounceDiagnostic {
  std::string recipient;  // Final-Recipient's address, if the bounce names one
  std::string status;     // the DSN Status field ("5.1.1"), empty if none
  std::string text;       // the server's reply or the reporting MTA's reason
};

// Empty when `text` is not a bounce of one of the shapes above.
std::vector<BounceDiagnostic> bounce_diagnostics(std::string_view text);

}  // namespace smtpdoctor
