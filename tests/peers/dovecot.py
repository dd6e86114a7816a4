"""A private Dovecot on 127.0.0.1: POP3 and IMAP (each with a STARTTLS/STLS port and an implicit
TLS port), SASL auth for Postfix and LMTP delivery into maildirs, all under one temp dir.

Users (one passwd-file per service: Dovecot reads passwd.%s, %s being pop3, imap or smtp):

    ALICE  alice@smtpdoctor.test  one password everywhere
    BOB    bob@smtpdoctor.test    POP3/IMAP password != the SMTP (Postfix SASL) password,
                                  for "your mail app has two different passwords" diagnoses

Postfix asks the auth socket with service "smtp", so Bob's SMTP password is Bob.smtp_password.
auth_failure_delay is 0 and the anvil auth penalty is off: by default Dovecot answers a failed
login after ~2 s and delays the next login from the same IP by 2-15 s more.
Needs root (Dovecot switches to the dovenull/dovecot users and to the mail user).
"""

import collections
import os
import pwd
import sys
import time

from . import ports
from .base import Peer, PeerError
from .certs import TestCertificates

User = collections.namedtuple("User", "address password smtp_password")

ALICE = User("alice@smtpdoctor.test", "alice-pass-1", "alice-pass-1")
BOB = User("bob@smtpdoctor.test", "bob-pop-pass", "bob-smtp-pass")
USERS = (ALICE, BOB)

MAIL_USER = "nobody"  # owner of the maildirs; any unprivileged account with a valid uid

CONFIG = """\
# Written by tests/peers/dovecot.py; nothing from /etc/dovecot is read.
instance_name = {instance}
hostname = mx.smtpdoctor.test
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
protocols = pop3 imap lmtp
listen = 127.0.0.1
shutdown_clients = yes

ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2

disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_cache_size = 0
auth_verbose = yes
default_internal_user = dovecot
default_login_user = dovenull

mail_location = maildir:{dir}/mail/%d/%n
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 1
first_valid_gid = 1

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu {dir}/passwd.%s
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/mail/%d/%n allow_all_users=yes
}}

service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {pop3s}
    ssl = yes
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service lmtp {{
  unix_listener {dir}/lmtp {{
    mode = 0666
  }}
}}
service auth {{
  unix_listener {dir}/auth {{
    mode = 0666
  }}
}}
# No "auth penalty" either: anvil otherwise delays the next login from an IP that failed once
# (2 s, doubling up to 15 s). mode 0 is Dovecot's documented way to turn it off.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


class Dovecot(Peer):
    name = "dovecot"

    def __init__(self, certs=None):
        """`certs`: a TestCertificates to share with Postfix; made in the peer's dir if None."""
        super().__init__()
        self.certs = certs
        self._own_certs = certs is None  # made anew in each start attempt's dir
        self.pop3_port = self.pop3s_port = self.imap_port = self.imaps_port = None

    @property
    def auth_socket(self):
        """Dovecot SASL for Postfix (smtpd_sasl_type = dovecot)."""
        return self.path("auth")

    @property
    def lmtp_socket(self):
        return self.path("lmtp")

    def log_files(self):
        return [self.path("dovecot.log"), self.path("dovecot.out")] if self.dir else []

    def _pick_ports(self):
        self.pop3_port, self.pop3s_port, self.imap_port, self.imaps_port = ports.free_ports(4)

    def _configure(self):
        if os.geteuid() != 0:
            raise PeerError("the Dovecot fixture needs root (it switches to its own users)")
        os.chmod(self.dir, 0o755)  # mail, login and auth processes run unprivileged
        if self._own_certs:
            self.certs = TestCertificates(self.path("certs")).create()
        mail_user = pwd.getpwnam(MAIL_USER)
        os.makedirs(self.path("mail"))
        os.chown(self.path("mail"), mail_user.pw_uid, mail_user.pw_gid)
        for service, field in (("pop3", "password"), ("imap", "password"),
                               ("smtp", "smtp_password")):
            path = self.path("passwd." + service)
            with open(path, "w") as passwd:
                for user in USERS:
                    passwd.write("%s:{PLAIN}%s\n" % (user.address, getattr(user, field)))
            os.chmod(path, 0o640)
            os.chown(path, 0, pwd.getpwnam("dovecot").pw_gid)
        with open(self.path("dovecot.conf"), "w") as conf:
            conf.write(CONFIG.format(
                instance="smtpdoctor-test-%s" % os.path.basename(self.dir), dir=self.dir,
                cert=self.certs.cert_file, key=self.certs.key_file, uid=mail_user.pw_uid,
                gid=mail_user.pw_gid, pop3=self.pop3_port, pop3s=self.pop3s_port,
                imap=self.imap_port, imaps=self.imaps_port))

    def _launch(self):
        self.spawn(["dovecot", "-F", "-c", self.path("dovecot.conf")], "dovecot.out")

    def _probe(self, deadline):
        try:
            ports.wait_for_tcp(self.pop3_port, min(deadline, time.monotonic() + 0.3),
                               banner_prefix="+OK")
            ports.wait_for_tcp(self.imap_port, min(deadline, time.monotonic() + 0.3),
                               banner_prefix="* OK")
        except TimeoutError:
            return False
        # The auth and LMTP sockets come up with the other services; Postfix needs both.
        return os.path.exists(self.auth_socket) and os.path.exists(self.lmtp_socket)


def environment(dovecot):
    """What a command run with this peer gets (see cli.py)."""
    return {
        "SMTPDOCTOR_POP3_PORT": str(dovecot.pop3_port),
        "SMTPDOCTOR_POP3S_PORT": str(dovecot.pop3s_port),
        "SMTPDOCTOR_IMAP_PORT": str(dovecot.imap_port),
        "SMTPDOCTOR_IMAPS_PORT": str(dovecot.imaps_port),
        "SMTPDOCTOR_TEST_CA": dovecot.certs.ca_file,
        "SMTPDOCTOR_TEST_USER": ALICE.address,
        "SMTPDOCTOR_TEST_PASSWORD": ALICE.password,
        "SMTPDOCTOR_TEST_USER2": BOB.address,
        "SMTPDOCTOR_TEST_USER2_POP_PASSWORD": BOB.password,
        "SMTPDOCTOR_TEST_USER2_SMTP_PASSWORD": BOB.smtp_password,
    }


def describe(dovecot):
    return ({"auth socket": dovecot.auth_socket, "lmtp socket": dovecot.lmtp_socket,
             "log": dovecot.log_files()[0]}, environment(dovecot))


def main(args=None):
    from .cli import run
    return run(Dovecot(), describe, sys.argv[1:] if args is None else args)


if __name__ == "__main__":
    sys.exit(main())
