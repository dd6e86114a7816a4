// The credential comparison (DESIGN §2, auth): when SMTP AUTH refuses a login, log in to the
// same provider's POP3 and/or IMAP with the same credentials. The answer separates causes that
// look identical from SMTP ("535 authentication failed"):
//
//   SMTP ok                                   -> nothing to compare
//   SMTP rejected, POP3/IMAP accepted         -> credentials_differ_from_pop: separate SMTP
//                                                credentials, SMTP AUTH disabled for the
//                                                mailbox, or an app password needed
//   SMTP rejected, POP3/IMAP rejected too     -> auth_failed: wrong user or password (try the
//                                                full address as the user name)
//   relay refused until a POP login, then
//   allowed                                   -> the server uses POP-before-SMTP
//
// credentials_verdict() is pure; run_mailbox_logins() does the logins (all at once) and
// check_pop_before_smtp() the relay / POP / relay sequence.
#pragma once

#include <asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/mailbox/mail_login_client.hpp"
#include "core/report/report.hpp"
#include "core/smtp/smtp_client.hpp"
#include "probes/mail_path_options.hpp"

namespace smtpdoctor {

struct MailboxLogin {
  MailProtocol protocol = MailProtocol::pop3;
  LoginOutcome outcome = LoginOutcome::error;
  bool temporary = false;  // a "try later" refusal (SYS/TEMP, UNAVAILABLE ...)
  std::string text;        // the server's refusal or our error, one line
};

enum class SmtpLogin { ok, rejected, not_tried };

struct CredentialsEvidence {
  SmtpLogin smtp = SmtpLogin::not_tried;
  std::vector<MailboxLogin> mailbox;  // one per --pop / --imap login made
  // POP-before-SMTP: relaying (RCPT to a foreign domain without AUTH) refused before a POP
  // login and accepted after it. nullopt: not tried.
  std::optional<bool> relay_refused_before_pop;
  std::optional<bool> relay_accepted_after_pop;
};

enum class CredentialsFinding {
  none,             // nothing to say (SMTP ok, or nothing compared)
  differ_from_pop,  // the mailbox accepts what SMTP refuses
  both_rejected,    // everyone refuses: the credentials are wrong
  pop_before_smtp,  // the server relays for an address only after a POP login
  inconclusive,     // the mailbox login could not be made or was refused for a temporary reason
};

struct CredentialsVerdict {
  CredentialsFinding finding = CredentialsFinding::none;
  ProbeStatus status = ProbeStatus::ok;
  std::string summary;  // one line
  std::optional<Diagnosis> diagnosis;
};

CredentialsVerdict credentials_verdict(const CredentialsEvidence& evidence);

// ---- runners ---------------------------------------------------------------------------------

struct MailboxLoginOptions {
  std::vector<MailboxServer> servers;
  std::string user;  // --pop-user, or the SMTP --auth-user
  std::string password;
  TlsClientOptions tls;  // --ca-file / --insecure, as for SMTP
  bool allow_plaintext = false;
  Limits limits;
  RunControl* control = nullptr;  // the run's stop switch cancels every login
};

// Every server's login at once; results in the order of `servers`.
asio::awaitable<std::vector<MailLoginResult>> run_mailbox_logins(MailboxLoginOptions options);

// The evidence entries for the verdict.
std::vector<MailboxLogin> mailbox_evidence(const std::vector<MailLoginResult>& logins,
                                           const std::vector<MailboxServer>& servers);

// The comparison as a ProbeResult (id auth, target the SMTP host) to add beside the auth probe:
// summary from the verdict, details {"mailbox_logins": [...]} with each login's protocol,
// address, port, outcome, method, TLS and the server's words (never the password).
ProbeResult credentials_result(const ProbeTarget& smtp_target, const CredentialsVerdict& verdict,
                               const std::vector<MailLoginResult>& logins,
                               const std::vector<MailboxServer>& servers);

// POP-before-SMTP: RCPT to `foreign_recipient` without AUTH; when refused, a POP3 login with
// `pop`, then the same RCPT in a new SMTP session. Fills the two relay fields of the evidence.
struct PopBeforeSmtp {
  std::optional<bool> refused_before;
  std::optional<bool> accepted_after;
  std::string outcome;  // one line
};
asio::awaitable<PopBeforeSmtp> check_pop_before_smtp(ClientOptions smtp, std::string helo,
                                                     std::string from,
                                                     std::string foreign_recipient,
                                                     MailLoginOptions pop);

}  // namespace smtpdoctor
