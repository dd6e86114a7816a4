"""A private Postfix on 127.0.0.1 high ports, authenticating through the Dovecot fixture and
delivering its local domain to Dovecot over LMTP, so a message sent here can be read back with
POP3/IMAP.

Listeners (all `smtpd`, all with STARTTLS offered and Dovecot SASL enabled):

    submission_port  AUTH offered before and after STARTTLS
    auth_tls_port    smtpd_tls_auth_only = yes: AUTH only after STARTTLS
    tls_only_port    smtpd_tls_security_level = encrypt: STARTTLS required before MAIL
    smtps_port       implicit TLS (smtpd_tls_wrappermode, as on port 465)
    tls_ports[LABEL] (STARTTLS port, implicit-TLS port) serving the certificate given for LABEL
                     in `tls_listeners` (Postfix serves any: expired, for other names, without
                     its intermediate), for the TLS failure matrix

Policy: smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination, so a
foreign RCPT without login gets "554 5.7.1 Relay access denied"; smtpdoctor.test is a virtual
mailbox domain with Alice and Bob (peers.dovecot.USERS) and any other local user gets "550 5.1.1
User unknown". Mail for foreign domains accepted after login is dropped by the `discard`
transport: the fixture never sends anything off the machine and never looks anything up in DNS.

How it runs: config_directory, queue_directory and data_directory live in the peer's temp dir;
`postfix -c DIR check` creates the queue with the right owners (mail_owner postfix, setgid_group
postdrop), then the master daemon runs in the foreground as our child (`master -s -c DIR`), so it
and its children are one process group that stop() can end. in_flow_delay = 0s: the default 1 s
throttle otherwise slows MAIL FROM after a few hundred dry runs. Needs root (Postfix does).
"""

import contextlib
import os
import sys
import time

from . import ports
from .base import Peer, PeerError, run
from .dovecot import USERS, Dovecot

HOSTNAME = "mx.smtpdoctor.test"
LOCAL_DOMAIN = "smtpdoctor.test"
# Recipients the stock policy refuses: a domain this server is not the destination for (relay
# denied without login), and a mailbox of the local domain that does not exist.
FOREIGN = "someone@foreign.test"
UNKNOWN_LOCAL = "nobody-here@" + LOCAL_DOMAIN
BANNER = "ESMTP smtpdoctor-test-postfix"

