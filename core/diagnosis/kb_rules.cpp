// The knowledge base's rule table: data, read top to bottom, first match wins.
//
// Order, from most to least specific — a graded fallback, so that a reply no rule knows by its
// words still gets what its codes say, and `other` is left only when nothing applies:
//   1. probe evidence that is unambiguous (socket errno, X.509 result, DNS outcome, POP/IMAP
//      login comparison) — basis "evidence";
//   2. replies of real servers: first the big providers' documented codes (Microsoft 365 NDR
//      codes, Yahoo/AOL's bracketed codes, Mimecast's greylisting text) — basis
//      "provider_code" —, then the general wording servers use (Postfix, Exim, Sendmail,
//      Exchange, Gmail, Yahoo, iCloud, blocklists, greylisting daemons) — basis "text";
//   3. client library / OS error wording (nodemailer, smtplib, PHPMailer, JavaMail, curl, msmtp,
//      OpenSSL) for `explain` — basis "client_error";
//   4. enhanced status codes with their class (RFC 3463, IANA registry) — "enhanced_code";
//   5. reply codes and stages alone — "reply_code".
// Text patterns are lower-case substrings, '|' between alternatives, '*' for a gap; they are
// the general phrases servers use, not one server's full sentence, in English and in the
// languages servers and clients are translated to. A rule that reads words must also agree with
// the reply's codes and stage (consistent_with_codes in knowledge_base.cpp): words that name a
// cause the codes contradict stand back, and a less specific level decides. The corpus test
// (tests/unit/corpus_test.cpp) measures them on replies from origins they were not written for.
#include <array>
#include <cerrno>

#include "core/diagnosis/knowledge_base.hpp"

