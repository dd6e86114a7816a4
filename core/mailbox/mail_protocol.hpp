// The mailbox protocols the credential comparison logs in to, and how TLS is started on them.
// Plain values only, so option structs can carry them without the client's Asio headers.
#pragma once

#include <cstdint>
#include <string_view>

namespace smtpdoctor {

enum class MailProtocol { pop3, imap };
std::string_view mail_protocol_name(MailProtocol protocol);  // "pop3" / "imap"

enum class MailTls {
  automatic,  // implicit on 995 (POP3) / 993 (IMAP), STLS/STARTTLS on any other port
  implicit,   // TLS right after connect
  starttls,   // STLS / STARTTLS; fails when the server does not offer it (unless allow_plaintext)
};

// 110 / 143, or 995 / 993 with implicit TLS.
std::uint16_t default_mail_port(MailProtocol protocol, bool implicit_tls);

}  // namespace smtpdoctor