MASTER_CF = """\
# Written by tests/peers/postfix.py. No service listens on port 25; nothing is chrooted.
127.0.0.1:{submission} inet n - n - - smtpd
  -o syslog_name=postfix-test/submission
127.0.0.1:{auth_tls} inet n - n - - smtpd
  -o syslog_name=postfix-test/authtls
  -o smtpd_tls_auth_only=yes
127.0.0.1:{tls_only} inet n - n - - smtpd
  -o syslog_name=postfix-test/tlsonly
  -o smtpd_tls_security_level=encrypt
127.0.0.1:{smtps} inet n - n - - smtpd
  -o syslog_name=postfix-test/smtps
  -o smtpd_tls_wrappermode=yes
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix(Peer):
    name = "postfix"

    def __init__(self, dovecot, tls_listeners=None):
        """`dovecot`: a started Dovecot fixture (SASL and LMTP); its certificates are reused.
        `tls_listeners`: {label: (cert_file, key_file)}, two more listeners each (see above)."""
        super().__init__()
        self.dovecot = dovecot
        self.tls_listeners = dict(tls_listeners or {})
        self.tls_ports = {}
        self.submission_port = self.auth_tls_port = self.tls_only_port = None
        self.smtps_port = None

    @property
    def certs(self):
        return self.dovecot.certs

    @property
    def config_dir(self):
        return self.path("etc")

    def log_files(self):
        return [self.path("postfix.log"), self.path("master.out")] if self.dir else []

    def _pick_ports(self):
        picked = ports.free_ports(4 + 2 * len(self.tls_listeners))
        (self.submission_port, self.auth_tls_port, self.tls_only_port,
         self.smtps_port) = picked[:4]
        for i, label in enumerate(sorted(self.tls_listeners)):
            self.tls_ports[label] = (picked[4 + 2 * i], picked[5 + 2 * i])

    def _configure(self):
        if os.geteuid() != 0:
            raise PeerError("the Postfix fixture needs root (postfix refuses to run otherwise)")
        if not self.dovecot.started:
            raise PeerError("start the Dovecot fixture before Postfix")
        os.chmod(self.dir, 0o755)  # Postfix daemons run as the postfix user
        os.makedirs(self.config_dir)
        os.makedirs(self.path("spool"))  # `postfix check` fills it but will not create it
        with open(os.path.join(self.config_dir, "main.cf"), "w"):
            pass
        with open(os.path.join(self.config_dir, "master.cf"), "w") as master_cf:
            master_cf.write(MASTER_CF.format(submission=self.submission_port,
                                             auth_tls=self.auth_tls_port,
                                             tls_only=self.tls_only_port, smtps=self.smtps_port))
            for label, (starttls, smtps) in sorted(self.tls_ports.items()):
                cert, key = self.tls_listeners[label]
                tls = "  -o smtpd_tls_cert_file=%s\n  -o smtpd_tls_key_file=%s\n" % (cert, key)
                master_cf.write("127.0.0.1:%d inet n - n - - smtpd\n" % starttls + tls)
                master_cf.write("127.0.0.1:%d inet n - n - - smtpd\n" % smtps + tls +
                                "  -o smtpd_tls_wrappermode=yes\n")
        mailboxes = self.path("vmailbox")
        with open(mailboxes, "w") as table:
            for user in USERS:
                local, domain = user.address.split("@")
                table.write("%s %s/%s/\n" % (user.address, domain, local))
        settings = {
            "compatibility_level": "3.6",
            "queue_directory": self.path("spool"),
            "data_directory": self.path("data"),
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": HOSTNAME,
            "mydomain": LOCAL_DOMAIN,
            "myorigin": "$mydomain",
            "mydestination": "",
            "mynetworks": "127.0.0.1/32",
            "inet_interfaces": "loopback-only",
            "inet_protocols": "ipv4",
            "in_flow_delay": "0s",
            "maillog_file": self.path("postfix.log"),
            "maillog_file_prefixes": self.dir,
            "smtpd_banner": "$myhostname " + BANNER,
            "biff": "no",
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "",
            "relay_domains": "",
            "smtpd_peername_lookup": "no",
            "smtp_dns_support_level": "disabled",
            "default_transport": "discard:the test fixture delivers nothing off this machine",
            "relay_transport": "discard:the test fixture delivers nothing off this machine",
            "virtual_mailbox_domains": LOCAL_DOMAIN,
            "virtual_mailbox_maps": "texthash:" + mailboxes,
            "virtual_transport": "lmtp:unix:" + self.dovecot.lmtp_socket,
            "smtpd_relay_restrictions": "permit_sasl_authenticated, reject_unauth_destination",
            "smtpd_recipient_restrictions": "",
            "smtpd_sasl_auth_enable": "yes",
            "smtpd_sasl_type": "dovecot",
            "smtpd_sasl_path": self.dovecot.auth_socket,
            "smtpd_tls_security_level": "may",
            "smtpd_tls_cert_file": self.certs.cert_file,
            "smtpd_tls_key_file": self.certs.key_file,
            "smtpd_tls_loglevel": "1",
            "smtpd_tls_received_header": "yes",
            "tls_random_source": "dev:/dev/urandom",
            "notify_classes": "",
            "bounce_queue_lifetime": "0",
            "maximal_queue_lifetime": "1h",
        }
        run(["postconf", "-c", self.config_dir, "-e"] +
            ["%s=%s" % item for item in settings.items()])
        # Creates spool/ and data/ with the owners Postfix wants (what set-permissions does),
        # and fails loudly on a broken config before we wait for a banner that never comes.
        run(["postfix", "-c", self.config_dir, "check"])

    def _launch(self):
        daemon_directory = run(["postconf", "-c", self.config_dir, "-h",
                                "daemon_directory"]).strip()
        self.spawn([os.path.join(daemon_directory, "master"), "-s", "-c", self.config_dir],
                   "master.out", env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                      "MAIL_CONFIG": self.config_dir})

    def _probe(self, deadline):
        try:
            starttls_ports = [starttls for starttls, _ in self.tls_ports.values()]
            for port in [self.submission_port, self.auth_tls_port, self.tls_only_port] + \
                    starttls_ports:
                ports.wait_for_tcp(port, min(deadline, time.monotonic() + 0.3),
                                   banner_prefix="220 " + HOSTNAME)
            # Implicit TLS: the banner comes only after a handshake; accepting is enough here.
            for port in [self.smtps_port] + [smtps for _, smtps in self.tls_ports.values()]:
                ports.wait_for_tcp(port, min(deadline, time.monotonic() + 0.3))
        except TimeoutError:
            return False
        return True


class MailStack:
    """Dovecot + Postfix wired together, sharing one test CA:

        with MailStack() as mail:
            mail.postfix.submission_port, mail.dovecot.pop3_port, mail.certs.ca_file
    """

    def __init__(self, tls_listeners=None):
        self.dovecot = Dovecot()
        self.postfix = Postfix(self.dovecot, tls_listeners)

    @property
    def certs(self):
        return self.dovecot.certs

    @property
    def peers(self):
        return (self.dovecot, self.postfix)

    def start(self):
        self.dovecot.start()
        try:
            self.postfix.start()
        except BaseException:
            self.dovecot.stop()
            raise
        return self

    def stop(self):
        self.postfix.stop()
        self.dovecot.stop()

    def dump_logs(self, reason):
        for peer in self.peers:
            peer.dump_logs(reason)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        with contextlib.ExitStack() as stack:
            stack.callback(self.dovecot.__exit__, exc_type, exc, tb)
            stack.callback(self.postfix.__exit__, exc_type, exc, tb)
        return False


def environment(mail):
    """What a command run with this peer gets (see cli.py): Dovecot's values plus these."""
    from . import dovecot
    p = mail.postfix
    values = dovecot.environment(mail.dovecot)
    values.update({
        "SMTPDOCTOR_SUBMISSION_PORT": str(p.submission_port),
        "SMTPDOCTOR_AUTH_TLS_PORT": str(p.auth_tls_port),
        "SMTPDOCTOR_TLS_ONLY_PORT": str(p.tls_only_port),
        "SMTPDOCTOR_SMTPS_PORT": str(p.smtps_port),
    })
    return values


def describe(mail):
    p, user = mail.postfix, USERS[0]
    return ({
        "submission": "STARTTLS, AUTH before and after",
        "auth_tls": "smtpd_tls_auth_only = yes",
        "tls_only": "smtpd_tls_security_level = encrypt",
        "smtps": "implicit TLS",
        "postfix log": p.log_files()[0],
        "dovecot log": mail.dovecot.log_files()[0],
        "try": "swaks --server 127.0.0.1:%d --tls --auth PLAIN --auth-user %s "
               "--auth-password %s --to %s" % (p.submission_port, user.address,
                                               user.smtp_password, user.address),
    }, environment(mail))


def main(args=None):
    from .cli import run
    return run(MailStack(), describe, sys.argv[1:] if args is None else args)


if __name__ == "__main__":
    sys.exit(main())