namespace smtpdoctor {
namespace {

using B = Basis;
using C = Category;
using P = Permanence;
using S = Stage;

// OpenSSL X509_V_ERR_* values (stable ABI numbers; kept here so this file needs no OpenSSL).
constexpr long kX509CertNotYetValid = 9;
constexpr long kX509CertHasExpired = 10;
constexpr long kX509DepthZeroSelfSigned = 18;
constexpr long kX509SelfSignedInChain = 19;
constexpr long kX509UnableToGetIssuerLocally = 20;
constexpr long kX509UnableToVerifyLeaf = 21;
constexpr long kX509CertRevoked = 23;
constexpr long kX509HostnameMismatch = 62;
constexpr long kX509EeKeyTooSmall = 66;
constexpr long kX509IpAddressMismatch = 64;

// Shared wording, so rules that reach the same diagnosis by different evidence say the same.
constexpr std::string_view kRelayCause =
    "The server does not accept mail for this recipient's domain from you: it is not the "
    "destination for that domain and you are not allowed to relay through it (usually because "
    "you did not log in).";
constexpr std::string_view kRelayFix =
    "Log in (SMTP AUTH) on the submission port 587 or 465 before sending, or send to a server "
    "that is responsible for the recipient's domain (its MX).";
constexpr std::string_view kAuthFailedCause = "The server rejected the username or password.";
constexpr std::string_view kAuthFailedFix =
    "Check the username (often the full e-mail address) and password; if the account uses "
    "two-factor sign-in, create an app password or use OAuth2.";
constexpr std::string_view kTlsRequiredCause =
    "The server requires an encrypted connection before it accepts this command.";
constexpr std::string_view kTlsRequiredFix =
    "Enable STARTTLS on port 587 (or implicit TLS on port 465) in the mail client or library.";
constexpr std::string_view kCertCause =
    "The server's TLS certificate could not be verified (self-signed, expired, wrong host name, "
    "or an unknown issuer), or something on your network intercepts TLS.";
constexpr std::string_view kCertFix =
    "Connect using the host name the certificate was issued for; have the server install a "
    "valid certificate with its full chain; check for antivirus or proxy TLS interception. Only "
    "for tests: --insecure.";
constexpr std::string_view kRecipientCause =
    "The recipient's server says this mailbox does not exist.";
constexpr std::string_view kRecipientFix =
    "Check the address for typos; ask the recipient for their current address. Retrying will not "
    "help.";
constexpr std::string_view kSpfCause =
    "The receiving server could not authenticate your message: SPF, DKIM or DMARC checks for "
    "the sender's domain failed.";
constexpr std::string_view kSpfFix =
    "Publish an SPF record that includes the sending server, sign outgoing mail with DKIM, and "
    "make the From: domain align (DMARC); send through your domain's own mail server.";
constexpr std::string_view kRdnsCause =
    "The sending IP address has no reverse DNS (PTR) name, or that name does not resolve back to "
    "the IP.";
constexpr std::string_view kRdnsFix =
    "Ask whoever owns the IP (hosting provider/ISP) to set a PTR record to the mail server's "
    "name, and make that name's A/AAAA record point back to the IP.";
constexpr std::string_view kMailboxFullCause = "The recipient's mailbox is over its storage quota.";
constexpr std::string_view kMailboxFullFix =
    "Tell the recipient by another channel; retry later once they have freed space.";
constexpr std::string_view kTooLargeCause =
    "The message is larger than the receiving server accepts.";
constexpr std::string_view kTooLargeFix =
    "Send smaller attachments (or a link to them); compare with the SIZE the server announces in "
    "its EHLO reply.";
constexpr std::string_view kDnsCause =
    "A name in the mail path (the server's host name or the domain's MX) could not be resolved.";
constexpr std::string_view kDnsFix =
    "Check the host name for typos (e.g. smtp.gmail.com, not smtp.google.com), check that the "
    "resolver works (try another with --dns-server), and that the domain has MX or A records.";
constexpr std::string_view kNullMxCause =
    "The domain publishes a null MX record (RFC 7505): it declares that it accepts no mail at "
    "all.";
constexpr std::string_view kNullMxFix =
    "Use a different address for this recipient (or sender); the domain's owner must remove the "
    "null MX and publish real MX records if it should receive mail.";
constexpr std::string_view kSenderCause =
    "The server refused the envelope sender (MAIL FROM) address.";
constexpr std::string_view kSenderFix =
    "Send from an address you are allowed to use with this login (usually the account's own), "
    "with a domain that exists in DNS.";

constexpr auto kRules = std::to_array<Rule>({
    // ---- 1. Probe evidence ---------------------------------------------------------------
    // ---- The conversation's context --------------------------------------------------------
    // A recipient outside the server's domains, refused while we were not logged in: servers
    // word a relay refusal in many ways ("Invalid recipient", "I cannot deliver mail for",
    // "not permitted"), and none of them means the mailbox is missing. Only a server that
    // clearly says so is believed.
    {.id = "rcpt-outside-domain-without-login",
     .category = C::relay_denied,
     .unless_text = "user unknown|unknown user|no such user|no such mailbox|does not exist|"
                    "doesn't exist|not exist|mailbox unavailable|mailbox not found|"
                    "mailbox is disabled|account disabled|account has been disabled|"
                    "over quota|quota exceeded|mailbox full|user not found|unknown recipient|"
                    "recipient not found|spam|blocked|blacklist|blocklist|policy|spf|dmarc|"
                    // The server's own relay wording is read by the relay rules below.
                    "relay",
     .code = 5,
     .stage = S::rcpt,
     .signal = Signal::outside_recipient_without_login,
     .cause = "The server refused a recipient outside its own domains while this session had not "
              "logged in: servers refuse to relay for clients that have not logged in, whatever "
              "words they use for it, and nothing the check saw says this server receives mail "
              "for that domain itself.",
     .fix = "Log in (SMTP AUTH) on the submission port 587 or 465 before sending. If this "
            "server really is the recipient's own mail server, check the address.",
     .refs = "RFC 5321 §3.6.1|RFC 6409 §4.3"},
    // ---- Probe findings (no reply carries them; Evidence::finding) ------------------------
    {.id = "finding-open-relay",
     .category = C::open_relay,
     .permanence = P::permanent,
     .finding = Finding::open_relay,
     .cause = "The server accepted a recipient in a foreign domain without any login: it relays "
              "mail for anyone, spammers will find it within days and its address will be "
              "blocklisted.",
     .fix = "Restrict relaying to authenticated users and your own networks (Postfix: "
            "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
            "reject_unauth_destination; Exim: relay_from_hosts and the acl_smtp_rcpt 'accept "
            "authenticated' rule; Exchange: remove 'Anonymous users' ms-Exch-SMTP-Accept-Any-"
            "Recipient from receive connectors).",
     .refs = "RFC 5321 §3.9|RFC 2505 §2|https://www.postfix.org/SMTPD_ACCESS_README.html"},
    {.id = "finding-starttls-not-offered",
     .category = C::tls_failure,
     .permanence = P::permanent,
     .finding = Finding::starttls_not_offered,
     .cause = "The server does not offer STARTTLS on this port, so a client set to use STARTTLS "
              "will refuse to go on, and one that does not would send the password in clear.",
     .fix = "Use the port that offers TLS (587 with STARTTLS, 465 with implicit TLS); as the "
            "server's admin, configure a certificate and enable STARTTLS (Postfix: "
            "smtpd_tls_security_level = may, smtpd_tls_chain_files).",
     .refs = "RFC 3207|RFC 8314 §3"},
    {.id = "finding-tls-version-too-old",
     .category = C::tls_failure,
     .permanence = P::permanent,
     .finding = Finding::tls_version_too_old,
     .cause = "The server speaks only TLS 1.0 or 1.1 (or SSL 3.0), versions retired for their "
              "weaknesses; current clients, this one included, refuse them.",
     .fix = "The server's administrator must enable TLS 1.2 and 1.3 (Postfix: "
            "smtpd_tls_protocols = >=TLSv1.2; Exchange: enable TLS 1.2 in Schannel) and "
            "update an old TLS library.",
     .refs = "RFC 8996|RFC 8314 §4.1"},
    {.id = "finding-starttls-stripping",
     .category = C::middlebox,
     .permanence = P::permanent,
     .finding = Finding::starttls_stripping,
     .cause = "STARTTLS is offered on one port of this host but not on another: a firewall or "
              "antivirus on the path may be removing it (STARTTLS stripping), or the server is "
              "configured unevenly.",
     .fix = "Compare from another network; disable 'SMTP inspection'/'ESMTP fixup' on the "
            "firewall (Cisco ASA/PIX: no fixup smtp / inspect esmtp) and mail scanning in "
            "antivirus software; or use implicit TLS on 465, which cannot be stripped.",
     .refs = "RFC 3207 §6|RFC 8314 §3.3"},
    {.id = "finding-middlebox-masked-greeting",
     .category = C::middlebox,
     .permanence = P::permanent,
     .finding = Finding::middlebox_masked_greeting,
     .cause = "The greeting is masked with asterisks: a firewall's SMTP inspection (Cisco "
              "PIX/ASA 'fixup smtp' or similar) is rewriting this session, which often breaks "
              "EHLO extensions and STARTTLS.",
     .fix = "Turn off SMTP/ESMTP inspection on the firewall between you and the server, or use "
            "implicit TLS on port 465.",
     .refs = "RFC 5321 §4.3.1|RFC 8314 §3.3"},
    {.id = "finding-middlebox-mangled-ehlo",
     .category = C::middlebox,
     .permanence = P::permanent,
     .finding = Finding::middlebox_mangled_ehlo,
     .cause = "EHLO keywords arrive replaced with XXXX: a firewall's SMTP inspection hides "
              "extensions it does not know, STARTTLS among them.",
     .fix = "Turn off SMTP/ESMTP inspection on the firewall (Cisco ASA: no inspect esmtp), or use "
            "implicit TLS on port 465.",
     .refs = "RFC 5321 §4.1.1.1|RFC 3207"},
    {.id = "finding-middlebox-tampering",
     .category = C::middlebox,
     .permanence = P::permanent,
     .finding = Finding::middlebox_tampering,
     .cause = "Something between you and the server rewrites the SMTP session (masked greeting "
              "or mangled EHLO keywords): a firewall's SMTP inspection.",
     .fix = "Turn off SMTP/ESMTP inspection on the firewall or antivirus in between, or use "
            "implicit TLS on port 465.",
     .refs = "RFC 5321 §4.1.1.1|RFC 8314 §3.3"},
    {.id = "internet-dns-broken",
     .category = C::dns_failure,
     .permanence = P::temporary,
     .finding = Finding::internet_dns_broken,
     .cause = "The network works but the DNS resolver does not answer for a well-known name: no "
              "mail server name can be found.",
     .fix = "Check the resolver settings (/etc/resolv.conf, DHCP, VPN) or name a working resolver "
            "with --dns-server.",
     .refs = "RFC 1034 §5|RFC 5321 §5.1"},
    {.id = "internet-none",
     .category = C::no_internet,
     .permanence = P::temporary,
     .finding = Finding::internet_none,
     .cause = "This machine cannot reach the internet: no well-known host answered and the DNS "
              "resolver did not answer either.",
     .fix = "Check the network connection, Wi-Fi/cable, VPN and firewall; in a container check "
            "its network mode.",
     .refs = "RFC 1122 §3.2.2"},
    {.id = "internet-restricted",
     .category = C::no_internet,
     .permanence = P::temporary,
     .finding = Finding::internet_restricted,
     .cause = "DNS answers but none of the well-known hosts accepts a connection: a firewall lets "
              "only some traffic out, or the network allows only a proxy.",
     .fix = "Check the firewall and proxy settings; mail needs direct TCP to the mail server's "
            "port (587, 465 or 25).",
     .refs = "RFC 6409 §3.1|RFC 8314 §3.3"},
    {.id = "finding-auth-not-offered",
     .category = C::auth_unavailable,
     .permanence = P::permanent,
     .finding = Finding::auth_not_offered,
     .cause = "The server offers no AUTH mechanism a mail client can use on this connection, so "
              "logging in is impossible here.",
     .fix = "Use the submission port (587 with STARTTLS or 465); if AUTH appears only after "
            "STARTTLS, enable TLS in the client; as the admin, enable SASL on this listener "
            "(Postfix: smtpd_sasl_auth_enable = yes).",
     .refs = "RFC 4954 §3|RFC 6409 §4.5"},
    // ---- Our own network and identity (egress, port 25, credentials) ---------------------
    {.id = "egress-no-ptr",
     .category = C::reverse_dns,
     .finding = Finding::egress_no_ptr,
     .cause = "Your address {address} has no PTR (reverse DNS) record: many receivers refuse or "
              "junk mail from such addresses.",
     .fix = kRdnsFix,
     .refs = "RFC 1912 §2.1|RFC 8601|https://support.google.com/mail/answer/81126"},
    {.id = "egress-ptr-not-confirmed",
     .category = C::reverse_dns,
     .finding = Finding::egress_ptr_not_confirmed,
     .cause = "The PTR of your address {address} ({ptr}) does not resolve back to it: receivers "
              "that require forward-confirmed reverse DNS will distrust your mail.",
     .fix = kRdnsFix,
     .refs = "RFC 1912 §2.1|RFC 8601|https://support.google.com/mail/answer/81126"},
    {.id = "egress-blocklisted",
     .category = C::blocklisted,
     .finding = Finding::egress_blocklisted,
     .cause = "Your address {address} is listed on {zones}: receivers that use these lists will "
              "reject your mail.",
     .fix = "Find out why on the list's lookup page, fix the cause (an infected machine, an open "
            "relay, a dynamic address), then request delisting; or send through your provider's "
            "submission server (587).",
     .refs = "RFC 5782|https://check.spamhaus.org/|https://sender.office.com/"},
    {.id = "port25-blocked",
     .category = C::port_blocked,
     .permanence = P::permanent,
     .finding = Finding::port25_blocked,
     .cause = "Outbound port 25 is blocked by your network: connections to port 25 are silently "
              "dropped while other ports get through.",
     .fix = "Use 587 with STARTTLS or 465 (implicit TLS) with your provider's submission server; "
            "to run a server that sends on 25, ask your ISP or hosting provider to lift the "
            "block.",
     .refs = "RFC 5068 §3|RFC 6409"},
    {.id = "port25-refused",
     .category = C::connection_refused,
     .permanence = P::permanent,
     .finding = Finding::port25_refused,
     .cause = "{host} is not listening on port 25: it answered the connection with a reset.",
     .fix = "Check the server name and port (587 STARTTLS, 465 implicit TLS, 25 server-to-server); "
            "the mail service may be down or bound to another address.",
     .refs = "RFC 6409 §3.1|RFC 8314 §3.3"},
    {.id = "submission-not-found",
     .category = C::dns_failure,
     .permanence = P::permanent,
     .finding = Finding::submission_not_found,
     .cause = "No outgoing (submission) server could be found for {domain}: it publishes no "
              "_submissions._tcp or _submission._tcp SRV records, and none of the usual names "
              "({names}) exists.",
     .fix = "Take the outgoing server's name from your provider's help pages and check it by "
            "name; as the domain's admin, publish SRV records such as "
            "'_submissions._tcp.{domain}. SRV 0 1 465 smtp.{domain}.' so mail programs find it.",
     .refs = "RFC 6186 §3.1|RFC 8314 §5.1"},
    {.id = "dane-mismatch",
     .category = C::dane_mismatch,
     .permanence = P::permanent,
     .finding = Finding::dane_mismatch,
     .cause = "The TLSA records at {tlsa_name} do not match the certificate {host} presents: "
              "DANE-enforcing senders (Postfix with smtp_tls_security_level = dane, Exim with "
              "hosts_require_dane) will defer mail to it until they do.",
     .fix = "Publish the current key's record next to the old one: {tlsa_name} IN TLSA {tlsa}; "
            "remove the stale record once its TTL has passed. From then on, publish the new "
            "key's TLSA record before rolling the certificate; a '3 1 1' record pins only the "
            "key, so renewals that keep the key (certbot --reuse-key) need no DNS change.",
     .refs = "RFC 7672 §3.1|RFC 7671 §8|https://www.postfix.org/TLS_README.html#client_tls_dane"},
    {.id = "dane-ta-name-mismatch",
     .category = C::dane_mismatch,
     .permanence = P::permanent,
     .finding = Finding::dane_ta_name_mismatch,
     .cause = "A DANE-TA record at {tlsa_name} matches a CA certificate of the chain, but the "
              "server certificate does not name {host}: with DANE-TA, senders check the name "
              "(RFC 7672 §3.2.2) and defer mail.",
     .fix = "Issue the certificate for the MX host name, or publish a DANE-EE record for the "
            "server's key, which senders check without names: {tlsa_name} IN TLSA {tlsa}.",
     .refs = "RFC 7672 §3.2.2|RFC 7671 §5.2"},
    {.id = "dane-without-tls",
     .category = C::dane_mismatch,
     .permanence = P::permanent,
     .finding = Finding::dane_without_tls,
     .cause = "{host} publishes DNSSEC-signed TLSA records ({tlsa_name}), so DANE senders "
              "require STARTTLS with a matching certificate, but no TLS session could be made: "
              "they will defer mail to it.",
     .fix = "Make STARTTLS work on the server (see the tls probe); to turn TLS off instead, "
            "remove the TLSA records first and wait for their TTL to pass.",
     .refs = "RFC 7672 §2.2|RFC 7672 §3"},
    {.id = "dane-tlsa-bogus",
     .category = C::dns_failure,
     .permanence = P::permanent,
     .finding = Finding::dane_tlsa_bogus,
     .cause = "The TLSA records at {tlsa_name} fail DNSSEC validation (bogus): validating "
              "senders cannot tell whether DANE applies to {host} and defer mail to it.",
     .fix = "Re-sign the zone and keep its signatures fresh (expired RRSIGs, a zone changed "
            "without re-signing, or a DS record at the parent that matches no DNSKEY are the "
            "usual causes); compare `dig +dnssec` with `dig +cd`, or ask delv why.",
     .refs = "RFC 7672 §2.1.1|RFC 4035 §5.5"},
    {.id = "port25-blocked-via-proxy",
     .category = C::port_blocked,
     .permanence = P::permanent,
     .finding = Finding::port25_blocked_via_proxy,
     .cause = "Outbound port 25 is blocked on the network of the proxy {proxy}, not necessarily "
              "on yours: through it, port 25 timed out while other ports got through.",
     .fix = "Use 587 with STARTTLS or 465 (implicit TLS) through the proxy, run the check "
            "without --proxy to judge your own network, or ask the proxy's operator whether it "
            "allows port 25.",
     .refs = "RFC 5068 §3|RFC 1928"},
    {.id = "proxy-unreachable",
     .category = C::proxy_failure,
     .permanence = P::temporary,
     .finding = Finding::proxy_unreachable,
     .cause = "The proxy {proxy} cannot be reached ({proxy_reason}): nothing was sent to the mail "
              "server, so this says nothing about it.",
     .fix = "Check the proxy's host and port in --proxy and that the proxy is running (for an SSH "
            "tunnel: ssh -D PORT is still connected).",
     .refs = "RFC 1928 §3"},
    {.id = "proxy-auth-required",
     .category = C::proxy_failure,
     .permanence = P::permanent,
     .finding = Finding::proxy_auth_required,
     .cause = "The proxy {proxy} requires a login ({proxy_reason}).",
     .fix = "Name the user in the URL (socks5://USER@HOST:PORT) and give the password with "
            "--proxy-password-env VAR.",
     .refs = "RFC 1929|RFC 9110 §11.7.2"},
    {.id = "proxy-auth-failed",
     .category = C::proxy_failure,
     .permanence = P::permanent,
     .finding = Finding::proxy_auth_failed,
     .cause = "The proxy {proxy} refused the login ({proxy_reason}).",
     .fix = "Check the proxy user name in --proxy and the password in the --proxy-password-env "
            "variable.",
     .refs = "RFC 1929 §2|RFC 9110 §11.7.2"},
    {.id = "proxy-target-failed",
     .category = C::proxy_failure,
     .permanence = P::temporary,
     .finding = Finding::proxy_target_failed,
     .cause = "The proxy {proxy} could not reach the server: {proxy_reason}. That is what the "
              "proxy's network sees, not yours.",
     .fix = "Check the server name and port; if the proxy's rules refuse it, ask the proxy's "
            "operator to allow that host and port (Dante: a socks pass rule; tinyproxy: "
            "ConnectPort), or check without --proxy.",
     .refs = "RFC 1928 §6|RFC 9110 §9.3.6"},
    {.id = "proxy-protocol",
     .category = C::proxy_failure,
     .permanence = P::permanent,
     .finding = Finding::proxy_protocol,
     .cause = "{proxy} does not answer as that kind of proxy: {proxy_reason}.",
     .fix = "Check the scheme of --proxy: socks5:// or socks5h:// for SOCKS5, socks4a:// for "
            "SOCKS4, http:// for an HTTP proxy that takes CONNECT.",
     .refs = "RFC 1928|RFC 9110 §9.3.6"},
    {.id = "pop-before-smtp",
     .category = C::relay_denied,
     .permanence = P::temporary,
     .finding = Finding::pop_before_smtp,
     .cause = "This server uses POP-before-SMTP: it relays mail from your address only for a "
              "while after a POP3 login from it, and refuses it otherwise.",
     .fix = "Check mail (POP3) right before sending, or better, switch the mail app to SMTP AUTH "
            "on 587 with STARTTLS if the provider offers it.",
     .refs = "RFC 5321 §3.6.1|RFC 6409"},
    {.id = "credentials-both-rejected",
     .category = C::auth_failed,
     .permanence = P::permanent,
     .finding = Finding::credentials_both_rejected,
     .cause = "SMTP AUTH and {protocols} both refuse the user name and password: they are wrong, "
              "not an SMTP setting.",
     .fix = "Check the user name and password; try the full e-mail address as the user name; if "
            "the account uses two-factor sign-in, create an app password.",
     .refs = "RFC 4954 §6|https://support.google.com/mail/?p=BadCredentials"},
    // ---- Mail transport security policy: MTA-STS (RFC 8461), TLS-RPT (RFC 8460) ---------
    {.id = "mta-sts-tls-enforce",
     .category = C::mta_sts,
     .permanence = P::permanent,
     .finding = Finding::mta_sts_tls_enforce,
     .cause = "In enforce mode, senders will refuse to deliver to {host}: {problem}.",
     .fix = "Give {host} STARTTLS with a certificate for the name {host} itself (the MX name, not "
            "the domain) from a CA senders trust, current, with its whole chain (e.g. certbot "
            "certonly -d {host}); until then set \"mode: testing\" in the policy and publish a "
            "new id in the _mta-sts TXT record so senders fetch it again.",
     .refs = "RFC 8461 §4.2|RFC 8461 §5"},
    {.id = "mta-sts-tls-testing",
     .category = C::mta_sts,
     .permanence = P::temporary,
     .finding = Finding::mta_sts_tls_testing,
     .cause = "In testing mode, senders still deliver to {host} but report a failure, and would "
              "refuse it under enforce: {problem}.",
     .fix = "Give {host} STARTTLS with a certificate for the name {host} itself from a CA senders "
            "trust, with its whole chain, before switching the policy to \"mode: enforce\".",
     .refs = "RFC 8461 §4.2|RFC 8461 §5"},
    {.id = "mta-sts-mx-not-listed",
     .category = C::mta_sts,
     .permanence = P::permanent,
     .finding = Finding::mta_sts_mx_not_listed,
     .cause = "The MX host {host} matches no mx line of the MTA-STS policy ({patterns}): "
              "{consequence}.",
     .fix = "Add \"mx: {host}\" (or a \"*.\" pattern that covers it) to the policy at {url}, "
            "then publish a new id in the _mta-sts TXT record; if {host} is no longer your "
            "server, remove its MX record instead.",
     .refs = "RFC 8461 §3.2|RFC 8461 §4.1"},
    {.id = "mta-sts-policy-unavailable",
     .category = C::mta_sts,
     .permanence = P::permanent,
     .finding = Finding::mta_sts_policy_unavailable,
     .cause = "The _mta-sts TXT record of {domain} announces an MTA-STS policy, but {url} cannot "
              "be fetched: {problem}. Senders that cached an earlier policy keep applying it; "
              "new ones find no policy.",
     .fix = "Serve the policy at {url} over HTTPS with a certificate valid for the name "
            "mta-sts.{domain}, answering 200 with Content-Type text/plain and no redirect; or "
            "remove the _mta-sts TXT record if you no longer publish a policy.",
     .refs = "RFC 8461 §3.3"},
    {.id = "mta-sts-policy-invalid",
     .category = C::mta_sts,
     .permanence = P::permanent,
     .finding = Finding::mta_sts_policy_invalid,
     .cause = "The MTA-STS policy at {url} is invalid ({problem}): senders ignore it, so it "
              "protects nothing.",
     .fix = "Correct the policy file: \"version: STSv1\", \"mode: enforce\" (or testing, "
            "none), one \"mx:\" line per MX host or \"*.\" pattern, \"max_age:\" in "
            "seconds (at most 31557600), one field per line; then publish a new id in the "
            "_mta-sts TXT record.",
     .refs = "RFC 8461 §3.2"},
    {.id = "mta-sts-record-invalid",
     .category = C::mta_sts,
     .permanence = P::permanent,
     .finding = Finding::mta_sts_record_invalid,
     .cause = "The _mta-sts TXT record of {domain} is invalid ({problem}): senders assume the "
              "domain has no MTA-STS policy.",
     .fix = "Publish exactly one TXT record at _mta-sts.{domain} of the form \"v=STSv1; "
            "id=20260101T000000\" (the id: 1 to 32 letters and digits, changed whenever the "
            "policy changes).",
     .refs = "RFC 8461 §3.1"},
    {.id = "tlsrpt-invalid",
     .category = C::tls_reporting,
     .permanence = P::permanent,
     .finding = Finding::tlsrpt_invalid,
     .cause = "The TLS-RPT record at _smtp._tls.{domain} is invalid ({problem}): senders send no "
              "reports of TLS failures, so a broken certificate goes unnoticed.",
     .fix = "Publish exactly one TXT record at _smtp._tls.{domain} of the form \"v=TLSRPTv1; "
            "rua=mailto:tlsrpt@{domain}\" (mailto: or https: URIs, comma-separated).",
     .refs = "RFC 8460 §3"},
    {.id = "pop-login-ok-smtp-auth-failed",
     .category = C::credentials_differ_from_pop,
     .permanence = P::permanent,
     .signal = Signal::other_protocol_login_ok,
     .cause = "The same user name and password log in to {protocols} but SMTP AUTH refuses "
              "them: the provider wants separate SMTP credentials, has SMTP AUTH disabled for "
              "this mailbox, or needs an app password for sending.",
     .fix = "Look up the provider's outgoing-server username/password (some need the full address "
            "or an app password for SMTP) or enable SMTP sending for the account.",
     .refs = "RFC 4954 §6|RFC 8314"},
    {.id = "dns-null-mx",
     .category = C::null_mx,
     .permanence = P::permanent,
     .signal = Signal::dns,
     .signal_value = static_cast<long>(DnsOutcome::null_mx),
     .cause = kNullMxCause,
     .fix = kNullMxFix,
     .refs = "RFC 7505"},
    {.id = "dns-nxdomain",
     .category = C::dns_failure,
     .permanence = P::permanent,
     .signal = Signal::dns,
     .signal_value = static_cast<long>(DnsOutcome::nxdomain),
     .cause = "The name does not exist in DNS (NXDOMAIN).",
     .fix = "Check the host or domain name for typos; a new domain may need time to propagate.",
     .refs = "RFC 5321 §5.1"},
    {.id = "dns-servfail",
     .category = C::dns_failure,
     .permanence = P::temporary,
     .signal = Signal::dns,
     .signal_value = static_cast<long>(DnsOutcome::servfail),
     .cause = "The DNS resolver failed to answer (SERVFAIL): the domain's name servers are broken "
              "or unreachable, or DNSSEC validation failed.",
     .fix = kDnsFix,
     .refs = "RFC 5321 §5.1"},
    {.id = "dns-timeout",
     .category = C::dns_failure,
     .permanence = P::temporary,
     .signal = Signal::dns,
     .signal_value = static_cast<long>(DnsOutcome::timeout),
     .cause = "The DNS lookup timed out.",
     .fix = "Check the network and the resolver (try --dns-server with another resolver).",
     .refs = "RFC 5321 §5.1"},
    {.id = "dns-refused",
     .category = C::dns_failure,
     .permanence = P::temporary,
     .signal = Signal::dns,
     .signal_value = static_cast<long>(DnsOutcome::refused),
     .cause = "The DNS resolver refused the query.",
     .fix = "Use a resolver that serves you (--dns-server).",
     .refs = "RFC 5321 §5.1"},
    {.id = "dns-nodata",
     .category = C::dns_failure,
     .permanence = P::permanent,
     .signal = Signal::dns,
     .signal_value = static_cast<long>(DnsOutcome::nodata),
     .cause = "The name exists but has no record of the requested type (no MX and no A/AAAA).",
     .fix = "Publish MX records (or at least an A/AAAA record) for the domain.",
     .refs = "RFC 5321 §5.1"},
    {.id = "x509-expired",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509CertHasExpired,
     .cause = "The server's TLS certificate has expired.",
     .fix = "The server's administrator must renew the certificate; check your clock too.",
     .refs = "RFC 5280 §4.1.2.5"},
    {.id = "x509-not-yet-valid",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509CertNotYetValid,
     .cause = "The server's certificate is not valid yet — or this computer's clock is wrong.",
     .fix = "Check the system clock; otherwise the server's administrator must fix the "
            "certificate.",
     .refs = "RFC 5280 §4.1.2.5"},
    {.id = "x509-self-signed",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509DepthZeroSelfSigned,
     .cause = "The server presents a self-signed certificate.",
     .fix = kCertFix,
     .refs = "RFC 5280|RFC 6125"},
    {.id = "x509-self-signed-in-chain",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509SelfSignedInChain,
     .cause = "The certificate chain ends in a self-signed root this system does not trust — "
              "often an antivirus or proxy intercepting TLS.",
     .fix = kCertFix,
     .refs = "RFC 5280"},
    {.id = "x509-missing-intermediate",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509UnableToVerifyLeaf,
     .cause = "The server does not send the intermediate certificate(s) needed to verify its "
              "certificate.",
     .fix = "The server's administrator must configure the full chain (fullchain.pem).",
     .refs = "RFC 5246 §7.4.2"},
    {.id = "x509-unknown-issuer",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509UnableToGetIssuerLocally,
     .cause = "The certificate's issuer is not in this system's trust store, or the server does "
              "not send the intermediate certificate that links its certificate to a trusted "
              "CA.",
     .fix = kCertFix,
     .refs = "RFC 5280"},
    {.id = "x509-revoked",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509CertRevoked,
     .cause = "The server's certificate has been revoked.",
     .fix = "The server's administrator must install a new certificate.",
     .refs = "RFC 5280"},
    {.id = "x509-hostname-mismatch",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509HostnameMismatch,
     .cause = "The certificate is not issued for the host name you connected to.",
     .fix = "Connect using a name in the certificate (often the provider's smtp.* name, not your "
            "own domain); otherwise the server needs a certificate for this name.",
     .refs = "RFC 6125|RFC 3207 §4.1"},
    {.id = "x509-ip-address-mismatch",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509IpAddressMismatch,
     .cause = "The certificate is not issued for the IP address you connected to (certificates "
              "name hosts, rarely addresses).",
     .fix = "Connect using the host name the certificate was issued for, or give it with "
            "--tls-sni NAME when connecting by address.",
     .refs = "RFC 6125|RFC 3207 §4.1"},
    {.id = "x509-key-too-small",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = kX509EeKeyTooSmall,
     .cause = "The server's certificate has a key too small for current clients (RSA under "
              "2048 bits), so they refuse it as easy to break.",
     .fix = "The server's administrator must issue a new certificate with a 2048-bit (or "
            "larger) RSA key or an EC P-256 key.",
     .refs = "NIST SP 800-131A|RFC 8446 §4.2.3"},
    {.id = "x509-other",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .signal = Signal::x509,
     .signal_value = -1,
     .cause = kCertCause,
     .fix = kCertFix,
     .refs = "RFC 5280|RFC 6125"},
    {.id = "socket-refused",
     .category = C::connection_refused,
     .permanence = P::permanent,
     .signal = Signal::socket_errno,
     .signal_value = ECONNREFUSED,
     .cause = "The host answered but nothing listens on this port (connection refused).",
     .fix = "Check the server name and port (587 STARTTLS, 465 implicit TLS, 25 server-to-server); "
            "the mail service may be down or bound to another address.",
     .refs = "RFC 6409 §3.1|RFC 8314 §3.3"},
    {.id = "socket-timeout-connect",
     .category = C::port_blocked,
     .permanence = P::permanent,
     .stage = S::connect,
     .signal = Signal::socket_errno,
     .signal_value = ETIMEDOUT,
     .cause = "Connecting timed out: a firewall silently drops traffic to this port (ISPs and "
              "cloud hosts commonly block outbound port 25).",
     .fix = "Try port 587 or 465; ask your ISP/hosting provider to unblock the port, or relay "
            "through your provider's submission server.",
     .refs = "RFC 5068 §3|RFC 6409"},
    {.id = "socket-timeout-tls",
     .category = C::tls_failure,
     .permanence = P::temporary,
     .stage = S::tls,
     .signal = Signal::socket_errno,
     .signal_value = ETIMEDOUT,
     .cause = "The TLS handshake did not finish in time: the server (or something between) "
              "answered STARTTLS or the connection, then sent its part of the handshake too "
              "slowly or not at all. A TLS-inspecting firewall or an overloaded server does this; "
              "so does a server that waits for something the client never sends.",
     .fix = "Run with -v to see how far the handshake got; try from another network to rule out "
            "a middlebox; have the server's administrator check its TLS set-up and load.",
     .refs = "RFC 3207 §4|RFC 8446 §4"},
    {.id = "socket-timeout",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .signal = Signal::socket_errno,
     .signal_value = ETIMEDOUT,
     .cause = "The connection stalled and timed out.",
     .fix = "Retry; if it keeps happening, check for a firewall or an overloaded server.",
     .refs = "RFC 5321 §4.5.3.2"},
    {.id = "socket-unreachable-host",
     .category = C::no_internet,
     .permanence = P::temporary,
     .signal = Signal::socket_errno,
     .signal_value = EHOSTUNREACH,
     .cause = "There is no route to the host: this machine's network cannot reach it.",
     .fix = "Check the network connection, VPN and routes; an IPv6 address without IPv6 "
            "connectivity gives this too (try -4).",
     .refs = "RFC 1122 §3.2.2.1"},
    {.id = "socket-unreachable-net",
     .category = C::no_internet,
     .permanence = P::temporary,
     .signal = Signal::socket_errno,
     .signal_value = ENETUNREACH,
     .cause = "The network is unreachable: this machine has no route to the internet (or to "
              "this address family).",
     .fix = "Check the network connection; with an IPv6 address and no IPv6 connectivity, try -4.",
     .refs = "RFC 1122 §3.2.2.1"},
    {.id = "socket-reset-tls",
     .category = C::tls_failure,
     .permanence = P::permanent,
     .stage = S::tls,
     .signal = Signal::socket_errno,
     .signal_value = ECONNRESET,
     .cause = "The server closed the connection during the TLS handshake: no common TLS version "
              "or cipher, or a TLS/plain-text mode mismatch.",
     .fix = "Use STARTTLS on 587 and implicit TLS on 465, not the other way round; update the "
            "client's TLS library if the server requires TLS 1.2+.",
     .refs = "RFC 8314 §3|RFC 3207"},
    {.id = "socket-reset",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .signal = Signal::socket_errno,
     .signal_value = ECONNRESET,
     .cause = "The server (or a middlebox) reset the connection.",
     .fix = "Retry; if it repeats at the same step, a firewall or the server's policy is closing "
            "it — check the transcript with -v.",
     .refs = "RFC 5321 §3.8"},

    // ---- 2. Servers' replies: providers' documented codes first, then general wording ---------
    // ---- 2a. Provider codes: documented codes of the big providers, matched before general
    //      wording because they are more precise than the words around them ----------------------
    // Microsoft 365's tenant allow/block list is the sender's own organisation's policy, although
    // the text says "blocked".
    {.id = "m365-tenant-block-list",
     .category = C::other,
     .permanence = P::permanent,
     .basis = B::provider_code,
     .text = "tenant allow block list|tenant allow/block list",
     .cause = "Your own organisation's Tenant Allow/Block List blocks this recipient or domain.",
     .fix = "An Exchange Online admin must remove the entry from the Tenant Allow/Block List.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "fix-error-code-5-7-700-through-5-7-750"},
    // 5.7.700-5.7.750: Exchange Online blocks a tenant that sends spam or from unregistered
    // domains; 5.7.606-5.7.649 and 5.7.708: the sending IP is on Microsoft's own block list.
    {.id = "m365-tenant-or-ip-blocked",
     .category = C::blocklisted,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "tenant has exceeded threshold|5.7.700|5.7.705|5.7.708|5.7.750|5.7.606|5.7.511|"
             "banned sender|sending from unregistered domains",
     .cause = "Microsoft's filters block mail from this sending IP or tenant because of its "
              "reputation (spam or bulk mail sent from it, or mail from unregistered domains).",
     .fix = "Find and stop the source of the spam, then request delisting at "
            "https://sender.office.com (IP) or from Microsoft Support (tenant).",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "fix-error-code-5-7-700-through-5-7-750|https://sender.office.com"},
    {.id = "m365-connection-refused",
     .category = C::connection_refused,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.4.316",
     .cause = "Microsoft 365 could not connect to the receiving server: the connection was "
              "refused on the remote side.",
     .fix = "The receiving organisation must check that its mail server listens on port 25 and "
            "that its firewall accepts connections from Microsoft 365.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online"},
    // Exchange's store driver: the mailbox throttles a burst, or the account is disabled.
    {.id = "exchange-recipient-throttled",
     .category = C::rate_limited,
     .permanence = P::temporary,
     .basis = B::provider_code,
     .text = "recipient thread limit|storedrv.deliver; recipient thread",
     .cause = "The recipient's Exchange mailbox is receiving too many messages at once and "
              "throttles delivery.",
     .fix = "Retry later; the sending server does this by itself for a 4xx reply.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online"},
    {.id = "exchange-account-disabled",
     .category = C::recipient_unknown,
     .permanence = P::permanent,
     .basis = B::provider_code,
     .text = "accountdisabledexception|aduserdisabled|mapiexceptionaduserdisabled",
     .cause = "The recipient's Exchange account is disabled.",
     .fix = kRecipientFix,
     .refs = "RFC 3463 §3.2"},
    // Microsoft 365 / Exchange Online NDR codes with three-digit details (Microsoft's "Email
    // non-delivery reports and SMTP errors in Exchange Online" table): each names one cause.
    {.id = "m365-dmarc-reject",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.509",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/"
             "non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online"},
    {.id = "m365-authentication-level",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.515",
     .cause = "Outlook.com/Microsoft 365 require high-volume senders to pass SPF, DKIM and DMARC; "
              "the sending domain does not meet that authentication level.",
     .fix = kSpfFix,
     .refs = "https://techcommunity.microsoft.com/blog/microsoftdefenderforoffice365blog/"
             "strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-"
             "high%E2%80%90volume-senders/4399730"},
    {.id = "m365-tenant-attribution-relay",
     .category = C::relay_denied,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.64",
     .cause = "Microsoft 365 could not attribute this connection to a tenant (no matching inbound "
              "connector), so it refuses to relay it.",
     .fix = "Configure an inbound connector for the sending server's IP or certificate, or log "
            "in (SMTP AUTH) on smtp.office365.com:587.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "fix-error-code-550-5-7-64"},
    {.id = "m365-send-as-denied",
     .category = C::sender_rejected,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.60",
     .cause = "The mailbox that logged in has no permission to send as this sender address.",
     .fix = "Send from the mailbox's own address, or grant the 'Send As' permission for the "
            "other address in Exchange.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online"},
    {.id = "m365-bad-helo",
     .category = C::helo_rejected,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.506",
     .cause = "Microsoft 365 refused the name the sending server introduced itself with "
              "(HELO/EHLO).",
     .fix = "Send a fully-qualified host name that resolves and matches the sending IP's PTR.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online"},
    {.id = "m365-recipient-block-list",
     .category = C::blocklisted,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.507|*.7.513",
     .cause = "The recipient's organisation lists your sending IP on its own block list.",
     .fix = "Ask the recipient's administrator to remove your IP from their connection filter "
            "or customer block list.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online"},
    {.id = "m365-ip-banned",
     .category = C::blocklisted,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.606-649|*.7.700-750|*.7.501|*.7.511",
     .cause = "Microsoft's filters block mail from this sending IP, tenant or account because "
              "of its reputation (spam sent from it, or mail from unregistered domains).",
     .fix = "Find and stop the source of the spam, then request delisting at "
            "https://sender.office.com (IP) or from Microsoft Support (tenant).",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "fix-error-code-5-7-700-through-5-7-750|https://sender.office.com"},
    {.id = "m365-ip-limits",
     .category = C::rate_limited,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.508|*.2.121|*.2.122|*.1.90",
     .cause = "Microsoft 365 limits how much mail it takes from this IP or sender (a new or "
              "unknown IP is throttled, or a per-hour or daily limit was reached).",
     .fix = "Slow down and retry later; warm new IPs up gradually and stay within the "
            "documented sending limits.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online|https://learn.microsoft.com/en-us/office365/"
             "servicedescriptions/exchange-online-service-description/exchange-online-limits"},
    // 4.7.500-4.7.599 "Server busy, please try again later": Microsoft defers a new or unknown
    // IP for a while; 4.7.650-4.7.699: it does so because of the IP's reputation.
    {.id = "m365-new-ip-deferred",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .basis = B::provider_code,
     .enhanced = "4.7.500-599",
     .cause = "Microsoft 365 defers mail from this IP for now (it throttles IPs it has little "
              "history for).",
     .fix = "Nothing to fix at once: the sending server retries; warm new IPs up gradually.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online"},
    {.id = "m365-ip-reputation-deferred",
     .category = C::blocklisted,
     .permanence = P::temporary,
     .basis = B::provider_code,
     .enhanced = "4.7.650-699",
     .cause = "Microsoft 365 limits mail from this IP because of its reputation.",
     .fix = "Check the IP's reputation (Microsoft SNDS, blocklists), stop any spam from it and "
            "request mitigation at https://sender.office.com.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online|https://sender.office.com"},
    {.id = "m365-rfc5322-from",
     .category = C::content_rejected,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.512|*.6.11",
     .cause = "Microsoft 365 refused the message's format: no valid RFC 5322 From: header, or "
              "bare line feeds in the message.",
     .fix = "Make the message carry exactly one valid From: header and CRLF line endings.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online|RFC 5322 §3.6.2"},
    {.id = "m365-dns-query-failed",
     .category = C::dns_failure,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.4.312",
     .cause = "Microsoft 365 could not look up the recipient domain's mail servers in DNS.",
     .fix = "Check the recipient domain's MX and A records from the outside (dig +trace).",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online"},
    {.id = "m365-connection-problem",
     .category = C::temporary_failure,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.4.315|*.4.318|*.4.321",
     .cause = "Microsoft 365 could not hold a connection to the receiving server (timed out or "
              "closed abruptly).",
     .fix = "The receiving organisation must check that its mail server answers on port 25 "
            "from Microsoft 365's addresses.",
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "non-delivery-reports-in-exchange-online"},
    // Yahoo/AOL's [TSS09] and [TS03] say "permanently deferred": the IP is refused, not slowed.
    {.id = "yahoo-permanent-deferral-code",
     .category = C::blocklisted,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "[tss09]|[ts03]",
     .cause = "Yahoo/AOL refuse mail from this IP for good (its mail looked like unsolicited bulk "
              "mail); retrying will not succeed.",
     .fix = "Review list practices and the IP's reputation, fix the cause, and ask Yahoo's "
            "postmaster for a review.",
     .refs = "https://senders.yahooinc.com/smtp-error-codes"},
    // Gmail: 5.7.32 and 4.7.32 are its "From: header is not aligned" (DMARC) refusals.
    {.id = "gmail-dmarc-alignment",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .enhanced = "*.7.32",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "https://support.google.com/a/answer/3726730"},
    // Yahoo/AOL put their own codes in brackets: [TSSxx]/[TSxx] deferrals for volume or
    // complaints, [BLxx] blocklist listings, [PHxx] content refused for policy reasons.
    {.id = "yahoo-deferral-code",
     .category = C::rate_limited,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "[tss0|[tss1|[ts0|deferred - 4.16.5",
     .cause = "Yahoo/AOL defer mail from this IP for now: unusual volume, user complaints, or "
              "an IP without sending history.",
     .fix = "Slow down and retry later; keep complaint rates low, authenticate with SPF, DKIM "
            "and DMARC, and warm up new IPs gradually.",
     .refs = "https://senders.yahooinc.com/smtp-error-codes"},
    {.id = "yahoo-blocklist-code",
     .category = C::blocklisted,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "[bl2",
     .cause = "Yahoo/AOL refuse this IP because it is listed on a blocklist (Spamhaus).",
     .fix = "Check the IP at https://check.spamhaus.org, fix the cause and request delisting.",
     .refs = "https://senders.yahooinc.com/smtp-error-codes"},
    {.id = "yahoo-content-code",
     .category = C::content_rejected,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "[ph0",
     .cause = "Yahoo/AOL refused the message for its content (policy).",
     .fix = "Check the message and its links for anything that looks like phishing or malware.",
     .refs = "https://senders.yahooinc.com/smtp-error-codes"},
    // Sophos Email's documented XGEMAIL_nnnn codes (docs.sophos.com, "SMTP error codes").
    {.id = "sophos-authentication-code",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "xgemail_0001|xgemail_0002|xgemail_0003",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "https://docs.sophos.com/central/customer/help/en-us/ManageYourProducts/"
             "EmailSecurity/SMTPErrorCodes/index.html"},
    {.id = "sophos-block-list-code",
     .category = C::blocklisted,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "xgemail_0004|xgemail_0005|xgemail_0008|xgemail_0009",
     .cause = "Sophos Email refused the sender: its IP or domain is on a DNS blocklist (RBL, DBL) "
              "or on the recipient organisation's block list.",
     .fix = "Check the IP and domain at the named lists and request delisting after fixing the "
            "cause; ask the recipient's admin about their own block list.",
     .refs = "https://docs.sophos.com/central/customer/help/en-us/ManageYourProducts/"
             "EmailSecurity/SMTPErrorCodes/index.html"},
    {.id = "sophos-tls-version-code",
     .category = C::tls_failure,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "xgemail_0006",
     .cause = "The TLS version of the connection is not the one the recipient's Sophos policy "
              "requires.",
     .fix = "Enable TLS 1.2/1.3 on the sending server.",
     .refs = "https://docs.sophos.com/central/customer/help/en-us/ManageYourProducts/"
             "EmailSecurity/SMTPErrorCodes/index.html"},
    {.id = "sophos-not-protected-domain-code",
     .category = C::relay_denied,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "xgemail_0010",
     .cause = "Sophos Email does not receive mail for the recipient's domain.",
     .fix = kRelayFix,
     .refs = "https://docs.sophos.com/central/customer/help/en-us/ManageYourProducts/"
             "EmailSecurity/SMTPErrorCodes/index.html"},
    {.id = "sophos-recipient-code",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "xgemail_0011",
     .cause = kRecipientCause,
     .fix = kRecipientFix,
     .refs = "https://docs.sophos.com/central/customer/help/en-us/ManageYourProducts/"
             "EmailSecurity/SMTPErrorCodes/index.html"},
    {.id = "sophos-size-code",
     .category = C::message_too_large,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "xgemail_0012",
     .cause = kTooLargeCause,
     .fix = kTooLargeFix,
     .refs = "https://docs.sophos.com/central/customer/help/en-us/ManageYourProducts/"
             "EmailSecurity/SMTPErrorCodes/index.html"},
    {.id = "sophos-rate-code",
     .category = C::rate_limited,
     .permanence = P::from_code,
     .basis = B::provider_code,
     .text = "xgemail_0013|xgemail_0014|xgemail_0015",
     .cause = "Sophos Email limits how many messages or recipients the recipient takes from you.",
     .fix = "Send fewer messages or recipients at a time and retry later.",
     .refs = "https://docs.sophos.com/central/customer/help/en-us/ManageYourProducts/"
             "EmailSecurity/SMTPErrorCodes/index.html"},
    // Mimecast answers greylisting with this wording (its documented 451).
    {.id = "mimecast-greylisting",
     .category = C::greylisted,
     .permanence = P::temporary,
     .basis = B::provider_code,
     .text = "internal resource temporarily unavailable|internal resource is temporarily "
             "unavailable",
     .cause = "Mimecast greylists this sender: the first delivery attempt from an unknown "
              "sender is deferred.",
     .fix = "Nothing to do: a correctly configured server retries and the retry is accepted.",
     .refs = "https://community.mimecast.com/s/article/Mimecast-SMTP-Error-Codes-842605754"},

    // ---- 2b. Reply wording of real servers ---------------------------------------------------
    {.id = "m365-smtp-auth-disabled",
     .category = C::auth_failed,
     .permanence = P::permanent,
     .text = "smtpclientauthentication is disabled|smtp auth is disabled|5.7.139",
     .cause = "Microsoft 365 has SMTP AUTH (authenticated client submission) disabled for the "
              "tenant or this mailbox, so even a correct password is refused.",
     .fix =
         "In the Microsoft 365 admin center enable 'Authenticated SMTP' for the mailbox (and "
         "turn off Security defaults if they block it), or switch the app to OAuth2 (smtpdoctor: "
         "--auth XOAUTH2 with --oauth2-token-env/-file/-cmd).",
     .refs = "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/"
             "authenticated-client-smtp-submission"},
    {.id = "basic-auth-disabled",
     .category = C::auth_failed,
     .permanence = P::permanent,
     .text = "basic authentication is disabled|basic authentication is not supported|basic auth "
             "is disabled|basic auth is not supported",
     .cause = "The provider no longer accepts a plain username and password (basic "
              "authentication) for SMTP.",
     .fix = "Use OAuth2 or an app password, as the provider documents (smtpdoctor: --auth "
            "XOAUTH2 or OAUTHBEARER with --oauth2-token-env/-file/-cmd).",
     .refs = "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/"
             "authenticated-client-smtp-submission"},
    {.id = "app-password-required",
     .category = C::app_password_required,
     .permanence = P::permanent,
     .text = "application-specific password|app password|app-specific password|"
             "invalidsecondfactor",
     .cause = "The account uses two-step verification, so the normal password is not accepted "
              "for SMTP.",
     .fix = "Create an app password in the account's security settings and use it instead of the "
            "account password, or use OAuth2 (smtpdoctor: --auth XOAUTH2 with "
            "--oauth2-token-env/-file/-cmd).",
     .refs = "https://support.google.com/accounts/answer/185833|RFC 4954 §6"},
    {.id = "web-login-required",
     .category = C::app_password_required,
     .permanence = P::permanent,
     .text = "log in via your web browser|web login required|webloginrequired|sign in via your web "
             "browser"
             "|web browser",
     .cause = "The provider blocked this sign-in as suspicious and wants a browser sign-in or an "
              "app password.",
     .fix = "Sign in once in a web browser from the same network, then use an app password or "
            "OAuth2 for the mail client (smtpdoctor: --auth XOAUTH2 with "
            "--oauth2-token-env/-file/-cmd).",
     .refs = "https://support.google.com/mail/answer/78754"},
    // A refused OAuth2 login: the token, not a password, is what was wrong. Stands back when the
    // words say the account or tenant does not allow SMTP AUTH at all.
    {.id = "oauth-token-refused",
     .category = C::auth_failed,
     .permanence = P::permanent,
     .unless_text = "disabled|not enabled|not supported|app password|application-specific|"
                    "web browser|too many|rate limit",
     .code = 5,
     .stage = S::auth,
     .signal = Signal::token_login,
     .cause = "The server refused the OAuth2 token: it has expired, was issued for another "
              "account than the user name given, or lacks the scope SMTP needs.",
     .fix = "Get a fresh token from the token helper (oama, mailctl, oauth2ms, the cloud CLI) "
            "for this account with the scope the provider documents (Gmail: "
            "https://mail.google.com/; Microsoft 365: https://outlook.office.com/SMTP.Send), and "
            "log in with the address the token was issued to.",
     .refs = "RFC 7628 §3.2.2|https://developers.google.com/gmail/imap/xoauth2-protocol|"
             "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/"
             "how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"},
    // DANE and MTA-STS: the destination publishes that TLS with a verified certificate is
    // required, and the delivery could not meet that.
    {.id = "dane-tlsa-mismatch",
     .category = C::cert_invalid,
     .permanence = P::from_code,
     .text = "tlsa",
     .cause = "The server's certificate does not match the TLSA records its domain publishes "
              "(DANE).",
     .fix = "The receiving domain must update its TLSA records after a certificate or key "
            "change (publish the new one before rolling over).",
     .refs = "RFC 7672|RFC 6698"},
    {.id = "tls-policy-unmet",
     .category = C::tls_failure,
     .permanence = P::from_code,
     .text = "mta-sts|by dane|(dane)",
     .cause = "The destination's MTA-STS or DANE policy requires verified TLS, and the "
              "connection could not provide it.",
     .fix = "The receiving domain must serve STARTTLS with a certificate that matches its "
            "policy (MTA-STS mx patterns, DANE TLSA records).",
     .refs = "RFC 8461|RFC 7672"},
    {.id = "starttls-not-offered-text",
     .category = C::tls_failure,
     .permanence = P::permanent,
     .text = "did not offer tls|not offered by host|refused to start tls|does not support tls|"
             "does not support starttls|doesn't support starttls|starttls not offered|did not "
             "offer starttls|no starttls"
             // Clients' wording: "did not advertise STARTTLS", "does not support the STARTTLS
             // extension", "STARTTLS is not supported on this server".
             "|advertise starttls|support the starttls|starttls is not supported"
             "|starttls extension not supported|support starttls"
             // The same in the languages mail clients are translated to: "STARTTLS nicht
             // unterstützt", "non pris en charge", "не поддерживается", "不支持 STARTTLS",
             // "サポートしていません", "no se soporta", "não há suporte".
             "|starttls nicht|starttls non|starttls не|不支持 starttls|starttls 拡張はサポート"
             "|no se soporta starttls|suporte a starttls",
     .cause = "TLS was required for this connection, but the other side did not offer "
              "STARTTLS or refused it.",
     .fix = "Check that the server offers STARTTLS on this port (or use implicit TLS on 465); "
            "if it should, the server's TLS setup (certificate, key) is broken.",
     .refs = "RFC 3207|RFC 8314 §3"},
    // The server offers no AUTH (or not the mechanism asked for) on this connection: before
    // the wording of failed logins.
    {.id = "starttls-required",
     .category = C::tls_required,
     .permanence = P::permanent,
     .text = "must issue a starttls|starttls command first|tls required|requires tls|tls is "
             "required|encryption required|must use starttls|starttls is required|please use "
             "starttls|tls needed|encryption needed|must use tls|requiretls"
             "|starttls first|ssl/tls-connection is required|tls connection is required|ssl "
             "connection is required|encrypted connection is required"
             "|tls conversation required|secure connection required|secure connection is required"
             // "Encryption required" in other languages.
             "|verschlüsselung * erforderlich|chiffrement requis|требуется шифрование|必须加密"
             "|暗号化が必要|cifrado requerid|criptografia necessária",
     .cause = kTlsRequiredCause,
     .fix = kTlsRequiredFix,
     .refs = "RFC 3207 §4|RFC 8314"},
    {.id = "auth-not-offered-text",
     .category = C::auth_unavailable,
     .permanence = P::permanent,
     .text = "auth extension not supported|doesn't support auth|does not support auth|not "
             "support authentication|authentication not supported|auth command used when not "
             "advertised|unrecognized authentication type|unrecognised authentication type|"
             "authentication mechanism * not|unsupported authentication|does not support "
             "authentication method|auth not available|auth not advertised"
             "|authentication not enabled|authentication is not enabled|auth not enabled"
             "|authentication only|authentication not allowed|mechanism * not supported|mechanism "
             "not supported"
             "|auth * unsupported|auth mode unsupported"
             // Clients that find no mechanism in common with the server's EHLO, and servers that
             // do not know the AUTH command at all.
             "|advertise auth|no authenticators|find an authenticator|compatible authentication"
             "|auth unrecognized|auth\" not recognized|auth' not recognized"
             // Client libraries: "server does not support SMTP AUTH type: PLAIN", "No support for
             // %s authentication", "No suitable authentication method found", "not a supported
             // authentication method", "no form of authorization supported".
             "|does not support * auth|no support for * authentication|no supported authentication"
             "|suitable authentication|supported authentication mechanism|supported authentication "
             "method|form of authorization|auth extension is not supported",
     .cause = "The server does not offer SMTP AUTH on this connection (or not the method the "
              "client asked for), so the client cannot log in.",
     .fix = "Use the submission port 587 with STARTTLS (most servers offer AUTH only after "
            "STARTTLS) or 465; choose an AUTH method the server lists in its EHLO reply.",
     .refs = "RFC 4954 §3|RFC 6409"},
    {.id = "tls-for-auth-text",
     .category = C::tls_required,
     .permanence = P::permanent,
     // A client that will not send a password in clear, or a server that refuses commands before
     // TLS "due to lack of security".
     .text = "cannot use a secure authentication method|non-encrypted|unencrypted "
             "login|lack of security",
     .cause = kTlsRequiredCause,
     .fix = kTlsRequiredFix,
     .refs = "RFC 3207|RFC 4954 §4"},
    {.id = "tls-not-available",
     .category = C::tls_failure,
     .permanence = P::from_code,
     .text = "tls not available|starttls not available|tls not supported|unable to initialize "
             "tls|tls currently unavailable"
             "|tls unavailable|starttls unavailable",
     .cause = "The server offers or accepts STARTTLS but cannot start TLS (no certificate or a "
              "broken TLS setup on the server).",
     .fix = "Report it to the server's administrator; try implicit TLS on port 465.",
     .refs = "RFC 3207 §4"},
    {.id = "null-mx-text",
     .category = C::null_mx,
     .permanence = P::permanent,
     .text = "nullmx|null mx|domain * does not accept mail|550 host does not accept mail",
     .cause = kNullMxCause,
     .fix = kNullMxFix,
     .refs = "RFC 7505"},
    {.id = "null-mx-code",
     .category = C::null_mx,
     .permanence = P::permanent,
     .code = 556,
     .cause = kNullMxCause,
     .fix = kNullMxFix,
     .refs = "RFC 7505"},
    // A server that cannot sign the message (DKIM) has a problem of its own; the sender's
    // authentication is not in question, so this comes before the "dkim" wording below.
    {.id = "signing-failed-temporary",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .text = "signing failed|failed to sign|signing error",
     .code = 4,
     .cause = "The server could not sign the message (DKIM) because of a problem on its side.",
     .fix = "Retry later; if you run that server, check its signing keys and signer service.",
     .refs = "RFC 6376|RFC 5321 §4.2.1"},
    {.id = "spf-dkim-dmarc",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .text = "spf check|spf validation|spf fail|spf [|spf record|spf or dkim|spf and dkim|spf "
             "policy|spf=fail|spf softfail|sender policy framework|dkim checks|dkim = |dkim "
             "signature|dkim fail|dmarc|sender is unauthenticated|mail is unauthenticated|pass "
             "authentication checks|have authentication information|designate * as permitted "
             "sender|not designated as permitted sender|sender is unauthenticated"
             "|spf |(spf|unauthenticated email|unauthenticated mail"
             "|dkim"
             "|authorized to send mail from|authorized to send email from"
             "|arc validation|arc signature",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "RFC 7208|RFC 6376|RFC 7489|https://support.google.com/mail/answer/81126"},
    {.id = "blocklisted",
     .category = C::blocklisted,
     .permanence = P::from_code,
     .text =
         "blocked using|blacklisted|blocklisted|block "
         "list|blocklist|blacklist|spamhaus|spamcop|barracuda|sorbs|dnsbl|rbl |listed "
         "at|listed on|banned sending ip|poor reputation|low reputation|ip "
         "reputation|5.7.606|not accepted from this ip|client host * blocked|detected as "
         "spam|connections will not be accepted|5.7.708|5.7.750"
         "|black list|reputation|address blocked|sender blocked|ip blocked|client blocked|host "
         "blocked|send email directly|send mail directly|dynamic ip|residential ip|dial-up|dialup"
         "|black ip|blackip|openrelay check"
         // How servers name a list hit in general: "is listed", "listed in", "banned".
         "|is listed|listed in|banned|ip is rejected|ip rejected|spam ip|ip is forbidden|dbl "
         "|rbl test"
         // "Black list" in other languages.
         "|schwarze liste|liste noire|lista negra|черный список|чёрный список|черном списке|чёрном "
         "списке|黑名单|ブラックリスト"
         // A sender known for spam, and the CBL.
         "|sending * spam|abuseat|cbl.",
     .cause = "The receiving server refused because your sending IP (or domain) is on a "
              "blocklist or has a bad reputation.",
     .fix = "Look the IP up at the named list (e.g. check.spamhaus.org) and request delisting "
            "after fixing the cause (compromised account, open relay, spam); if you are on a "
            "home/dynamic IP, send through your provider's submission server instead.",
     .refs = "RFC 5782|https://check.spamhaus.org/|https://sender.office.com/"},
    {.id = "relay-denied",
     .category = C::relay_denied,
     .permanence = P::permanent,
     .text = "relay access denied|relaying denied|relay not permitted|unable to relay|relaying "
             "not allowed|not permitted to relay|we do not relay|relay denied|relaying to * "
             "denied|not allowed to relay|allowed rcpthosts|relay not allowed|no relaying|"
             "relaying prohibited|relay prohibited"
             "|credentials for relay|list of allowed"
             "|relaying * denied|not allowed to this address"
             "|accepting email for domain|accepting mail for domain"
             "|denies relay|local user only|local users only|local recipients only",
     .cause = kRelayCause,
     .fix = kRelayFix,
     .refs = "RFC 5321 §3.6.1|RFC 6409"},
    {.id = "greylisted",
     .category = C::greylisted,
     .permanence = P::temporary,
     .text = "greylist|graylist|grey-list|gray-list|grey list|gray list",
     .cause = "The server greylists: it deliberately defers the first delivery attempt from an "
              "unknown sender/IP pair.",
     .fix = "Nothing to fix: a proper mail server retries after a few minutes and then gets "
            "through. Make sure your software retries 4xx replies.",
     .refs = "RFC 6647|https://postgrey.schweikert.ch/help/"},
    {.id = "reverse-dns",
     .category = C::reverse_dns,
     .permanence = P::from_code,
     .text = "reverse hostname|reverse dns|reverse lookup|cannot find your hostname|ptr record|"
             "rdns|ip name lookup failed|client host rejected: cannot find your"
             "|ip address * does not resolve|forged hostname|possibly forged",
     .cause = kRdnsCause,
     .fix = kRdnsFix,
     .refs = "RFC 1912 §2.1|RFC 8601|https://support.google.com/mail/answer/81126"},
    {.id = "helo-rejected",
     .category = C::helo_rejected,
     .permanence = P::from_code,
     .text = "helo command rejected|ehlo command rejected|helo rejected|ehlo rejected|invalid "
             "helo|bad helo|helo name|helo hostname|fully-qualified hostname|fully qualified "
             "hostname|syntactically invalid helo|syntactically invalid ehlo|hello rejected"
             "|helo argument|ehlo argument|syntactically invalid"
             "|ehlo invalid|helo invalid"
             "|ehlo domain|helo domain"
             "|helohost|helo was not accepted|ehlo was not accepted",
     .cause = "The server rejected the name this client sent in EHLO/HELO (not a fully-qualified, "
              "resolvable host name, or an IP literal it does not accept).",
     .fix = "Configure the client to send a real, resolvable FQDN that matches its IP's PTR "
            "(--helo mail.example.com), not 'localhost' or a bare name.",
     .refs = "RFC 5321 §4.1.1.1|RFC 5321 §2.3.5"},
    {.id = "too-many-connections",
     .category = C::too_many_connections,
     .permanence = P::temporary,
     .text = "too many connections|too many concurrent|too many simultaneous|concurrent smtp "
             "connections|connection limit|too many open connections|connection concurrency|max "
             "connections|maximum number of connections|concurrent connections|simultaneous "
             "connections|number of connections|number of sessions|too many sessions|concurrent "
             "sessions",
     .cause = "Your IP has more simultaneous connections open to the server than it allows.",
     .fix = "Lower the number of parallel connections (connection pool size) and close idle "
            "ones; retry later.",
     .refs = "RFC 5321 §4.5.3.2|https://www.postfix.org/postconf.5.html#smtpd_client_connection_"
             "count_limit"},
    {.id = "unsolicited-rate-block",
     .category = C::blocklisted,
     .permanence = P::permanent,
     .text = "unusual rate of unsolicited",
     .code = 5,
     .cause = "The receiver has seen so much unsolicited mail from this IP that it now refuses "
              "its mail.",
     .fix = "Find and stop the spam source, check the IP's reputation (Postmaster Tools, "
            "blocklists) and request review once fixed.",
     .refs = "https://support.google.com/mail/answer/81126"},
    // "Too much mail data" is about one message's size, not the sending rate ("too much mail").
    {.id = "message-data-too-large",
     .category = C::message_too_large,
     .permanence = P::permanent,
     .text = "too much mail data|too much message data|too much data",
     .code = 5,
     .cause = kTooLargeCause,
     .fix = kTooLargeFix,
     .refs = "RFC 1870|RFC 3463 §3.4"},
    {.id = "rate-limited",
     .category = C::rate_limited,
     .permanence = P::temporary,
     .text =
         "rate limit|ratelimit|rate-limit|rate limited|too many messages|too much mail|too many "
         "emails|queue quota|per connection|messages in this connection|excessive volume|excessive "
         "number of|receiving mail too quickly|receiving mail at a rate|sending limit|relay limit "
         "exceeded|unusual rate|unexpected volume|throttl|sending quota|message rate|too many "
         "recipients|4.7.28|mail flood|exceeded * limit for|too many login attempts|login "
         "attempts|too many authentication|too many auth"
         "|new tls sessions|separate transaction"
         "|logon attempts"
         "|max number of|maximum number of messages|recipients reached|messages per day|messages "
         "per hour|daily limit"
         "|rcpt numbers|rcpt limit"
         // Limits named by their period or their unit: "messages per second limit exceeded",
         // "too frequent connects", "maximum credits exceeded".
         "|per second|per minute|too frequent|credits exceeded|message limit exceeded|too many "
         "requests|slow down"
         // "Too frequent" in other languages ("too many messages" may also mean a full mailbox).
         "|过于频繁|发送频率|频率限制"
         "|recipients exceeded|limit of * recipients",
     .cause = "You are sending faster (or more) than the server or provider allows, so it is "
              "deferring or refusing mail for a while.",
     .fix = "Slow down: lower the sending rate and recipients per message, spread batches out, "
            "and retry later; check the provider's sending limits.",
     .refs = "RFC 5321 §4.5.3.1.10|https://support.google.com/a/answer/3726730"},
    {.id = "sending-quota-permanent",
     .category = C::rate_limited,
     .permanence = P::from_code,
     .text = "quota",
     .enhanced = "5.7.*",
     .cause = "The account has reached its sending quota (a policy limit, not a full mailbox).",
     .fix = "Wait until the quota resets (usually a day) or ask the provider for a higher "
            "limit; spread large sends out.",
     .refs = "RFC 3463 §3.8|https://support.google.com/a/answer/166852"},
    {.id = "sending-quota-temporary",
     .category = C::rate_limited,
     .permanence = P::from_code,
     .text = "quota",
     .enhanced = "4.7.*",
     .cause = "The account has reached its sending quota (a policy limit, not a full mailbox).",
     .fix = "Wait until the quota resets or ask the provider for a higher limit.",
     .refs = "RFC 3463 §3.8"},
    {.id = "mailbox-full",
     .category = C::mailbox_full,
     .permanence = P::from_code,
     .text =
         "mailbox full|mailbox is full|mailbox for user is full|quota exceeded|over quota|"
         "overquota|exceeded storage|out of storage|out of space|mailbox size limit|storage "
         "quota|user is over|maximum mailbox size|mailbox has exceeded|quotaexceeded"
         "|over its quota|exceeded its quota|mail quota|full mailbox|mailbox quota|disk quota"
         "|storage limit|storage space|storage exceeded|mailbox storage|容量满"
         "|speicherzuteilung überschritten|allocation de stockage|исчерпано место|存储分配超额"
         "|領域割り当てを越え|capacidad de almacenamiento|espaço alocado excedido"
         // The same in other languages.
         "|postfach voll|postfach ist voll|boîte pleine|boîte aux lettres pleine|buzón lleno|caixa "
         "cheia|caixa postal cheia|ящик переполнен|переполнен|邮箱已满|邮箱空间不足|容量超過",
     .cause = kMailboxFullCause,
     .fix = kMailboxFullFix,
     .refs = "RFC 3463 §3.3|RFC 5321 §4.2.3"},
    {.id = "mail-loop",
     .category = C::other,
     .permanence = P::from_code,
     .text = "loops back to myself|mail loop|routing loop|loop detected|too many hops|hop count "
             "exceeded"
             "|looping",
     .cause = "The mail is going round in a loop: the domain's MX points at a server that does not "
              "consider itself the destination, so it hands the mail back to itself.",
     .fix = "Point the domain's MX at the server that really hosts it, or configure that server to "
            "accept the domain (Postfix: mydestination or virtual_mailbox_domains).",
     .refs = "RFC 5321 §6.3|RFC 3463 §3.5"},
    {.id = "message-too-large",
     .category = C::message_too_large,
     .permanence = P::permanent,
     .text = "message size exceeds|message too large|message too big|too big for|size exceeds|"
             "exceeds size|message file too big|size limit|message exceeded|exceeds the maximum|"
             "maximum message size|message length exceeds"
             "|message is too long|attachment is too long|attachment too large|message size"
             "|allowed size|mailsize limit|mail size limit",
     .cause = kTooLargeCause,
     .fix = kTooLargeFix,
     .refs = "RFC 1870|RFC 3463 §3.4"},
    {.id = "content-rejected",
     .category = C::content_rejected,
     .permanence = P::from_code,
     .text = "spam|virus|malware|infected|phishing|unsolicited|nature of the content|content "
             "denied|content rejected|message content|content filter|objectionable content|"
             "illegal attachment|prohibited attachment|attachment type|is malformed|malformed "
             "message|malformed header|malformed mime|not rfc "
             "compliant|rfc 5322|rfc5322|rfc 2822|rfc2822|from: header|from header"
             "|malformed date|date header"
             "|parse header|rejected content|content reject"
             // "Spam", "virus" in other languages.
             "|спам|вирус|垃圾邮件|病毒|迷惑メール|ウイルス|indésirable"
             "|unsafe content",
     .cause = "The receiving server refused the message itself: its content scored as spam, "
              "carried a virus or a forbidden attachment, or its headers are malformed.",
     .fix = "Check the message: remove suspicious links and attachment types, send a plain "
            "test message, make sure From:, Date: and Message-ID: headers are valid (RFC 5322); "
            "if legitimate mail is refused, ask the recipient's admin to review their filter.",
     .refs = "RFC 3463 §3.7|RFC 5322 §3.6"},
    {.id = "server-dns-lookup-failure",
     .category = C::dns_failure,
     .permanence = P::from_code,
     .text = "mx lookup failure|mx lookup failed|check mx records|dns lookup failure|dns lookup "
             "error|name lookup failure|dns query failed"
             "|dns error|mx lookup error|dns query error",
     .cause = "The receiving server could not look up a domain in DNS (the recipient's or the "
              "sender's), so it could not decide about this mail.",
     .fix = "Check that the domain's MX and A records resolve from the outside (dig +trace); if "
            "they do, the receiving server's resolver has a problem and a retry will pass.",
     .refs = "RFC 5321 §5.1|RFC 3463 §3.5"},
    {.id = "auth-required",
     .category = C::auth_required,
     .permanence = P::permanent,
     .text = "authentication required|authentication is required|must authenticate|not "
             "authenticated|requires authentication|wantautherror|auth required|authenticate "
             "first|unauthenticated senders not allowed|anonymous client|login "
             "required|unauthenticated commands|not logged in|turn on smtp authentication|smtp "
             "authentication in your mail client|enable smtp authentication"
             "|insufficient authorization|must be authenticated|必须通过验证"
             "|legitimierung erforderlich|authentifizierung erforderlich|anmeldung erforderlich"
             "|authentification requise|требуется аутентификация|требуется авторизация|必须认证"
             "|需要认证|認証を必要|認証が必要|autenticación requerida|autenticação exigida"
             "|autenticação necessária",
     .cause = "The server wants you to log in (SMTP AUTH) before it accepts mail.",
     .fix = "Enable SMTP authentication in the client with the account's username and password "
            "(on port 587 with STARTTLS or 465).",
     .refs = "RFC 4954 §6|RFC 6409 §4.1"},
    {.id = "sender-rejected",
     .category = C::sender_rejected,
     .permanence = P::from_code,
     .text = "sender address rejected|sender rejected|not owned by user|send as this sender|"
             "sendasdenied|sender verify failed|sender verification failed|sender domain|"
             "envelope sender|mail from * rejected|sender not allowed|sender is not allowed|"
             "invalid sender|unknown sender|bad sender"
             "|sender address must|sender address syntax|sending denied"
             "|sender address|of sender"
             "|in mail from"
             "|must belong to|mailfrom domain"
             "|mail from invalid|denies the sender|sender is unvalidated"
             "|sender denied"
             // Submission services that send only from addresses the account has verified
             // (Amazon SES, SendGrid) or owns.
             "|allowed to send from|authorized to send from|address is not verified|not a verified"
             "|verified sender"
             // The sender named in other words, and forgery checks ("Return-Path" is not here: it
             // is a header every returned message carries).
             "|from address|envelope-from|sender unknown|forged sender"
             "|spoof|from parameter|invalid from|fake sender|sender is rejected|originator"
             "|unauthorized sender|unverified sender|sender verification|domain of sender"
             "|origin address",
     .cause = kSenderCause,
     .fix = kSenderFix,
     .refs = "RFC 5321 §3.3|RFC 6409 §8.1"},
    {.id = "policy-rejection",
     .category = C::other,
     .permanence = P::from_code,
     .text = "local policy|policy reasons|policy restriction|due to policy|violates * policy|"
             "prohibited the mail",
     .cause = "The receiving server refused the mail by a local policy rule it does not explain.",
     .fix = "Ask the recipient (by another channel) to have their administrator look up the "
            "rejection in their logs or allow your address or domain.",
     .refs = "RFC 3463 §3.8"},
    {.id = "mailbox-temporarily-unavailable",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .text = "mailbox unavailable|mailbox temporarily|mailbox busy|mailbox not available",
     .code = 4,
     .cause = "The recipient's mailbox cannot take mail right now (busy, locked or being "
              "moved).",
     .fix = "Nothing to do: the sending server retries a 4xx reply by itself.",
     .refs = "RFC 5321 §4.2.3"},
    {.id = "recipient-unknown",
     .category = C::recipient_unknown,
     .permanence = P::permanent,
     .text =
         "user unknown|unknown user|no such user|no such recipient|does not exist|recipient "
         "not found|recipientnotfound|recipnotfound|mailbox unavailable|mailbox not found|"
         "invalid recipient|unknown recipient|no mailbox|unrouteable address|undeliverable "
         "address|not a valid mailbox|recipient unknown|user not found|address not found|"
         "no such mailbox|mailbox does not exist|user doesn't exist|invalid mailbox|"
         // Microsoft 365 directory-based edge blocking: the recipient is not in the tenant.
         "recipient address rejected: access denied"
         "|recipient addresses rejected|recipient address must|recipient address "
         "syntax|invalid address|address is invalid|marked as invalid|find the recipient "
         "domain|doesn't "
         "have a * account|does not have a * account|account has been disabled|mailbox is "
         "disabled|account is disabled|is no longer valid"
         "|user is locked|mailbox is locked|inactive user|inactive mailbox|inactive account"
         "|no such address|unknown address|address unknown|addressee unknown|no such account"
         "|account not found|account does not exist|unknown local part|mailbox not available"
         "|not exist|doesn't exist|don't exist|exists that user|mail user|user suspended"
         "|account has been suspended|temporarily suspended|user disabled|mailbox disabled"
         "|is disabled|is now disabled"
         // "Mailbox unavailable" in the languages mail clients are translated to.
         "|postfach nicht verfügbar|boîte aux lettres non disponible|почтовый ящик недоступен"
         "|邮箱无效|收件人不存在|用户不存在|メールボックスは利用できません|buzón no está disponible"
         "|caixa de correio indisponível"
         // "User unknown", "does not exist" as localized servers word them.
         "|benutzer unbekannt|unbekannter benutzer|empfänger unbekannt|unbekannter "
         "empfänger|existiert nicht|utilisateur inconnu|destinataire inconnu|n'existe pas|n’existe "
         "pas|usuario desconocido|destinatario desconocido|no existe|usuário desconhecido|não "
         "existe|пользователь не найден|нет такого пользователя|не существует|адресат не "
         "найден|用户不存在|地址不存在|存在しません"
         "|not a valid address|not a valid recipient",
     .cause = kRecipientCause,
     .fix = kRecipientFix,
     .refs = "RFC 5321 §3.3|RFC 3463 §3.2"},
    {.id = "credentials-differ-text",
     .category = C::credentials_differ_from_pop,
     .permanence = P::permanent,
     .text = "imap authentication works * smtp authentication fail|imap * works * smtp * fail|"
             "different password * imap|different passwords for imap|different username and "
             "password combinations for imap and smtp|same password of imap|auth of the smtp "
             "server is not always the same|pop before smtp|pop-before-smtp|check your mail "
             "before sending",
     .cause = "Receiving (POP3/IMAP) works but sending (SMTP) does not accept the same login: "
              "the provider uses separate credentials or settings for the outgoing server.",
     .fix = "Enter the outgoing-server (SMTP) username and password separately in the client as "
            "the provider documents; some providers need SMTP enabled or an app password.",
     .refs = "RFC 4954 §6|RFC 6409"},
    {.id = "auth-error-permanent",
     .category = C::auth_failed,
     .permanence = P::permanent,
     .text = "auth error|authentication error",
     .code = 5,
     .cause = kAuthFailedCause,
     .fix = kAuthFailedFix,
     .refs = "RFC 4954 §6"},
    {.id = "auth-failed",
     .category = C::auth_failed,
     .permanence = P::permanent,
     .text = "authentication failed|authentication unsuccessful|invalid login|username and "
             "password not accepted|password not accepted|bad credentials|badcredentials|invalid "
             "credentials|incorrect password|authenticator failed|auth failed|login failed|"
             "authentication credentials invalid|invalid username or password|wrong password|"
             "login denied|535 5.7."
             "|credentials no longer valid"
             "|bad user|bad password|user/pass|failed to authenticate|authorization failed"
             "|authorization.failed"
             // "Authentication failed", "wrong password" in other languages.
             "|authentifizierung fehlgeschlagen|falsches passwort|échec de l'authentification|mot "
             "de passe incorrect|contraseña incorrecta|senha incorreta|неверный пароль|ошибка "
             "аутентификации|ошибка авторизации|密码错误|认证失败|验证失败|認証に失敗",
     .cause = kAuthFailedCause,
     .fix = kAuthFailedFix,
     .refs = "RFC 4954 §6|https://support.google.com/mail/?p=BadCredentials"},
    {.id = "protocol-error",
     .category = C::other,
     .permanence = P::from_code,
     .text =
         "syntax error|protocol violation|protocol error|synchronization error|unrecognized "
         "command|unrecognised command|command unrecognized|command not recognized|command "
         "not implemented|unimplemented|too many errors|too many unrecognized|bad sequence|"
         "out of sequence|may not be repeated|allowed to pipeline|command pipelining|pipelining "
         "not|helo or ehlo required|send helo|"
         "ehlo/helo first|mail first|rcpt first|need mail command|need rcpt command|must "
         "precede|unsupported option"
         "|smtputf8"
         "|ehlo/helo yet|8bitmime"
         "|say helo|helo/ehlo first"
         "|recipient first|sender first|already said",
     .cause = "The client did not follow the SMTP protocol (a command out of order, bad syntax, "
              "or one the server does not accept), or made too many such errors.",
     .fix = "Update or fix the sending software; a transcript (-v) shows the command the server "
            "objected to.",
     .refs = "RFC 5321 §4.1.4|RFC 5321 §4.3.2"},
    // A server's own failure, even when it closes the connection with it.
    {.id = "server-system-failure",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .text =
         "mail system failure|system failure|local delivery failed"
         "|temporary authentication failure"
         // "Temporary ... failure" in other languages.
         "|vorübergehend|temporaire|временный сбой|临时认证失败|一時的な|temporal en|temporária",
     .cause = "The server had a temporary problem on its side.",
     .fix = "Retry later; your mail software should retry 4xx replies automatically.",
     .refs = "RFC 5321 §4.2.1|RFC 5321 §4.5.4.1"},
    {.id = "service-unavailable",
     .category = C::service_unavailable,
     .permanence = P::temporary,
     .text = "service not available|service unavailable|service not active|no smtp service|closing "
             "transmission channel|service temporarily unavailable|shutting down|not accepting "
             "network messages|service is unavailable|refused to talk to me|server is not "
             "available|server not available"
             "|too much load|load too high"
             "|high load"
             "|currently unavailable|ports are busy"
             "|dienst nicht verfügbar|service non disponible|сервис не доступен|сервис недоступен"
             "|服务不可用|サービスは利用できません|servicio no disponible|serviço indisponível",
     .cause = "The server is not providing mail service right now (shutting down, overloaded, "
              "or refusing this client at the greeting).",
     .fix = "Retry later; if it persists, check the server name/port and whether the service "
            "refuses your IP at connect time.",
     .refs = "RFC 5321 §3.8|RFC 5321 §4.2.3"},
    {.id = "server-timeout",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .text = "timeout|timed out",
     .code = 4,
     .cause = "The server gave up waiting (for the client, or for a system it depends on) and "
              "closed or deferred the transaction.",
     .fix = "Retry; if it repeats, look for a slow network path or a client that pauses too long "
            "between commands.",
     .refs = "RFC 5321 §4.5.3.2"},
    {.id = "server-temporary-problem",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .text = "internal server error|server configuration problem|resources temporarily "
             "unavailable|temporary system problem|server busy|system busy|temporarily "
             "rejected|temporary "
             "failure|insufficient system storage|local error in processing|temporarily "
             "unavailable|try again later|try later|not in route list"
             "|could not complete"
             "|temporarily disabled|temporary lookup failure|lookup failure"
             // "Try again later" in other languages.
             "|später erneut|réessayer plus tard|réessayez plus tard|más tarde|mais "
             "tarde|попробуйте позже|повторите попытку позже|请稍后|稍后再试|しばらくしてから",
     .cause = "The server had a temporary problem on its side.",
     .fix = "Retry later; your mail software should retry 4xx replies automatically.",
     .refs = "RFC 5321 §4.2.1|RFC 5321 §4.5.4.1"},

    // ---- 3. Client library and OS error wording (for `explain`) -----------------------------
    // A 5.5.x reply is about the protocol (a command out of order or not understood) even when
    // it names EHLO or the sender: "503 5.5.1 Sender not yet given", "503 5.5.1 Polite people say
    // EHLO first". It stands before the "named" guesses below, after every wording rule.
    {.id = "enhanced-protocol-named",
     .category = C::other,
     .permanence = P::from_code,
     .enhanced = "5.5.*",
     .cause = "The client did not follow the SMTP protocol (a command out of order, bad syntax, "
              "or one the server does not accept).",
     .fix = "Update or fix the sending software; a transcript (-v) shows the command the server "
            "objected to.",
     .refs = "RFC 5321 §4.1.4|RFC 3463 §3.6"},
    {.id = "helo-named-permanent",
     .category = C::helo_rejected,
     .permanence = P::from_code,
     .text = "helo |ehlo |helo/|ehlo/|helo:|ehlo:|helo,|ehlo,|helohost",
     .code = 5,
     .cause = "The server refused the name the client introduced itself with (HELO/EHLO).",
     .fix = "Make the client send its fully-qualified host name, one that resolves in DNS and "
            "matches the sending IP's PTR name (Postfix: smtp_helo_name; most clients have a "
            "'local host name' or 'EHLO domain' setting).",
     .refs = "RFC 5321 §4.1.1.1|RFC 5321 §2.3.5"},
    {.id = "helo-named-temporary",
     .category = C::helo_rejected,
     .permanence = P::from_code,
     .text = "helo |ehlo |helo/|ehlo/|helo:|ehlo:|helo,|ehlo,|helohost",
     .code = 4,
     .cause = "The server deferred the client because of the name it introduced itself with "
              "(HELO/EHLO), for instance one it could not look up now.",
     .fix = "Send a fully-qualified host name that resolves in DNS; retry later.",
     .refs = "RFC 5321 §4.1.1.1"},
    {.id = "sender-named",
     .category = C::sender_rejected,
     .permanence = P::from_code,
     .text = "sender|mail from:|envelope from",
     .code = 5,
     .cause = kSenderCause,
     .fix = kSenderFix,
     .refs = "RFC 5321 §3.3"},
    // ... and one naming the recipient's address, about the recipient.
    {.id = "recipient-named",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .text = "recipient address|recipient addresses",
     .cause = "The receiving server refused this recipient address.",
     .fix = kRecipientFix,
     .refs = "RFC 5321 §3.3"},
    {.id = "client-dialog-refused",
     .category = C::connection_refused,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "refusing smtp connections|server may be unavailable or is refusing",
     .cause = "The mail program could not open a connection to the outgoing server: nothing "
              "accepts connections on that host and port (or something in between blocks them).",
     .fix = "Check the outgoing server name, port (587 with STARTTLS or 465 with SSL/TLS) and "
            "security setting; if those are right, try another network to rule out a firewall.",
     .refs = "RFC 6409 §3.1|RFC 8314 §3.3"},
    {.id = "client-greeting-never-received",
     .category = C::tls_failure,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "greeting never received|no greeting|timed out waiting for greeting|did not receive "
             "greeting"
             "|response: -1|server ready message",
     .signal = Signal::no_smtp_reply,
     .cause = "The connection opened but the server never sent its 220 greeting: typically a "
              "plain-text client on an implicit-TLS port (465) waiting while the server waits for "
              "a TLS handshake, or a proxy/firewall holding the connection.",
     .fix = "Use implicit TLS ('secure: true', SSL/TLS) on port 465 and STARTTLS on 587; if the "
            "mode is right, check for a firewall or antivirus proxy in between.",
     .refs = "RFC 8314 §3.3|RFC 5321 §3.1"},
    {.id = "client-dialog-connection-lost",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .basis = B::client_error,
     .text = "lost in the middle of the transaction|connection was lost|connection closed "
             "unexpectedly|unexpected connection close|connection reset by peer|econnreset"
             "|lost connection with|conversation with * timed out",
     .cause = "The connection to the server broke off during the conversation (server or middlebox "
              "closed it, or a TLS/antivirus interception failed).",
     .fix = "Retry; if it repeats, check TLS settings (STARTTLS on 587, SSL/TLS on 465) and any "
            "antivirus mail scanning, and look at the server's log for the reason.",
     .refs = "RFC 5321 §3.8"},
    {.id = "client-dialog-login-failed",
     .category = C::auth_failed,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "login to server * failed|authentication to smtp server * failed|authentication "
             "failure while connecting|unable to authenticate to smtp",
     .cause = kAuthFailedCause,
     .fix = kAuthFailedFix,
     .refs = "RFC 4954 §6"},
    {.id = "client-cert-invalid",
     .category = C::cert_invalid,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "self signed|self-signed|self_signed|certificate verify failed|unable to verify the "
             "first certificate|unable to get local issuer|unable_to_verify_leaf_signature|"
             "unable_to_get_issuer_cert|certificate has expired|cert_has_expired|certificate "
             "expired|hostname/ip does not match|does not match certificate|altnames|"
             "err_tls_cert_altname_invalid|certificate_verify_failed|x509: certificate|pkix path|"
             "certificate signed by unknown authority|unknown ca|sun.security.validator"
             "|certificate verification failed|certificate revoked|certificate invalid"
             "|certificate is not trusted|tlsa record"
             "|not yet valid|untrusted server certificate|untrusted certificate|certificate host "
             "check|provide certificate|provide a certificate|no peer certificate",
     .cause = kCertCause,
     .fix = kCertFix,
     .refs = "RFC 5280|RFC 6125"},
    {.id = "client-tls-failure",
     .category = C::tls_failure,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "wrong version number|unsupported protocol|handshake failure|sslv3 alert|tlsv1 "
             "alert|ssl routines|unknown protocol|no protocols available|tls handshake|ssl "
             "handshake|handshake_failure|no shared cipher|packet length too long|record layer "
             "failure|dh key too small|tls negotiation|ssl: wrong|eproto"
             "|handshake error|handshake failed|could not convert socket to tls"
             // Clients' own words when STARTTLS or the handshake fails ("could not negotiate TLS
             // connection", "TLS startup failed", "establish an SSL or TLS connection").
             "|handshake|negotiate tls|tls startup|starttls attempted but failed|connect with "
             "starttls|ssl or tls connection|ssl failed|tls failed|establish an ssl|establish a tls"
             "|upgrading transport|in secure mode|im sicheren modus|en mode sécurisé|в защищённом "
             "режиме"
             "|以安全模式|セキュリティ保護されたモード|en modo seguro|em modo seguro"
             "|connect via tls|connect via ssl|connect using tls|connect using ssl",
     .cause = "The TLS handshake failed: typically implicit TLS used on a STARTTLS port (or the "
              "reverse), or no TLS version/cipher in common.",
     .fix = "Use STARTTLS on port 587 ('secure: false' plus requireTLS in nodemailer) and "
            "implicit TLS only on 465; update old TLS libraries if the server needs TLS 1.2+.",
     .refs = "RFC 8314 §3|RFC 3207"},
    // Our reply parser's own words (core/base/reply.cpp) when the peer is not an SMTP server.
    {.id = "client-dialog-cannot-connect",
     .category = C::port_blocked,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "cannot connect to the outgoing|cannot connect to outgoing|could not connect to "
             "outgoing|unable to connect to outgoing|connection to smtp server * timed out|"
             "connection to outgoing server * timed out|0x800ccc0e"
             "|could not connect to smtp host",
     .cause = "The mail program could not reach the outgoing (SMTP) server: the port is filtered "
              "by a firewall or provider, or nothing listens there.",
     .fix = "Use port 587 (STARTTLS) or 465 (SSL/TLS) rather than 25; check firewall/antivirus; "
            "ask the network provider whether it blocks outgoing mail ports.",
     .refs = "RFC 6409 §3.1|RFC 5068 §3"},
    {.id = "protocol-not-smtp-http",
     .category = C::other,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "malformed reply line \"http/",
     .signal = Signal::no_smtp_reply,
     .cause = "A web server answers on this port, not a mail server.",
     .fix = "Check the port: SMTP submission is 587 (STARTTLS) or 465 (implicit TLS), relay is "
            "25; a proxy or port forward may point at the wrong service.",
     .refs = "RFC 6409 §3.1|RFC 8314 §3.3"},
    {.id = "protocol-not-smtp-ssh",
     .category = C::other,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "malformed reply line \"ssh-",
     .signal = Signal::no_smtp_reply,
     .cause = "An SSH server answers on this port, not a mail server.",
     .fix = "Check the port: SMTP submission is 587 (STARTTLS) or 465 (implicit TLS), relay is "
            "25; a port forward may point at the wrong service.",
     .refs = "RFC 6409 §3.1|RFC 8314 §3.3"},
    // What the client itself saw the server do wrong (its own error words, never a reply).
    {.id = "protocol-out-of-turn",
     .category = C::protocol_violation,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "talked out of turn",
     .signal = Signal::no_smtp_reply,
     .cause = "The server sent more right after its greeting, before the client had said "
              "anything. An SMTP server speaks only in answer to a command (RFC 5321 §4.3.1); "
              "what it sent would be taken as the answer to EHLO and the whole session would be "
              "out of step. Typical causes: a second greeting from a proxy or load balancer in "
              "front of the server, a banner written as several replies, or not an SMTP server.",
     .fix = "Run with -v to see what the server sent after its 220; make the server (or the "
            "proxy in front of it) send exactly one greeting reply and then wait for the client.",
     .refs = "RFC 5321 §4.3.1|RFC 5321 §4.2"},
    {.id = "protocol-closed-mid-reply",
     .category = C::protocol_violation,
     .permanence = P::temporary,
     .basis = B::client_error,
     .text = "closed the connection in the middle of a reply",
     .signal = Signal::no_smtp_reply,
     .cause = "The server closed the connection while it was still sending a multi-line reply: "
              "the reply never got its last line. The server process crashed or was killed, a "
              "proxy or firewall cut the connection, or it hit a limit of its own.",
     .fix = "Check the server's log at the time of the check for a crash or a killed process; "
            "run with -v to see how far the reply got; try again from another network to rule "
            "out a middlebox.",
     .refs = "RFC 5321 §4.2.1"},
    {.id = "protocol-endless-auth",
     .category = C::protocol_violation,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "asked for another auth step",
     .signal = Signal::no_smtp_reply,
     .cause = "The server kept answering 334 (\"go on\") after the mechanism had sent "
              "everything it has: the AUTH exchange would never end, so the client cancelled it "
              "with \"*\" (RFC 4954 §4). The server's SASL set-up is broken (a mechanism "
              "advertised that it does not implement, or an authentication back end that does "
              "not answer).",
     .fix = "Try another mechanism (--auth PLAIN or LOGIN); have the server's administrator "
            "check its SASL configuration and authentication back end, and its log.",
     .refs = "RFC 4954 §4"},
    {.id = "protocol-malformed-reply",
     .category = C::protocol_violation,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "malformed reply|reply line exceeds|reply exceeds|reply has more than|"
             "reply code changed from|is outside 200-599|contains a nul byte|contains a cr not "
             "followed by lf",
     .signal = Signal::no_smtp_reply,
     .cause = "The peer does not speak SMTP correctly: its reply is not a well-formed SMTP reply "
              "(another service on this port, a broken proxy, or a TLS-only port spoken to in "
              "plain text).",
     .fix = "Run with -v to see what the peer sent; check that host and port are the mail "
            "server's, and whether the port expects implicit TLS (465: --tls-on-connect).",
     .refs = "RFC 5321 §4.2|RFC 8314 §3.3"},
    // PHP's mail() on a system without a local MTA: nothing listens on the loopback address it
    // is pointed at (loopback is never filtered, so a failed connect there is a refusal).
    {.id = "client-local-mailserver-missing",
     .category = C::connection_refused,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "failed to connect to mailserver at \"localhost\"|failed to connect to mailserver at "
             "\"127.0.0.1\"",
     .signal = Signal::no_smtp_reply,
     .cause = "No mail server listens on this machine, where the program sends its mail (PHP's "
              "SMTP/smtp_port settings, localhost port 25 by default).",
     .fix = "Set SMTP and smtp_port in php.ini to a real mail server, install a local MTA, or "
            "send through an SMTP library with the provider's submission server (587/465).",
     .refs = "https://www.php.net/manual/en/mail.configuration.php"},
    // The server hung up (or sent nothing) and the client knows no reason: it names no cause.
    {.id = "client-connection-closed",
     .category = C::other,
     .permanence = P::temporary,
     .basis = B::client_error,
     .text = "unexpected eof|connection has closed|connection was closed|closed connection "
             "unexpectedly|unexpectedly disconnected|got an empty response|got code \"\""
             "|expected response code * but got",
     .signal = Signal::no_smtp_reply,
     .cause = "The server closed the connection or answered out of step without a reply that "
              "says why.",
     .fix = "Run with -v to see the transcript; check the server's log at that time.",
     .refs = "RFC 5321 §3.8"},
    {.id = "client-connection-refused",
     .category = C::connection_refused,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "econnrefused|connection refused|actively refused|errno 111|winerror 10061|"
             "connectionrefusederror|refused to connect",
     .signal = Signal::no_smtp_reply,
     .cause = "The host answered but nothing listens on this port (connection refused).",
     .fix = "Check host and port (587 STARTTLS, 465 implicit TLS); 127.0.0.1/::1 means the "
            "library fell back to localhost because no host was configured.",
     .refs = "RFC 6409 §3.1|RFC 8314 §3.3"},
    {.id = "client-connect-timeout",
     .category = C::port_blocked,
     .permanence = P::permanent,
     .basis = B::client_error,
     .text = "etimedout|connection timed out|connect timeout|timed out while connecting|"
             "connection timeout|errno 110|winerror 10060|did not properly respond after a "
             "period of time|connect to * timed out|timeout "
             "connecting|operation timed out|timed out connecting|timedout while connecting",
     .signal = Signal::no_smtp_reply,
     .cause = "Connecting timed out: a firewall silently drops traffic to this port (ISPs and "
              "cloud hosts commonly block outbound port 25, some also 465/587).",
     .fix = "Try port 587 or 465; ask your ISP/hosting provider to unblock the port, or relay "
            "through a submission server you are allowed to reach.",
     .refs = "RFC 5068 §3|RFC 6409"},
    {.id = "client-no-route",
     .category = C::no_internet,
     .permanence = P::temporary,
     .basis = B::client_error,
     .text = "network is unreachable|enetunreach|no route to host|ehostunreach|errno 101|"
             "errno 113|network unreachable|unreachable network|unreachable host",
     .signal = Signal::no_smtp_reply,
     .cause = "This machine has no route to the server: no internet connection, or none for "
              "this address family (IPv6).",
     .fix = "Check the network connection, VPN and firewall; in containers check the network "
            "mode; try -4 if IPv6 is not routed. On shared hosting this often means the provider "
            "blocks outbound SMTP: use its mail server or ask it to lift the block.",
     .refs = "RFC 1122 §3.2.2.1"},
    {.id = "client-dns-failure",
     .category = C::dns_failure,
     .permanence = P::temporary,
     .basis = B::client_error,
     .text = "getaddrinfo|name or service not known|nodename nor servname|enotfound|eai_again|"
             "eai_noname|host or domain name not found|name service error|temporary failure in "
             "name resolution|could not resolve|couldn't resolve|unknown host|"
             "unknownhostexception|mx resolution error|no address associated with hostname|"
             "nxdomain|servfail|dns lookup failed|failed to resolve"
             "|mx records point to non-existent"
             "|could not find the host|could not find host|gethostbyname|unresolvable|no mx record"
             "|dns failure|dns problem",
     .cause = kDnsCause,
     .fix = kDnsFix,
     .refs = "RFC 5321 §5.1"},

    {.id = "client-timeout",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .basis = B::client_error,
     .text = "timed out|command timeout|handle timeout|read timeout|write timeout",
     .signal = Signal::no_smtp_reply,
     .cause = "A step of the delivery timed out (the remote side was slow or unreachable for a "
              "while).",
     .fix = "Retry; if it repeats, check the network path to the server.",
     .refs = "RFC 5321 §4.5.3.2"},

    // ---- 4. Enhanced status codes alone ----------------------------------------------------
    {.id = "enhanced-auth-checks",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .enhanced = "*.7.26",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "RFC 7372|RFC 7489"},
    {.id = "enhanced-spf",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .enhanced = "*.7.23",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "RFC 7372|RFC 7208"},
    {.id = "enhanced-spf-error",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .enhanced = "*.7.24",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "RFC 7372|RFC 7208"},
    {.id = "enhanced-dkim",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .enhanced = "*.7.20",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "RFC 7372|RFC 6376"},
    // X.7.21/X.7.22: no acceptable / no author-matched DKIM signature (RFC 7372).
    {.id = "enhanced-dkim-unacceptable",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .enhanced = "*.7.21",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "RFC 7372|RFC 6376"},
    {.id = "enhanced-dkim-author",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .enhanced = "*.7.22",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "RFC 7372|RFC 6376"},
    {.id = "enhanced-arc",
     .category = C::policy_spf_dmarc,
     .permanence = P::from_code,
     .enhanced = "*.7.29",
     .cause = kSpfCause,
     .fix = kSpfFix,
     .refs = "RFC 8617|RFC 7372"},
    {.id = "enhanced-reverse-dns",
     .category = C::reverse_dns,
     .permanence = P::from_code,
     .enhanced = "*.7.25",
     .cause = kRdnsCause,
     .fix = kRdnsFix,
     .refs = "RFC 7372|RFC 1912 §2.1"},
    {.id = "enhanced-sender-null-mx",
     .category = C::null_mx,
     .permanence = P::permanent,
     .enhanced = "*.7.27",
     .cause = kNullMxCause,
     .fix = kNullMxFix,
     .refs = "RFC 7505 §4.2"},
    {.id = "enhanced-mail-flood",
     .category = C::rate_limited,
     .permanence = P::temporary,
     .enhanced = "*.7.28",
     .cause = "The receiver detected a flood of mail from you and is limiting it.",
     .fix = "Slow down and retry later; check the sender guidelines of the receiving provider.",
     .refs = "https://support.google.com/a/answer/3726730"},
    {.id = "enhanced-app-password",
     .category = C::app_password_required,
     .permanence = P::permanent,
     .enhanced = "*.7.9",
     .code = 534,
     .cause = "The server considers a plain password too weak for this account (two-step "
              "verification is on).",
     .fix = "Use an app password or OAuth2.",
     .refs = "RFC 4954 §6|https://support.google.com/accounts/answer/185833"},
    {.id = "enhanced-web-login",
     .category = C::app_password_required,
     .permanence = P::permanent,
     .enhanced = "*.7.14",
     .code = 534,
     .cause = "The provider wants a browser sign-in or an app password before it trusts this "
              "client.",
     .fix = "Sign in via the web once, then use an app password or OAuth2.",
     .refs = "RFC 4954 §6"},
    {.id = "enhanced-auth-credentials",
     .category = C::auth_failed,
     .permanence = P::permanent,
     .enhanced = "*.7.8",
     .cause = kAuthFailedCause,
     .fix = kAuthFailedFix,
     .refs = "RFC 4954 §6"},
    {.id = "enhanced-encryption-needed",
     .category = C::tls_required,
     .permanence = P::permanent,
     .enhanced = "*.7.10",
     .cause = kTlsRequiredCause,
     .fix = kTlsRequiredFix,
     .refs = "RFC 4954 §6"},
    {.id = "enhanced-encryption-for-auth",
     .category = C::tls_required,
     .permanence = P::permanent,
     .enhanced = "*.7.11",
     .cause = kTlsRequiredCause,
     .fix = kTlsRequiredFix,
     .refs = "RFC 4954 §6"},
    {.id = "enhanced-requiretls",
     .category = C::tls_required,
     .permanence = P::permanent,
     .enhanced = "*.7.30",
     .cause = "The message demands REQUIRETLS but a hop does not support it.",
     .fix = "Send without REQUIRETLS or through servers that support it.",
     .refs = "RFC 8689"},
    {.id = "enhanced-not-authenticated-m365",
     .category = C::auth_required,
     .permanence = P::permanent,
     .enhanced = "*.7.57",
     .cause = "Microsoft 365 requires the client to log in before sending.",
     .fix = "Enable SMTP AUTH in the client with the mailbox's credentials on "
            "smtp.office365.com:587.",
     .refs = "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/"
             "authenticated-client-smtp-submission"},
    {.id = "enhanced-recipient-null-mx",
     .category = C::null_mx,
     .permanence = P::permanent,
     .enhanced = "*.1.10",
     .code = 556,
     .cause = kNullMxCause,
     .fix = kNullMxFix,
     .refs = "RFC 7505 §4.1"},
    {.id = "enhanced-bad-mailbox",
     .category = C::recipient_unknown,
     .permanence = P::permanent,
     .enhanced = "*.1.1",
     .cause = kRecipientCause,
     .fix = kRecipientFix,
     .refs = "RFC 3463 §3.2"},
    {.id = "enhanced-recipient-not-found-exchange",
     .category = C::recipient_unknown,
     .permanence = P::permanent,
     .enhanced = "*.1.10",
     .cause = kRecipientCause,
     .fix = kRecipientFix,
     .refs = "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/"
             "fix-error-code-550-5-1-10-in-exchange-online"},
    // X.7.17/X.7.18: the mailbox's or the domain's owner has changed (RFC 7293): the address no
    // longer reaches the person it was meant for.
    {.id = "enhanced-owner-changed",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .enhanced = "*.7.17",
     .cause = kRecipientCause,
     .fix = kRecipientFix,
     .refs = "RFC 7293|RFC 3463 §3.2"},
    {.id = "enhanced-domain-owner-changed",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .enhanced = "*.7.18",
     .cause = kRecipientCause,
     .fix = kRecipientFix,
     .refs = "RFC 7293|RFC 3463 §3.2"},
    {.id = "enhanced-mailbox-moved",
     .category = C::recipient_unknown,
     .permanence = P::permanent,
     .enhanced = "*.1.6",
     .cause = "The mailbox has moved and there is no forwarding address.",
     .fix = kRecipientFix,
     .refs = "RFC 3463 §3.2"},
    {.id = "enhanced-mailbox-disabled",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .enhanced = "*.2.1",
     .cause = "The recipient's mailbox is disabled and does not accept messages.",
     .fix = kRecipientFix,
     .refs = "RFC 3463 §3.3"},
    {.id = "enhanced-mailbox-full",
     .category = C::mailbox_full,
     .permanence = P::from_code,
     .enhanced = "*.2.2",
     .cause = kMailboxFullCause,
     .fix = kMailboxFullFix,
     .refs = "RFC 3463 §3.3"},
    {.id = "enhanced-message-length",
     .category = C::message_too_large,
     .permanence = P::permanent,
     .enhanced = "*.2.3",
     .cause = kTooLargeCause,
     .fix = kTooLargeFix,
     .refs = "RFC 3463 §3.3"},
    {.id = "enhanced-message-too-big",
     .category = C::message_too_large,
     .permanence = P::permanent,
     .enhanced = "*.3.4",
     .cause = kTooLargeCause,
     .fix = kTooLargeFix,
     .refs = "RFC 3463 §3.4|RFC 1870"},
    {.id = "enhanced-bad-sender-syntax",
     .category = C::sender_rejected,
     .permanence = P::from_code,
     .enhanced = "*.1.7",
     .cause = kSenderCause,
     .fix = kSenderFix,
     .refs = "RFC 3463 §3.2"},
    {.id = "enhanced-bad-sender-system",
     .category = C::sender_rejected,
     .permanence = P::from_code,
     .enhanced = "*.1.8",
     .cause = kSenderCause,
     .fix = kSenderFix,
     .refs = "RFC 3463 §3.2"},

    {.id = "enhanced-bad-destination-system",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .enhanced = "*.1.2",
     .cause = "The recipient's domain does not exist or does not accept mail.",
     .fix = "Check the domain part of the address for typos.",
     .refs = "RFC 3463 §3.2"},
    {.id = "enhanced-bad-destination-syntax",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .enhanced = "*.1.3",
     .cause = "The recipient address is not a valid address.",
     .fix = "Check the address for typos, spaces or stray punctuation.",
     .refs = "RFC 3463 §3.2"},
    {.id = "enhanced-account-disabled",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .enhanced = "*.7.13",
     .cause = "The recipient's account is disabled.",
     .fix = kRecipientFix,
     .refs = "RFC 3463 §3.8|https://www.iana.org/assignments/smtp-enhanced-status-codes"},
    {.id = "enhanced-mail-system-full",
     .category = C::temporary_failure,
     .permanence = P::from_code,
     .enhanced = "*.3.1",
     .cause = "The receiving mail system is out of storage.",
     .fix = "Retry later; the receiving side must free space.",
     .refs = "RFC 3463 §3.4"},
    {.id = "enhanced-not-accepting",
     .category = C::service_unavailable,
     .permanence = P::from_code,
     .enhanced = "*.3.2",
     .cause = "The receiving system is not accepting network messages right now.",
     .fix = "Retry later; if it persists, the receiving side must check why it refuses mail.",
     .refs = "RFC 3463 §3.4"},
    {.id = "enhanced-mail-system-temporary",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .enhanced = "4.3.*",
     .cause = "The receiving mail system has a temporary problem.",
     .fix = "Retry later; your server retries 4xx replies by itself.",
     .refs = "RFC 3463 §3.4"},
    {.id = "enhanced-routing-dns",
     .category = C::dns_failure,
     .permanence = P::from_code,
     .enhanced = "*.4.4",
     .cause = kDnsCause,
     .fix = kDnsFix,
     .refs = "RFC 3463 §3.5"},
    {.id = "enhanced-routing-loop",
     .category = C::other,
     .permanence = P::from_code,
     .enhanced = "*.4.6",
     .cause = "The message is going round in a loop between mail servers.",
     .fix = "Check the MX and forwarding setup of the recipient's domain.",
     .refs = "RFC 3463 §3.5"},
    {.id = "enhanced-network-temporary",
     .category = C::temporary_failure,
     .permanence = P::temporary,
     .enhanced = "4.4.*",
     .cause = "Delivery failed for now on the network or routing side (no answer, a broken "
              "connection, or a message that waited too long).",
     .fix = "Retry later; if it persists, check that the recipient's MX is reachable.",
     .refs = "RFC 3463 §3.5"},
    {.id = "enhanced-too-many-recipients",
     .category = C::rate_limited,
     .permanence = P::from_code,
     .enhanced = "*.5.3",
     .cause = "Too many recipients for one message or transaction.",
     .fix = "Send to fewer recipients per message, or split the transaction.",
     .refs = "RFC 3463 §3.6"},
    {.id = "enhanced-protocol-temporary",
     .category = C::other,
     .permanence = P::from_code,
     .enhanced = "4.5.*",
     .cause = "The server objected to the SMTP conversation itself (protocol or syntax).",
     .fix = "Update or fix the sending software; a transcript (-v) shows the command.",
     .refs = "RFC 3463 §3.6"},
    {.id = "enhanced-protocol",
     .category = C::other,
     .permanence = P::from_code,
     .enhanced = "5.5.*",
     .cause = "The server objected to the SMTP conversation itself (protocol or syntax).",
     .fix = "Update or fix the sending software; a transcript (-v) shows the command.",
     .refs = "RFC 3463 §3.6"},
    {.id = "enhanced-media",
     .category = C::content_rejected,
     .permanence = P::from_code,
     .enhanced = "5.6.*",
     .cause = "The receiving server could not accept the message's content or format.",
     .fix = "Check the message's MIME structure, encoding and headers.",
     .refs = "RFC 3463 §3.7"},
    {.id = "enhanced-security-not-supported",
     .category = C::auth_unavailable,
     .permanence = P::from_code,
     .enhanced = "*.7.4",
     .cause = "The server does not support the security feature (AUTH mechanism) requested.",
     .fix = "Use an AUTH mechanism the server lists in its EHLO reply.",
     .refs = "RFC 3463 §3.8"},
    {.id = "enhanced-integrity",
     .category = C::content_rejected,
     .permanence = P::from_code,
     .enhanced = "*.7.7",
     .cause = "The message failed an integrity check on the receiving side.",
     .fix = "Check the message's structure and signatures.",
     .refs = "RFC 3463 §3.8"},

    // ---- 5. Reply codes and stages alone -----------------------------------------------------
    {.id = "code-535",
     .category = C::auth_failed,
     .permanence = P::permanent,
     .code = 535,
     .cause = kAuthFailedCause,
     .fix = kAuthFailedFix,
     .refs = "RFC 4954 §6"},
    {.id = "code-530",
     .category = C::auth_required,
     .permanence = P::permanent,
     .code = 530,
     .cause = "The server requires authentication (or TLS) before this command.",
     .fix = "Enable STARTTLS and SMTP authentication in the client.",
     .refs = "RFC 4954 §6|RFC 3207 §4"},
    {.id = "code-421",
     .category = C::service_unavailable,
     .permanence = P::temporary,
     .code = 421,
     .cause = "The server is closing the connection: service not available right now.",
     .fix = "Retry later; if it persists at the greeting, the server may be refusing your IP.",
     .refs = "RFC 5321 §3.8|RFC 5321 §4.2.3"},
    {.id = "code-551",
     .category = C::recipient_unknown,
     .permanence = P::permanent,
     .code = 551,
     .cause = "The recipient is not local to this server.",
     .fix = kRecipientFix,
     .refs = "RFC 5321 §3.4"},
    {.id = "code-538",
     .category = C::tls_required,
     .permanence = P::permanent,
     .code = 538,
     .cause = kTlsRequiredCause,
     .fix = kTlsRequiredFix,
     .refs = "RFC 4954 §6"},
    {.id = "enhanced-password-transition",
     .category = C::auth_failed,
     .permanence = P::from_code,
     .enhanced = "*.7.12",
     .code = 432,
     .cause = "The server wants the account's password changed before it accepts this login.",
     .fix = "Sign in to the account (web mail or the provider's portal) and set a new password.",
     .refs = "RFC 4954 §6"},
    // RFC 1870 §6.1: 552 to a MAIL FROM whose SIZE exceeds the server's limit. (At the end of
    // DATA servers use 552 for full mailboxes as often as for size: RFC 5321's "exceeded storage
    // allocation", code-552 below, decides there.)
    {.id = "code-552-size",
     .category = C::message_too_large,
     .permanence = P::permanent,
     .code = 552,
     .stage = S::mail,
     .cause = kTooLargeCause,
     .fix = kTooLargeFix,
     .refs = "RFC 1870 §6|RFC 5321 §4.2.3"},
    // An addressing status (X.1.x) answers the command it came in reply to: a recipient at RCPT
    // TO, the sender at MAIL FROM. So do 550 and 553 ("mailbox unavailable", "mailbox name not
    // allowed", RFC 5321 §4.2.2) with no other words this tool knows.
    {.id = "stage-rcpt-addressing",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .enhanced = "5.1.*",
     .stage = S::rcpt,
     .cause = "The receiving server refused this recipient address.",
     .fix = kRecipientFix,
     .refs = "RFC 3463 §3.2"},
    {.id = "stage-mail-addressing",
     .category = C::sender_rejected,
     .permanence = P::from_code,
     .enhanced = "5.1.*",
     .stage = S::mail,
     .cause = kSenderCause,
     .fix = kSenderFix,
     .refs = "RFC 3463 §3.2"},
    {.id = "stage-rcpt-mailbox-unavailable",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .code = 550,
     .stage = S::rcpt,
     .cause = "The receiving server refused this recipient (550: mailbox unavailable).",
     .fix = kRecipientFix,
     .refs = "RFC 5321 §4.2.2"},
    {.id = "stage-rcpt-mailbox-not-allowed",
     .category = C::recipient_unknown,
     .permanence = P::from_code,
     .code = 553,
     .stage = S::rcpt,
     .cause = "The receiving server refused this recipient (553: mailbox name not allowed).",
     .fix = kRecipientFix,
     .refs = "RFC 5321 §4.2.2"},
    {.id = "code-552",
     .category = C::mailbox_full,
     .permanence = P::permanent,
     .code = 552,
     .cause = "The server reports the storage allocation exceeded (mailbox full or message too "
              "large).",
     .fix = "Check the message size against the server's SIZE; otherwise the recipient must "
            "free space.",
     .refs = "RFC 5321 §4.2.3"},
    {.id = "stage-banner-refused",
     .category = C::service_unavailable,
     .permanence = P::from_code,
     .code = 5,
     .stage = S::banner,
     .cause = "The server refuses to talk to this client at the greeting (554: no SMTP service "
              "for you).",
     .fix = "Check whether your IP is blocked or the port is not a mail service; try another "
            "network or the provider's submission server.",
     .refs = "RFC 5321 §3.1|RFC 5321 §4.2.3"},
    {.id = "stage-banner-deferred",
     .category = C::service_unavailable,
     .permanence = P::from_code,
     .code = 4,
     .stage = S::banner,
     .cause =
         "The server answered the connection with a temporary refusal instead of its greeting.",
     .fix = "Retry later; if it persists, the server may be overloaded or refusing your IP.",
     .refs = "RFC 5321 §3.1|RFC 5321 §4.2.3"},
    {.id = "stage-helo-refused",
     .category = C::helo_rejected,
     .permanence = P::from_code,
     .code = 5,
     .stage = S::ehlo,
     .cause = "The server refused EHLO/HELO.",
     .fix = "Send a fully-qualified host name that resolves to your IP (--helo).",
     .refs = "RFC 5321 §4.1.1.1"},
    {.id = "stage-starttls-refused",
     .category = C::tls_failure,
     .permanence = P::from_code,
     .code = 4,
     .stage = S::starttls,
     .cause = "The server could not start TLS right now.",
     .fix = "Retry later or use implicit TLS on port 465.",
     .refs = "RFC 3207 §4"},
    {.id = "stage-auth-refused",
     .category = C::auth_failed,
     .permanence = P::from_code,
     .code = 5,
     .stage = S::auth,
     .cause = kAuthFailedCause,
     .fix = kAuthFailedFix,
     .refs = "RFC 4954 §6"},
    {.id = "stage-mail-refused",
     .category = C::sender_rejected,
     .permanence = P::from_code,
     .code = 5,
     .stage = S::mail,
     .cause = kSenderCause,
     .fix = kSenderFix,
     .refs = "RFC 5321 §3.3"},
    {.id = "stage-resolve",
     .category = C::dns_failure,
     .permanence = P::temporary,
     .stage = S::resolve,
     .cause = kDnsCause,
     .fix = kDnsFix,
     .refs = "RFC 5321 §5.1"},
});

}  // namespace

std::span<const Rule> rules() {
  return kRules;
}

}  // namespace smtpdoctor
